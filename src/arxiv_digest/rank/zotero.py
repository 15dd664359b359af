"""The reader's Zotero library, read from the Zotero web API (v3) at each ranking.

    [rank.zotero]
    library_id = "1234567"          # the number in zotero.org/settings/keys ("Your userID")
    library_type = "user"           # or "group"
    api_key_env = "ZOTERO_API_KEY"  # the environment variable holding a read-only key
    # collection = "ABCD2345"       # only this collection

A small client of the documented API, not PyPI `pyzotero`: every pyzotero release since 1.6.17
pins `bibtexparser<2`, and our BibTeX reader needs bibtexparser 2. It asks for the top-level
items 100 at a time (`Zotero-API-Version: 3`, the key in the `Zotero-API-Key` header), follows
the `Link: rel="next"` pages, honours `Backoff`/`Retry-After` within its deadline (the shared
retry policy), and reads each item's title, abstract and arXiv id (from its URL, `Extra`,
archive id or arXiv DOI). Notes and attachments are skipped. The key never appears in an
error message.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from arxiv_digest.deadline import DeadlineExceeded, within
from arxiv_digest.errors import ServiceError, redact, remember_secret
from arxiv_digest.models import ARXIV_ID_PATTERN, split_arxiv_id
from arxiv_digest.rank.library import LibraryError, LibraryPaper
from arxiv_digest.retry import RetryPolicy, TooLong, Transient

API = "https://api.zotero.org"
PAGE = 100
#: No more pages than this (100,000 items); a library that size says so rather than loop.
MAX_PAGES = 1000
#: the most one page of 100 items may weigh (Zotero's are about 100-300 KB)
MAX_BYTES = 8 * 2**20
SKIPPED_TYPES = frozenset({"note", "attachment", "annotation"})
_ARXIV = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*|10\.48550/arxiv\.)({ARXIV_ID_PATTERN})",
    re.IGNORECASE,
)


def arxiv_id(data: dict[str, object]) -> str | None:
    """The arXiv id an item names in its URL, Extra field, archive id or DOI."""
    for name in ("url", "extra", "archiveID", "DOI", "number"):
        value = data.get(name)
        if not isinstance(value, str):
            continue
        found = _ARXIV.search(value)
        if found:
            try:
                return split_arxiv_id(found.group(1))[0]
            except ValueError:
                continue
    return None


def _wait_seconds(response: httpx.Response) -> float | None:
    for header in ("Retry-After", "Backoff"):
        value = response.headers.get(header)
        if value and value.strip().isdigit():
            return float(value)
    return None


def fetch_zotero(
    library_id: str,
    library_type: str,
    *,
    api_key_env: str | None = "ZOTERO_API_KEY",
    collection: str | None = None,
    base_url: str = API,
    deadline: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
) -> list[LibraryPaper]:
    """Every top-level item of the library (or collection) with a title."""
    key = os.environ.get(api_key_env, "") if api_key_env else ""
    if api_key_env and not key:
        raise LibraryError(
            f"Zotero: set {api_key_env} to a key that can read library {library_id} "
            "(zotero.org/settings/keys)"
        )
    remember_secret(key)
    kind = "groups" if library_type == "group" else "users"
    path = f"/{kind}/{library_id}"
    path += f"/collections/{collection}/items/top" if collection else "/items/top"
    url: str | None = f"{base_url.rstrip('/')}{path}?format=json&limit={PAGE}&start=0"
    headers = {"Zotero-API-Version": "3"}
    if key:
        headers["Zotero-API-Key"] = key
    started = time.monotonic()
    papers: list[LibraryPaper] = []
    home = urlsplit(base_url)
    seen: set[str] = set()

    def left() -> float:
        return deadline - (time.monotonic() - started)

    def get(client: httpx.Client, url: str) -> tuple[httpx.Response, bytes]:
        """One page, whole, within what is left of the deadline, and at most MAX_BYTES."""

        def read() -> tuple[httpx.Response, bytes]:
            with client.stream("GET", url) as response:
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise ServiceError(
                            f"Zotero sent more than {MAX_BYTES // 2**20} MB for one page of "
                            f"{PAGE} items: stopped"
                        )
                return response, body

        try:
            return within(left(), read, cancel=client.close, name="zotero")
        except DeadlineExceeded:
            raise ServiceError(
                f"Zotero did not answer within the {deadline:.0f} s deadline: the library is "
                "read on the next run"
            ) from None
        except httpx.HTTPError as exc:
            raise ServiceError(f"Zotero: {redact(str(exc), key)}") from None

    def answered(client: httpx.Client, url: str) -> tuple[httpx.Response, bytes]:
        """`get` through the shared retry policy: a 429 or 503 is asked again after the
        server's Retry-After (or Backoff), or after a growing wait, within the deadline."""

        def once() -> tuple[httpx.Response, bytes]:
            response, body = get(client, url)
            if response.status_code in (429, 503):
                problem = f"Zotero answered HTTP {response.status_code}"
                raise Transient(problem, _wait_seconds(response))
            return response, body

        try:
            return RetryPolicy(attempts=3, max_wait=max(0.0, left()), jitter=0.0).call(
                once, sleep=sleep
            )
        except TooLong as exc:
            raise ServiceError(
                f"Zotero asks to wait {exc.wait:.0f} s, past the {deadline:.0f} s deadline: "
                "the library is read on the next run"
            ) from None
        except Transient as exc:
            raise ServiceError(f"{exc.problem}: the library is read on the next run") from None

    with httpx.Client(headers=headers, timeout=20.0, transport=transport) as client:
        for _ in range(MAX_PAGES):
            if url is None:
                return papers
            where = urlsplit(url)
            if (where.scheme, where.netloc) != (home.scheme, home.netloc):
                raise ServiceError(
                    f"Zotero's next page is on another host ({where.netloc}): stopped, the key "
                    f"goes only to {home.netloc}"
                )
            if url in seen:
                raise ServiceError("Zotero's next page is one already read: stopped")
            seen.add(url)
            response, body = answered(client, url)
            if response.status_code == 403:
                raise LibraryError(
                    f"Zotero refused the key in {api_key_env} for {library_type} library "
                    f"{library_id} (HTTP 403): check its read access"
                )
            if response.status_code == 404:
                raise LibraryError(f"Zotero has no {library_type} library {library_id} (404)")
            text = body.decode("utf-8", "replace")
            if response.status_code != 200:
                said = redact(" ".join(text[:200].split()), key)
                raise ServiceError(f"Zotero answered HTTP {response.status_code}: {said}")
            try:
                items = json.loads(text)
            except (ValueError, RecursionError):
                raise ServiceError("Zotero's answer is not JSON") from None
            if not isinstance(items, list):
                raise ServiceError("Zotero's answer is not a list of items")
            for item in items[:PAGE]:  # a page holds at most what was asked
                data = item.get("data") if isinstance(item, dict) else None
                if not isinstance(data, dict) or data.get("itemType") in SKIPPED_TYPES:
                    continue
                title = " ".join(str(data.get("title") or "").split())
                if title:
                    abstract = " ".join(str(data.get("abstractNote") or "").split())
                    papers.append(LibraryPaper(title, abstract, arxiv_id(data)))
            url = response.links.get("next", {}).get("url")
    raise LibraryError(f"Zotero: more than {MAX_PAGES * PAGE} items; use a collection")
