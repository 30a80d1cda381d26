"""The @_cdecl bodies of the plain calls: Sources/Caffesta/<section>.generated.swift."""

from .table import BANNER, KINDS, wrap

OUT = {"json": "JSONOut", "id": "IDOut"}


def parameters(call):
    params = ["_ client: OpaquePointer?"]
    for p in call.inputs:
        params.append("_ %s: %s" % (p.swift, KINDS[p.kind].swift))
    if call.result in OUT:
        params.append("_ %s: %s" % ("result" if call.result == "json" else "id", OUT[call.result]))
    return params


def core_call(call):
    values = {p.name: KINDS[p.kind].swift_value(p.swift, p) for p in call.inputs}
    # A core method validates its arguments and throws; one that takes none has nothing to
    # refuse and does not throw (a `try` there is a compiler warning).
    return ("try c.%s" if call.inputs else "c.%s") % call.core.format(**values)


# result kind: the ABI helper and its arguments besides the client (Sources/Caffesta/Conversions.swift)
HELPERS = {"json": "json(client, result)", "id": "id(client, id)", "status": "status(client)", "setting": "set(client)"}


def function(call):
    """One @_cdecl function: its declaration on one line, its body on the next (a row per call,
    as in the table)."""
    head = "@_cdecl(\"%s\") public func %s(%s) -> Int32 {" % (call.c, call.c, ", ".join(parameters(call)))
    body = "  ABI.%s { c throws(CaffestaError) in %s }" % (HELPERS[call.result], core_call(call))
    return head + "\n" + body + "\n}\n"


def files(table):
    """{path: text} of the generated Swift files, one per header section with plain calls."""
    out = {}
    for section, calls in table.in_sections():
        generated = [c for c in calls if c.generated("abi")]
        if not generated:
            continue
        stem = table.sections[section]
        about = ("The plain calls of the \"%s\" section of include/caffesta.h: each converts its arguments, "
                 "calls the core and hands out the result (the ABI helpers are in Conversions.swift)." % section)
        if len(generated) != len(calls):
            about += " The others are written by hand in %s.swift." % stem
        text = "// %s\nimport CaffestaCore\n\n%s\n" % (BANNER, "\n".join(wrap(about, 100, "// ", "// ")))
        text += "".join("\n" + function(c) for c in generated)
        out["Sources/Caffesta/%s.generated.swift" % stem] = text
    return out
