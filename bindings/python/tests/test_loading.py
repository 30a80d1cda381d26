"""Finding the library: CAFFESTA_LIBRARY, the system loader, and a clear error otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
import ctypes.util

import pytest

import caffesta
from conftest import HERE

BINDING = str(HERE.parent)

SCRIPT = """
import caffesta  # importing never needs the library
try:
    caffesta.Client("demo", "key")
except caffesta.LibraryNotFoundError as e:
    assert isinstance(e, OSError)
    print(e)
else:
    raise SystemExit("no error")
"""


def run(env_changes):
    env = dict(os.environ, PYTHONPATH=BINDING, **env_changes)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name)
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=60)


def test_a_missing_library_gives_a_clear_error():
    result = run({"CAFFESTA_LIBRARY": "/nowhere/libcaffesta.so.1", "LD_LIBRARY_PATH": ""})
    assert result.returncode == 0, result.stderr
    message = result.stdout
    assert "libcaffesta could not be loaded" in message
    assert "CAFFESTA_LIBRARY='/nowhere/libcaffesta.so.1': no such file" in message  # what, why
    assert "make stage" in message and "LD_LIBRARY_PATH" in message  # how to fix it


@pytest.mark.skipif(ctypes.util.find_library("caffesta") is not None,
                    reason="a libcaffesta is installed system-wide (make install): the loader finds it")
def test_unset_variable_is_named_in_the_error():
    result = run({"CAFFESTA_LIBRARY": None, "LD_LIBRARY_PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "CAFFESTA_LIBRARY is not set" in result.stdout


def test_another_library_is_not_taken_for_libcaffesta():
    result = run({"CAFFESTA_LIBRARY": "libc.so.6", "LD_LIBRARY_PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "is not libcaffesta 1.x" in result.stdout


def test_the_system_loader_is_used_without_the_variable():
    library = os.environ["CAFFESTA_LIBRARY"]
    result = subprocess.run(
        [sys.executable, "-c", "import caffesta; print(caffesta.library_version())"],
        env=dict(os.environ, PYTHONPATH=BINDING, CAFFESTA_LIBRARY="",
                 LD_LIBRARY_PATH=os.path.dirname(library)),
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == caffesta.__version__


def test_a_wrong_variable_is_refused_even_when_the_system_loader_has_one():
    """CAFFESTA_LIBRARY, when set, is used alone (as in PHP): no silent fallback."""
    library = os.environ["CAFFESTA_LIBRARY"]
    result = run({"CAFFESTA_LIBRARY": "/nowhere/libcaffesta.so.1",
                  "LD_LIBRARY_PATH": os.path.dirname(library)})
    assert result.returncode == 0, result.stderr
    assert "CAFFESTA_LIBRARY='/nowhere/libcaffesta.so.1': no such file" in result.stdout


def test_a_directory_is_called_a_directory(tmp_path):
    result = run({"CAFFESTA_LIBRARY": str(tmp_path), "LD_LIBRARY_PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "CAFFESTA_LIBRARY=%r: a directory" % str(tmp_path) in result.stdout
    assert "architecture" not in result.stdout


def test_a_file_that_is_not_a_library_gives_the_loaders_reason(tmp_path):
    fake = tmp_path / "libcaffesta.so.1"
    fake.write_text("not an ELF file")
    result = run({"CAFFESTA_LIBRARY": str(fake), "LD_LIBRARY_PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "the dynamic loader refused it" in result.stdout and str(fake) in result.stdout


def _binding_with_its_own_copy(tmp_path):
    """The binding laid out as the wheel installs it: caffesta/_lib/libcaffesta.so.1."""
    import shutil
    package = tmp_path / "caffesta"
    shutil.copytree(os.path.join(BINDING, "caffesta"), package,
                    ignore=shutil.ignore_patterns("__pycache__", "_lib"))
    (package / "_lib").mkdir()
    shutil.copy(os.environ["CAFFESTA_LIBRARY"], package / "_lib" / "libcaffesta.so.1")
    return str(tmp_path)


WHICH = "import caffesta, caffesta._native as n; n.load(); print(n.load().path)"


def test_the_wheels_own_copy_is_used_without_the_variable(tmp_path):
    site = _binding_with_its_own_copy(tmp_path)
    env = dict(os.environ, PYTHONPATH=site)
    env.pop("CAFFESTA_LIBRARY")
    env.pop("LD_LIBRARY_PATH", None)
    result = subprocess.run([sys.executable, "-c", WHICH], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == os.path.join(site, "caffesta", "_lib", "libcaffesta.so.1")


def test_the_variable_wins_over_the_wheels_own_copy(tmp_path):
    site = _binding_with_its_own_copy(tmp_path)
    result = subprocess.run([sys.executable, "-c", WHICH], env=dict(os.environ, PYTHONPATH=site),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == os.environ["CAFFESTA_LIBRARY"]
