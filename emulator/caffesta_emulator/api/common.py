"""Lookups that several areas share: they read (and for ref_code objects, find-or-create) rows
inside the caller's transaction."""

from ..validation import Invalid, not_found


class Area:
    """One API area: its handlers see the Store and the runtime Config."""

    ROUTES = ()

    def __init__(self, store, config):
        self.store = store
        self.config = config


def pos_shop(db, pos_id):
    """A POS with its shop and the shop's storage; 404 when unknown."""
    row = db.execute("SELECT p.id, p.shop_id, s.storage_id FROM pos p JOIN shops s "
                     "ON s.id = p.shop_id WHERE p.id=?", (pos_id,)).fetchone()
    if row is None:
        raise not_found("pos")
    return row


def storage(db, storage_id, name):
    row = db.execute("SELECT * FROM storages WHERE id=?", (storage_id,)).fetchone()
    if row is None:
        raise Invalid("%s: storage %d not found" % (name, storage_id))
    return row


def tax(db, tax_id, name):
    if db.execute("SELECT 1 FROM taxes WHERE id=?", (tax_id,)).fetchone() is None:
        raise Invalid("%s: tax %d not found" % (name, tax_id))
    return tax_id


def category(store, db, ref, name=None, parent_id=None, update=False):
    """Find-or-create a category by ref_code; its id."""
    row = db.execute("SELECT id FROM categories WHERE ref_code=?", (ref,)).fetchone()
    if row is not None:
        if update:
            db.execute("UPDATE categories SET name=?, parent_id=?, updated_at=? WHERE id=?",
                       (name if name is not None else ref, parent_id,
                        store.bump("categories"), row[0]))
        return row[0]
    ts = store.bump("categories")
    pos = db.execute("SELECT coalesce(max(position), 0) + 1 FROM categories").fetchone()[0]
    cur = db.execute("INSERT INTO categories (ref_code, name, parent_id, position, updated_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     (ref, name if name is not None else ref, parent_id, pos, ts))
    return cur.lastrowid


def link_parent(db, ref, parent, cpath):
    """Points category `ref` at its parent category (by ref_code); None leaves it alone."""
    if parent is None:
        return
    prow = db.execute("SELECT id FROM categories WHERE ref_code=?", (parent,)).fetchone()
    if prow is None:
        raise Invalid("%sparent: category %s not found" % (cpath, parent))
    db.execute("UPDATE categories SET parent_id=? WHERE ref_code=?", (prow[0], ref))


def workspace(store, db, ref, name=None, update=False):
    """Find-or-create a workspace (kitchen department) by ref_code; its id."""
    row = db.execute("SELECT id FROM workspaces WHERE ref_code=?", (ref,)).fetchone()
    if row is not None:
        if update and name is not None:
            db.execute("UPDATE workspaces SET name=?, updated_at=? WHERE id=?",
                       (name, store.bump("workspaces"), row[0]))
        return row[0]
    cur = db.execute("INSERT INTO workspaces (ref_code, name, updated_at) VALUES (?, ?, ?)",
                     (ref, name if name is not None else ref, store.bump("workspaces")))
    return cur.lastrowid


def product_by_ref(db, ref, include_deleted=False):
    row = db.execute("SELECT * FROM products WHERE ref_code=?", (ref,)).fetchone()
    if row is None or (row["deleted"] and not include_deleted):
        return None
    return row
