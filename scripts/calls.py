#!/usr/bin/env python3
"""The endpoint table (api/calls.toml) and the thin layers written from it.

  scripts/calls.py generate [--root DIR]   writes every generated file and region from the table
  scripts/calls.py check [--root DIR]      fails when the table and include/caffesta.h disagree
                              (clang reads the header's real signatures, parameter names and
                              sections), when a generated file or region is not what `generate`
                              would write, or when a call written by hand is missing from its layer
                              (`make test` runs it). --root: another tree (the tests' copies).

What is generated, and from what: api/calls.toml's own comments. A tarball build needs none of
this: the generated files are committed.
"""
import difflib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callgen import cpp, docs, header, php, python, swift  # noqa: E402
from callgen.table import ROOT, Table  # noqa: E402

root = ROOT


def header_path():
    return os.path.join(root, "include", "caffesta.h")


def outputs(table):
    """{path relative to the repository: text} of everything generated, whole files and files
    with generated regions alike."""
    out = {}
    out.update(swift.files(table))
    out.update(python.files(table))
    out.update(php.files(table, header_path()))
    out.update(cpp.files(table, read))
    out.update(docs.files(table, read))
    return out


def read(path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read()


def check_header(table):
    """Problems between the table and the header's real declarations."""
    problems = []
    declared = header.functions(header_path())
    names = list(declared)
    listed = [c.c for c in table.calls]
    for name in names:
        if name not in table.by_c:
            problems.append("%s is declared in include/caffesta.h but has no row in api/calls.toml" % name)
    for call in table.calls:
        function = declared.get(call.c)
        if function is None:
            problems.append("%s has a row in api/calls.toml but is not declared in include/caffesta.h" % call.c)
            continue
        if function.signature != call.c_signature():
            problems.append("%s: the header says %s, the table %s" % (call.c, function.signature, call.c_signature()))
        params = (["client"] if call.get("client", True) else []) + [p.name for p in call.params]
        params += [call.out_name] if call.result == "json" else []
        if function.params != params:
            problems.append("%s: the header names its parameters (%s), the table (%s)"
                            % (call.c, ", ".join(function.params), ", ".join(params)))
        if function.section != call.section:
            problems.append("%s: declared in the header's section %r, the table says %r"
                            % (call.c, function.section, call.section))
    common = [n for n in names if n in table.by_c]
    if [n for n in listed if n in declared] != common:
        problems.append("api/calls.toml lists the calls in another order than include/caffesta.h")
    return problems


def check_hand(table):
    """Problems with the calls written by hand: each must be where the table says."""
    problems = []
    abi = "".join(read(os.path.join("Sources", "Caffesta", f)) for f in sorted(os.listdir(os.path.join(root, "Sources", "Caffesta")))
                  if f.endswith(".swift") and not f.endswith(".generated.swift"))
    layers = {
        "abi": (abi, lambda c: '@_cdecl("%s")' % c.c),
        "python": (read("bindings/python/caffesta/_client.py") + read("bindings/python/caffesta/_bulk.py"),
                   lambda c: c.python and ("def %s(" % c.python if c.python not in ("Client",) else "class Client(")),
        "php": (read("bindings/php/src/Client.php") + read("bindings/php/src/BulkUpsert.php")
                + read("bindings/php/src/Library.php"),
                lambda c: c.php and "function %s(" % c.php.split("::")[-1]),
        "cpp": (read("include/caffesta.hpp"), lambda c: c.c + "("),
    }
    for call in table.calls:
        for layer in sorted(call.hand):
            text, needle = layers[layer]
            wanted = needle(call)
            if wanted and wanted not in text:
                problems.append("%s is written by hand in the %s layer (api/calls.toml), but %r is not there"
                                % (call.c, layer, wanted))
    hpp = read("include/caffesta.hpp")
    for call in table.calls:
        if call.c + "(" not in hpp and not call.get("not_in_cpp"):
            problems.append("include/caffesta.hpp does not call %s: the C++ wrapper covers every call" % call.c)
    return problems


def main(argv):
    global root
    if len(argv) == 4 and argv[2] == "--root":
        root = os.path.abspath(argv[3])
        argv = argv[:2]
    if len(argv) != 2 or argv[1] not in ("generate", "check"):
        sys.exit(__doc__)
    table = Table(os.path.join(root, "api", "calls.toml"))
    if argv[1] == "generate":
        for path, text in sorted(outputs(table).items()):
            full = os.path.join(root, path)
            old = read(path) if os.path.exists(full) else None
            if old != text:
                with open(full, "w", encoding="utf-8") as f:
                    f.write(text)
                print("calls: wrote %s" % path)
        return 0
    problems = check_header(table)
    stale = []
    for path, text in sorted(outputs(table).items()):
        old = read(path) if os.path.exists(os.path.join(root, path)) else ""
        if old != text:
            stale.append(path)
            diff = difflib.unified_diff(old.splitlines(True), text.splitlines(True), "a/" + path, "b/" + path, n=1)
            sys.stderr.writelines(list(diff)[:40])
    problems += ["%s is not what api/calls.toml gives: run scripts/calls.py generate" % p for p in stale]
    problems += check_hand(table)
    if problems:
        print("calls: api/calls.toml and the code disagree:", file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        return 1
    print("calls: api/calls.toml, include/caffesta.h and the %d generated files agree (%d calls)"
          % (len(outputs(table)), len(table.calls)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
