"""Constants and the runtime settings that the admin API can change."""

from datetime import timedelta, timezone

VERSION = "1.1.0"
SCHEMA_VERSION = 2
APP_MARK = "caffesta-emulator"
DEFAULT_API_KEY = "0123456789abcdef0123456789abcdef"
DEFAULT_PORT = 8765
MAX_BODY_BYTES = 64 * 1024 * 1024
DEFAULT_PAGE_SIZE = 1000  # products a feed page: field code saw 1 000
ACCOUNT_TZ = timezone(timedelta(hours=3))  # the account's zone (Europe/Minsk, no DST)
FIRST_JOB_ID = 54300903  # as in the docs' example
DEFAULT_POS_ID = 2
SECTIONS = ("categories", "menus", "desks", "taxes", "workspaces", "comments", "discounts",
            "promotions", "payments", "settings", "balances", "products", "device_models",
            "clients")

MEASURES = ("pcs", "kg", "l")
PRODUCT_TYPES = ("product", "tech_map", "sub_product")
CANCELLATION_NAMES = {0: "no_cancel", 1: "cancel_dish", 2: "cancel_ingredients"}


class Config:
    """What /__emulator/config shows and changes; reset puts back the command line's values.

    delay_ms           added to every API answer
    job_pending_polls  polls of a delivery job that answer "pending" before it settles
    page_size          products a page of get_products0 / get_products (at least 1)
    job_status_bare    get_job_status answers the bare object instead of {"success", "data"}
    """

    KINDS = {"delay_ms": "count", "job_pending_polls": "count", "page_size": "positive",
             "job_status_bare": "bool"}

    def __init__(self, delay_ms=0, job_pending_polls=1, page_size=DEFAULT_PAGE_SIZE,
                 job_status_bare=False):
        self.delay_ms = delay_ms
        self.job_pending_polls = job_pending_polls
        self.page_size = page_size
        self.job_status_bare = job_status_bare
        self.initial = self.as_dict()

    def as_dict(self):
        return {key: getattr(self, key) for key in self.KINDS}

    def restore(self):
        for key, value in self.initial.items():
            setattr(self, key, value)
