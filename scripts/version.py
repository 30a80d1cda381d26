#!/usr/bin/env python3
"""The version lives in VERSION; this writes it into, or checks it against, every place that
must carry it (the header's macros, caffesta_version(), the Python and PHP packages, the Debian
changelog). The Makefile reads VERSION itself for the .pc file, the packages and the tarball.

  scripts/version.py check   fails naming every place that disagrees (the test command runs it)
  scripts/version.py sync    rewrites them all from VERSION (after editing VERSION)
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def places(v):
    major, minor, patch = v.split(".")
    return [
        ("include/caffesta.h", r"(#define CAFFESTA_VERSION_MAJOR )\d+", r"\g<1>" + major),
        ("include/caffesta.h", r"(#define CAFFESTA_VERSION_MINOR )\d+", r"\g<1>" + minor),
        ("include/caffesta.h", r"(#define CAFFESTA_VERSION_PATCH )\d+", r"\g<1>" + patch),
        ("include/caffesta.h", r'(#define CAFFESTA_VERSION_STRING )"[^"]*"', r'\g<1>"%s"' % v),
        ("Sources/CaffestaCore/Version.swift", r'(static let string: StaticString = )"[^"]*"', r'\g<1>"%s"' % v),
        ("bindings/python/pyproject.toml", r'(?m)^(version = )"[^"]*"', r'\g<1>"%s"' % v),
        ("bindings/python/caffesta/__init__.py", r'(?m)^(__version__ = )"[^"]*"', r'\g<1>"%s"' % v),
        ("bindings/php/composer.json", r'(\n    "version": )"[^"]*"', r'\g<1>"%s"' % v),
        ("debian/changelog", r"^(libcaffesta \()[^)]*(\))", r"\g<1>%s\g<2>" % v),
    ]


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("check", "sync"):
        sys.exit(__doc__)
    version = (ROOT / "VERSION").read_text().strip()
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        sys.exit("VERSION: %r is not MAJOR.MINOR.PATCH" % version)
    wrong = []
    for path, pattern, replacement in places(version):
        file = ROOT / path
        text = file.read_text()
        match = re.search(pattern, text)
        if match is None:
            wrong.append("%s: no version found (pattern %s)" % (path, pattern))
            continue
        wanted = re.sub(pattern, replacement, match.group(0), count=1)
        if match.group(0) != wanted:
            if sys.argv[1] == "sync":
                file.write_text(text[:match.start()] + wanted + text[match.end():])
            else:
                wrong.append("%s: %r, VERSION says %s" % (path, match.group(0), version))
    json.loads((ROOT / "bindings/php/composer.json").read_text())  # still valid JSON
    if wrong:
        sys.exit("version: these disagree with VERSION (run scripts/version.py sync):\n  " + "\n  ".join(wrong))
    print("version %s: header, caffesta_version(), pyproject, __init__, composer.json, debian/changelog agree" % version)


if __name__ == "__main__":
    main()
