"""The arXiv API (export.arxiv.org/api/query): what RSS lacks, in `id_list` batches of 100."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from arxiv_digest.errors import FetchError
from arxiv_digest.models import split_arxiv_id
from arxiv_digest.sources.feeds import parse_feed
from arxiv_digest.sources.http import PoliteClient

BATCH = 100


@dataclass(frozen=True, slots=True)
class ApiEntry:
    id: str
    version: int
    title: str
    abstract: str
    authors: tuple[str, ...]
    primary_category: str
    categories: tuple[str, ...]
    comment: str | None
    journal_ref: str | None
    doi: str | None
    published: str | None
    updated: str | None


def _entry(raw: Any) -> ApiEntry | None:
    link = raw.get("id") or ""
    if "/api/errors" in link:
        return None
    paper_id, version = split_arxiv_id(link.replace("http://", "https://"))
    primary = (raw.get("arxiv_primary_category") or {}).get("term")
    tags = tuple(t["term"] for t in raw.get("tags", []) if t.get("term"))
    return ApiEntry(
        id=paper_id,
        version=version or 1,
        title=" ".join((raw.get("title") or "").split()),
        abstract=(raw.get("summary") or "").strip(),
        authors=tuple(a.get("name", "").strip() for a in raw.get("authors", []) if a.get("name")),
        primary_category=primary or (tags[0] if tags else ""),
        categories=tags,
        comment=raw.get("arxiv_comment") or None,
        journal_ref=raw.get("arxiv_journal_ref") or None,
        doi=raw.get("arxiv_doi") or None,
        published=raw.get("published") or None,
        updated=raw.get("updated") or None,
    )


def parse_api(body: bytes, status: int, url: str) -> list[ApiEntry]:
    parsed = parse_feed(body, "API answer", url)
    errors = [e for e in parsed.entries if "/api/errors" in (e.get("id") or "")]
    if errors or status >= 400:
        reason = errors[0].get("summary") if errors else f"HTTP {status}"
        raise FetchError(f"the arXiv API rejected the request: {reason}")
    return [e for e in map(_entry, parsed.entries) if e is not None]


def fetch_entries(
    client: PoliteClient, base: str, ids: Iterable[str]
) -> tuple[dict[str, ApiEntry], list[str]]:
    """Metadata for `ids` (versioned, e.g. 2501.00001v1): found entries by id, and missing ids."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, ApiEntry] = {}
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start : start + BATCH]
        params = {"id_list": ",".join(batch), "max_results": str(len(batch)), "start": "0"}
        response = client.get(base, params=params)
        for entry in parse_api(response.content, response.status_code, base):
            found[entry.id] = entry
    missing = [i for i in wanted if split_arxiv_id(i)[0] not in found]
    return found, missing
