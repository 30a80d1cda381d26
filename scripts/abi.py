#!/usr/bin/env python3
"""The public ABI of include/caffesta.h as text, and a check that a header keeps it.

  scripts/abi.py dump HEADER              prints the description (make abi-dump writes abi/caffesta.abi)
  scripts/abi.py check DESCRIPTION HEADER  fails on an incompatible change, lets additions pass

The description is read from clang's parse of the header (its JSON AST), not from our own
reading of C: one line per function signature, enum constant (with its value), typedef and
struct layout. Incompatible: a line of the committed description that is gone or different
(a removed or changed function, a renumbered or removed status, a changed typedef or struct),
or two constants of one enum on the same value. Compatible: lines that are new.
"""
import json
import os
import shutil
import subprocess
import sys


def clang():
    for name in (os.environ.get("CAFFESTA_CLANG"), "clang"):
        if name and shutil.which(name):
            return name
    sys.exit("abi: clang is needed (it comes with the Swift toolchain); set CAFFESTA_CLANG")


def ast(header):
    out = subprocess.run(
        [clang(), "-x", "c", "-std=c99", "-fsyntax-only", "-Xclang", "-ast-dump=json", header],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)


class FileTracker:
    """clang's JSON names a location's file only when it differs from the previous one printed,
    in document order; follow the nodes in that order to know each declaration's file."""

    def __init__(self):
        self.current = None

    def visit(self, value):
        if isinstance(value, dict):
            if "file" in value and isinstance(value["file"], str):
                self.current = value["file"]
            for key in ("loc", "range"):
                if key in value:
                    self.visit(value[key])
            for key in ("begin", "end", "spellingLoc", "expansionLoc"):
                if key in value:
                    self.visit(value[key])
            for child in value.get("inner", []):
                self.visit(child)


def describe(header):
    header = os.path.realpath(header)
    lines = {}
    tracker = FileTracker()
    for node in ast(header).get("inner", []):
        # the file of this declaration: what its own location names (or the last one named)
        tracker.visit(node.get("loc", {}))
        tracker.visit(node.get("range", {}).get("begin", {}))
        in_header = tracker.current is not None and os.path.realpath(tracker.current) == header
        tracker.visit(node)
        if not in_header or node.get("isImplicit"):
            continue
        kind, name = node.get("kind"), node.get("name")
        if kind == "FunctionDecl":
            lines["function " + name] = node["type"]["qualType"]
        elif kind == "TypedefDecl":
            lines["typedef " + name] = node["type"]["qualType"]
        elif kind == "EnumDecl":
            value = -1
            enum = name or "(anonymous)"
            for constant in node.get("inner", []):
                if constant.get("kind") != "EnumConstantDecl":
                    continue
                explicit = find_value(constant)
                value = explicit if explicit is not None else value + 1
                lines["enum %s %s" % (enum, constant["name"])] = str(value)
        elif kind == "RecordDecl" and name:
            fields = [(f["name"], f["type"]["qualType"]) for f in node.get("inner", []) if f.get("kind") == "FieldDecl"]
            if node.get("completeDefinition"):
                lines["%s %s" % (node["tagUsed"], name)] = "{" + "; ".join("%s %s" % (t, n) for n, t in fields) + "}"
            else:
                lines.setdefault("%s %s" % (node["tagUsed"], name), "opaque")
    return lines


def find_value(node):
    for child in node.get("inner", []):
        if "value" in child:
            return int(child["value"])
        found = find_value(child)
        if found is not None:
            return found
    return None


def render(lines):
    return "".join("%s = %s\n" % (key, lines[key]) for key in sorted(lines))


def parse(text):
    lines = {}
    for raw in text.splitlines():
        if raw.strip() and not raw.startswith("#"):
            key, _, value = raw.partition(" = ")
            lines[key] = value
    return lines


def check(description, header):
    committed = parse(open(description).read())
    current = describe(header)
    problems = []
    for key, value in committed.items():
        if key not in current:
            problems.append("removed: %s = %s" % (key, value))
        elif current[key] != value:
            problems.append("changed: %s = %s (was %s)" % (key, current[key], value))
    by_value = {}
    for key, value in current.items():
        if key.startswith("enum "):
            enum = key.split()[1]
            by_value.setdefault((enum, value), []).append(key.split()[2])
    for (enum, value), names in sorted(by_value.items()):
        if len(names) > 1:
            problems.append("enum %s: %s share the value %s" % (enum, ", ".join(sorted(names)), value))
    added = sorted(set(current) - set(committed))
    for key in added:
        print("abi: added (compatible): %s = %s" % (key, current[key]))
    if problems:
        print("abi: INCOMPATIBLE with %s:" % description, file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("abi: %s keeps every function, status and type of %s (%d items%s)"
          % (header, description, len(committed), ", %d added" % len(added) if added else ""))
    if added:
        print("abi: after a release, record the additions with `make abi-dump`")
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "dump":
        sys.stdout.write("# The public ABI of include/caffesta.h (scripts/abi.py dump; make abi-dump).\n")
        sys.stdout.write(render(describe(argv[2])))
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
