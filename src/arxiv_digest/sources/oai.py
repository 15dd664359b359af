"""OAI-PMH harvesting (oaipmh.arxiv.org/oai) for backfilling past days.

OAI knows no announcement days: a record's datestamp is its last change. We harvest `arXivRaw`
records per set with resumption tokens and keep the papers whose first version falls in the
window, grouped by that date, which only approximates the day arXiv announced them. Errors come
back as HTTP 200 with an <error> element; `noRecordsMatch` means an empty result.
"""

from __future__ import annotations

import email.utils
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from arxiv_digest.errors import FetchError
from arxiv_digest.sources.feeds import looks_like_html
from arxiv_digest.sources.http import PoliteClient

NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "raw": "http://arxiv.org/OAI/arXivRaw/"}


@dataclass(frozen=True, slots=True)
class OaiRecord:
    id: str
    version: int  # the latest version listed
    first_date: str  # YYYY-MM-DD (UTC) of version 1
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]  # primary first
    comment: str | None
    journal_ref: str | None
    doi: str | None
    published: str | None


def split_authors(raw: str) -> tuple[str, ...]:
    """'A. One, B. Two, and C. Three' -> ('A. One', 'B. Two', 'C. Three')."""
    text = " ".join(raw.split())
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", text)
    return tuple(p.strip() for p in parts if p.strip())


def _unwrap(text: str) -> str:
    """Join the hard line wraps of an OAI abstract, keeping paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n".join(" ".join(p.split()) for p in paragraphs)


def _text(node: ET.Element | None, tag: str) -> str | None:
    if node is None:
        return None
    found = node.find(f"raw:{tag}", NS)
    return found.text.strip() if found is not None and found.text else None


def parse_page(body: bytes, url: str) -> tuple[list[OaiRecord], str | None]:
    """Records of one ListRecords page and the resumption token (None on the last page)."""
    if looks_like_html(body):
        raise FetchError(f"OAI-PMH {url} answered with an HTML page")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise FetchError(f"OAI-PMH answer from {url} is malformed: {exc}") from None
    error = root.find("oai:error", NS)
    if error is not None:
        code = error.get("code", "")
        if code == "noRecordsMatch":
            return [], None
        raise FetchError(f"OAI-PMH error {code}: {' '.join((error.text or '').split())}")
    listing = root.find("oai:ListRecords", NS)
    if listing is None:
        raise FetchError(f"OAI-PMH answer from {url} has no ListRecords")
    records = []
    for record in listing.findall("oai:record", NS):
        header = record.find("oai:header", NS)
        if header is not None and header.get("status") == "deleted":
            continue
        raw = record.find("oai:metadata/raw:arXivRaw", NS)
        if raw is None:
            continue
        versions = raw.findall("raw:version", NS)
        if not versions:
            continue
        first = versions[0].find("raw:date", NS)
        try:
            when = email.utils.parsedate_to_datetime(
                (first.text or "") if first is not None else ""
            )
        except (TypeError, ValueError):
            continue
        records.append(
            OaiRecord(
                id=_text(raw, "id") or "",
                version=len(versions),
                first_date=when.date().isoformat(),
                title=" ".join((_text(raw, "title") or "").split()),
                abstract=_unwrap(_text(raw, "abstract") or ""),
                authors=split_authors(_text(raw, "authors") or ""),
                categories=tuple((_text(raw, "categories") or "").split()),
                comment=_text(raw, "comments"),
                journal_ref=_text(raw, "journal-ref"),
                doi=_text(raw, "doi"),
                published=when.isoformat(),
            )
        )
    token_node = listing.find("oai:resumptionToken", NS)
    token = (token_node.text or "").strip() if token_node is not None else ""
    return records, token or None


#: pages one set's harvest may take: arXiv pages hold 1,000 records, and the busiest set
#: changes by a few thousand a day, so 500 pages is months of backfill
MAX_PAGES = 500


def harvest(
    client: PoliteClient, base: str, set_spec: str, start: str, until: str
) -> Iterator[OaiRecord]:
    """Every arXivRaw record of a set changed between `start` and `until`, page by page."""
    params: dict[str, str] = {
        "verb": "ListRecords",
        "metadataPrefix": "arXivRaw",
        "set": set_spec,
        "from": start,
        "until": until,
    }
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        response = client.get(base, params=params)
        if response.status_code >= 400:
            raise FetchError(f"OAI-PMH {base} answered HTTP {response.status_code}")
        records, token = parse_page(response.content, base)
        yield from records
        if token is None:
            return
        if token in seen:  # a server that hands out a token twice would loop forever
            raise FetchError(
                f"OAI-PMH {base} repeated the resumption token {token[:60]!r}: the harvest "
                "stops and nothing of it is stored (a day would be half there); try again later"
            )
        seen.add(token)
        params = {"verb": "ListRecords", "resumptionToken": token}
    raise FetchError(
        f"OAI-PMH {base} had more than {MAX_PAGES} pages for set {set_spec!r} (a fresh "
        "resumption token on every page?): the harvest stops and nothing of it is stored; "
        "backfill fewer days at a time"
    )
