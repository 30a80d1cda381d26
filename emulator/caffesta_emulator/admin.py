"""The test switches under /__emulator/ (loopback clients only, no API key, never logged, never
hit by faults): faults, the request log, reset, stats, the runtime config, and state changes a
test needs (section timestamps, deleted products, loyalty clients, stock)."""

import time
import uuid as uuidlib
from urllib.parse import unquote

from .api.common import product_by_ref
from .api.feeds import client_json
from .api.orders import RECEIPT_STATUSES
from .api import storage
from .settings import SECTIONS, VERSION
from .validation import HttpError, Invalid, check_kind, field, nonempty
from .wire import loads


def parse_admin(raw, body):
    """(decoded segments after /__emulator/, JSON object body); HttpError 400 on a bad body."""
    path = raw.partition("?")[0].rstrip("/")
    segs = [unquote(s) for s in path.split("/")[2:]]
    data = {}
    if body.strip():
        try:
            data = loads(body)
        except (ValueError, RecursionError):
            raise HttpError(400, "malformed JSON")
        if not isinstance(data, dict):
            raise HttpError(400, "the body must be a JSON object")
    return segs, data


class Admin:
    def __init__(self, store, config, switchboard):
        self.store = store
        self.config = config
        self.switchboard = switchboard

    def handle(self, method, segs, data):
        """The answer (a JSON value) of one admin request; HttpError for 400/404/405/409."""
        sb = self.switchboard

        def reset():
            self.store.reset()
            sb.clear_faults()
            sb.clear_log()
            self.config.restore()
            return {"ok": True}

        def set_config():
            unknown = sorted(set(data) - set(self.config.KINDS))
            if unknown:
                raise HttpError(400, "unknown config key %s (known: %s)"
                                % (unknown[0], ", ".join(self.config.KINDS)))
            for key, kind in self.config.KINDS.items():
                if key not in data:
                    continue
                value = data[key]
                if kind == "bool" and not isinstance(value, bool):
                    raise HttpError(400, "%s must be true or false" % key)
                if kind == "count" and (not check_kind(value, "int") or value < 0):
                    raise HttpError(400, "%s must be a non-negative integer" % key)
                if kind == "positive" and (not check_kind(value, "int") or value < 1):
                    raise HttpError(400, "%s must be a positive integer" % key)
            for key in data:
                setattr(self.config, key, data[key])
            return {"ok": True, "config": self.config.as_dict()}

        def done(fn):
            def run():
                fn()
                return {"ok": True}
            return run

        table = (
            (("faults",), {"POST": lambda: done(lambda: sb.arm(data))(),
                           "GET": sb.armed, "DELETE": done(sb.clear_faults)}),
            (("requests",), {"GET": sb.requests, "DELETE": done(sb.clear_log)}),
            (("reset",), {"POST": reset}),
            (("stats",), {"GET": self.store.counts}),
            (("config",), {"GET": self.config.as_dict, "POST": set_config}),
            (("sections",), {"GET": self.sections}),
            (("sections", None, "bump"), {"POST": lambda: self.bump(segs[1], data)}),
            (("products", None, "delete"), {"POST": lambda: self.delete_product(segs[1])}),
            (("clients",), {"POST": lambda: self.add_client(data)}),
            (("stock",), {"POST": lambda: self.set_stock(data)}),
            (("receipts", None), {"POST": lambda: self.set_receipt(segs[1], data)}),
            (("health",), {"GET": lambda: {"ok": True, "version": VERSION}}),
        )
        for pattern, methods in table:
            if len(pattern) == len(segs) and all(p is None or p == s
                                                 for p, s in zip(pattern, segs)):
                if method not in methods:
                    raise HttpError(405, "method not allowed")
                return methods[method]()
        raise HttpError(404, "no such admin path")

    # ---- state switches ---------------------------------------------------------------------

    def delete_product(self, ref):
        with self.store.tx() as db:
            row = product_by_ref(db, ref)
            if row is None:
                raise HttpError(404, "product not found")
            ts = self.store.bump("products")
            db.execute("UPDATE products SET deleted=1, updated_at=? WHERE id=?", (ts, row["id"]))
            return {"ok": True, "id": row["id"], "ts": ts}

    def bump(self, section, body):
        if section not in SECTIONS:
            raise HttpError(404, "unknown section %s" % section)
        with self.store.tx():  # one transaction: the bump is atomic
            if body.get("ts") is not None:
                ts = body["ts"]
                if not check_kind(ts, "int") or ts < 0:
                    raise HttpError(400, "ts must be a non-negative integer")
                self.store.set_section(section, ts)
            else:
                ts = self.store.bump(section)
            return {"ok": True, "section": section, "ts": ts}

    def sections(self):
        with self.store.tx() as db:
            return dict(db.execute("SELECT name, ts FROM sections").fetchall())

    def add_client(self, body):
        try:
            name = nonempty(field(body, "name", "", "str"), "name")
            cuuid = field(body, "uuid", "", "str", required=False) or str(uuidlib.uuid4())
            vals = {k: field(body, k, "", "str", required=False, default="")
                    for k in ("last_name", "phone", "address", "card_number")}
            email = field(body, "email", "", "str", required=False)
            birthday = field(body, "birthday", "", "str", required=False)
            group_id = field(body, "group_id", "", "int", required=False)
            dg = field(body, "discount_group", "", "obj", required=False)
            if dg is not None:
                group_id = field(dg, "id", "discount_group.", "int")
            bonus = field(body, "bonus_balance", "", "num", required=False, default=0)
            pay = field(body, "pay_balance", "", "num", required=False, default=0)
        except Invalid as e:
            raise HttpError(400, str(e))
        with self.store.tx() as db:
            if group_id is not None and db.execute("SELECT 1 FROM discount_groups WHERE id=?",
                                                   (group_id,)).fetchone() is None:
                raise HttpError(400, "discount group %d not found" % group_id)
            if db.execute("SELECT 1 FROM clients WHERE uuid=?", (cuuid,)).fetchone():
                raise HttpError(409, "client %s exists" % cuuid)
            cid = db.execute(
                "INSERT INTO clients (uuid, name, last_name, phone, address, card_number, email, "
                "birthday, bonus_balance, pay_balance, group_id, updated_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (cuuid, name, vals["last_name"], vals["phone"], vals["address"],
                 vals["card_number"], email, birthday, bonus, pay, group_id,
                 self.store.bump("clients"))).lastrowid
            c = db.execute("SELECT * FROM clients WHERE id=?", (cid,)).fetchone()
            return {"ok": True, "id": cid, "client": client_json(db, c)}

    def set_stock(self, body):
        try:
            storage_id = field(body, "storage_id", "", "int")
            product_id = field(body, "product_id", "", "int", required=False)
            ref = field(body, "ref_code", "", "str", required=False)
            balance = field(body, "balance", "", "num")
            cost = field(body, "cost", "", "num", required=False)
        except Invalid as e:
            raise HttpError(400, str(e))
        with self.store.tx() as db:
            if db.execute("SELECT 1 FROM storages WHERE id=?", (storage_id,)).fetchone() is None:
                raise HttpError(404, "storage not found")
            row = (db.execute("SELECT id FROM products WHERE id=?", (product_id,)).fetchone()
                   if product_id is not None else
                   db.execute("SELECT id FROM products WHERE ref_code=?", (ref,)).fetchone())
            if row is None:
                raise HttpError(404, "product not found")
            storage.set_stock(self.store, db, storage_id, row[0], balance, cost)
            return {"ok": True, "ts": self.store.bump("balances")}

    def set_receipt(self, receipt_uuid, body):
        """Moves a receipt along (the cashier took it, it was closed, cancelled, ...)."""
        status = body.get("status")
        if status not in RECEIPT_STATUSES:
            raise HttpError(400, "status must be one of %s" % ", ".join(RECEIPT_STATUSES))
        with self.store.tx() as db:
            cur = db.execute("UPDATE receipts SET status=?, updated_at=? WHERE uuid=?",
                             (status, int(time.time()), receipt_uuid))
            if cur.rowcount == 0:
                raise HttpError(404, "receipt not found")
        return {"ok": True, "uuid": receipt_uuid, "status": status}
