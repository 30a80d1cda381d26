public enum Version {
  /// Keep in step with CAFFESTA_VERSION_* in include/caffesta.h.
  public static let string: StaticString = "1.1.0"
}
