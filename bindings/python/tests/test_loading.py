"""Finding the library: CAFFESTA_LIBRARY, the system loader, and a clear error otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

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
    assert "CAFFESTA_LIBRARY='/nowhere/libcaffesta.so.1'" in message  # what was tried
    assert "system loader" in message and "libcaffesta.so.1" in message
    assert "make stage" in message and "LD_LIBRARY_PATH" in message  # how to fix it


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


def test_a_wrong_variable_falls_back_to_the_system_loader_with_a_warning():
    library = os.environ["CAFFESTA_LIBRARY"]
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c",
         "import caffesta; print(caffesta.library_version())"],
        env=dict(os.environ, PYTHONPATH=BINDING, CAFFESTA_LIBRARY="/nowhere/libcaffesta.so.1",
                 LD_LIBRARY_PATH=os.path.dirname(library)),
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == caffesta.__version__
    assert "RuntimeWarning" in result.stderr and "/nowhere/libcaffesta.so.1" in result.stderr


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
