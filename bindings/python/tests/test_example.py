"""examples/python/sync.py against the emulator, as the README's demo runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import API_KEY, BINDING_DIR, REPO, STAGED_LIBRARY as STAGED

SYNC = REPO / "examples" / "python" / "sync.py"
CATALOG = REPO / "examples" / "catalog.json"


def sync(*args, **env):
    return subprocess.run([sys.executable, str(SYNC), *args], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, PYTHONPATH=BINDING_DIR, **env))


def test_sync_creates_then_updates_the_catalog(emulator):
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    first = sync("--base-url", emulator.url, "--api-key", API_KEY)
    assert first.returncode == 0, first.stderr
    assert "%d products: %d created, 0 updated, 0 failed" % (len(catalog), len(catalog)) \
        in first.stdout
    for item in catalog:
        assert item["ref_code"] in first.stdout and item["name"] in first.stdout

    second = sync(CAFFESTA_BASE_URL=emulator.url, CAFFESTA_API_KEY=API_KEY,
                  CAFFESTA_ACCOUNT="demo")
    assert second.returncode == 0, second.stderr
    assert "0 created, %d updated" % len(catalog) in second.stdout


def test_sync_reports_a_refused_product_and_goes_on(emulator, tmp_path):
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps([
        {"ref_code": "ok-1", "name": "Хороший", "caf_tax_id": 1},
        {"ref_code": "bad-1", "name": "Плохой", "measure": "bucket"},
        {"name": "без ref_code"},
    ], ensure_ascii=False), encoding="utf-8")
    result = sync("--base-url", emulator.url, "--api-key", API_KEY, str(catalog))
    assert result.returncode == 1
    assert "3 products: 1 created, 0 updated, 2 failed" in result.stdout
    assert "measure" in result.stdout


def test_sync_with_a_wrong_key(emulator):
    result = sync("--base-url", emulator.url, "--api-key", "wrong-key")
    assert result.returncode == 1
    assert "API key was refused" in result.stderr
    assert "wrong-key" not in result.stderr


def test_with_emulator_runs_the_example_as_the_readme_writes_it():
    """`scripts/with-emulator.sh python3 examples/python/sync.py`, from the repository root, with
    nothing else set: the script gives the example CAFFESTA_BASE_URL, CAFFESTA_ACCOUNT and
    CAFFESTA_API_KEY (and the staged library)."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("CAFFESTA_") and name != "PYTHONPATH"}
    if not STAGED.exists():
        env["CAFFESTA_LIBRARY"] = os.environ["CAFFESTA_LIBRARY"]
    result = subprocess.run(["scripts/with-emulator.sh", "python3", "examples/python/sync.py"],
                            cwd=str(REPO), capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    assert "%d products: %d created, 0 updated, 0 failed" % (len(catalog), len(catalog)) \
        in result.stdout


def test_with_emulator_exports_one_name_per_variable():
    result = subprocess.run(
        ["scripts/with-emulator.sh", "sh", "-c",
         'echo "$CAFFESTA_BASE_URL|$CAFFESTA_ACCOUNT|$CAFFESTA_API_KEY"'],
        cwd=str(REPO), capture_output=True, text=True, timeout=60,
        env={name: value for name, value in os.environ.items() if not name.startswith("CAFFESTA_")})
    assert result.returncode == 0, result.stderr
    url, account, key = result.stdout.strip().split("|")
    assert url.startswith("http://127.0.0.1:") and account == "demo" and key == API_KEY


def test_sync_sends_prices_as_the_file_writes_them_and_log_lines_stand_alone(emulator, tmp_path):
    import re
    catalog = tmp_path / "catalog.json"
    catalog.write_text('[{"ref_code": "py-price-1", "name": "Американо", "prices": [{"caf_shop_id": 2, '
                       '"caf_storage_id": 1, "price": 4.20, "self_cost": 1.10}]}, '
                       '{"ref_code": "py-price-2", "name": "Чай"}, {"ref_code": "py-price-3", '
                       '"name": "Сок"}]', encoding="utf-8")
    result = sync("-v", str(catalog), CAFFESTA_BASE_URL=emulator.url, CAFFESTA_API_KEY=API_KEY,
                  CAFFESTA_ACCOUNT="demo")
    assert result.returncode == 0, result.stderr
    posted = [r["body"] for r in emulator.requests()
              if r["method"] == "POST" and "py-price-1" in r["body"]]
    assert len(posted) == 1 and re.search(r'"price":\s*4\.20\b', posted[0]), posted
    events = [line for line in result.stderr.split("\n") if "caffesta: " in line]
    assert events and all(line.startswith("caffesta: ") for line in events), result.stderr
