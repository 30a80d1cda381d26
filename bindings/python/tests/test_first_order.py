"""A first delivery order, from docs/api.md as written: it works on the first try (a new client)
and on the second (the same guest, now a known client), and a card number sent again as a new
client is refused in words a person understands, with the server's own text kept."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import caffesta
from conftest import API_KEY, BINDING_DIR, REPO, Emulator


def docs_example(language: str) -> str:
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- first-order: %s -->\n```[a-z]*\n(.*?)```" % language, text, re.S)
    assert match, "docs/api.md has no first-order: %s example" % language
    return match.group(1)


def run_example(emulator: Emulator, tmp_path: Path) -> str:
    script = tmp_path / "first_order.py"
    script.write_text(docs_example("python"), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=BINDING_DIR, CAFFESTA_ACCOUNT="demo",
               CAFFESTA_API_KEY=API_KEY, CAFFESTA_BASE_URL=emulator.url)
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done
    return done.stdout


def test_the_docs_first_order_works_the_first_time_and_the_second(emulator: Emulator,
                                                                   tmp_path: Path) -> None:
    receipts = emulator.stats()["receipts"]
    assert re.fullmatch(r"order [0-9a-f-]{36} for a new client\n", run_example(emulator, tmp_path))
    assert re.fullmatch(r"order [0-9a-f-]{36} for a known client\n", run_example(emulator, tmp_path))
    assert emulator.stats()["receipts"] == receipts + 2


def test_a_card_number_sent_again_as_a_new_client_says_what_to_do(emulator: Emulator) -> None:
    guest = {"name": "Пётр", "last_name": "Петров", "address": "ул. Длинная", "phone": "+375290000001",
             "card_number": "111222333444", "discount_group": {"id": 1}}   # the seed's Иван has it
    order = {"bill": {"pos_id": 2, "app_id": -1, "delivery_type": 2, "total_sum": Decimal("5.50"),
                      "items": [{"product_id": 3, "count": 1, "total_sum": Decimal("5.50")}],
                      "client": guest}}
    for path in ("/a/v1.1/draft/receipts", "/a/v1.0/draft/receipts"):   # at once, and a job
        with caffesta.Client("demo", API_KEY, base_url=emulator.url, order_path=path) as client, \
                pytest.raises(caffesta.ApiError) as refused:
            client.wait_for_order(client.submit_order(order), timeout=30)
        message = refused.value.message
        assert "another client already has card number 111222333444 (bill.client.card_number)" \
            in message, message
        assert 'send bill.client = {"uuid": ...}' in message and "get_clients" in message
        assert message.endswith("DETAIL:  Key (card_number)=(111222333444) already exists."), \
            "the server's text is kept whole"
