"""The ABI checker itself, both ways: additions pass; removals, changed signatures, renumbered
or colliding statuses and changed typedefs fail. Each case edits a copy of the real header."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER = (ROOT / "include/caffesta.h").read_text()
ABI = ROOT / "scripts/abi.py"


def check(tmp_path, header_text):
    header = tmp_path / "caffesta.h"
    header.write_text(header_text)
    description = tmp_path / "caffesta.abi"
    description.write_text(subprocess.run([sys.executable, ABI, "dump", ROOT / "include/caffesta.h"],
                                          check=True, capture_output=True, text=True).stdout)
    return subprocess.run([sys.executable, ABI, "check", description, header], capture_output=True, text=True)


def edit(pattern, replacement):
    text, count = re.subn(pattern, replacement, HEADER, count=1)
    assert count == 1, pattern
    return text


def last_status():
    return max(int(v) for v in re.findall(r"CAFFESTA_(?:OK|PENDING|ERR_\w+) = (\d+)", HEADER))


def test_the_committed_description_matches_the_header():
    result = subprocess.run([sys.executable, ABI, "check", ROOT / "abi/caffesta.abi", ROOT / "include/caffesta.h"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_unchanged_passes(tmp_path):
    result = check(tmp_path, HEADER)
    assert result.returncode == 0, result.stderr


def test_a_new_function_and_a_new_status_pass(tmp_path):
    text = edit(r"(const char \*caffesta_version\(void\);)",
                r"\1\ncaffesta_status caffesta_client_frobnicate(caffesta_client *client, int level);")
    n = last_status() + 1
    text = re.sub(r"(CAFFESTA_(?:PENDING|ERR_\w+) = %d)(\s*,?)" % (n - 1), r"\1, CAFFESTA_ERR_FROB = %d\2" % n, text, count=1)
    result = check(tmp_path, text)
    assert result.returncode == 0, result.stderr
    assert "caffesta_client_frobnicate" in result.stdout and "CAFFESTA_ERR_FROB = %d" % n in result.stdout


def test_a_removed_function_fails(tmp_path):
    result = check(tmp_path, edit(r"const char \*caffesta_version\(void\);", ""))
    assert result.returncode != 0
    assert "removed: function caffesta_version" in result.stderr


@pytest.mark.parametrize("pattern, replacement, reported", [
    (r"void caffesta_client_free\(caffesta_client \*client\);", "void caffesta_client_free(caffesta_client *client, int now);",
     "changed: function caffesta_client_free"),
    (r"caffesta_status caffesta_client_set_max_retries\(caffesta_client \*client, int", 
     "caffesta_status caffesta_client_set_max_retries(caffesta_client *client, long",
     "changed: function caffesta_client_set_max_retries"),
    (r"const char \*caffesta_version\(void\)", "char *caffesta_version(void)", "changed: function caffesta_version"),
])
def test_a_changed_signature_fails(tmp_path, pattern, replacement, reported):
    result = check(tmp_path, edit(pattern, replacement))
    assert result.returncode != 0
    assert reported in result.stderr


def test_a_renumbered_status_fails(tmp_path):
    # a status slipped in the middle shifts every later one
    result = check(tmp_path, edit(r"CAFFESTA_ERR_TIMEOUT = 3,", "CAFFESTA_ERR_SLOW = 3, CAFFESTA_ERR_TIMEOUT,"))
    assert result.returncode != 0
    assert "changed: enum caffesta_status CAFFESTA_ERR_TIMEOUT = 4 (was 3)" in result.stderr


def test_a_new_status_on_a_taken_number_fails(tmp_path):
    n = last_status()
    text = re.sub(r"(CAFFESTA_(?:PENDING|ERR_\w+) = %d)(\s*,?)" % n, r"\1, CAFFESTA_ERR_OTHER = %d\2" % n, HEADER, count=1)
    result = check(tmp_path, text)
    assert result.returncode != 0
    assert "share the value %d" % n in result.stderr


def test_a_changed_typedef_fails(tmp_path):
    result = check(tmp_path, edit(r"typedef void \(\*caffesta_progress_fn\)\(void \*user_data, size_t done, size_t total\);",
                                  "typedef void (*caffesta_progress_fn)(void *user_data, size_t done);"))
    assert result.returncode != 0
    assert "changed: typedef caffesta_progress_fn" in result.stderr
