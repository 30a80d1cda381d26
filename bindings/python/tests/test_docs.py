"""The repository's own documentation stays whole: docs/api.md covers every call of the header,
its JSON examples are JSON, the READMEs and the header link to it, every relative link of the
READMEs and docs/ resolves, every test docs/security.md names exists, and nothing in the
repository points outside it."""

from __future__ import annotations

import json
import re
import subprocess
from decimal import Decimal

from conftest import REPO

API = REPO / "docs" / "api.md"
HEADER = REPO / "include" / "caffesta.h"
# Housekeeping functions documented in the header alone.
HEADER_ONLY = {"caffesta_client_new", "caffesta_client_free", "caffesta_client_set_progress",
               "caffesta_client_set_max_response_size", "caffesta_last_error",
               "caffesta_last_http_status", "caffesta_status_name", "caffesta_string_free",
               "caffesta_version", "caffesta_client_set_max_retries", "caffesta_client_set_ca_file"}


def header_functions():
    return set(re.findall(r"^[a-z_ *]*?\b(caffesta_[a-z0-9_]+)\(", HEADER.read_text(encoding="utf-8"),
                          re.M))


def test_every_call_of_the_header_is_in_the_reference():
    text = API.read_text(encoding="utf-8")
    missing = sorted(name for name in header_functions() - HEADER_ONLY
                     if not re.search(r"\b%s\b" % re.escape(name), text)
                     and not re.search(r"\b%s\b" % re.escape(name.replace("caffesta_", "_", 1)), text))
    assert missing == []


def test_the_reference_examples_are_json():
    blocks = re.findall(r"```json\n(.*?)```", API.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 20
    for block in blocks:
        json.loads(block)


def test_the_header_and_the_readmes_link_to_the_docs():
    assert "docs/api.md" in HEADER.read_text(encoding="utf-8")
    assert "docs/api.md" in (REPO / "include" / "caffesta.hpp").read_text(encoding="utf-8")
    assert "](docs/" in (REPO / "README.md").read_text(encoding="utf-8")
    for binding in ("python", "php"):
        assert "](../../docs/api.md)" in (REPO / "bindings" / binding / "README.md").read_text(
            encoding="utf-8")


def test_nothing_in_the_repository_points_outside_it():
    files = subprocess.run(["git", "ls-files"], cwd=str(REPO), capture_output=True, text=True,
                           check=True).stdout.split()
    offenders = []
    for name in files:
        if name.startswith("Tests/fuzz/corpus") or name == "bindings/python/tests/test_docs.py":
            continue
        try:
            text = (REPO / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        if "../shared" in text or re.search(r"(?<![A-Za-z_/])shared/(samples|API\.md|DESIGN\.md)", text):
            offenders.append(name)
    assert offenders == []


def test_the_reference_examples_are_the_samples_the_tests_use():
    text = API.read_text(encoding="utf-8")
    pairs = re.findall(r"\(`([a-z0-9_.]+\.json)`[^\n]*\n\n```json\n(.*?)```", text, re.S)
    assert len(pairs) >= 20
    for name, block in pairs:
        sample = (REPO / "Tests" / "samples" / name).read_text(encoding="utf-8")
        assert json.loads(block) == json.loads(sample), name


def test_the_pos_shop_storage_table_is_the_emulators(client):
    # docs/api.md's table: a POS's balances feed is the stock of its shop's storage.
    rows = re.findall(r"^  \| (\d+) \| (\d+) [^|]+\| (\d+) [^|]+\|$", API.read_text(encoding="utf-8"), re.M)
    assert [r[0] for r in rows] == ["1", "2", "3"]
    for pos, shop, storage in ((int(a), int(b), int(c)) for a, b, c in rows):
        balances = {r["product_id"]: Decimal(r["balance"]) for r in client.get_balances(pos)}
        stock = {r["id"]: Decimal(r["balance"]) for r in client.get_storage_stock(storage)}
        assert balances == stock, (pos, storage)
        assert {r["shop_id"] for r in client.get_product_shop_data(pos)} <= {shop}
    assert client.get_balances(2) != []


def test_the_install_page_lists_the_dev_packages_caffesta_pc_requires():
    # caffesta.pc may require nothing (1.1.0: no static library, no Requires.private)
    requires = re.search(r"^Requires(?:\.private)?:(.*)$", (REPO / "caffesta.pc.in").read_text(), re.M)
    debian = {"libcurl": "libcurl4-openssl-dev", "jansson": "libjansson-dev"}
    page = (REPO / "docs" / "install.md").read_text(encoding="utf-8")
    install = re.search(r"sudo apt-get install pkg-config ([^\n]*)", page)
    assert install
    for module in re.findall(r"[A-Za-z][\w.+-]*", requires.group(1) if requires else ""):   # names, not version bounds
        assert debian[module] in install.group(1).split(), module


def markdown_pages():
    """The README, docs/ and the other READMEs of the repository (git's files and new ones, not build output)."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md"],
                           cwd=str(REPO), capture_output=True, text=True, check=True).stdout.split()
    return [REPO / name for name in files if name == "README.md" or name.startswith("docs/")
            or name.endswith("/README.md")]


def github_anchor(heading):
    """The anchor GitHub gives a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page):
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {github_anchor(h) for h in re.findall(r"^#{1,6} (.*)$", text, re.M)}


def test_every_relative_link_of_the_readmes_and_docs_resolves():
    broken = []
    for page in markdown_pages():
        text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):   # https:, mailto: ...
                continue
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page
            if not resolved.exists():
                broken.append("%s: %s (no such file)" % (page.relative_to(REPO), target))
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                broken.append("%s: %s (no such heading)" % (page.relative_to(REPO), target))
    assert broken == []


def test_the_anchor_rule_is_githubs():
    assert github_anchor("php-fpm behind nginx: the recipe") == "php-fpm-behind-nginx-the-recipe"
    assert github_anchor("Limits and defaults, the same in C, Python and PHP") == \
        "limits-and-defaults-the-same-in-c-python-and-php"
    assert github_anchor("The `caffesta` command") == "the-caffesta-command"
    assert github_anchor("Building from source (Swift 6.3)") == "building-from-source-swift-63"
    assert github_anchor("Ids and ref_codes") == "ids-and-ref_codes"


def test_every_test_the_security_page_names_exists():
    # "`test_retries: a`, `b`; `test_api: c`": C suites and their registered tests; "Swift `XTests`".
    text = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    named = 0
    for cell in re.findall(r"^\|.*\| (.*) \|$", text, re.M):
        for group in re.split(r";", cell):
            suite = re.search(r"`(test_[a-z_]+): ", group)
            if not suite:
                continue
            source = (REPO / "Tests" / "c" / (suite.group(1) + ".c")).read_text(encoding="utf-8")
            registered = set(re.findall(r'\{"([a-z0-9_]+)",\s*test_', source))
            for name in re.findall(r"`(?:test_[a-z_]+: )?([a-z0-9_]+)`", group):
                assert name in registered, (suite.group(1), name)
                named += 1
    assert named >= 40
    swift = "".join(p.read_text(encoding="utf-8") for p in (REPO / "Tests" / "CaffestaCoreTests").glob("*.swift"))
    for suite in re.findall(r"Swift `(\w+)`", text):
        assert "struct %s" % suite in swift, suite
