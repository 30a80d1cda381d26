#!/usr/bin/env python3
"""The portability floors of the shipped library, read from the library and the sources:

  glibc    every undefined symbol's GLIBC_x.y version (objdump -T) is at most 2.28
  libcurl  every curl_* function the library calls (objdump -T) and every CURL* option, info or
           constant the sources name was added in libcurl 7.74.0 or earlier, by libcurl's own
           record (libcurl4-doc: libcurl-symbols(3) and each function's AVAILABILITY) -- or is
           used only behind a check of the running libcurl's version (RUNTIME_GUARDED)
  jansson  every json_* function is in Debian 11's jansson 2.13, or is referenced weakly

Usage: scripts/check-portability.py LIBRARY
"""
import glob
import gzip
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GLIBC_FLOOR = (2, 28)
CURL_FLOOR = (7, 74, 0)
MAN3 = "/usr/share/man/man3"
# Newer than the floor, used only where the running libcurl has it: name -> the guard that must
# sit next to it in the file that uses it.
RUNTIME_GUARDED = {"CURLOPT_PROTOCOLS_STR": "caf_curl_running_version() >= 0x075500"}
# jansson functions newer than 2.13 (Debian 11), allowed only as weak references.
JANSSON_2_14 = {"json_object_iter_key_len", "json_object_getn", "json_object_setn", "json_object_setn_nocheck",
                "json_object_setn_new", "json_object_setn_new_nocheck", "json_object_deln", "json_object_keylen"}


def version(text):
    return tuple(int(x) for x in text.split("."))


def dynamic_symbols(library):
    out = subprocess.run(["objdump", "-T", library], check=True, capture_output=True, text=True).stdout
    symbols = []
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ (.{7}) (\S+)\s+[0-9a-f]+\s+(?:(?:\((\S+)\)|(\S+))\s+)?(\S+)$", line)
        if m:
            flags, section, ver, ver2, name = m.groups()
            symbols.append({"weak": "w" in flags, "undefined": section == "*UND*", "version": ver or ver2 or "", "name": name})
    return symbols


def man(name):
    path = os.path.join(MAN3, name + ".3.gz")
    if not os.path.exists(path):
        return None
    with gzip.open(path, "rt", errors="replace") as f:
        return f.read()


def main(library):
    problems = []
    symbols = dynamic_symbols(library)
    undefined = [s for s in symbols if s["undefined"]]

    glibc = [(version(s["version"][len("GLIBC_"):]), s["name"]) for s in undefined if s["version"].startswith("GLIBC_2")]
    newest = max(glibc) if glibc else ((0,), "")
    for v, name in sorted(glibc):
        if v > GLIBC_FLOOR:
            problems.append("glibc: %s needs GLIBC_%s (floor %s)" % (name, ".".join(map(str, v)), "2.28"))

    table = man("libcurl-symbols")
    if table is None:
        sys.exit("check-portability: libcurl4-doc is not installed (scripts/bootstrap.sh installs it)")
    introduced = dict(re.findall(r"^\.IP (\S+)\nIntroduced in (\d+(?:\.\d+)*)", table, re.M))
    functions = sorted(s["name"] for s in undefined if s["name"].startswith("curl_"))
    for name in functions:
        page = man(name) or ""
        m = re.search(r"^\.SH AVAILABILITY\n(.*)", page, re.M)
        added = re.search(r"Added in (\d+(?:\.\d+)*)", m.group(1)) if m else None
        if m is None:
            problems.append("libcurl: no AVAILABILITY for %s in libcurl4-doc" % name)
        elif added and version(added.group(1)) > CURL_FLOOR:
            problems.append("libcurl: %s was added in %s (floor 7.74.0)" % (name, added.group(1)))
    used = {}
    for path in glob.glob(os.path.join(ROOT, "Sources", "**", "*.*"), recursive=True):
        text = open(path, errors="replace").read()
        for name in set(re.findall(r"\b(CURL[A-Z]*_[A-Z0-9_]+)\b", text)):
            used.setdefault(name, []).append((path, text))
    for name in sorted(used):
        if name not in introduced:
            continue  # our own macros (CAF_CURL_FLOOR), CURL_ERROR_SIZE and the like: not options
        if version(introduced[name]) <= CURL_FLOOR:
            continue
        guard = RUNTIME_GUARDED.get(name)
        for path, text in used[name]:
            if guard is None or guard not in text:
                problems.append("libcurl: %s (added in %s) in %s without a check of the running version"
                                % (name, introduced[name], os.path.relpath(path, ROOT)))

    jansson = [s for s in undefined if s["name"].startswith("json_")]
    for s in jansson:
        if s["version"].startswith("libjansson"):
            problems.append("jansson: %s@%s is versioned: programs would not link on Debian 11's unversioned "
                            "jansson 2.13 (the Makefile links against an unversioned stub)" % (s["name"], s["version"]))
    for s in jansson:
        if s["name"] in JANSSON_2_14 and not s["weak"]:
            problems.append("jansson: %s is jansson 2.14 (Debian 11 has 2.13); reference it weakly" % s["name"])

    if problems:
        print("check-portability: %s breaks a floor:" % library, file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("check-portability: glibc <= 2.28 (newest: %s@GLIBC_%s); %d libcurl functions and %d CURL* names"
          " <= 7.74.0 or guarded; %d jansson functions <= 2.13 or weak"
          % (newest[1], ".".join(map(str, newest[0])), len(functions), len(used), len(jansson)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
