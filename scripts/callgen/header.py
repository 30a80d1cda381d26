"""include/caffesta.h as clang reads it: each function's type and parameter names, and the
section (a "---- Title ----" comment) it is declared in."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import abi  # noqa: E402  scripts/abi.py: clang's JSON AST of the header

SECTION = re.compile(r"/\* ---- (.*?)(?: ----|$)", re.M)
DECLARATION = re.compile(r"^[A-Za-z_][\w \*]*?\b(caffesta_\w+)\(", re.M)


class Function:
    def __init__(self, name, signature, params, section):
        self.name = name
        self.signature = signature  # "caffesta_status (caffesta_client *, long long, char **)"
        self.params = params        # parameter names, as the header writes them
        self.section = section


def section_title(line):
    """ "Storages (docs/api.md, Storages)" -> "Storages"; "Update feeds (...); ts = 0 ..." -> "Update feeds". """
    return re.split(r" \(|;", line, maxsplit=1)[0].strip()


def sections(text):
    """{function name: section title} by where each declaration stands in the text."""
    marks = [(m.start(), section_title(m.group(1))) for m in SECTION.finditer(text)]
    found = {}
    for m in DECLARATION.finditer(text):
        title = None
        for at, name in marks:
            if at < m.start():
                title = name
        found[m.group(1)] = title
    return found


def functions(header):
    """{name: Function} of every function the header declares, in its order."""
    header = os.path.realpath(header)
    with open(header, encoding="utf-8") as f:
        where = sections(f.read())
    tracker = abi.FileTracker()
    found = {}
    for node in abi.ast(header).get("inner", []):
        tracker.visit(node.get("loc", {}))
        tracker.visit(node.get("range", {}).get("begin", {}))
        in_header = tracker.current is not None and os.path.realpath(tracker.current) == header
        tracker.visit(node)
        if not in_header or node.get("kind") != "FunctionDecl" or node.get("isImplicit"):
            continue
        params = [p.get("name", "") for p in node.get("inner", []) if p.get("kind") == "ParmVarDecl"]
        found[node["name"]] = Function(node["name"], node["type"]["qualType"], params, where.get(node["name"]))
    return found


def enum(header, name):
    """[(constant, value)] of one enum of the header, in its order."""
    found = [(key.split()[2], int(value)) for key, value in abi.describe(header).items()
             if key.startswith("enum %s " % name)]
    return sorted(found, key=lambda item: item[1])
