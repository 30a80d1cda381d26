#!/usr/bin/env python3
"""A local Caffesta: the Caffesta integration API (as the project reads it) over HTTP, state in SQLite.

Python 3 standard library only. Start it with

    python3 emulator/caffesta_emulator.py --port 0 --db :memory: --api-key KEY

It prints exactly one line, ``listening on http://127.0.0.1:PORT``, once it accepts
connections. SIGINT or SIGTERM stop it. Test switches (faults, request log, reset, ...) live
under ``/__emulator/`` and answer only loopback clients; see emulator/README.md.
"""

import argparse
import hmac
import ipaddress
import json
import math
import os
import re
import select
import signal
import socket
import sqlite3
import ssl
import struct
import sys
import threading
import time
import uuid as uuidlib
from collections import deque
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote

VERSION = "1.0.0"
SCHEMA_VERSION = 1
APP_MARK = "caffesta-emulator"
DEFAULT_API_KEY = "0123456789abcdef0123456789abcdef"
DEFAULT_PORT = 8765
MAX_BODY_BYTES = 64 * 1024 * 1024
PAGE_SIZE = 100
ACCOUNT_TZ = timezone(timedelta(hours=3))  # the account's zone (Europe/Minsk, no DST)
FIRST_JOB_ID = 54300903  # as in the docs' example
DEFAULT_POS_ID = 2

SECTIONS = ("categories", "menus", "desks", "taxes", "workspaces", "comments", "discounts",
            "promotions", "payments", "settings", "balances", "products", "device_models",
            "clients")

MEASURES = ("pcs", "kg", "l")
PRODUCT_TYPES = ("product", "tech_map", "sub_product")
CANCELLATION_NAMES = {0: "no_cancel", 1: "cancel_dish", 2: "cancel_ingredients"}


# --------------------------------------------------------------------------------------------
# Errors and validation


class HttpError(Exception):
    """An answer with a non-200 status and the error envelope."""

    def __init__(self, status, message, headers=()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers)


class StartError(Exception):
    """The emulator cannot start: a message for the user, exit status 1."""


class Invalid(Exception):
    """A validation or business error: HTTP 200, {"success": false, "data": {"error": ...}}."""


def not_found(what):
    return HttpError(404, "%s not found" % what)


_KIND_NAMES = {"str": "a string", "int": "an integer", "num": "a number", "bool": "a boolean",
               "obj": "an object", "list": "an array", "code": "a string"}


def _check_kind(value, kind):
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63
    if kind == "num":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return math.isfinite(value) and abs(value) < 1e15
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "obj":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "code":  # a ref_code given as a string, or as a number by some integrators
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    raise AssertionError(kind)


def field(obj, key, path, kind, required=True, nullable=False, default=None):
    """Reads obj[key] with a type check; errors name the field by its full path."""
    name = path + key
    if key not in obj:
        if required:
            raise Invalid("%s is required" % name)
        return default
    value = obj[key]
    if value is None:
        if nullable or not required:
            return None if nullable else default
        raise Invalid("%s must not be null" % name)
    if not _check_kind(value, kind):
        raise Invalid("%s must be %s" % (name, _KIND_NAMES[kind]))
    if kind == "code":
        value = str(value)
    return value


def nonempty(value, name):
    if value is not None and value.strip() == "":
        raise Invalid("%s must not be empty" % name)
    return value


def one_of(value, allowed, name):
    if value is not None and value not in allowed:
        raise Invalid("%s must be one of %s" % (name, ", ".join(str(a) for a in allowed)))
    return value


def non_negative(value, name):
    if value is not None and value < 0:
        raise Invalid("%s must not be negative" % name)
    return value


def objects(obj, key, path, required=False):
    """A list of objects; yields (index, item, item_path)."""
    items = field(obj, key, path, "list", required=required)
    if items is None:
        return []
    out = []
    for i, item in enumerate(items):
        ipath = "%s%s[%d]" % (path, key, i)
        if not isinstance(item, dict):
            raise Invalid("%s must be an object" % ipath)
        out.append((i, item, ipath + "."))
    return out


def parse_doc_date(value, name):
    """Document dates: "2018-06-13 14:28" in UTC."""
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return int(datetime.strptime(value, fmt).replace(tzinfo=timezone.utc).timestamp())
        except ValueError:
            pass
    raise Invalid('%s must be a date like "2018-06-13 14:28"' % name)


def parse_iso(value, name, naive_tz, end_of_day=False):
    """ISO 8601 date or date-time; a date-time without a zone is in naive_tz."""
    s = value.strip()
    if "T" in s and " " in s:  # a "+02:00" whose "+" became a space in a query string
        s = s.replace(" ", "+")
    try:
        if len(s) == 10:
            d = datetime.strptime(s, "%Y-%m-%d").replace(tzinfo=naive_tz)
            if end_of_day:
                d += timedelta(days=1)
            return int(d.timestamp())
        d = datetime.fromisoformat(s[:-1] + "+00:00" if s.endswith("Z") else s)
    except ValueError:
        raise Invalid("%s must be an ISO 8601 date like 2018-11-05 or 2018-11-05T05:00" % name)
    if d.tzinfo is None:
        d = d.replace(tzinfo=naive_tz)
    return int(d.timestamp())


def parse_day(value, name):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise Invalid("%s must be a date like 2022-04-20" % name)


# --------------------------------------------------------------------------------------------
# Output formatting


def iso(ts):
    if ts is None:
        return None
    return datetime.fromtimestamp(int(ts), ACCOUNT_TZ).isoformat()


def num(x):
    """A JSON number: an int when integral."""
    if x is None:
        return None
    x = float(x)
    if x.is_integer() and abs(x) < 2**53:
        return int(x)
    return round(x, 6)


def fixed(x, digits):
    """A fixed-point string, rounded half up on the shortest decimal form (0.475 → "0.48")."""
    d = Decimal(repr(float(x or 0))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    s = "%.*f" % (digits, d)
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    return s


def compact(x):
    s = fixed(x, 4)
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fmt_balance(x, measure):
    x = float(x or 0)
    if measure == "pcs" and x.is_integer():
        return compact(x)
    return fixed(x, 3)


def fmt_summ(x):
    x = float(x or 0)
    return "0" if abs(x) < 0.005 else fixed(x, 2)


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _reject_constant(name):
    raise ValueError("%s is not valid JSON" % name)


def loads(data):
    """Strict JSON: UTF-8, no NaN/Infinity. Raises ValueError."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    return json.loads(data, parse_constant=_reject_constant)


# --------------------------------------------------------------------------------------------
# State: SQLite

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE sections (name TEXT PRIMARY KEY, ts INTEGER NOT NULL);
CREATE TABLE storages (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE shops (id INTEGER PRIMARY KEY, name TEXT NOT NULL, storage_id INTEGER NOT NULL);
CREATE TABLE pos (id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE taxes (id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,
    value REAL NOT NULL, fiscal INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE payment_types (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE discount_groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
    discount_type TEXT NOT NULL, rate REAL NOT NULL, birth_day_discount_amount REAL,
    bonus_max_bill_rate REAL, group_float INTEGER NOT NULL DEFAULT 0);
CREATE TABLE categories (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT UNIQUE,
    name TEXT NOT NULL, parent_id INTEGER, position INTEGER, updated_at INTEGER NOT NULL);
CREATE TABLE workspaces (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT UNIQUE,
    name TEXT NOT NULL, grp INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL);
CREATE TABLE packages (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, measure TEXT NOT NULL, value REAL NOT NULL);
CREATE TABLE shippers (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL);
CREATE TABLE menus (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, level INTEGER, parent_ref TEXT, caf_id INTEGER,
    updated_at INTEGER NOT NULL);
CREATE TABLE products (id INTEGER PRIMARY KEY AUTOINCREMENT, ref_code TEXT UNIQUE,
    name TEXT NOT NULL, cancellation_type INTEGER NOT NULL DEFAULT 0,
    for_sale INTEGER NOT NULL DEFAULT 1, measure TEXT NOT NULL DEFAULT 'pcs',
    barcode TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '',
    use_discounts INTEGER NOT NULL DEFAULT 1, type TEXT NOT NULL DEFAULT 'product',
    weight_in_gram INTEGER, tax_id INTEGER, category_id INTEGER, workspace_id INTEGER,
    description TEXT NOT NULL DEFAULT '', menus TEXT NOT NULL DEFAULT '[]',
    deleted INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL);
CREATE INDEX products_updated_at ON products (updated_at);
CREATE TABLE product_prices (product_id INTEGER NOT NULL, shop_id INTEGER NOT NULL,
    storage_id INTEGER, price REAL NOT NULL DEFAULT 0, day_price REAL,
    self_cost REAL NOT NULL DEFAULT 0, in_stop_list INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL, PRIMARY KEY (product_id, shop_id));
CREATE TABLE stock (storage_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
    balance REAL NOT NULL DEFAULT 0, cost REAL NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL, PRIMARY KEY (storage_id, product_id));
CREATE TABLE invoices (id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT NOT NULL,
    doc_date INTEGER NOT NULL, sum REAL, comment TEXT NOT NULL DEFAULT '',
    shipper_id INTEGER, storage_id INTEGER NOT NULL, status TEXT NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE invoice_items (id INTEGER PRIMARY KEY AUTOINCREMENT, invoice_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL, package_id INTEGER NOT NULL, amount REAL NOT NULL,
    price REAL, tax_id INTEGER, price_with_tax REAL, cost REAL, cost_with_tax REAL);
CREATE TABLE moves (id INTEGER PRIMARY KEY AUTOINCREMENT, comment TEXT NOT NULL DEFAULT '',
    doc_date INTEGER NOT NULL, storage_from INTEGER NOT NULL, storage_to INTEGER NOT NULL,
    status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE move_items (id INTEGER PRIMARY KEY AUTOINCREMENT, move_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL, amount REAL NOT NULL);
CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, bill TEXT NOT NULL,
    polls INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, message TEXT,
    created_at INTEGER NOT NULL);
CREATE TABLE receipts (uuid TEXT PRIMARY KEY, pos_id INTEGER NOT NULL, shift_day TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'sale', status TEXT NOT NULL DEFAULT 'closed',
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, total REAL NOT NULL,
    total_sum REAL NOT NULL, discount_sum REAL NOT NULL, cash REAL NOT NULL DEFAULT 0,
    card REAL NOT NULL DEFAULT 0, cashless REAL NOT NULL DEFAULT 0,
    bonus REAL NOT NULL DEFAULT 0, credit REAL NOT NULL DEFAULT 0, client_id INTEGER,
    count_clients INTEGER NOT NULL DEFAULT 1, job_id INTEGER);
CREATE TABLE receipt_items (id INTEGER PRIMARY KEY AUTOINCREMENT, receipt_uuid TEXT NOT NULL,
    product_id INTEGER NOT NULL, count REAL NOT NULL, price REAL NOT NULL,
    origin_price REAL NOT NULL, discount_sum REAL NOT NULL, total_sum REAL NOT NULL,
    self_cost_sum REAL NOT NULL DEFAULT 0);
CREATE TABLE clients (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, last_name TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '', card_number TEXT NOT NULL DEFAULT '', email TEXT,
    birthday TEXT, bonus_balance REAL NOT NULL DEFAULT 0, point_balance REAL NOT NULL DEFAULT 0,
    pay_balance REAL NOT NULL DEFAULT 0, group_id INTEGER,
    promotion_keeps TEXT NOT NULL DEFAULT '[]', deleted_at INTEGER,
    updated_at INTEGER NOT NULL);
CREATE TABLE modifier_groups (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
"""

# Tables whose rows /__emulator/stats counts, in this order.
STAT_TABLES = ("products", "product_prices", "categories", "workspaces", "packages", "shippers",
               "menus", "storages", "shops", "pos", "taxes", "payment_types", "discount_groups",
               "stock", "invoices", "invoice_items", "moves", "move_items", "jobs", "receipts",
               "receipt_items", "clients", "modifier_groups")

SEED_TS = 1648000000
SEED_SECTION_TS = {
    "categories": SEED_TS, "menus": 0, "desks": 0, "taxes": SEED_TS, "workspaces": SEED_TS,
    "comments": 0, "discounts": SEED_TS, "promotions": 1648303396, "payments": SEED_TS,
    "settings": 1648566884, "balances": 1648638899, "products": 1648657344,
    "device_models": 1648038317, "clients": 1648638898,
}
SEED_CREATED = 1522766140  # 2018-04-03T17:35:40+03:00

MODIFIER_GROUP_SEED = {
    "id": 1, "name": "Сиропы", "multiple": True, "min": 0, "max": 10, "deleted": False,
    "productModifiers": [{"id": 100}, {"id": 101}],
    "items": [
        {"id": 2, "name": "Клубника", "image": None, "count": "1.000", "price": "1.00",
         "product": {"id": 9900, "descr": "product"}},
        {"id": 3, "name": "Малина", "image": None, "count": "1.000", "price": "1.00",
         "product": {"id": 9898, "descr": "product"}},
    ],
}


def seed(db):
    """Fills an empty schema with the seed data that the docs' samples refer to."""
    x = db.execute
    for name in SECTIONS:
        x("INSERT INTO sections VALUES (?, ?)", (name, SEED_SECTION_TS[name]))
    for sid, name in ((1, "Склад кафе Буран"), (2, "Общий склад"), (3, "Резервный склад"),
                      (4, "Склад магазина К звёздам"), (5, "Склад бара Берико"),
                      (7, "Склад доставки")):
        x("INSERT INTO storages VALUES (?, ?)", (sid, name))
    for shop_id, name, storage_id in ((1, "Бар «Берико»", 5), (2, "Кафе «Буран»", 1),
                                      (3, "Магазин «К звёздам»", 4)):
        x("INSERT INTO shops VALUES (?, ?, ?)", (shop_id, name, storage_id))
    for pos_id, shop_id, name in ((1, 1, "Касса бара"), (2, 2, "Касса кафе"),
                                  (3, 3, "Касса магазина")):
        x("INSERT INTO pos VALUES (?, ?, ?)", (pos_id, shop_id, name))
    x("INSERT INTO taxes VALUES (1, 'Без налога', 'inner', 0, 0, ?)", (SEED_TS,))
    x("INSERT INTO taxes VALUES (2, 'НДС', 'inner', 20, 0, ?)", (SEED_TS,))
    for pid, name, kind in ((1, "Наличные", "cash"), (2, "Банковская карта", "card"),
                            (3, "Безналичный расчёт", "cashless"), (4, "Бонусы", "bonus"),
                            (5, "В кредит", "credit")):
        x("INSERT INTO payment_types VALUES (?, ?, ?)", (pid, name, kind))
    x("INSERT INTO discount_groups VALUES (1, 'Бонусная 20%', 'bonus', 0.2, 15, 50, 0)")
    x("INSERT INTO discount_groups VALUES (2, 'Скидка 10%', 'discount', 0.1, 0, 100, 0)")
    x("INSERT INTO categories VALUES (1, NULL, 'Напитки', NULL, 1, ?)", (SEED_TS,))
    x("INSERT INTO categories VALUES (2, NULL, 'Главная', NULL, 2, ?)", (SEED_TS,))
    x("INSERT INTO workspaces VALUES (1, '123', 'Кухня', 1, ?)", (SEED_TS,))
    x("INSERT INTO workspaces VALUES (2, NULL, 'Бар', 1, ?)", (SEED_TS,))
    for pkg_id, ref, name, measure in ((1, "pcs", "шт", "pcs"), (2, "kg", "кг", "kg"),
                                       (3, "l", "л", "l")):
        x("INSERT INTO packages VALUES (?, ?, ?, ?, 1)", (pkg_id, ref, name, measure))
    pts = SEED_SECTION_TS["products"]
    # 1, 2: the move sample's product codes and the stock sample's rows; 3: the order
    # sample's product_id; 4: the ref_code of the product update samples; 200: the
    # product_by_ref_code sample; 9898, 9900: the modifier group sample's syrups.
    for pid, ref, name, measure, cat, ws in (
            (1, "1", "Клюквенный морс", "kg", 1, 2),
            (2, "2", "Вафельный батончик", "pcs", 2, 2),
            (3, "3", "Сырный раф", "pcs", 1, 2),
            (4, "12345", "Вино красное", "pcs", 1, 2),
            (200, "23452432", "Печенье домашнее", "kg", 2, 1),
            (9898, "9898", "Сироп малиновый", "pcs", 1, 2),
            (9900, "9900", "Сироп клубничный", "pcs", 1, 2)):
        x("INSERT INTO products (id, ref_code, name, cancellation_type, measure, tax_id, "
          "category_id, workspace_id, created_at, updated_at) VALUES (?, ?, ?, 1, ?, 1, ?, ?, ?, ?)",
          (pid, ref, name, measure, cat, ws, SEED_CREATED, pts))
    for pid, shop, storage, price, stop in ((1, 2, 1, 3.5, 0), (2, 2, 1, 1.2, 0),
                                            (3, 2, 1, 5.5, 0), (4, 2, 1, 12.0, 0),
                                            (200, 2, 1, 9.8, 0), (9898, 2, 1, 1.0, 0),
                                            (9900, 2, 1, 1.0, 0), (1, 3, 4, 5.0, 1)):
        x("INSERT INTO product_prices (product_id, shop_id, storage_id, price, in_stop_list, "
          "updated_at) VALUES (?, ?, ?, ?, ?, ?)", (pid, shop, storage, price, stop, pts))
    bts = SEED_SECTION_TS["balances"]
    x("INSERT INTO stock VALUES (1, 1, -3, 0, ?)", (bts,))
    x("INSERT INTO stock VALUES (1, 2, 50, 0.245614, ?)", (bts,))
    cts = SEED_SECTION_TS["clients"]
    keeps = [{"id": 1, "amount": "{\"19\":9}",
              "promotion": {"id": 3, "active": True, "deleted": False}},
             {"id": 7, "amount": "{\"108\":18,\"109\":16,\"110\":14}",
              "promotion": {"id": 7, "active": False, "deleted": False}}]
    x("INSERT INTO clients (id, uuid, name, last_name, phone, address, card_number, email, "
      "bonus_balance, pay_balance, group_id, promotion_keeps, updated_at) "
      "VALUES (1, '64b14c01-c9d1-4a72-95f6-b3bd51488293', 'Сидор', 'Сидоров', "
      "'+375 29 182-14-62', 'пр.Победителей', '111155553333', NULL, 3989.13, 20981.5, 1, ?, ?)",
      (json.dumps(keeps), cts))
    x("INSERT INTO clients (id, uuid, name, last_name, phone, address, card_number, email, "
      "birthday, group_id, updated_at) VALUES (2, '569224f7-8f91-4142-9a7e-85a3bc24bbd9', "
      "'Иван', 'Иванов', '+375292222222', 'Адрес Ивана Иванова', '111222333444', "
      "'ivan@ivanov.iv', '2000-12-21', 1, ?)", (cts,))
    x("INSERT INTO modifier_groups VALUES (1, ?)", (json.dumps(MODIFIER_GROUP_SEED),))
    # One closed receipt, so that the sales exports and receipts_by_shift_day have data.
    t0 = int(datetime(2022, 4, 20, 18, 14, 14, tzinfo=ACCOUNT_TZ).timestamp())
    x("INSERT INTO receipts (uuid, pos_id, shift_day, created_at, updated_at, total, total_sum, "
      "discount_sum, cash, client_id) VALUES ('4f52125c-58ea-touc-0301-650467649790', 2, "
      "'2022-04-20', ?, ?, 8, 8, 0, 8, 2)", (t0, t0 + 34))
    x("INSERT INTO receipt_items (receipt_uuid, product_id, count, price, origin_price, "
      "discount_sum, total_sum) VALUES ('4f52125c-58ea-touc-0301-650467649790', 3, 2, 4, 4, 0, 8)")
    x("INSERT INTO sqlite_sequence (name, seq) VALUES ('jobs', ?)", (FIRST_JOB_ID - 1,))
    x("INSERT INTO meta VALUES ('seeded_at', ?)", (str(int(time.time())),))
    x("INSERT INTO meta VALUES ('app', ?)", (APP_MARK,))


class Store:
    """One SQLite connection, guarded by one lock; every request runs in one transaction."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self._tx_ts = None
        with self.lock:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            tables = [r[0] for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type='table'").fetchall()]
            if not tables:
                self._rebuild()
                return
            mark = self.db.execute("SELECT value FROM meta WHERE key='app'").fetchone() \
                if "meta" in tables else None
            ours = mark is not None and mark[0] == APP_MARK
            if not ours:
                raise StartError("%s is a database of something else; choose another --db"
                                 % path)
            if version != SCHEMA_VERSION:
                sys.stderr.write("caffesta emulator: %s has an older schema; starting anew\n"
                                 % path)
                self._rebuild()

    def _rebuild(self):
        db = self.db
        db.execute("BEGIN")
        try:
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                      "AND name NOT LIKE 'sqlite_%'").fetchall():
                db.execute('DROP TABLE "%s"' % name)
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    db.execute(stmt)
            seed(db)
            db.execute("PRAGMA user_version=%d" % SCHEMA_VERSION)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def reset(self):
        with self.lock:
            db = self.db
            db.execute("BEGIN")
            try:
                for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                          "AND name NOT LIKE 'sqlite_%'").fetchall():
                    db.execute('DELETE FROM "%s"' % name)
                db.execute("DELETE FROM sqlite_sequence")
                seed(db)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def close(self):
        with self.lock:
            self.db.close()

    # A transaction: `with store.tx() as db:`; rolled back on any exception.
    class _Tx:
        def __init__(self, store):
            self.store = store

        def __enter__(self):
            self.store.lock.acquire()
            self.store._tx_ts = {}
            self.store.db.execute("BEGIN")
            return self.store.db

        def __exit__(self, exc_type, exc, tb):
            try:
                if exc_type is None:
                    self.store.db.execute("COMMIT")
                else:
                    self.store.db.execute("ROLLBACK")
            finally:
                self.store._tx_ts = None
                self.store.lock.release()
            return False

    def tx(self):
        return Store._Tx(self)

    def bump(self, section):
        """The section's new timestamp: now, but always greater than the previous one, so that
        a client comparing timestamps never misses a change made in the same second. One bump
        per section per transaction; rows changed in it carry the same value."""
        cached = self._tx_ts.get(section)
        if cached is not None:
            return cached
        prev = self.db.execute("SELECT ts FROM sections WHERE name=?", (section,)).fetchone()[0]
        ts = max(int(time.time()), prev + 1)
        self.db.execute("UPDATE sections SET ts=? WHERE name=?", (ts, section))
        self._tx_ts[section] = ts
        return ts

    def set_section(self, section, ts):
        self.db.execute("UPDATE sections SET ts=? WHERE name=?", (ts, section))

    def counts(self):
        with self.lock:
            return {t: self.db.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
                    for t in STAT_TABLES}


# --------------------------------------------------------------------------------------------
# The API


class Ctx:
    """One API request as the handlers see it."""

    def __init__(self, method, params, query, body):
        self.method = method
        self.params = params
        self.query = query
        self.body = body

    def json(self):
        """The body as a JSON object: malformed JSON → HTTP 400; valid JSON of another type →
        a validation error."""
        if not self.body.strip():
            raise HttpError(400, "malformed JSON: the request body is empty")
        try:
            value = loads(self.body)
        except UnicodeDecodeError:
            raise HttpError(400, "malformed JSON: the body is not valid UTF-8")
        except RecursionError:
            raise HttpError(400, "malformed JSON: nested too deeply")
        except ValueError as e:
            raise HttpError(400, "malformed JSON: %s" % e)
        if not isinstance(value, dict):
            raise Invalid("the request body must be a JSON object")
        return value

    def q(self, name):
        values = self.query.get(name)
        return values[0] if values else None


def ok(data=None, with_data=True):
    if not with_data:
        return {"success": True}
    return {"success": True, "data": data}


def feed(data):
    return {"code": "ok", "data": data}


class Api:
    def __init__(self, store, config):
        self.store = store
        self.config = config
        R = self._route
        self.routes = []
        R("GET", "/a/v1.0/storage/test", self.auth_test)
        R("GET", "/a/v1.0/draft/storages", self.storages)
        R("GET", "/a/v1.0/draft/store/{id:int}", self.storage_stock)
        R("POST", "/a/v1.0/storage/invoices", self.invoice_create)
        R("GET", "/a/v1.0/storage/invoices", self.invoice_list)
        R("GET", "/a/v1.0/storage/invoices/{id:int}", self.invoice_get)
        R("PUT", "/a/v1.0/storage/invoices/{id:int}", self.invoice_action)
        R("POST", "/a/v1.0/storage/moves", self.move_create)
        R("PUT", "/a/v1.0/storage/moves/{id:int}", self.move_action)
        R("POST", "/a/v1.0/product/", self.product_create)
        R("POST", "/a/v1.0/product", self.product_create)
        R("PUT", "/a/v1.0/product/{id:int}", self.product_update_by_id)
        R("GET", "/a/v1.0/product/by_ref_code/{ref}", self.product_get_by_ref)
        R("PUT", "/a/v1.0/product/by_ref_code/{ref}", self.product_update_by_ref)
        R("POST", "/a/v1.0/product/import", self.menu_import)
        R("POST", "/a/v1.0/product/import_part_menu", self.menu_import_part)
        R("GET", "/a/v1.0/product/export_sales", self.export_sales)
        R("GET", "/a/v1.0/product/export_sales_totals", self.export_sales_totals)
        R("POST", "/a/v1.0/draft/orders", self.order_create)
        R("GET", "/a/v1.0/draft/get_job_status/{id:int}", self.job_status)
        R("GET", "/a/v1.0/draft/receipts/{uuid}/info", self.receipt_info)
        R("GET", "/a/v1.0/draft/receipts_by_shift_day/{pos:int}/{day}", self.receipts_by_day)
        R("GET", "/a/v1.0/draft/get_updates/{pos:int}", self.updates)
        R("GET", "/a/v1.0/draft/get_products0/{pos:int}/{start:int}/{ts:int}", self.products0)
        R("GET", "/a/v1.0/draft/get_products/{pos:int}/{start:int}/{ts:int}",
          self.products_deprecated)
        R("GET", "/a/v1.0/draft/get_balances/{pos:int}/{ts:int}", self.balances)
        R("GET", "/a/v1.0/draft/get_clients/{ts:int}", self.clients)
        R("GET", "/a/v1.0/draft/get_categories", self.categories)
        R("GET", "/a/v1.0/draft/get_workspaces", self.workspaces)
        R("GET", "/a/v1.0/draft/get_taxes", self.taxes)
        R("GET", "/a/v1.0/draft/get_modifier_groups", self.modifier_groups)
        R("GET", "/a/v1.0/draft/get_product_shop_data/{pos:int}/{ts:int}", self.product_shop_data)

    def _route(self, method, pattern, handler):
        self.routes.append((method, pattern.split("/")[1:], handler))

    def resolve(self, method, segments):
        """(handler, params) for decoded path segments; HttpError 404 or 405."""
        allowed = []
        for rmethod, pattern, handler in self.routes:
            params = _match(pattern, segments)
            if params is None:
                continue
            if rmethod == method:
                return handler, params
            allowed.append(rmethod)
        if allowed:
            raise HttpError(405, "method not allowed",
                            [("Allow", ", ".join(sorted(set(allowed))))])
        raise HttpError(404, "not found")

    # ---- lookups -------------------------------------------------------------------------

    def _pos_shop(self, db, pos_id):
        row = db.execute("SELECT p.id, p.shop_id, s.storage_id FROM pos p JOIN shops s "
                         "ON s.id = p.shop_id WHERE p.id=?", (pos_id,)).fetchone()
        if row is None:
            raise not_found("pos")
        return row

    def _storage(self, db, storage_id, name):
        row = db.execute("SELECT * FROM storages WHERE id=?", (storage_id,)).fetchone()
        if row is None:
            raise Invalid("%s: storage %d not found" % (name, storage_id))
        return row

    def _tax(self, db, tax_id, name):
        if db.execute("SELECT 1 FROM taxes WHERE id=?", (tax_id,)).fetchone() is None:
            raise Invalid("%s: tax %d not found" % (name, tax_id))
        return tax_id

    def _category(self, db, ref, name=None, parent_id=None, update=False):
        """Find-or-create a category by ref_code; its id."""
        row = db.execute("SELECT id FROM categories WHERE ref_code=?", (ref,)).fetchone()
        if row is not None:
            if update:
                db.execute("UPDATE categories SET name=?, parent_id=?, updated_at=? WHERE id=?",
                           (name if name is not None else ref, parent_id,
                            self.store.bump("categories"), row[0]))
            return row[0]
        ts = self.store.bump("categories")
        pos = db.execute("SELECT coalesce(max(position), 0) + 1 FROM categories").fetchone()[0]
        cur = db.execute("INSERT INTO categories (ref_code, name, parent_id, position, updated_at) "
                         "VALUES (?, ?, ?, ?, ?)",
                         (ref, name if name is not None else ref, parent_id, pos, ts))
        return cur.lastrowid

    def _link_parent(self, db, ref, parent, cpath):
        """Points category `ref` at its parent category (by ref_code); None leaves it alone."""
        if parent is None:
            return
        prow = db.execute("SELECT id FROM categories WHERE ref_code=?", (parent,)).fetchone()
        if prow is None:
            raise Invalid("%sparent: category %s not found" % (cpath, parent))
        db.execute("UPDATE categories SET parent_id=? WHERE ref_code=?", (prow[0], ref))

    def _workspace(self, db, ref, name=None, update=False):
        row = db.execute("SELECT id FROM workspaces WHERE ref_code=?", (ref,)).fetchone()
        if row is not None:
            if update and name is not None:
                db.execute("UPDATE workspaces SET name=?, updated_at=? WHERE id=?",
                           (name, self.store.bump("workspaces"), row[0]))
            return row[0]
        cur = db.execute("INSERT INTO workspaces (ref_code, name, updated_at) VALUES (?, ?, ?)",
                         (ref, name if name is not None else ref, self.store.bump("workspaces")))
        return cur.lastrowid

    def _product_by_ref(self, db, ref, include_deleted=False):
        row = db.execute("SELECT * FROM products WHERE ref_code=?", (ref,)).fetchone()
        if row is None or (row["deleted"] and not include_deleted):
            return None
        return row

    # ---- products ------------------------------------------------------------------------

    def _product_fields(self, db, body, path=""):
        """Validated product columns present in body (docs/api.md, product body); prices apart."""
        f = {}
        v = field(body, "name", path, "str", required=False)
        if v is not None:
            f["name"] = nonempty(v, path + "name")
        v = field(body, "cancellation_type", path, "int", required=False)
        if v is not None:
            f["cancellation_type"] = one_of(v, (0, 1, 2), path + "cancellation_type")
        v = field(body, "for_sale", path, "bool", required=False)
        if v is not None:
            f["for_sale"] = int(v)
        v = field(body, "measure", path, "str", required=False)
        if v is not None:
            f["measure"] = one_of(v, MEASURES, path + "measure")
        for key in ("barcode", "country", "description"):
            v = field(body, key, path, "str", required=False)
            if v is not None:
                f[key] = v
        v = field(body, "use_discounts", path, "bool", required=False)
        if v is not None:
            f["use_discounts"] = int(v)
        v = field(body, "type", path, "str", required=False)
        if v is not None:
            f["type"] = one_of(v, PRODUCT_TYPES, path + "type")
        if "weight_in_gram" in body:
            v = field(body, "weight_in_gram", path, "int", nullable=True)
            f["weight_in_gram"] = non_negative(v, path + "weight_in_gram")
        v = field(body, "caf_tax_id", path, "int", required=False)
        if v is not None:
            f["tax_id"] = self._tax(db, v, path + "caf_tax_id")
        v = field(body, "category_ref_code", path, "code", required=False)
        if v is not None:
            f["category_id"] = self._category(db, nonempty(v, path + "category_ref_code"))
        v = field(body, "workspace_ref_code", path, "code", required=False)
        if v is not None:
            f["workspace_id"] = self._workspace(db, nonempty(v, path + "workspace_ref_code"))
        prices = []
        for _, p, ppath in objects(body, "prices", path):
            shop_id = field(p, "caf_shop_id", ppath, "int")
            shop = db.execute("SELECT storage_id FROM shops WHERE id=?", (shop_id,)).fetchone()
            if shop is None:
                raise Invalid("%scaf_shop_id: shop %d not found" % (ppath, shop_id))
            storage_id = field(p, "caf_storage_id", ppath, "int", required=False)
            if storage_id is None:
                storage_id = shop[0]
            else:
                self._storage(db, storage_id, ppath + "caf_storage_id")
            price = non_negative(field(p, "price", ppath, "num"), ppath + "price")
            self_cost = non_negative(field(p, "self_cost", ppath, "num", required=False,
                                           default=0), ppath + "self_cost")
            prices.append((shop_id, storage_id, price, None, self_cost))
        return f, prices

    def _write_prices(self, db, product_id, prices, ts):
        for shop_id, storage_id, price, day_price, self_cost in prices:
            db.execute("INSERT INTO product_prices (product_id, shop_id, storage_id, price, "
                       "day_price, self_cost, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (product_id, shop_id) DO UPDATE SET storage_id=excluded."
                       "storage_id, price=excluded.price, day_price=excluded.day_price, "
                       "self_cost=excluded.self_cost, updated_at=excluded.updated_at",
                       (product_id, shop_id, storage_id, price, day_price, self_cost, ts))

    def _insert_product(self, db, ref, fields, prices):
        ts = self.store.bump("products")
        cols = dict(fields)
        cols.update(ref_code=ref, created_at=ts, updated_at=ts)
        cols.setdefault("tax_id", 1)
        names = list(cols)
        cur = db.execute("INSERT INTO products (%s) VALUES (%s)"
                         % (", ".join(names), ", ".join("?" * len(names))),
                         [cols[n] for n in names])
        self._write_prices(db, cur.lastrowid, prices, ts)
        return cur.lastrowid

    def _update_product(self, db, product_id, fields, prices, undelete=False):
        ts = self.store.bump("products")
        cols = dict(fields)
        cols["updated_at"] = ts
        if undelete:
            cols["deleted"] = 0
        names = list(cols)
        db.execute("UPDATE products SET %s WHERE id=?" % ", ".join("%s=?" % n for n in names),
                   [cols[n] for n in names] + [product_id])
        self._write_prices(db, product_id, prices, ts)

    def _body_ref(self, db, body, current_id):
        """A ref_code in an update body: renames the product when it differs."""
        ref = field(body, "ref_code", "", "str", required=False)
        if ref is None:
            return {}
        nonempty(ref, "ref_code")
        other = db.execute("SELECT id FROM products WHERE ref_code=?", (ref,)).fetchone()
        if other is not None and other[0] != current_id:
            raise Invalid("ref_code %s is already used by product %d" % (ref, other[0]))
        return {"ref_code": ref}

    def product_create(self, ctx):
        body = ctx.json()
        with self.store.tx() as db:
            ref = nonempty(field(body, "ref_code", "", "str"), "ref_code")
            fields, prices = self._product_fields(db, body)
            row = db.execute("SELECT id FROM products WHERE ref_code=?", (ref,)).fetchone()
            if row is not None:  # find-or-create: the product exists (or was deleted)
                self._update_product(db, row[0], fields, prices, undelete=True)
                return ok({"id": row[0]})
            if "name" not in fields:
                raise Invalid("name is required")
            return ok({"id": self._insert_product(db, ref, fields, prices)})

    def product_update_by_id(self, ctx):
        body = ctx.json()
        with self.store.tx() as db:
            row = db.execute("SELECT id FROM products WHERE id=? AND deleted=0",
                             (ctx.params["id"],)).fetchone()
            if row is None:
                raise not_found("product")
            fields, prices = self._product_fields(db, body)
            fields.update(self._body_ref(db, body, row[0]))
            self._update_product(db, row[0], fields, prices)
            return ok({"id": row[0]})

    def product_update_by_ref(self, ctx):
        body = ctx.json()
        with self.store.tx() as db:
            row = self._product_by_ref(db, ctx.params["ref"])
            if row is None:
                raise not_found("product")
            fields, prices = self._product_fields(db, body)
            fields.update(self._body_ref(db, body, row["id"]))
            self._update_product(db, row["id"], fields, prices)
            return ok({"id": row["id"]})

    def _product_json(self, db, p, with_category_ref=False, with_weight=False):
        category = None
        if p["category_id"] is not None:
            category = {"id": p["category_id"]}
            if with_category_ref:
                c = db.execute("SELECT ref_code FROM categories WHERE id=?",
                               (p["category_id"],)).fetchone()
                category["ref_code"] = c[0] if c is not None and c[0] is not None else ""
        out = {
            "id": p["id"], "ref_code": p["ref_code"] or "", "name": p["name"],
            "cancellation_type": CANCELLATION_NAMES[p["cancellation_type"]],
            "measure": p["measure"], "category": category,
        }
        if not with_category_ref:
            out["tax"] = {"id": p["tax_id"]} if p["tax_id"] is not None else None
        out["work_space"] = {"id": p["workspace_id"]} if p["workspace_id"] is not None else None
        out.update({
            "created_at": iso(p["created_at"]), "updated_at": iso(p["updated_at"]),
            "use_discounts": bool(p["use_discounts"]),
            "type": "weighting" if p["measure"] in ("kg", "l") else "simple",
            "code": p["barcode"], "active": bool(p["for_sale"]) and not p["deleted"],
            "country": p["country"], "has_g_m_o": False, "free_price": False,
        })
        if with_weight:
            out["weight_in_gram"] = p["weight_in_gram"]
        out["entity_type"] = p["type"]
        return out

    def product_get_by_ref(self, ctx):
        with self.store.tx() as db:
            row = self._product_by_ref(db, ctx.params["ref"])
            if row is None:
                raise not_found("product")
            return ok(self._product_json(db, row))

    def _import(self, ctx, whole):
        body = ctx.json()
        with self.store.tx() as db:
            update_balances = field(body, "update_balances", "", "bool", required=False,
                                    default=False)
            categories = objects(body, "categories", "")
            seen = {}
            for _, c, cpath in categories:
                ref = nonempty(field(c, "id", cpath, "code"), cpath + "id")
                name = nonempty(field(c, "name", cpath, "str"), cpath + "name")
                field(c, "level", cpath, "int", required=False)
                parent = field(c, "parent", cpath, "code", required=False, nullable=True)
                seen[ref] = (name, parent, cpath)
            for ref, (name, _, _) in seen.items():
                self._category(db, ref, name, update=True)
            for ref, (name, parent, cpath) in seen.items():
                self._link_parent(db, ref, parent, cpath)
            for _, m, mpath in objects(body, "menus", ""):
                ref = nonempty(field(m, "id", mpath, "code"), mpath + "id")
                name = nonempty(field(m, "name", mpath, "str"), mpath + "name")
                level = field(m, "level", mpath, "int", required=False)
                parent = field(m, "parent", mpath, "code", required=False, nullable=True)
                caf_id = field(m, "caf_id", mpath, "int", required=False)
                db.execute("INSERT INTO menus (ref_code, name, level, parent_ref, caf_id, "
                           "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ref_code) DO "
                           "UPDATE SET name=excluded.name, level=excluded.level, parent_ref="
                           "excluded.parent_ref, caf_id=excluded.caf_id, updated_at="
                           "excluded.updated_at",
                           (ref, name, level, parent, caf_id, self.store.bump("menus")))
            field(body, "taxes", "", "list", required=False)   # accepted, not used
            field(body, "shops", "", "list", required=False)   # accepted, not used
            created = updated = deleted = 0
            listed = set()
            for _, it, ipath in objects(body, "items", "", required=True):
                ref = nonempty(field(it, "id", ipath, "code"), ipath + "id")
                listed.add(ref)
                fields = {}
                name = field(it, "name", ipath, "str", required=False)
                if name is not None:
                    fields["name"] = nonempty(name, ipath + "name")
                for key in ("barcode", "country", "description"):
                    v = field(it, key, ipath, "str", required=False)
                    if v is not None:
                        fields[key] = v
                if "weight_in_gram" in it:
                    fields["weight_in_gram"] = non_negative(
                        field(it, "weight_in_gram", ipath, "int", nullable=True),
                        ipath + "weight_in_gram")
                for key in ("for_sale", "use_discounts"):
                    v = field(it, key, ipath, "bool", required=False)
                    if v is not None:
                        fields[key] = int(v)
                v = field(it, "measure", ipath, "str", required=False)
                if v is not None:
                    fields["measure"] = one_of(v, MEASURES, ipath + "measure")
                v = field(it, "category_id", ipath, "code", required=False, nullable=True)
                if v is not None:
                    fields["category_id"] = self._category(db, v)
                v = field(it, "work_space_code", ipath, "code", required=False, nullable=True)
                if v is not None:
                    fields["workspace_id"] = self._workspace(db, v)
                if "tax_id" in it:  # null: the account's default tax (id 1)
                    v = field(it, "tax_id", ipath, "int", nullable=True)
                    fields["tax_id"] = self._tax(db, v, ipath + "tax_id") if v is not None else 1
                menus = field(it, "menus", ipath, "list", required=False)
                if menus is not None:
                    for j, mid in enumerate(menus):
                        if not _check_kind(mid, "code"):
                            raise Invalid("%smenus[%d] must be a menu id" % (ipath, j))
                    fields["menus"] = json.dumps([str(m) for m in menus])
                is_deleted = field(it, "deleted", ipath, "bool", required=False, default=False)
                prices = []
                for _, p, ppath in objects(it, "prices", ipath):
                    shop_id = field(p, "shop_id", ppath, "int")
                    shop = db.execute("SELECT storage_id FROM shops WHERE id=?",
                                      (shop_id,)).fetchone()
                    if shop is None:
                        raise Invalid("%sshop_id: shop %d not found" % (ppath, shop_id))
                    value = non_negative(field(p, "value", ppath, "num"), ppath + "value")
                    day = non_negative(field(p, "value_day", ppath, "num", required=False),
                                       ppath + "value_day")
                    prices.append((shop_id, shop[0], value, day, 0))
                balances = []
                for _, b, bpath in objects(it, "balances", ipath):
                    sid = field(b, "storage_id", bpath, "int")
                    self._storage(db, sid, bpath + "storage_id")
                    balances.append((sid, field(b, "balance", bpath, "num")))
                row = db.execute("SELECT id, deleted FROM products WHERE ref_code=?",
                                 (ref,)).fetchone()
                if row is None:
                    if "name" not in fields:
                        raise Invalid("%sname is required" % ipath)
                    pid = self._insert_product(db, ref, fields, prices)
                    created += 1
                else:
                    pid = row[0]
                    self._update_product(db, pid, fields, prices, undelete=not is_deleted)
                    updated += 1
                if is_deleted:
                    db.execute("UPDATE products SET deleted=1 WHERE id=?", (pid,))
                    deleted += 1
                if update_balances:
                    for sid, balance in balances:
                        self._set_stock(db, sid, pid, balance)
            if whole:  # what the body lacks is removed from the menu
                ts = self.store.bump("products")
                for (pid, ref) in db.execute("SELECT id, ref_code FROM products WHERE deleted=0"
                                             ).fetchall():
                    if ref not in listed:
                        db.execute("UPDATE products SET deleted=1, updated_at=? WHERE id=?",
                                   (ts, pid))
                        deleted += 1
            return ok({"created": created, "updated": updated, "deleted": deleted})

    def menu_import(self, ctx):
        return self._import(ctx, whole=True)

    def menu_import_part(self, ctx):
        return self._import(ctx, whole=False)

    # ---- storages and stock ---------------------------------------------------------------

    def auth_test(self, ctx):
        return ok({"id": "test"})

    def storages(self, ctx):
        with self.store.lock:
            rows = self.store.db.execute("SELECT id, name FROM storages ORDER BY id").fetchall()
        return {str(r[0]): "(id:%d) %s" % (r[0], r[1]) for r in rows}

    def storage_stock(self, ctx):
        with self.store.tx() as db:
            if db.execute("SELECT 1 FROM storages WHERE id=?",
                          (ctx.params["id"],)).fetchone() is None:
                raise not_found("storage")
            rows = db.execute("SELECT s.product_id, p.name, p.measure, s.cost, s.balance "
                              "FROM stock s JOIN products p ON p.id = s.product_id "
                              "WHERE s.storage_id=? ORDER BY s.product_id",
                              (ctx.params["id"],)).fetchall()
        return [{"id": r[0], "name": r[1], "measure": r[2], "cost": fixed(r[3], 6),
                 "summ": fmt_summ(max(r[4], 0) * r[3]), "balance": fmt_balance(r[4], r[2])}
                for r in rows]

    def _set_stock(self, db, storage_id, product_id, balance, cost=None):
        ts = self.store.bump("balances")
        db.execute("INSERT INTO stock (storage_id, product_id, balance, cost, updated_at) "
                   "VALUES (?, ?, ?, coalesce(?, 0), ?) ON CONFLICT (storage_id, product_id) "
                   "DO UPDATE SET balance=excluded.balance, cost=coalesce(?, cost), "
                   "updated_at=excluded.updated_at",
                   (storage_id, product_id, balance, cost, ts, cost))

    def _add_stock(self, db, storage_id, product_id, qty, unit_cost=None):
        row = db.execute("SELECT balance, cost FROM stock WHERE storage_id=? AND product_id=?",
                         (storage_id, product_id)).fetchone()
        balance, cost = (row[0], row[1]) if row is not None else (0.0, 0.0)
        new_balance = balance + qty
        if unit_cost is not None and qty > 0:  # weighted average cost of what is on hand
            base = max(balance, 0.0)
            cost = (base * cost + qty * unit_cost) / (base + qty)
        self._set_stock(db, storage_id, product_id, round(new_balance, 9), cost)

    # ---- invoices --------------------------------------------------------------------------

    def invoice_create(self, ctx):
        body = ctx.json()
        with self.store.tx() as db:
            number = field(body, "number", "", "code")
            doc_date = parse_doc_date(field(body, "date", "", "str"), "date")
            total = field(body, "sum", "", "num", required=False)
            comment = field(body, "comment", "", "str", required=False, default="")
            storage = field(body, "storage", "", "obj")
            storage_id = field(storage, "caf_id", "storage.", "int")
            self._storage(db, storage_id, "storage.caf_id")
            shipper_id = None
            shipper = field(body, "shipper", "", "obj", required=False)
            if shipper is not None:
                sref = nonempty(field(shipper, "ref_code", "shipper.", "code"),
                                "shipper.ref_code")
                sname = field(shipper, "name", "shipper.", "str", required=False)
                row = db.execute("SELECT id FROM shippers WHERE ref_code=?", (sref,)).fetchone()
                if row is not None:
                    shipper_id = row[0]
                else:
                    shipper_id = db.execute("INSERT INTO shippers (ref_code, name) VALUES (?, ?)",
                                            (sref, sname or sref)).lastrowid
            # The ref_code objects the items need: find-or-create, existing ones unchanged.
            cats = []
            for _, c, cpath in objects(body, "categories", ""):
                ref = nonempty(field(c, "ref_code", cpath, "code"), cpath + "ref_code")
                name = field(c, "name", cpath, "str", required=False)
                parent = field(c, "parent", cpath, "code", required=False, nullable=True)
                cats.append((ref, name, parent, cpath))
            new_cats = [c for c in cats if db.execute(
                "SELECT 1 FROM categories WHERE ref_code=?", (c[0],)).fetchone() is None]
            for ref, name, _, _ in new_cats:
                self._category(db, ref, name)
            for ref, _, parent, cpath in new_cats:
                self._link_parent(db, ref, parent, cpath)
            for _, w, wpath in objects(body, "workspaces", ""):
                ref = nonempty(field(w, "ref_code", wpath, "code"), wpath + "ref_code")
                self._workspace(db, ref, field(w, "name", wpath, "str", required=False))
            for _, p, ppath in objects(body, "packages", ""):
                ref = nonempty(field(p, "ref_code", ppath, "code"), ppath + "ref_code")
                name = field(p, "name", ppath, "str", required=False)
                measure = one_of(field(p, "measure", ppath, "str", required=False),
                                 MEASURES, ppath + "measure")
                value = field(p, "value", ppath, "num", required=False)
                if value is not None and value <= 0:
                    raise Invalid("%svalue must be positive" % ppath)
                if db.execute("SELECT 1 FROM packages WHERE ref_code=?", (ref,)).fetchone():
                    continue
                if ref not in MEASURES and (measure is None or value is None):
                    raise Invalid("%s: a new package needs measure and value" % ppath[:-1])
                db.execute("INSERT INTO packages (ref_code, name, measure, value) "
                           "VALUES (?, ?, ?, ?)", (ref, name or ref, measure or ref, value or 1))
            for _, p, ppath in objects(body, "products", ""):
                ref = nonempty(field(p, "ref_code", ppath, "code"), ppath + "ref_code")
                fields, prices = self._product_fields(db, p, ppath)
                row = db.execute("SELECT id, deleted FROM products WHERE ref_code=?",
                                 (ref,)).fetchone()
                if row is None:
                    if "name" not in fields:
                        raise Invalid("%sname is required" % ppath)
                    self._insert_product(db, ref, fields, prices)
                elif row[1]:
                    self._update_product(db, row[0], {}, [], undelete=True)
            items = []
            for _, it, ipath in objects(body, "items", "", required=True):
                amount = field(it, "amount", ipath, "num")
                if amount <= 0:
                    raise Invalid("%samount must be positive" % ipath)
                pref = nonempty(field(it, "product_code", ipath, "code"), ipath + "product_code")
                prod = self._product_by_ref(db, pref)
                if prod is None:
                    raise Invalid("%sproduct_code: product %s not found" % (ipath, pref))
                pkg_ref = field(it, "package_code", ipath, "code", required=False) or "pcs"
                pkg = db.execute("SELECT id FROM packages WHERE ref_code=?", (pkg_ref,)).fetchone()
                if pkg is None:
                    raise Invalid("%spackage_code: package %s not found" % (ipath, pkg_ref))
                tax_id = field(it, "caf_tax_id", ipath, "int", required=False)
                if tax_id is not None:
                    self._tax(db, tax_id, ipath + "caf_tax_id")
                nums = [non_negative(field(it, k, ipath, "num", required=False), ipath + k)
                        for k in ("price", "price_with_tax", "cost", "cost_with_tax")]
                items.append((prod["id"], pkg[0], amount, nums[0], tax_id if tax_id is not None
                              else prod["tax_id"], nums[1], nums[2], nums[3]))
            if not items:
                raise Invalid("items must not be empty")
            now = int(time.time())
            inv_id = db.execute("INSERT INTO invoices (number, doc_date, sum, comment, shipper_id,"
                                " storage_id, status, created_at, updated_at) VALUES "
                                "(?, ?, ?, ?, ?, ?, 'unwired', ?, ?)",
                                (number, doc_date, total, comment, shipper_id, storage_id, now,
                                 now)).lastrowid
            for it in items:
                db.execute("INSERT INTO invoice_items (invoice_id, product_id, package_id, "
                           "amount, price, tax_id, price_with_tax, cost, cost_with_tax) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (inv_id,) + it)
            return ok({"id": inv_id})

    def _invoice_json(self, db, inv):
        items = []
        totals = [0.0, 0.0, 0.0]
        for it in db.execute("SELECT i.*, k.ref_code AS k_ref, k.name AS k_name, k.measure AS "
                             "k_measure, k.value AS k_value FROM invoice_items i JOIN packages k "
                             "ON k.id = i.package_id WHERE i.invoice_id=? ORDER BY i.id",
                             (inv["id"],)).fetchall():
            p = db.execute("SELECT * FROM products WHERE id=?", (it["product_id"],)).fetchone()
            price = it["price"] or 0.0
            cost = it["cost"] if it["cost"] is not None else price * it["amount"]
            cost_wt = it["cost_with_tax"] if it["cost_with_tax"] is not None else cost
            totals[0] += cost
            totals[1] += cost_wt - cost
            totals[2] += cost_wt
            items.append({
                "count": num(it["amount"]), "price": num(price), "cost": num(cost),
                "package": {"id": it["package_id"], "ref_code": it["k_ref"],
                            "name": it["k_name"], "measure": it["k_measure"],
                            "value": num(it["k_value"])},
                "product": self._product_json(db, p, with_category_ref=True, with_weight=True),
                "tax": {"id": it["tax_id"]} if it["tax_id"] is not None else None,
                "tax_sum": num(cost_wt - cost), "cost_with_tax": num(cost_wt),
            })
        shipper = None
        if inv["shipper_id"] is not None:
            s = db.execute("SELECT id, name FROM shippers WHERE id=?",
                           (inv["shipper_id"],)).fetchone()
            shipper = {"id": s[0], "name": s[1]}
        st = db.execute("SELECT id, name FROM storages WHERE id=?",
                        (inv["storage_id"],)).fetchone()
        return {
            "id": inv["id"], "type": "incoming", "name": inv["number"],
            "total_amount": num(sum(i["count"] for i in items)), "shipper": shipper,
            "items": items, "storage": {"id": st[0], "name": st[1]},
            "doc_date": iso(inv["doc_date"]), "paid": False, "status": inv["status"],
            "finished": inv["status"] == "wired", "total_wo_nds": num(totals[0]),
            "total_nds_sum": num(totals[1]), "total_cost": num(totals[2]),
            "created_at": iso(inv["created_at"]), "created_by": {"id": 1},
            "updated_at": iso(inv["updated_at"]), "updated_by": {"id": 1},
        }

    def invoice_get(self, ctx):
        with self.store.tx() as db:
            inv = db.execute("SELECT * FROM invoices WHERE id=?", (ctx.params["id"],)).fetchone()
            if inv is None:
                raise not_found("invoice")
            return ok(self._invoice_json(db, inv))

    def invoice_list(self, ctx):
        start = ctx.q("start")
        if start is None:
            raise Invalid("start is required (YYYY-MM-DD)")
        since = parse_iso(start, "start", ACCOUNT_TZ)
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM invoices WHERE doc_date >= ? ORDER BY id",
                              (since,)).fetchall()
            return ok([self._invoice_json(db, r) for r in rows])

    def _action(self, ctx):
        body = ctx.json()
        action = field(body, "action", "", "str")
        return one_of(action, ("wire", "unwire"), "action")

    def invoice_action(self, ctx):
        action = self._action(ctx)
        with self.store.tx() as db:
            inv = db.execute("SELECT * FROM invoices WHERE id=?", (ctx.params["id"],)).fetchone()
            if inv is None:
                raise not_found("invoice")
            want = "wired" if action == "wire" else "unwired"
            if inv["status"] == want:
                raise Invalid("invoice %d is already %s" % (inv["id"], want))
            sign = 1 if action == "wire" else -1
            for it in db.execute("SELECT i.product_id, i.amount, i.price, i.cost, k.value FROM "
                                 "invoice_items i JOIN packages k ON k.id = i.package_id "
                                 "WHERE invoice_id=?", (inv["id"],)).fetchall():
                qty = it[1] * it[4]
                if it[3] is not None:
                    unit = it[3] / qty
                elif it[2] is not None:
                    unit = it[2] / it[4]
                else:
                    unit = None
                self._add_stock(db, inv["storage_id"], it[0], sign * qty,
                                unit if sign > 0 else None)
            db.execute("UPDATE invoices SET status=?, updated_at=? WHERE id=?",
                       (want, int(time.time()), inv["id"]))
            return ok(with_data=False)

    # ---- moves -----------------------------------------------------------------------------

    def move_create(self, ctx):
        body = ctx.json()
        with self.store.tx() as db:
            comment = field(body, "comment", "", "str", required=False, default="")
            doc_date = parse_doc_date(field(body, "date", "", "str"), "date")
            src = field(field(body, "storage_from", "", "obj"), "caf_id", "storage_from.", "int")
            dst = field(field(body, "storage_to", "", "obj"), "caf_id", "storage_to.", "int")
            item_list = objects(body, "items", "", required=True)
            items = []
            for _, it, ipath in item_list:
                amount = field(it, "amount", ipath, "num")
                if amount <= 0:
                    raise Invalid("%samount must be positive" % ipath)
                pref = nonempty(field(it, "product_code", ipath, "code"), ipath + "product_code")
                items.append((pref, amount, ipath))
            if not items:
                raise Invalid("items must not be empty")
            self._storage(db, src, "storage_from.caf_id")
            self._storage(db, dst, "storage_to.caf_id")
            if src == dst:
                raise Invalid("storage_from and storage_to must differ")
            resolved = []
            for pref, amount, ipath in items:
                prod = self._product_by_ref(db, pref)
                if prod is None:
                    raise Invalid("%sproduct_code: product %s not found" % (ipath, pref))
                resolved.append((prod["id"], amount))
            now = int(time.time())
            mid = db.execute("INSERT INTO moves (comment, doc_date, storage_from, storage_to, "
                             "status, created_at, updated_at) VALUES (?, ?, ?, ?, 'unwired', ?, ?)",
                             (comment, doc_date, src, dst, now, now)).lastrowid
            for pid, amount in resolved:
                db.execute("INSERT INTO move_items (move_id, product_id, amount) VALUES (?, ?, ?)",
                           (mid, pid, amount))
            return ok({"id": mid})

    def move_action(self, ctx):
        action = self._action(ctx)
        with self.store.tx() as db:
            mv = db.execute("SELECT * FROM moves WHERE id=?", (ctx.params["id"],)).fetchone()
            if mv is None:
                raise not_found("move")
            want = "wired" if action == "wire" else "unwired"
            if mv["status"] == want:
                raise Invalid("move %d is already %s" % (mv["id"], want))
            src, dst = mv["storage_from"], mv["storage_to"]
            if action == "unwire":
                src, dst = dst, src
            for pid, amount in db.execute("SELECT product_id, amount FROM move_items "
                                          "WHERE move_id=?", (mv["id"],)).fetchall():
                c = db.execute("SELECT cost FROM stock WHERE storage_id=? AND product_id=?",
                               (src, pid)).fetchone()
                self._add_stock(db, src, pid, -amount)
                self._add_stock(db, dst, pid, amount, c[0] if c is not None else None)
            db.execute("UPDATE moves SET status=?, updated_at=? WHERE id=?",
                       (want, int(time.time()), mv["id"]))
            return ok(with_data=False)

    # ---- delivery orders -------------------------------------------------------------------

    def order_create(self, ctx):
        body = ctx.json()
        bill = field(body, "bill", "", "obj")
        p = "bill."
        field(bill, "pos_id", p, "int", required=False)
        field(bill, "app_id", p, "int")
        field(bill, "delivery_type", p, "int")
        field(bill, "total_sum", p, "num")
        if "payments" in bill and bill["payments"] is not None:
            for _, pay, ppath in objects(bill, "payments", p):
                field(pay, "payment_id", ppath, "int")
                field(pay, "value", ppath, "num")
        items = objects(bill, "items", p, required=True)
        if not items:
            raise Invalid("bill.items must not be empty")
        for _, it, ipath in items:
            field(it, "title", ipath, "str", required=False, nullable=True)
            field(it, "count", ipath, "num")
            for key in ("price", "discount_sum", "origin_price"):
                field(it, key, ipath, "num", required=False, nullable=True)
            field(it, "total_sum", ipath, "num")
            field(it, "product_id", ipath, "int")
        client = field(bill, "client", p, "obj", required=False, nullable=True)
        if client is not None:
            cp = p + "client."
            cuuid = field(client, "uuid", cp, "str", required=False, nullable=True)
            cname = field(client, "name", cp, "str", required=False, nullable=True)
            if not cuuid and not cname:
                raise Invalid("bill.client needs uuid or name")
            for key in ("last_name", "address", "birthday", "phone", "email", "card_number"):
                field(client, key, cp, "str", required=False, nullable=True)
            dg = field(client, "discount_group", cp, "obj", required=False, nullable=True)
            if dg is not None:
                field(dg, "id", cp + "discount_group.", "int")
        for key in ("created_at", "started_at"):
            v = field(bill, key, p, "str", required=False, nullable=True)
            if v is not None:
                parse_iso(v, p + key, timezone.utc)
        field(bill, "comment", p, "str", required=False, nullable=True)
        field(bill, "delivery", p, "obj", required=False, nullable=True)
        with self.store.tx() as db:
            job_id = db.execute("INSERT INTO jobs (bill, status, created_at) VALUES "
                                "(?, 'pending', ?)", (json.dumps(bill), int(time.time()))
                                ).lastrowid
        return ok({"job_id": job_id, "status": "pending"})

    def _order_problem(self, db, bill):
        """The reason an order cannot be placed, or None."""
        pos_id = bill.get("pos_id") or DEFAULT_POS_ID
        if db.execute("SELECT 1 FROM pos WHERE id=?", (pos_id,)).fetchone() is None:
            return "pos %d not found" % pos_id
        if bill["delivery_type"] not in (0, 1, 2):
            return "delivery_type must be 0, 1 or 2"
        if bill["total_sum"] < 0:
            return "total_sum must not be negative"
        for i, it in enumerate(bill["items"]):
            for key in ("count", "total_sum", "price", "discount_sum", "origin_price"):
                if it.get(key) is not None and it[key] < 0:
                    return "items[%d].%s must not be negative" % (i, key)
            if it["count"] == 0:
                return "items[%d].count must not be zero" % i
            if db.execute("SELECT 1 FROM products WHERE id=? AND deleted=0",
                          (it["product_id"],)).fetchone() is None:
                return "items[%d]: product %d not found" % (i, it["product_id"])
        for i, pay in enumerate(bill.get("payments") or []):
            if db.execute("SELECT 1 FROM payment_types WHERE id=?",
                          (pay["payment_id"],)).fetchone() is None:
                return "payments[%d]: payment type %d not found" % (i, pay["payment_id"])
            if pay["value"] < 0:
                return "payments[%d].value must not be negative" % i
        client = bill.get("client")
        if client:
            dg = client.get("discount_group")
            if dg and db.execute("SELECT 1 FROM discount_groups WHERE id=?",
                                 (dg["id"],)).fetchone() is None:
                return "client: discount group %d not found" % dg["id"]
            if client.get("uuid") and not client.get("name") and db.execute(
                    "SELECT 1 FROM clients WHERE uuid=?", (client["uuid"],)).fetchone() is None:
                return "client %s not found" % client["uuid"]
        return None

    def _place_order(self, db, job_id, bill):
        """Turns a valid order into a closed receipt; its UUID."""
        pos_id = bill.get("pos_id") or DEFAULT_POS_ID
        pos = self._pos_shop(db, pos_id)
        client_id = None
        client = bill.get("client")
        if client:
            row = None
            if client.get("uuid"):
                row = db.execute("SELECT id FROM clients WHERE uuid=?",
                                 (client["uuid"],)).fetchone()
            if row is not None:
                client_id = row[0]
            else:  # a new loyalty client
                dg = client.get("discount_group")
                client_id = db.execute(
                    "INSERT INTO clients (uuid, name, last_name, phone, address, card_number, "
                    "email, birthday, group_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (client.get("uuid") or str(uuidlib.uuid4()), client.get("name") or "",
                     client.get("last_name") or "", client.get("phone") or "",
                     client.get("address") or "", client.get("card_number") or "",
                     client.get("email"), client.get("birthday"), dg["id"] if dg else None,
                     self.store.bump("clients"))).lastrowid
        now = int(time.time())
        created = parse_iso(bill["created_at"], "created_at", timezone.utc) \
            if bill.get("created_at") else now
        shift_day = datetime.fromtimestamp(created, ACCOUNT_TZ).date().isoformat()
        pays = {"cash": 0.0, "card": 0.0, "cashless": 0.0, "bonus": 0.0, "credit": 0.0}
        for pay in bill.get("payments") or []:
            kind = db.execute("SELECT kind FROM payment_types WHERE id=?",
                              (pay["payment_id"],)).fetchone()[0]
            pays[kind] += pay["value"]
        receipt = str(uuidlib.uuid4())
        total = discount = 0.0
        lines = []
        for it in bill["items"]:
            price = it.get("price")
            if price is None:
                price = it["total_sum"] / it["count"]
            origin = it.get("origin_price")
            origin = price if origin is None else origin
            disc = it.get("discount_sum") or 0.0
            total += origin * it["count"]
            discount += disc
            c = db.execute("SELECT cost FROM stock WHERE storage_id=? AND product_id=?",
                           (pos["storage_id"], it["product_id"])).fetchone()
            lines.append((receipt, it["product_id"], it["count"], price, origin, disc,
                          it["total_sum"], (c[0] if c else 0.0) * it["count"]))
            ctype = db.execute("SELECT cancellation_type FROM products WHERE id=?",
                               (it["product_id"],)).fetchone()[0]
            if ctype == 1:  # written off by product: the sale takes it from the shop's storage
                self._add_stock(db, pos["storage_id"], it["product_id"], -it["count"])
        db.execute("INSERT INTO receipts (uuid, pos_id, shift_day, status, created_at, updated_at,"
                   " total, total_sum, discount_sum, cash, card, cashless, bonus, credit, "
                   "client_id, job_id) VALUES (?, ?, ?, 'closed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?)", (receipt, pos_id, shift_day, created, now, round(total, 6),
                             bill["total_sum"], round(discount, 6), pays["cash"], pays["card"],
                             pays["cashless"], pays["bonus"], pays["credit"], client_id, job_id))
        db.executemany("INSERT INTO receipt_items (receipt_uuid, product_id, count, price, "
                       "origin_price, discount_sum, total_sum, self_cost_sum) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?)", lines)
        return receipt

    def job_status(self, ctx):
        with self.store.tx() as db:
            job = db.execute("SELECT * FROM jobs WHERE id=?", (ctx.params["id"],)).fetchone()
            if job is None:
                raise not_found("job")
            polls = job["polls"] + 1
            status, message = job["status"], job["message"]
            if status == "pending" and polls > self.config.job_pending_polls:
                bill = json.loads(job["bill"])
                problem = self._order_problem(db, bill)
                if problem is None:
                    status, message = "success", self._place_order(db, job["id"], bill)
                else:
                    status, message = "failed", problem
            db.execute("UPDATE jobs SET polls=?, status=?, message=? WHERE id=?",
                       (polls, status, message, job["id"]))
            return ok({"job_id": str(job["id"]), "status": status, "message": message})

    def receipt_info(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM receipts WHERE uuid=?",
                              (ctx.params["uuid"],)).fetchall()
            return [{"id": r["uuid"], "terminalNumber": r["pos_id"], "total": num(r["total"]),
                     "totalSum": num(r["total_sum"]), "discountSum": num(r["discount_sum"]),
                     "status": r["status"]} for r in rows]

    def receipts_by_day(self, ctx):
        day = parse_day(ctx.params["day"], "date")
        with self.store.tx() as db:
            self._pos_shop(db, ctx.params["pos"])
            out = []
            for r in db.execute("SELECT * FROM receipts WHERE pos_id=? AND shift_day=? "
                                "ORDER BY created_at, uuid", (ctx.params["pos"], day)).fetchall():
                dishes = [{"count": num(i["count"]), "price": num(i["price"]),
                           "self_cost_sum": num(i["self_cost_sum"]),
                           "total": num(i["origin_price"] * i["count"]),
                           "discount_sum": num(i["discount_sum"]),
                           "total_sum": num(i["total_sum"]), "dish": {"id": i["product_id"]}}
                          for i in db.execute("SELECT * FROM receipt_items WHERE receipt_uuid=? "
                                              "ORDER BY id", (r["uuid"],)).fetchall()]
                out.append({
                    "id": r["uuid"], "type": r["type"], "income": 1, "total": num(r["total"]),
                    "total_sum": num(r["total_sum"]), "discount_sum": num(r["discount_sum"]),
                    "client": {"id": r["client_id"]} if r["client_id"] is not None else None,
                    "created_at": iso(r["created_at"]), "updated_at": iso(r["updated_at"]),
                    "bill_dishes": dishes, "count_clients": r["count_clients"],
                    "cash_pay": num(r["cash"]), "card_pay": num(r["card"]), "back_pay": 0,
                })
            return out

    # ---- sales exports ---------------------------------------------------------------------

    def _sales_filter(self, ctx):
        shift_day = ctx.q("shift_day")
        if shift_day is not None:
            return "r.shift_day = ?", (parse_day(shift_day, "shift_day"),)
        start, end = ctx.q("start"), ctx.q("end")
        if start is None:
            raise Invalid("start (with end) or shift_day is required")
        a = parse_iso(start, "start", ACCOUNT_TZ)
        if end is None:
            return "r.created_at >= ?", (a,)
        b = parse_iso(end, "end", ACCOUNT_TZ, end_of_day=True)
        return "r.created_at >= ? AND r.created_at < ?", (a, b)

    def export_sales(self, ctx):
        where, args = self._sales_filter(ctx)
        groups = {}
        with self.store.tx() as db:
            for r in db.execute("SELECT r.pos_id, r.total_sum, r.cash, r.card, r.cashless, "
                                "r.bonus, r.credit, i.product_id, i.price, i.count, i.total_sum, "
                                "p.name, p.ref_code, p.deleted FROM receipts r JOIN receipt_items "
                                "i ON i.receipt_uuid = r.uuid JOIN products p ON p.id = "
                                "i.product_id WHERE " + where + " ORDER BY r.pos_id, i.product_id",
                                args).fetchall():
                key = (r[0], round(r[8], 4), r[7])
                g = groups.setdefault(key, {"name": r[11], "ref_code": r[12], "deleted": r[13],
                                            "qnt": 0.0, "pay": [0.0] * 5, "total": 0.0})
                g["qnt"] += r[9]
                g["total"] += r[10]
                share = r[10] / r[1] if r[1] else 0.0  # this line's part of the payments
                for k in range(5):
                    g["pay"][k] += r[2 + k] * share
        out = []
        for (pos_id, price, pid), g in sorted(groups.items()):
            out.append({
                "caf_terminal_id": str(pos_id), "caf_id": str(pid), "name": g["name"],
                "ref_code": g["ref_code"] or "", "price": fixed(price, 4),
                "qnt": compact(g["qnt"]), "deleted": "1" if g["deleted"] else "0",
                "cash": compact(g["pay"][0]), "card": compact(g["pay"][1]),
                "cashless": compact(g["pay"][2]), "bonus": compact(g["pay"][3]),
                "credit": compact(g["pay"][4]), "total_pay": compact(g["total"]),
            })
        return {"data": out, "success": True}

    def export_sales_totals(self, ctx):
        where, args = self._sales_filter(ctx)
        with self.store.tx() as db:
            rows = db.execute(
                "SELECT r.pos_id, s.id, (SELECT coalesce(sum(count), 0) FROM receipt_items i "
                "WHERE i.receipt_uuid = r.uuid) AS qnt, r.cash, r.card, r.cashless, r.credit, "
                "r.discount_sum, r.total_sum FROM receipts r JOIN pos p ON p.id = r.pos_id "
                "JOIN shops s ON s.id = p.shop_id WHERE " + where, args).fetchall()
        groups = {}
        for r in rows:
            g = groups.setdefault((r[0], r[1]), [0.0] * 7)
            for k in range(7):
                g[k] += r[2 + k]
        out = []
        for (pos_id, shop_id), g in sorted(groups.items()):
            out.append({"qnt": compact(g[0]), "caf_terminal_id": str(pos_id),
                        "cafe_workspace_id": str(shop_id), "cash": fixed(g[1], 2),
                        "card": fixed(g[2], 2), "cashless": fixed(g[3], 2),
                        "credit": fixed(g[4], 2), "discount": fixed(-g[5], 2),
                        "total_pay": fixed(g[6], 2)})
        return {"data": out, "success": True}

    # ---- update feeds ----------------------------------------------------------------------

    def updates(self, ctx):
        with self.store.tx() as db:
            self._pos_shop(db, ctx.params["pos"])
            ts = dict(db.execute("SELECT name, ts FROM sections").fetchall())
        return feed({name: ts[name] for name in SECTIONS})

    def _product_rows(self, db, shop_id, start, ts):
        if ts == 0:
            cond, args = "p.deleted = 0", ()
        else:
            cond, args = "p.updated_at >= ?", (ts,)
        return db.execute("SELECT p.*, pp.price AS shop_price, pp.self_cost AS shop_self_cost, "
                          "pp.in_stop_list AS shop_stop FROM products p LEFT JOIN product_prices "
                          "pp ON pp.product_id = p.id AND pp.shop_id = ? WHERE p.id > ? AND "
                          + cond + " ORDER BY p.id LIMIT ?",
                          (shop_id, start) + args + (PAGE_SIZE,)).fetchall()

    def _feed_product(self, p):
        return {
            "id": p["id"], "name": p["name"], "entityType": p["type"],
            "cancellationType": CANCELLATION_NAMES[p["cancellation_type"]],
            "measure": p["measure"], "deleted": bool(p["deleted"]),
            "useDiscounts": bool(p["use_discounts"]), "color": "gray", "shortDescription": None,
            "alternateName": p["ref_code"], "buttonColor": None, "image": None,
            "type": "weighting" if p["measure"] in ("kg", "l") else "simple",
            "coefficients": None, "code": p["barcode"], "active": bool(p["for_sale"]),
            "freePrice": False, "descr": p["type"],
        }

    def products0(self, ctx):
        with self.store.tx() as db:
            pos = self._pos_shop(db, ctx.params["pos"])
            rows = self._product_rows(db, pos["shop_id"], ctx.params["start"], ctx.params["ts"])
        out = []
        for p in rows:
            d = self._feed_product(p)
            d.update({"category_id": p["category_id"], "workSpace_id": p["workspace_id"],
                      "tax_id": p["tax_id"], "price": num(p["shop_price"] or 0),
                      "image_path": None})
            out.append(d)
        return feed(out)

    def products_deprecated(self, ctx):
        with self.store.tx() as db:
            pos = self._pos_shop(db, ctx.params["pos"])
            rows = self._product_rows(db, pos["shop_id"], ctx.params["start"], ctx.params["ts"])
        out = []
        for p in rows:
            d = self._feed_product(p)
            d.update({"workSpace": {"id": p["workspace_id"]} if p["workspace_id"] else None,
                      "category_id": p["category_id"], "tax_id": p["tax_id"],
                      "price": num(p["shop_price"] or 0), "self_cost": num(p["shop_self_cost"]
                                                                            or 0),
                      "image_path": None, "in_stop_list": bool(p["shop_stop"])})
            out.append(d)
        return feed(out)

    def balances(self, ctx):
        with self.store.tx() as db:
            pos = self._pos_shop(db, ctx.params["pos"])
            rows = db.execute("SELECT product_id, balance, cost FROM stock WHERE storage_id=? "
                              "AND updated_at >= ? ORDER BY product_id",
                              (pos["storage_id"], ctx.params["ts"])).fetchall()
        return feed([{"balance": fixed(r[1], 3), "self_cost": fixed(r[2], 6),
                      "product_id": r[0]} for r in rows])

    def _client_json(self, db, c):
        g = None
        if c["group_id"] is not None:
            g = db.execute("SELECT * FROM discount_groups WHERE id=?", (c["group_id"],)).fetchone()
        name = ("%s %s" % (c["name"], c["last_name"])).strip()
        return {
            "uuid": c["uuid"], "name": c["name"], "lastName": c["last_name"],
            "normName": name.lower(), "phone": c["phone"], "address": c["address"],
            "account": 0, "normPhone": re.sub(r"\D", "", c["phone"]),
            "cardNumber": c["card_number"], "bonusBalance": num(c["bonus_balance"]),
            "pointBalance": num(c["point_balance"]), "payBalance": num(c["pay_balance"]),
            "email": c["email"], "deletedAt": iso(c["deleted_at"]),
            "group_id": c["group_id"],
            "birth_day_discount_amount": num(g["birth_day_discount_amount"]) if g else None,
            "discount_type": g["discount_type"] if g else None,
            "bonus_max_bill_rate": num(g["bonus_max_bill_rate"]) if g else None,
            "discount_name": g["name"] if g else None,
            "discount_rate": num(g["rate"]) if g else None,
            "group_float": bool(g["group_float"]) if g else False,
            "discount_group": {"id": g["id"]} if g else None,
            "promotionKeeps": json.loads(c["promotion_keeps"]),
        }

    def clients(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM clients WHERE updated_at >= ? ORDER BY id",
                              (ctx.params["ts"],)).fetchall()
            return feed([self._client_json(db, c) for c in rows])

    def categories(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM categories ORDER BY id").fetchall()
        parents = {r["id"]: r["parent_id"] for r in rows}

        def level(cid):
            n, seen = 1, set()
            while parents.get(cid) is not None and cid not in seen:
                seen.add(cid)
                cid = parents[cid]
                n += 1
            return n
        return feed([{"id": r["id"], "name": r["name"], "buttonColor": "#D3D3D3",
                      "image": None, "lft": r["position"], "lvl": level(r["id"]),
                      "availableForPos": True, "useMarking": False, "type": None,
                      "depositId": None, "position": r["position"], "parent": r["parent_id"],
                      "course": None, "deposit_id": None} for r in rows])

    def workspaces(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM workspaces ORDER BY id").fetchall()
        return feed([{"id": r["id"], "group": r["grp"], "refCode": r["ref_code"],
                      "name": r["name"]} for r in rows])

    def taxes(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM taxes ORDER BY id").fetchall()
        return feed([{"id": r["id"], "refId": None, "refCode": None, "name": r["name"],
                      "type": r["type"], "value": num(r["value"]), "fiscal": bool(r["fiscal"]),
                      "ref_id": 1} for r in rows])

    def modifier_groups(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT data FROM modifier_groups ORDER BY id").fetchall()
        return feed([json.loads(r[0]) for r in rows])

    def product_shop_data(self, ctx):
        ts = ctx.params["ts"]
        with self.store.tx() as db:
            pos = self._pos_shop(db, ctx.params["pos"])
            cond = "p.deleted = 0" if ts == 0 else "pp.updated_at >= ?"
            rows = db.execute("SELECT pp.*, p.for_sale, p.deleted, s.cost AS stock_cost FROM "
                              "product_prices pp JOIN products p ON p.id = pp.product_id "
                              "LEFT JOIN stock s ON s.product_id = pp.product_id AND "
                              "s.storage_id = pp.storage_id WHERE pp.shop_id = ? AND " + cond +
                              " ORDER BY pp.product_id",
                              (pos["shop_id"],) + (() if ts == 0 else (ts,))).fetchall()
        return feed([{"price": fixed(r["price"], 2),
                      "avgInvoicedSelfCost": fixed(r["stock_cost"] if r["stock_cost"] is not None
                                                   else r["self_cost"], 6),
                      "availableForSale": bool(r["for_sale"]) and not r["deleted"],
                      "inStopList": bool(r["in_stop_list"]), "shop_id": r["shop_id"],
                      "product_id": r["product_id"]} for r in rows])

    # ---- admin helpers ---------------------------------------------------------------------

    def admin_delete_product(self, ref):
        with self.store.tx() as db:
            row = self._product_by_ref(db, ref)
            if row is None:
                raise HttpError(404, "product not found")
            ts = self.store.bump("products")
            db.execute("UPDATE products SET deleted=1, updated_at=? WHERE id=?", (ts, row["id"]))
            return {"ok": True, "id": row["id"], "ts": ts}

    def admin_bump(self, section, body):
        if section not in SECTIONS:
            raise HttpError(404, "unknown section %s" % section)
        with self.store.tx() as db:
            if body.get("ts") is not None:
                ts = body["ts"]
                if not _check_kind(ts, "int") or ts < 0:
                    raise HttpError(400, "ts must be a non-negative integer")
                self.store.set_section(section, ts)
            else:
                ts = self.store.bump(section)
            return {"ok": True, "section": section, "ts": ts}

    def admin_sections(self):
        with self.store.tx() as db:
            return dict(db.execute("SELECT name, ts FROM sections").fetchall())

    def admin_add_client(self, body):
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
            return {"ok": True, "id": cid, "client": self._client_json(db, c)}

    def admin_set_stock(self, body):
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
            self._set_stock(db, storage_id, row[0], balance, cost)
            return {"ok": True, "ts": self.store.bump("balances")}


def _match(pattern, segments):
    if len(pattern) != len(segments):
        return None
    params = {}
    for pat, seg in zip(pattern, segments):
        if pat.startswith("{"):
            name, _, kind = pat[1:-1].partition(":")
            if kind == "int":
                if not (seg.isascii() and seg.isdigit()) or len(seg) > 18:
                    return None
                params[name] = int(seg)
            else:
                params[name] = seg
        elif pat != seg:
            return None
    return params


def split_path(raw):
    """Raw request target → (decoded segments, query dict). Each segment is percent-decoded
    once, after splitting, so an encoded "/" stays inside its segment."""
    path, _, query = raw.partition("?")
    try:
        segments = [unquote(s, errors="strict") for s in path.split("/")[1:]]
    except UnicodeDecodeError:
        raise HttpError(400, "the path is not valid percent-encoded UTF-8")
    try:
        q = parse_qs(query, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, "the query string is not valid percent-encoded UTF-8")
    return segments, q


# --------------------------------------------------------------------------------------------
# Test switches: faults, the request log, the runtime config

FAULT_KINDS = ("status", "delay", "html", "html200", "empty", "truncate", "close", "reset",
               "apply_then_close", "trickle", "hang", "oversize", "invalid_utf8", "deep_json",
               "redirect", "body")


class Config:
    def __init__(self, delay_ms=0, job_pending_polls=1):
        self.delay_ms = delay_ms
        self.job_pending_polls = job_pending_polls

    def as_dict(self):
        return {"delay_ms": self.delay_ms, "job_pending_polls": self.job_pending_polls}


def _peer(address):
    """The client's address and port, "127.0.0.1:54321" or "[::1]:54321": one per connection."""
    host, port = address[0], address[1]
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


class Switchboard:
    def __init__(self):
        self.lock = threading.Lock()
        self.faults = []
        self.log = deque(maxlen=100000)

    def arm(self, spec):
        kind = spec.get("kind")
        if kind not in FAULT_KINDS:
            raise HttpError(400, "kind must be one of %s" % ", ".join(FAULT_KINDS))
        prefix = spec.get("path_prefix", "/")
        if not isinstance(prefix, str):
            raise HttpError(400, "path_prefix must be a string")
        method = spec.get("method")
        if method is not None and not isinstance(method, str):
            raise HttpError(400, "method must be a string")
        count = spec.get("count", 1)
        if not _check_kind(count, "int") or count < 1:
            raise HttpError(400, "count must be a positive integer")
        for key in ("status", "delay_ms", "size_bytes", "depth", "retry_after"):
            if spec.get(key) is not None and (not _check_kind(spec[key], "int") or spec[key] < 0):
                raise HttpError(400, "%s must be a non-negative integer" % key)
        if spec.get("status") is not None and not 100 <= spec["status"] <= 999:
            raise HttpError(400, "status must be an HTTP status code")
        fault = dict(spec)
        fault.update(kind=kind, path_prefix=prefix, count=count,
                     method=method.upper() if method else None)
        with self.lock:
            self.faults.append(fault)

    def take(self, method, raw_path, decoded_path):
        with self.lock:
            for fault in self.faults:
                if fault["method"] and fault["method"] != method:
                    continue
                p = fault["path_prefix"]
                if raw_path.startswith(p) or decoded_path.startswith(p):
                    fault["count"] -= 1
                    if fault["count"] <= 0:
                        self.faults.remove(fault)
                    return dict(fault)
        return None

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def armed(self):
        with self.lock:
            return [dict(f) for f in self.faults]

    def record(self, entry):
        with self.lock:
            self.log.append(entry)

    def requests(self):
        with self.lock:
            return list(self.log)

    def clear_log(self):
        with self.lock:
            self.log.clear()


HTML_BAD_GATEWAY = ("<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
                    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                    "</body>\r\n</html>\r\n")
HTML_200 = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Caffesta</title></head>"
            "<body><h1>Вход в систему</h1><p>Сессия истекла. Войдите снова.</p>"
            "<form method=\"post\" action=\"/login\"><input name=\"login\"></form></body></html>\n")


# --------------------------------------------------------------------------------------------
# HTTP


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CaffestaEmulator/" + VERSION
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 300  # an idle keep-alive connection is closed after this many seconds

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
        super().setup()

    def log_message(self, format, *args):
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    def log_request(self, code="-", size="-"):
        if self.server.verbose:
            super().log_request(code, size)

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    # ---- sending ---------------------------------------------------------------------------

    def _head(self, status, length, content_type="application/json", headers=()):
        reason = self.responses.get(status, ("Unknown",))[0]
        lines = ["HTTP/1.1 %d %s" % (status, reason), "Server: " + self.server_version,
                 "Date: " + self.date_time_string()]
        if content_type:
            lines.append("Content-Type: " + content_type)
        if length is None:  # the body follows in chunks
            lines.append("Transfer-Encoding: chunked")
        else:
            lines.append("Content-Length: %d" % length)
        lines.extend("%s: %s" % kv for kv in headers)
        if self.close_connection:
            lines.append("Connection: close")
        self.log_request(status, length)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    def _send(self, status, body, content_type="application/json; charset=utf-8", headers=()):
        data = self._head(status, len(body), content_type, headers)
        if self.command != "HEAD":
            data += body
        self.wfile.write(data)

    def _send_json(self, status, obj, headers=()):
        self._send(status, dumps(obj), headers=headers)

    def _send_error_json(self, err):
        self._send_json(err.status, {"success": False, "data": {"error": err.message}},
                        err.headers)

    def _abort(self, rst=False):
        """Closes the connection without (the rest of) an answer."""
        self.close_connection = True
        try:
            if rst:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            else:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if rst:
            try:
                self.connection.close()
            except OSError:
                pass

    # ---- reading ---------------------------------------------------------------------------

    def _read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            parts, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise HttpError(400, "bad chunked encoding")
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                total += size
                if total > MAX_BODY_BYTES:
                    raise HttpError(413, "request body too large")
                parts.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
            if n < 0:
                raise ValueError
        except ValueError:
            raise HttpError(400, "bad Content-Length")
        if n > MAX_BODY_BYTES:
            raise HttpError(413, "request body too large")
        data = self.rfile.read(n)
        if len(data) < n:
            raise HttpError(400, "the request body was cut short")
        return data

    # ---- dispatch --------------------------------------------------------------------------

    def _dispatch(self):
        received = time.time()
        try:
            body = self._read_body()
        except HttpError as e:
            self.close_connection = True
            return self._send_error_json(e)
        raw = self.path
        if raw == "/__emulator" or raw.startswith("/__emulator/"):
            return self._admin(raw, body)
        self.server.switchboard.record({
            "method": self.command, "path": raw, "headers": _lower_headers(self.headers),
            "body": body.decode("utf-8", "replace"), "time": received,
            "peer": _peer(self.client_address),
        })
        try:
            segments, query = split_path(raw)
        except HttpError as e:
            return self._send_error_json(e)
        fault = self.server.switchboard.take(self.command, raw, "/" + "/".join(segments))
        if self.server.config.delay_ms:
            time.sleep(self.server.config.delay_ms / 1000.0)
        if fault is not None and self._early_fault(fault):
            return
        if fault is not None and fault["kind"] == "delay":
            time.sleep((fault.get("delay_ms") or 0) / 1000.0)
        status, payload, headers = self._api(segments, query, body)
        data = dumps(payload)
        kind = fault["kind"] if fault is not None else None
        if kind == "apply_then_close":
            return self._abort()
        if kind == "truncate":
            self.close_connection = True
            self.wfile.write(self._head(status, len(data), "application/json; charset=utf-8",
                                        headers) + data[:len(data) // 2])
            return self._abort()
        if kind == "trickle":
            self.close_connection = True
            whole = self._head(status, len(data), "application/json; charset=utf-8",
                               headers) + data
            pause = (fault.get("delay_ms") if fault.get("delay_ms") is not None else 50) / 1000.0
            for i in range(len(whole)):
                self.wfile.write(whole[i:i + 1])
                time.sleep(pause)
            return
        self._send(status, data, headers=headers)

    def _api(self, segments, query, body):
        """Auth, routing, the handler; → (status, JSON value, headers)."""
        key = self.headers.get("X-API-KEY")
        if key is None or not hmac.compare_digest(key.encode("utf-8", "replace"),
                                                  self.server.api_key.encode("utf-8")):
            msg = "missing X-API-KEY header" if key is None else "invalid API key"
            return 401, {"success": False, "data": {"error": msg}}, []
        try:
            handler, params = self.server.api.resolve(self.command, segments)
            return 200, handler(Ctx(self.command, params, query, body)), []
        except Invalid as e:
            return 200, {"success": False, "data": {"error": str(e)}}, []
        except HttpError as e:
            return e.status, {"success": False, "data": {"error": e.message}}, e.headers
        except Exception as e:  # a bug here must still answer like a server would
            if self.server.verbose:
                import traceback
                traceback.print_exc()
            return 500, {"success": False, "data": {"error": "internal error: %s" % e}}, []

    def _early_fault(self, fault):
        """Faults that answer instead of the API; True when the request was handled."""
        kind = fault["kind"]
        if kind == "close":
            self._abort()
        elif kind == "reset":
            self._abort(rst=True)
        elif kind == "hang":
            self._hang(fault.get("delay_ms") if fault.get("delay_ms") is not None else 60000)
            self._abort()
        elif kind == "status":
            status = fault.get("status") or 500
            headers = []
            if fault.get("retry_after") is not None:
                headers.append(("Retry-After", str(fault["retry_after"])))
            reason = self.responses.get(status, ("Error",))[0]
            self._send_json(status, {"success": False, "data": {"error": reason}}, headers)
        elif kind == "html":
            status = fault.get("status") or 502
            reason = self.responses.get(status, ("Error",))[0]
            page = HTML_BAD_GATEWAY.format(code=status, reason=reason).encode()
            self._send(status, page, "text/html")
        elif kind == "html200":
            self._send(200, HTML_200.encode("utf-8"), "text/html; charset=utf-8")
        elif kind == "empty":
            self._send(200, b"")
        elif kind == "invalid_utf8":
            self._send(200, b'{"success":true,"data":{"id":"test","name":"bad \xff\xfe\xc3('
                            b' bytes"}}')
        elif kind == "deep_json":
            depth = fault.get("depth") if fault.get("depth") is not None else 10000
            self._send(200, b"[" * depth + b"]" * depth)
        elif kind == "redirect":
            status = fault.get("status") or 302
            location = str(fault.get("location") or "http://redirect-target.invalid/steal")
            self._send(status, b"", None, [("Location", location)])
        elif kind == "oversize":
            self._oversize(fault.get("size_bytes") if fault.get("size_bytes") is not None
                           else 200 * 1024 * 1024, chunked=bool(fault.get("chunked")))
        elif kind == "body":
            status = fault.get("status") or 200
            if "json" in fault:
                data = dumps(fault["json"])
            else:
                data = str(fault.get("body", "")).encode("utf-8")
            extra = list((fault.get("headers") or {}).items())
            self._send(status, data, fault.get("content_type") or "application/json", extra)
        else:
            return False
        return True

    def _hang(self, ms):
        """Waits up to ms without answering; ends early when the client goes away."""
        deadline = time.monotonic() + ms / 1000.0
        conn = self.connection
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                r, _, _ = select.select([conn], [], [], min(left, 0.25))
                if r:
                    if isinstance(conn, ssl.SSLSocket):
                        time.sleep(min(left, 0.25))
                        continue
                    if conn.recv(1, socket.MSG_PEEK) == b"":
                        return
                    time.sleep(min(left, 0.05))
            except (OSError, ValueError):
                return

    def _oversize(self, size, chunked=False):
        prefix = b'{"success":true,"data":{"id":"test","padding":"'
        suffix = b'"}}'
        pad = max(size - len(prefix) - len(suffix), 0)

        def write(data):  # a chunk of its own when chunked, so no length is known up front
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)

        self.wfile.write(self._head(200, None if chunked else len(prefix) + pad + len(suffix)))
        write(prefix)
        chunk = b"x" * 65536
        while pad > 0:
            n = min(pad, len(chunk))
            write(chunk if n == len(chunk) else chunk[:n])
            pad -= n
        write(suffix)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    # ---- admin -----------------------------------------------------------------------------

    def _admin(self, raw, body):
        try:
            if not _is_loopback(self.client_address[0]):
                raise HttpError(403, "the admin API answers loopback clients only")
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
            status, out = 200, self._admin_route(self.command, segs, data)
        except HttpError as e:
            status, out = e.status, {"ok": False, "error": e.message}
        self._send_json(status, out)

    def _admin_route(self, method, segs, data):
        srv = self.server
        sb = srv.switchboard
        api = srv.api

        def reset():
            srv.store.reset()
            sb.clear_faults()
            sb.clear_log()
            srv.config.delay_ms = srv.initial_delay_ms
            srv.config.job_pending_polls = srv.initial_job_pending_polls
            return {"ok": True}

        def set_config():
            for key in ("delay_ms", "job_pending_polls"):
                if key in data:
                    if not _check_kind(data[key], "int") or data[key] < 0:
                        raise HttpError(400, "%s must be a non-negative integer" % key)
                    setattr(srv.config, key, data[key])
            return {"ok": True, "config": srv.config.as_dict()}

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
            (("stats",), {"GET": srv.store.counts}),
            (("config",), {"GET": srv.config.as_dict, "POST": set_config}),
            (("sections",), {"GET": api.admin_sections}),
            (("sections", None, "bump"), {"POST": lambda: api.admin_bump(segs[1], data)}),
            (("products", None, "delete"), {"POST": lambda: api.admin_delete_product(segs[1])}),
            (("clients",), {"POST": lambda: api.admin_add_client(data)}),
            (("stock",), {"POST": lambda: api.admin_set_stock(data)}),
            (("health",), {"GET": lambda: {"ok": True, "version": VERSION}}),
        )
        for pattern, methods in table:
            if len(pattern) == len(segs) and all(p is None or p == s
                                                 for p, s in zip(pattern, segs)):
                if method not in methods:
                    raise HttpError(405, "method not allowed")
                return methods[method]()
        raise HttpError(404, "no such admin path")


def _lower_headers(headers):
    out = {}
    for name, value in headers.items():
        name = name.lower()
        out[name] = value if name not in out else out[name] + ", " + value
    return out


def _is_loopback(host):
    try:
        addr = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if getattr(addr, "ipv4_mapped", None) is not None:
        addr = addr.ipv4_mapped
    return addr.is_loopback


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, addr, store, api_key, config, ssl_context=None, verbose=False):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        self.store = store
        self.api_key = api_key
        self.config = config
        self.initial_delay_ms = config.delay_ms
        self.initial_job_pending_polls = config.job_pending_polls
        self.api = Api(store, config)
        self.switchboard = Switchboard()
        self.ssl_context = ssl_context
        self.verbose = verbose
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True,
                                                do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


# --------------------------------------------------------------------------------------------
# Command line


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="caffesta_emulator.py",
        description="A local Caffesta API server for tests and demos (see emulator/README.md).")
    ap.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1; '::1' for IPv6)")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT,
                    help="port (default %d; 0 takes a free port)" % DEFAULT_PORT)
    ap.add_argument("--db", default=":memory:",
                    help="SQLite file that keeps the state across restarts, or :memory: "
                         "(default)")
    ap.add_argument("--api-key", default=os.environ.get("CAFFESTA_API_KEY",
                                                         DEFAULT_API_KEY),
                    help="the X-API-KEY clients must send (default $CAFFESTA_API_KEY "
                         "or %s)" % DEFAULT_API_KEY)
    ap.add_argument("--delay-ms", type=int, default=0,
                    help="delay added to every API answer, in ms (default 0)")
    ap.add_argument("--job-pending-polls", type=int, default=1,
                    help="how many polls of a delivery job answer 'pending' (default 1)")
    ap.add_argument("--tls-cert", help="PEM certificate: serve HTTPS (needs --tls-key)")
    ap.add_argument("--tls-key", help="PEM private key for --tls-cert")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    ap.add_argument("--version", action="version", version="%(prog)s " + VERSION)
    args = ap.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.delay_ms < 0 or args.job_pending_polls < 0:
        ap.error("--delay-ms and --job-pending-polls must not be negative")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    ctx = None
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            ctx.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as e:
            sys.stderr.write("caffesta emulator: cannot load --tls-cert/--tls-key: %s\n" % e)
            return 1
    try:
        store = Store(args.db)
    except (StartError, sqlite3.Error) as e:
        sys.stderr.write("caffesta emulator: cannot use --db %s: %s\n" % (args.db, e))
        return 1
    config = Config(delay_ms=args.delay_ms, job_pending_polls=args.job_pending_polls)
    try:
        server = Server((args.host, args.port), store, args.api_key, config, ctx, args.verbose)
    except OSError as e:
        sys.stderr.write("caffesta emulator: cannot listen on %s port %d: %s\n"
                         % (args.host, args.port, e))
        return 1
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="serve", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    shown = "[%s]" % host if ":" in host else host
    sys.stdout.write("listening on %s://%s:%d\n" % ("https" if ctx else "http", shown, port))
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
