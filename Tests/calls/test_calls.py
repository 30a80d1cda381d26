"""scripts/calls.py check, both ways: the committed table, header and generated layers agree; a
header, a table or a generated layer that says otherwise fails, naming the call. Each case edits a
copy of the files the generator reads, in a tree of its own."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CALLS = ROOT / "scripts" / "calls.py"
# What scripts/calls.py reads and writes: a copy of these is a tree it can check.
PARTS = ["api", "include", "docs/api.md", "docs/cpp.md", "Sources/Caffesta", "bindings/python/caffesta",
         "bindings/php/src"]


def run(*args):
    return subprocess.run([sys.executable, str(CALLS), *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def tree(tmp_path):
    for part in PARTS:
        source, target = ROOT / part, tmp_path / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target)
    return tmp_path


def edit(path, pattern, replacement):
    text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=1)
    assert count == 1, pattern
    path.write_text(text, encoding="utf-8")


def fails(tree, *messages):
    """Runs the check on the tree: it must fail, saying each message."""
    result = run("check", "--root", tree)
    assert result.returncode == 1, result.stdout
    for message in messages:
        assert message in result.stderr, result.stderr


def test_the_committed_table_header_and_layers_agree():
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert "agree" in result.stdout


def test_a_copy_agrees_too(tree):
    result = run("check", "--root", tree)
    assert result.returncode == 0, result.stderr


def test_a_changed_signature_in_the_header_fails(tree):
    edit(tree / "include/caffesta.h", r"caffesta_storage_stock\(caffesta_client \*client, long long storage_id",
         "caffesta_storage_stock(caffesta_client *client, int storage_id")
    fails(tree, "caffesta_storage_stock: the header says caffesta_status (caffesta_client *, int, char **)")


def test_a_renamed_parameter_in_the_header_fails(tree):
    edit(tree / "include/caffesta.h", r"long long invoice_id, char \*\*result_json\);", "long long id, char **result_json);")
    fails(tree, "caffesta_invoice_get: the header names its parameters (client, id, result_json)")


def test_a_function_the_table_lacks_fails(tree):
    edit(tree / "include/caffesta.h", r"(/\* ---- Errors, memory, version ---- \*/)",
         r"caffesta_status caffesta_shops_list(caffesta_client *client, char **result_json);\n\n\1")
    fails(tree, "caffesta_shops_list is declared in include/caffesta.h but has no row in api/calls.toml")


def test_a_row_in_another_section_fails(tree):
    edit(tree / "api/calls.toml", r'c = "caffesta_taxes_get"\nsection = "Update feeds"',
         'c = "caffesta_taxes_get"\nsection = "Sales exports"')
    fails(tree, "caffesta_taxes_get: declared in the header's section 'Update feeds', the table says 'Sales exports'")


def test_a_changed_kind_in_the_table_fails(tree):
    edit(tree / "api/calls.toml", r'params = \[\{name = "storage_id", kind = "id"\}\]',
         'params = [{name = "storage_id", kind = "text"}]')
    fails(tree, "caffesta_storage_stock: the header says",
          "Sources/Caffesta/Storages.generated.swift is not what api/calls.toml gives")


def test_a_generated_layer_edited_by_hand_fails_until_it_is_generated_again(tree):
    edit(tree / "bindings/python/caffesta/_endpoints.py", r'_id\(invoice_id, "invoice_id"\)', "invoice_id")
    edit(tree / "docs/api.md", r"\| `client.get_taxes\(\)` \|", "| `client.taxes()` |")
    fails(tree, "bindings/python/caffesta/_endpoints.py is not what api/calls.toml gives",
          "docs/api.md is not what api/calls.toml gives")
    assert run("generate", "--root", tree).returncode == 0
    assert run("check", "--root", tree).returncode == 0


def test_a_call_written_by_hand_must_be_there(tree):
    edit(tree / "bindings/python/caffesta/_client.py", r"def wait_for_order\(", "def wait_for_the_order(")
    fails(tree, "'def wait_for_order(' is not there")


def test_the_cpp_wrapper_covers_every_call(tree):
    edit(tree / "include/caffesta.hpp", r"caffesta_client_cancel\(client_\)", "(void)client_")
    fails(tree, "include/caffesta.hpp does not call caffesta_client_cancel")


def test_a_bad_row_is_refused_with_its_reason(tree):
    edit(tree / "api/calls.toml", r'kind = "timestamp", default = 0\}\]\nresult = "json"\nanswer = "list"\ncore = "loyaltyClients',
         'kind = "seconds", default = 0}]\nresult = "json"\nanswer = "list"\ncore = "loyaltyClients')
    fails(tree, "caffesta_clients_get(ts): kind 'seconds' is not one of")
