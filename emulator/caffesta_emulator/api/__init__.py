"""The Caffesta API, one module per area (as moto keeps one package per AWS service):

- storage.py    auth check, the storage list, stock on a storage (and the stock rules)
- documents.py  incoming invoices and moves between storages
- products.py   products (create, read, update) and menu imports
- orders.py     delivery orders, their jobs, receipt info
- feeds.py      the update feeds under /draft/get_*
- sales.py      sales exports and receipts by shift day

Each area is a class whose ROUTES table (method, path pattern, handler name) sits at its top,
like moto's urls.py; its handlers read the request, apply the rules to the Store and shape the
answer. Lookups shared by several areas live in common.py.
"""

from ..routing import Router
from .documents import Documents
from .feeds import Feeds
from .orders import Orders
from .products import Products
from .sales import Sales
from .storage import Storage

AREAS = (Storage, Documents, Products, Orders, Feeds, Sales)


class Api:
    """Every area's handlers behind one router."""

    def __init__(self, store, config):
        self.router = Router()
        self.areas = {}
        for cls in AREAS:
            area = cls(store, config)
            self.areas[cls.__name__.lower()] = area
            for method, pattern, name in cls.ROUTES:
                self.router.add(method, pattern, getattr(area, name))

    def resolve(self, method, segments):
        return self.router.resolve(method, segments)
