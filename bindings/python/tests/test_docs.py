"""The repository's own documentation stays whole: docs/api.md covers every call of the header,
its JSON examples are JSON, the READMEs and the header link to it, and nothing in the repository
points outside it."""

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


def test_the_readme_lists_the_dev_packages_caffesta_pc_requires():
    # caffesta.pc may require nothing (1.1.0: no static library, no Requires.private)
    requires = re.search(r"^Requires(?:\.private)?:(.*)$", (REPO / "caffesta.pc.in").read_text(), re.M)
    debian = {"libcurl": "libcurl4-openssl-dev", "jansson": "libjansson-dev"}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    install = re.search(r"sudo apt-get install pkg-config ([^\n]*)", readme)
    assert install
    for module in re.findall(r"[A-Za-z][\w.+-]*", requires.group(1) if requires else ""):   # names, not version bounds
        assert debian[module] in install.group(1).split(), module
