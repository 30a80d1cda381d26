"""examples/c/sync.c, the file C developers copy: built as the README says, run against the
emulator, and checked through the emulator's request log."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import API_KEY, REPO, STAGED_LIBRARY, Emulator, wait_until

SYNC_C = REPO / "examples" / "build" / "sync-c"


@pytest.fixture(scope="module")
def sync_c() -> Path:
    """make -C examples build/sync-c against the staged library (README, "A first C program")."""
    env = dict(os.environ, PKG_CONFIG_PATH=str(STAGED_LIBRARY.parent / "pkgconfig"))
    built = subprocess.run(["make", "-C", str(REPO / "examples"), "build/sync-c"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    return SYNC_C


def environment(emulator: Emulator, **extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAFFESTA_")}
    env.update(CAFFESTA_ACCOUNT="demo", CAFFESTA_API_KEY=API_KEY, CAFFESTA_BASE_URL=emulator.url)
    # caffesta.pc carries no rpath: the loader finds an installed library by itself, the staged one here
    env["LD_LIBRARY_PATH"] = str(STAGED_LIBRARY.parent) + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    env.update(extra)
    return env


def catalog(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(text, encoding="utf-8")
    return path


def refs_sent(emulator: Emulator, prefix: str) -> List[str]:
    found: List[str] = []
    for r in emulator.requests():
        found += re.findall(prefix + r"-\d+", r["path"] + " " + r["body"])
    return found


def test_prices_go_out_as_the_file_writes_them(sync_c: Path, emulator: Emulator,
                                                tmp_path: Path) -> None:
    path = catalog(tmp_path, '[{"ref_code": "c-price-1", "name": "Американо", "prices": '
                             '[{"caf_shop_id": 2, "caf_storage_id": 1, "price": 4.20, '
                             '"self_cost": 1.10}]}]')
    result = subprocess.run([str(sync_c), str(path)], env=environment(emulator),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result
    assert "1 created" in result.stdout, result
    posted = [r["body"] for r in emulator.requests() if r["method"] == "POST"]
    assert len(posted) == 1 and re.search(r'"price":\s*4\.20\b', posted[0]), posted
    assert re.search(r'"self_cost":\s*1\.10\b', posted[0]) and "4.2000" not in posted[0]


def test_no_key_names_the_variable_and_a_wrong_key_costs_one_request(
        sync_c: Path, emulator: Emulator, tmp_path: Path) -> None:
    path = catalog(tmp_path, json.dumps([{"ref_code": "c-key-%d" % i, "name": "Т"}
                                         for i in range(20)]))
    env = environment(emulator)
    del env["CAFFESTA_API_KEY"]
    result = subprocess.run([str(sync_c), str(path)], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "CAFFESTA_API_KEY" in result.stderr, result
    assert emulator.requests() == []
    result = subprocess.run([str(sync_c), str(path)],
                            env=environment(emulator, CAFFESTA_API_KEY="f" * 32),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "CAFFESTA_ERR_UNAUTHORIZED" in result.stderr, result
    assert len(emulator.requests()) == 1, "the key check, and no product"


def test_ctrl_c_shows_done_and_not_sent_and_log_lines_stand_alone(
        sync_c: Path, emulator: Emulator, tmp_path: Path) -> None:
    path = catalog(tmp_path, json.dumps([{"ref_code": "c-stop-%03d" % i, "name": "Т %d" % i}
                                         for i in range(40)]))
    emulator.config(delay_ms=1500)
    try:
        process = subprocess.Popen([str(sync_c), "-v", str(path)], env=environment(emulator),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert wait_until(lambda: len(set(refs_sent(emulator, "c-stop"))) >= 4, timeout=60)
        in_flight = set(refs_sent(emulator, "c-stop"))
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        emulator.config(delay_ms=0)
    assert process.returncode == 130, (out, err)
    assert set(refs_sent(emulator, "c-stop")) == in_flight and len(in_flight) == 4
    assert "4 created, 0 updated, 0 failed, 36 not sent (interrupted)" in out, out
    assert "40/40" not in err, "cancelled items are not shown as done"
    events = [line for line in err.split("\n") if "caffesta: {" in line]
    assert events and all(line.startswith("caffesta: {") for line in events), err
