"""A product's ref_code and name by its Caffesta id, for rows that name products by id only.

Stock rows carry Caffesta ids (`/draft/store/{id}`), which an operator's spreadsheet does not
know; the sales export may leave a ref_code empty. The products feed of a POS (every product of
the account, `alternateName` being the ref_code) is read once, all pages, when first needed, and
kept for the command.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import caffesta

from ._progress import Progress


class ProductNames:
    def __init__(self, client: caffesta.Client, pos_id: int) -> None:
        self._client = client
        self._pos_id = pos_id
        self._names: Optional[Dict[str, Tuple[Any, Any]]] = None

    def get(self, product_id: Any) -> Optional[Tuple[Any, Any]]:
        """(ref_code, name) of the product, or None when the feed does not list it (deleted)."""
        if self._names is None:
            self._names = {}
            progress = Progress("products feed of POS %d" % self._pos_id, "products")
            try:
                for page in self._client.iter_product_pages(self._pos_id):
                    for product in page:
                        self._names[str(product.get("id"))] = (product.get("alternateName"),
                                                               product.get("name"))
                    progress.update(len(page))
            finally:
                progress.close()
        return self._names.get(str(product_id))

    def add_to(self, rows: List[Any], id_key: str) -> List[Any]:
        """The rows with `ref_code` (right after `id_key`) and `name` filled in where they are
        missing or empty and the feed gives them; other fields as the server wrote them."""
        named = []
        for row in rows:
            if not isinstance(row, dict):
                named.append(row)
                continue
            found = self.get(row.get(id_key))
            ref_code, name = found if found is not None else (None, None)
            out: Dict[str, Any] = {}
            for key, value in row.items():
                out[key] = value
                if key == id_key and "ref_code" not in row:
                    out["ref_code"] = ref_code
            if not out.get("ref_code") and ref_code:
                out["ref_code"] = ref_code
            if not out.get("name") and name:
                out["name"] = name
            named.append(out)
        return named
