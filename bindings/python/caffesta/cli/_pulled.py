"""`caffesta products pull --for-push`: the POS feed's products as rows `products push` reads.

The products feed has its own shape (id, alternateName, entityType, tax_id, category_id, ...),
not the product body's, so a plain pull cannot be pushed back. This maps the fields that have
an exact counterpart and leaves out the rest (ids that push does not take, such as category_id,
and fields the feed writes differently, such as cancellationType).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

# The feed's field -> the push column it becomes, value unchanged.
FEED_TO_PUSH = (("alternateName", "ref_code"), ("name", "name"), ("measure", "measure"),
                ("entityType", "type"), ("tax_id", "caf_tax_id"))
COLUMNS = tuple(push for _, push in FEED_TO_PUSH) + ("price", "caf_shop_id", "caf_storage_id")


def for_push(item: Mapping[str, Any], shop_id: Optional[int], storage_id: Optional[int]
             ) -> Dict[str, Any]:
    """One feed product as a push row; its price only when the shop it is for is given (the
    feed does not say)."""
    row = {push: item.get(feed) for feed, push in FEED_TO_PUSH}
    if shop_id is not None:
        row.update(price=item.get("price"), caf_shop_id=shop_id, caf_storage_id=storage_id)
    return row
