"""The C++ wrapper's methods: the generated region of include/caffesta.hpp, one method of
caffesta::Client per plain call (the special ones are written by hand around the region)."""

from .table import BANNER, aligned, reference, wrap

HPP = "include/caffesta.hpp"
BEGIN = "  // ---- %s (begin) ----\n" % BANNER
END = "  // ---- %s (end) ----\n" % BANNER

# kind: C++ parameter type; text kinds are copied NUL-terminated for C (detail::c_string)
TYPES = {"id": "long long", "timestamp": "long long", "size": "long long", "integer": "int", "milliseconds": "long"}
RETURNS = {"json": "std::string", "id": "long long", "status": "void", "setting": "void"}


def text(table, call, whole=False):
    """The call's doc in C++'s words: its first sentence and its errors (whole: all of it, for
    docs/cpp.md); the header stays short, the rest is in the docs."""
    def call_name(name):
        other = table.by_c[name]
        return "%s()" % (other.cpp or other.c)
    words = call.doc if whole else first_sentence(call.doc)
    words += " %s%s." % (call.errors[0].upper(), call.errors[1:]) if call.errors else ""
    return reference(words, call_name, lambda status: status)


def first_sentence(doc):
    for at in range(len(doc) - 2):
        if doc[at] == "." and doc[at + 1] == " " and doc[at + 2].isupper():
            return doc[:at + 1]
    return doc


def param(p):
    """(the declaration, the argument passed to C)."""
    if p.kind in TYPES:
        default = " = %d" % p.default if p.default is not None else ""
        return "%s %s%s" % (TYPES[p.kind], p.name, default), p.name
    if p.optional:
        return "optional_text %s" % p.name, 'detail::arg(%s, "%s")' % (p.name, p.name)
    default = ' = "%s"' % p.default if p.default is not None else ""
    return "text %s%s" % (p.name, default), 'detail::arg(%s, "%s")' % (p.name, p.name)


def signature(call):
    return "%s %s(%s)" % (RETURNS[call.result], call.cpp, ", ".join(d for d, _ in map(param, call.inputs)))


def method(table, call):
    params = [param(p) for p in call.inputs]
    head = "  %s {" % signature(call)
    comment = wrap(text(table, call), 100, "  /* ", "   * ")
    comment[-1] += " */"
    args = ["handle()"] + [a for _, a in params]
    if call.result in ("json", "id"):  # detail::result checks the status, then reads the output
        args.append("&out")
        first = "    %s = %s;" % (("char *out", "nullptr") if call.result == "json" else ("long long out", "0"))
        lines = [first, aligned("    return detail::result(%s(" % call.c, args, "), &out);", 110)]
    else:
        lines = [aligned("    detail::check(%s(" % call.c, args, "));", 110)]
    if len(lines) == 1 and len(head) + len(lines[0]) - 1 <= 110 and "\n" not in lines[0]:
        return "\n".join(comment + ["%s %s }" % (head, lines[0].strip())]) + "\n"
    return "\n".join(comment + [head] + lines + ["  }"]) + "\n"


def region(table):
    out = [BEGIN]
    for section, calls in table.in_sections():
        chosen = [c for c in calls if c.cpp and c.generated("cpp")]
        if chosen:
            out.append("\n  // ---- %s\n" % section)
            out.extend(method(table, c) for c in chosen)
    out.append("\n" + END)
    return "".join(out)


def replace_region(text, new, path, begin=BEGIN, end=END):
    """text with the part between its begin and end markers (markers included) replaced by new."""
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise SystemExit("calls: %s has no generated region (%r ... %r)" % (path, begin.strip(), end.strip()))
    return text[:start] + new + text[stop + len(end):]


def files(table, read):
    return {HPP: replace_region(read(HPP), region(table), HPP)}
