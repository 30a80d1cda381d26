"""Delivery orders: a bill is checked (its shape, the docs' client rule), then placed at once
(POST /a/v1.1/draft/receipts) or through a job (POST /a/v1.0/draft/receipts: pending, then
success with the receipt's UUID or failed with the reason). A placed order is a receipt waiting
for the cashier on its POS."""

import json
import time
import uuid as uuidlib
from datetime import datetime, timezone

from ..settings import ACCOUNT_TZ, DEFAULT_POS_ID
from ..validation import Invalid, absent, all_required, field, not_found, objects, parse_iso
from ..wire import num, ok
from . import common
from .common import Area
from .storage import add_stock


# A new receipt waits for the POS's cashier; the docs' receipt statuses, in their order.
RECEIPT_STATUSES = ("wait_cashier", "active", "cooking", "cooked", "packed", "closed", "annuled",
                    "cancel")
# A client without a known uuid carries all of these (the docs' order rules).
CLIENT_FIELDS = ("name", "last_name", "address", "phone", "card_number")


class OrderFailed(Exception):
    """An order that cannot be placed: `message` is the reason; `status` is set when the
    server answers with its own text in data.status (an SQL constraint) instead of "failed"."""

    def __init__(self, message, status="failed"):
        super().__init__(message)
        self.message = message
        self.status = status


class Orders(Area):
    ROUTES = (
        # v1.1 answers at once: {"status": "success", "message": UUID} (field evidence)
        ("POST", "/a/v1.1/draft/receipts", "order_create_now"),
        # v1.0 answers with a job to poll (the docs' form); /draft/orders was our first guess
        ("POST", "/a/v1.0/draft/receipts", "order_create"),
        ("POST", "/a/v1.0/draft/orders", "order_create"),
        ("GET", "/a/v1.0/draft/get_job_status/{id:int}", "job_status"),
        ("GET", "/a/v1.0/draft/receipts/{uuid}/info", "receipt_info"),
    )

    def order_create(self, ctx):
        """A job: {"job_id": N, "status": "pending"}; the order is checked when it settles."""
        with self.store.tx() as db:
            bill = check_bill(ctx.json(), lambda uuid: client_known(db, uuid))
            job_id = db.execute("INSERT INTO jobs (bill, status, created_at) VALUES "
                                "(?, 'pending', ?)", (json.dumps(bill), int(time.time()))
                                ).lastrowid
        return ok({"job_id": job_id, "status": "pending"})

    def order_create_now(self, ctx):
        """Placed at once: {"success": true, "data": {"status": "success", "message": UUID}};
        any failure, a malformed bill included, is {"success": false, "data": {"status":
        "failed", "message": reason}} (or the SQL text in data.status, as field code saw)."""
        try:
            with self.store.tx() as db:
                bill = check_bill(ctx.json(), lambda uuid: client_known(db, uuid))
                self._check_order(db, bill)
                receipt = self._place_order(db, None, bill)
        except Invalid as e:
            return {"success": False, "data": {"status": "failed", "message": str(e)}}
        except OrderFailed as e:
            data = {"status": e.status} if e.status != "failed" else \
                {"status": "failed", "message": e.message}
            return {"success": False, "data": data}
        return ok({"status": "success", "message": receipt})

    def _check_order(self, db, bill):
        problem = self._order_problem(db, bill)
        if problem is not None:
            raise OrderFailed(problem)
        duplicate = duplicate_client(db, bill)
        if duplicate is not None:
            raise OrderFailed(duplicate, status=duplicate)

    def _order_problem(self, db, bill):
        """The reason an order cannot be placed, naming the field by its full path (bill.items[0]...),
        or None."""
        pos_id = bill.get("pos_id") or DEFAULT_POS_ID
        if db.execute("SELECT 1 FROM pos WHERE id=?", (pos_id,)).fetchone() is None:
            return "bill.pos_id: pos %d not found" % pos_id
        if bill["delivery_type"] not in (0, 1, 2):
            return "bill.delivery_type must be 0, 1 or 2"
        if bill["total_sum"] < 0:
            return "bill.total_sum must not be negative"
        for i, it in enumerate(bill["items"]):
            for key in ("count", "total_sum", "price", "discount_sum", "origin_price"):
                if it.get(key) is not None and it[key] < 0:
                    return "bill.items[%d].%s must not be negative" % (i, key)
            if it["count"] == 0:
                return "bill.items[%d].count must not be zero" % i
            if db.execute("SELECT 1 FROM products WHERE id=? AND deleted=0",
                          (it["product_id"],)).fetchone() is None:
                return "bill.items[%d].product_id: product %d not found" % (i, it["product_id"])
        for i, pay in enumerate(bill.get("payments") or []):
            if db.execute("SELECT 1 FROM payment_types WHERE id=?",
                          (pay["payment_id"],)).fetchone() is None:
                return "bill.payments[%d].payment_id: payment type %d not found" % (i, pay["payment_id"])
            if pay["value"] < 0:
                return "bill.payments[%d].value must not be negative" % i
        client = bill.get("client")
        if client:
            dg_id = (client.get("discount_group") or {}).get("id")
            if dg_id is not None and db.execute("SELECT 1 FROM discount_groups WHERE id=?",
                                                (dg_id,)).fetchone() is None:
                return "bill.client.discount_group.id: discount group %d not found" % dg_id
        return None

    def _place_order(self, db, job_id, bill):
        """Turns a valid order into a receipt waiting for the cashier on its POS; its UUID."""
        pos_id = bill.get("pos_id") or DEFAULT_POS_ID
        pos = common.pos_shop(db, pos_id)
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
                dg_id = (client.get("discount_group") or {}).get("id")
                client_id = db.execute(
                    "INSERT INTO clients (uuid, name, last_name, phone, address, card_number, "
                    "email, birthday, group_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (client.get("uuid") or str(uuidlib.uuid4()), client.get("name") or "",
                     client.get("last_name") or "", client.get("phone") or "",
                     client.get("address") or "", client.get("card_number") or "",
                     client.get("email"), client.get("birthday"), dg_id,
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
            lines.append((receipt, str(uuidlib.uuid4()), it["product_id"], it["count"], price,
                          origin, disc,
                          it["total_sum"], (c[0] if c else 0.0) * it["count"]))
            ctype = db.execute("SELECT cancellation_type FROM products WHERE id=?",
                               (it["product_id"],)).fetchone()[0]
            if ctype == 1:  # written off by product: the sale takes it from the shop's storage
                add_stock(self.store, db, pos["storage_id"], it["product_id"], -it["count"])
        db.execute("INSERT INTO receipts (uuid, pos_id, shift_day, status, created_at, updated_at,"
                   " total, total_sum, discount_sum, cash, card, cashless, bonus, credit, "
                   "client_id, job_id) VALUES (?, ?, ?, 'wait_cashier', ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, "
                   "?, ?)", (receipt, pos_id, shift_day, created, now, round(total, 6),
                             bill["total_sum"], round(discount, 6), pays["cash"], pays["card"],
                             pays["cashless"], pays["bonus"], pays["credit"], client_id, job_id))
        db.executemany("INSERT INTO receipt_items (receipt_uuid, line_uuid, product_id, count, "
                       "price, origin_price, discount_sum, total_sum, self_cost_sum) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?, ?)", lines)
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
                try:
                    self._check_order(db, bill)
                    status, message = "success", self._place_order(db, job["id"], bill)
                except OrderFailed as e:
                    status, message = "failed", e.message
            db.execute("UPDATE jobs SET polls=?, status=?, message=? WHERE id=?",
                       (polls, status, message, job["id"]))
        data = {"job_id": str(job["id"]), "status": status, "message": message}
        # the docs show it wrapped; the switch job_status_bare answers the bare object
        return data if self.config.job_status_bare else ok(data)

    def receipt_info(self, ctx):
        with self.store.tx() as db:
            rows = db.execute("SELECT * FROM receipts WHERE uuid=?",
                              (ctx.params["uuid"],)).fetchall()
            return [{"id": r["uuid"], "terminalNumber": r["pos_id"], "total": num(r["total"]),
                     "totalSum": num(r["total_sum"]), "discountSum": num(r["discount_sum"]),
                     "status": r["status"]} for r in rows]


# ---- rules -----------------------------------------------------------------------------------

def check_bill(body, client_known):
    """The bill's shape: Invalid naming every missing field at once (missing_fields), else the
    first field of a wrong type. client_known(uuid) says whether a client has that uuid."""
    bill = field(body, "bill", "", "obj")
    missing_fields(bill, client_known)
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
        field(client, "uuid", cp, "str", required=False, nullable=True)
        for key in CLIENT_FIELDS + ("birthday", "email"):
            field(client, key, cp, "str", required=False, nullable=True)
        dg = field(client, "discount_group", cp, "obj", required=False, nullable=True)
        if dg is not None:
            field(dg, "id", cp + "discount_group.", "int", required=False, nullable=True)
    for key in ("created_at", "started_at"):
        v = field(bill, key, p, "str", required=False, nullable=True)
        if v is not None:
            parse_iso(v, p + key, timezone.utc)
    field(bill, "comment", p, "str", required=False, nullable=True)
    field(bill, "delivery", p, "obj", required=False, nullable=True)
    return bill


def missing_fields(bill, client_known):
    """Every required field the bill lacks, named at once (a missing value, null, or a client's
    blank text): the bill's own, each item's and payment's, and the client's, which the docs'
    rule needs unless its uuid is a known client's."""
    p = "bill."
    paths = [absent(bill, key, p) for key in ("app_id", "delivery_type", "total_sum", "items")]
    for key, fields in (("items", ("count", "total_sum", "product_id")),
                        ("payments", ("payment_id", "value"))):
        if isinstance(bill.get(key), list):
            for i, entry in enumerate(bill[key]):
                if isinstance(entry, dict):
                    paths += [absent(entry, f, "%s%s[%d]." % (p, key, i)) for f in fields]
    client, why = bill.get("client"), ""
    if isinstance(client, dict):
        cuuid = client.get("uuid")
        if not (isinstance(cuuid, str) and cuuid and client_known(cuuid)):
            cp = p + "client."
            paths += [absent(client, key, cp, empty_too=True) for key in CLIENT_FIELDS]
            group = client.get("discount_group")
            paths.append(absent(group if isinstance(group, dict) else {}, "id", cp + "discount_group."))
            why = " (no client has uuid %s)" % cuuid if cuuid else ""
            if any(path and path.startswith(cp) for path in paths):
                why += ("; a new client needs %s and discount_group.id, a known one only its uuid"
                        % ", ".join(CLIENT_FIELDS))
    all_required(paths, why)


def client_known(db, cuuid):
    return db.execute("SELECT 1 FROM clients WHERE uuid=?", (cuuid,)).fetchone() is not None


def duplicate_client(db, bill):
    """A new client whose card number another client has: the database's own complaint (the
    text field code saw in data.status), or None."""
    client = bill.get("client")
    if not client or (client.get("uuid") and db.execute(
            "SELECT 1 FROM clients WHERE uuid=?", (client["uuid"],)).fetchone()):
        return None
    card = client.get("card_number")
    if card and db.execute("SELECT 1 FROM clients WHERE card_number=?", (card,)).fetchone():
        return ('SQLSTATE[23505]: Unique violation: 7 ERROR:  duplicate key value violates '
                'unique constraint "client_card_number_uniq"\nDETAIL:  Key (card_number)=(%s) '
                'already exists.' % card)
    return None
