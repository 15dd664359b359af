"""The announcement feed (rss.arxiv.org): one request for all categories of a day.

The feed dated D holds the announcement made at 20:00 US Eastern on D-1. Items come in the order
new, cross, replace, replace-cross, ascending id within each group, at most 2000 of them. An empty
feed (no items) means arXiv announced nothing that day. An unknown category is an HTTP 400 whose
body is still RSS, carrying the reason in its description.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from typing import Any

from arxiv_digest.errors import FetchError
from arxiv_digest.models import FeedItem, split_arxiv_id
from arxiv_digest.sources.feeds import parse_feed
from arxiv_digest.sources.http import PoliteClient

ITEM_CAP = 2000
TYPE_ORDER: dict[str, int] = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}
_DESCRIPTION = re.compile(
    r"^arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*\nAbstract:\s?(?P<abstract>.*)\Z",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class FeedPage:
    url: str
    date: str | None  # the announcement day, from the channel's pubDate
    items: tuple[FeedItem, ...]

    @property
    def at_cap(self) -> bool:
        return len(self.items) >= ITEM_CAP


def _date(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw).date().isoformat()
    except (TypeError, ValueError):
        return None


def _item(entry: Any, url: str, position: int) -> FeedItem:
    guid = entry.get("id") or ""
    try:
        paper_id, version = split_arxiv_id(guid.removeprefix("oai:arXiv.org:"))
    except ValueError:
        raise FetchError(f"feed {url}: item {position} has no arXiv id (guid {guid!r})") from None
    kind = entry.get("arxiv_announce_type") or ""
    description = entry.get("summary") or ""
    match = _DESCRIPTION.match(description)
    if match:
        kind = kind or match.group("type")
        abstract = match.group("abstract")
    else:
        abstract = description
    if kind not in TYPE_ORDER:
        raise FetchError(f"feed {url}: item {paper_id} has unknown announce type {kind!r}")
    return FeedItem(
        id=paper_id,
        version=version or 1,
        announce_type=kind,  # type: ignore[arg-type]
        title=" ".join((entry.get("title") or "").split()),
        abstract=abstract.strip(),
        categories=tuple(t["term"] for t in entry.get("tags", []) if t.get("term")),
        creators=entry.get("author") or "",
        doi=entry.get("arxiv_doi") or None,
        journal_ref=entry.get("arxiv_journal_reference") or None,
    )


def parse_rss(body: bytes, status: int, url: str) -> FeedPage:
    parsed = parse_feed(body, "feed", url)
    feed = parsed.feed
    if status >= 400 or str(feed.get("title", "")).startswith("Feed error"):
        reason = feed.get("subtitle") or feed.get("title") or f"HTTP {status}"
        raise FetchError(f"arXiv rejected the feed {url}: {' '.join(str(reason).split())}")
    date = _date(feed.get("published"))
    if date is None:
        raise FetchError(f"feed {url} has no announcement date (pubDate)")
    items = tuple(_item(e, url, i) for i, e in enumerate(parsed.entries, start=1))
    return FeedPage(url, date, items)


def feed_url(base: str, categories: list[str]) -> str:
    return f"{base.rstrip('/')}/{'+'.join(categories)}"


def fetch_feed(
    client: PoliteClient, base: str, categories: list[str], *, needed: set[str]
) -> FeedPage:
    """The day's feed for `categories` with one request, split only when it hit the item cap.

    A capped feed is still complete for us when its last item is of a type after every type in
    `needed` (items come grouped by type), so the split happens only when something is missing.
    """
    url = feed_url(base, categories)
    response = client.get(url)
    page = parse_rss(response.content, response.status_code, url)
    if not page.at_cap:
        return page
    last_needed = max(TYPE_ORDER[t] for t in needed)
    if TYPE_ORDER[page.items[-1].announce_type] > last_needed:
        return page
    if len(categories) == 1:
        raise FetchError(
            f"the feed {url} reached arXiv's {ITEM_CAP}-item cap, so the day's "
            f"{categories[0]} papers cannot all be read from RSS"
        )
    half = len(categories) // 2
    parts = [
        fetch_feed(client, base, categories[:half], needed=needed),
        fetch_feed(client, base, categories[half:], needed=needed),
    ]
    dates = {p.date for p in parts}
    if len(dates) != 1:
        raise FetchError(f"the split feeds disagree on the day: {sorted(d or '?' for d in dates)}")
    merged: dict[str, FeedItem] = {}
    for item in (i for p in parts for i in p.items):
        kept = merged.get(item.id)
        if kept is None or TYPE_ORDER[item.announce_type] < TYPE_ORDER[kept.announce_type]:
            merged[item.id] = item
    ordered = sorted(merged.values(), key=lambda i: (TYPE_ORDER[i.announce_type], i.id))
    return FeedPage(url, parts[0].date, tuple(ordered))


def split_creators(creators: str) -> tuple[str, ...]:
    """Split RSS's one-string author list, keeping commas inside parentheses (affiliations)."""
    names: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in creators:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            names.append("".join(current))
            current = []
        else:
            current.append(ch)
    names.append("".join(current))
    cleaned = [re.sub(r"\s*\([^()]*\)\s*$", "", n).strip() for n in names]
    return tuple(n for n in cleaned if n)
