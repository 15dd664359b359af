"""A loopback server that answers as api.zotero.org does: pages of 100 top-level items,
`Total-Results` and `Link` headers, 403 for a wrong key, 429 with `Retry-After`; library
1234567 holds the recorded items (fixtures/zotero), its collection QH7ZUW2E what a test sets."""

from __future__ import annotations

import copy
import json
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.helpers import FIXTURES

KEY = "zk-Secret-0123456789abcdef"
ITEMS: list[dict[str, Any]] = [
    *json.loads((FIXTURES / "zotero" / "items_a.json").read_text("utf-8")),
    *json.loads((FIXTURES / "zotero" / "items_b.json").read_text("utf-8")),
]


def library(size: int) -> list[dict[str, Any]]:
    """The recorded items, then books without an arXiv id up to `size` items."""
    items = copy.deepcopy(ITEMS)
    for i in range(size - len(items)):
        filler = copy.deepcopy(ITEMS[-1])
        filler["key"] = f"F{i:07d}"
        filler["data"]["title"] = f"A Book on Topic {i}"
        items.append(filler)
    return items


class Zotero(BaseHTTPRequestHandler):
    items: list[dict[str, Any]] = []
    throttle: list[int] = []  # seconds to ask the next requests to wait
    seen: list[dict[str, str]] = []
    paths: list[str] = []
    collection: list[dict[str, Any]] | None = None  # what collection QH7ZUW2E holds (or all)

    def do_GET(self) -> None:  # noqa: N802
        Zotero.seen.append({k.lower(): v for k, v in self.headers.items()})
        Zotero.paths.append(urlsplit(self.path).path)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if self.headers.get("Zotero-API-Key") != KEY:
            self._send(403, b"Forbidden", "text/plain")
            return
        if parts.path not in (
            "/users/1234567/items/top",
            "/users/1234567/collections/QH7ZUW2E/items/top",
        ):
            self._send(404, b"Not found", "text/plain")
            return
        if Zotero.throttle:
            wait = Zotero.throttle.pop(0)
            self._send(429, b"Too Many Requests", "text/plain", {"Retry-After": str(wait)})
            return
        start, limit = int(query.get("start", ["0"])[0]), int(query.get("limit", ["25"])[0])
        items = Zotero.items
        if "/collections/" in parts.path and Zotero.collection is not None:
            items = Zotero.collection
        page = items[start : start + limit]
        headers = {
            "Total-Results": str(len(items)),
            "Zotero-API-Version": "3",
            "Last-Modified-Version": "412",
        }
        base = f"http://127.0.0.1:{self.server.server_address[1]}{parts.path}"
        if start + limit < len(items):
            headers["Link"] = (
                f"<{base}?format=json&limit={limit}&start={start + limit}>; "
                f'rel="next", <{base}?format=json&limit={limit}>; rel="first"'
            )
        self._send(200, json.dumps(page).encode(), "application/json", headers)

    def _send(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass
