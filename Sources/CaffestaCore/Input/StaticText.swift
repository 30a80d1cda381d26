extension StaticString {
  /// The literal's bytes as a C string: static storage, nothing to copy or free.
  public var cString: UnsafePointer<CChar> {
    UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
  }
}
