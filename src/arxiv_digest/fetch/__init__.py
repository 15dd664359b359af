"""The fetch stage: one announcement day from arXiv into the store, completely or not at all.

1. ONE RSS request for all configured categories (split only at the 2000-item cap).
2. The feed's pubDate is the day. Empty feed: no announcement, no digest. Older than expected:
   stale, reported, nothing published.
3. Papers already stored for an earlier day are not added again; papers already stored for this
   day cost no request.
4. The arXiv API fills in what RSS lacks (primary category, author list, comment), 100 ids a
   request; each batch is committed as it arrives.
5. The papers stored for the day must equal the matching feed items, or the fetch names what is
   missing and why, and fails; a later fetch of the same day fills the gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from arxiv_digest.config import Config
from arxiv_digest.errors import FetchError, IncompleteDayError, StaleFeedError
from arxiv_digest.fetch.sections import build_digest
from arxiv_digest.models import Announcement, AnnounceType, FeedItem, Paper
from arxiv_digest.sources import api, oai, rss
from arxiv_digest.sources.http import PoliteClient
from arxiv_digest.store import Store
from arxiv_digest.taxonomy import canonical, oai_set

ARXIV_TZ = ZoneInfo("America/New_York")
EMPTY_DAY = (
    "No arXiv announcement on {date} for {categories} "
    "(arXiv does not announce on Saturdays, Sundays and holidays)"
)


def arxiv_today(now: datetime | None = None) -> str:
    """The day whose feed arXiv serves now: the date in US Eastern time."""
    return (now or datetime.now(ARXIV_TZ)).astimezone(ARXIV_TZ).date().isoformat()


@dataclass
class FetchReport:
    date: str | None
    status: str  # complete, empty, partial
    items: int = 0  # matching feed items
    stored: int = 0  # papers stored for the day
    added: int = 0  # papers newly stored by this fetch
    earlier: int = 0  # skipped: already announced on an earlier day
    digest_papers: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)
    requests: int = 0
    message: str = ""

    def lines(self) -> list[str]:
        if self.status == "empty":
            return [self.message]
        out = [
            f"{self.date}: {self.items} papers in the feed, {self.added} new in the store, "
            f"{self.stored} stored for the day ({self.requests} requests)"
        ]
        if self.earlier:
            out.append(f"skipped {self.earlier} papers already announced on an earlier day")
        if self.digest_papers:
            out.append(f"digest for {self.date}: {self.digest_papers} papers")
        return out


def needed_types(config: Config) -> set[str]:
    types = {"new"}
    if config.include_cross:
        types.add("cross")
    if config.include_replacements:
        types.add("replace")
        if config.include_cross:
            types.add("replace-cross")
    return types


def _matches(item: FeedItem, config: Config) -> bool:
    kind = item.announce_type
    return kind in needed_types(config)


def _paper(item: FeedItem, entry: api.ApiEntry) -> Paper:
    categories = [entry.primary_category] + [
        c for c in (entry.categories or item.categories) if c != entry.primary_category
    ]
    return Paper(
        id=item.id,
        version=item.version,
        title=item.title or entry.title,
        authors=entry.authors or rss.split_creators(item.creators),
        abstract=item.abstract or entry.abstract,
        primary_category=entry.primary_category,
        categories=tuple(categories),
        comment=entry.comment,
        journal_ref=item.journal_ref or entry.journal_ref,
        doi=item.doi or entry.doi,
        published=entry.published,
        updated=entry.updated,
    )


def _complete_day(
    store: Store,
    client: PoliteClient,
    config: Config,
    day: str,
    items: list[FeedItem],
    report: FetchReport,
) -> None:
    """Store every matching item of `day` that is not stored yet, enriched by the API."""
    ids = [i.id for i in items]
    earlier = {pid for pid, first in store.papers.first_announced(ids).items() if first < day}
    report.earlier = len(earlier)
    wanted = [i for i in items if i.id not in earlier]
    have = store.papers.announced_ids(day)
    todo = [i for i in wanted if i.id not in have]
    by_id = {i.id: i for i in todo}
    for start in range(0, len(todo), api.BATCH):
        batch = todo[start : start + api.BATCH]
        found, _missing = api.fetch_entries(
            client, config.arxiv.api_url, [f"{i.id}v{i.version}" for i in batch]
        )
        with store.transaction():
            for paper_id, entry in found.items():
                item = by_id.get(paper_id)
                if item is None:
                    continue
                store.papers.upsert(_paper(item, entry))
                store.papers.announce(Announcement(day, paper_id, item.version, item.announce_type))
                report.added += 1
    stored = store.papers.announced_ids(day)
    report.items = len(items)
    report.stored = len(stored & {i.id for i in wanted})
    report.missing = [
        (i.id, "the arXiv API did not return it") for i in wanted if i.id not in stored
    ]


def fetch_day(
    store: Store,
    client: PoliteClient,
    config: Config,
    *,
    day: str | None = None,
    today: str | None = None,
    allow_partial: bool = False,
) -> FetchReport:
    """Fetch the current announcement day (or complete `day`), store it and build its digest."""
    categories = list(config.categories)
    expected = day or today or arxiv_today()
    fetch_id = store.fetches.start("rss", {"categories": categories, "date": expected})
    before = client.log.requests
    report = FetchReport(date=None, status="error")
    try:
        page = rss.fetch_feed(client, config.arxiv.rss_url, categories, needed=needed_types(config))
        report.date = page.date
        assert page.date is not None
        if page.date < expected:
            raise StaleFeedError(
                f"the feed still serves {page.date}, not {expected}: arXiv has not switched to "
                f"{expected} yet, or this feed is stale; nothing was stored for {expected}"
            )
        if page.date > expected:
            items = store.fetches.items(expected)
            if not items:
                raise FetchError(
                    f"the feed now serves {page.date}; {expected} is no longer in RSS, so "
                    f"backfill it with `arxiv-digest fetch --from {expected} --to {expected}`"
                )
            report.date = expected
        elif not page.items:
            report.status = "empty"
            report.message = EMPTY_DAY.format(date=page.date, categories=", ".join(categories))
            return report
        else:
            with store.transaction():
                store.fetches.save_items(page.date, list(page.items))
            items = store.fetches.items(page.date)
        assert report.date is not None
        matching = [i for i in items if _matches(i, config)]
        _complete_day(store, client, config, report.date, matching, report)
        if report.missing and not allow_partial:
            report.status = "partial"
            ids = ", ".join(pid for pid, _ in report.missing[:10])
            more = f" and {len(report.missing) - 10} more" if len(report.missing) > 10 else ""
            raise IncompleteDayError(
                f"{report.date} is incomplete: {len(report.missing)} of {report.items} papers "
                f"are missing ({ids}{more}): the arXiv API did not return them; run fetch again "
                "later to fill the gap (or pass --allow-partial)"
            )
        report.status = "partial" if report.missing else "complete"
        report.digest_papers = build_digest(
            store,
            report.date,
            categories,
            language=config.language,
            source="fetch",
            include_cross=config.include_cross,
            include_replacements=config.include_replacements,
        )
        return report
    except FetchError as exc:
        report.message = str(exc)
        if isinstance(exc, StaleFeedError):
            report.status = "stale"
        raise
    finally:
        report.requests = client.log.requests - before
        store.fetches.finish(
            fetch_id,
            status=report.status,
            feed_date=report.date,
            items=report.items,
            stored=report.stored,
            missing=report.missing,
            requests=report.requests,
            message=report.message or None,
        )


# -- backfill through OAI-PMH ----------------------------------------------------------------


def backfill(
    store: Store,
    client: PoliteClient,
    config: Config,
    start: str,
    end: str,
    *,
    today: str | None = None,
) -> list[FetchReport]:
    """Harvest past days through OAI-PMH, grouping papers by the date of their first version.

    That date approximates the announcement day (arXiv announces a day's submissions the next
    evening, later after weekends, holidays and moderation).
    """
    categories = list(config.categories)
    wanted = {canonical(c) for c in categories}
    fetch_id = store.fetches.start("oai", {"categories": categories, "from": start, "to": end})
    before = client.log.requests
    limit = today or arxiv_today()
    # A record's datestamp is its last change: look a week past the window for papers that
    # were revised after their first version.
    until = min((Date.fromisoformat(end) + timedelta(days=7)).isoformat(), limit)
    by_day: dict[str, dict[str, oai.OaiRecord]] = {}
    try:
        for set_spec in dict.fromkeys(oai_set(c) for c in categories):
            for record in oai.harvest(client, config.arxiv.oai_url, set_spec, start, until):
                if start <= record.first_date <= end and record.categories:
                    by_day.setdefault(record.first_date, {})[record.id] = record
    except FetchError as exc:
        store.fetches.finish(
            fetch_id, status="error", message=str(exc), requests=client.log.requests - before
        )
        raise
    reports = []
    for day in sorted(by_day):
        records = list(by_day[day].values())
        first = store.papers.first_announced(r.id for r in records)
        report = FetchReport(date=day, status="complete", items=len(records))
        with store.transaction():
            for record in records:
                if record.id in first and first[record.id] != day:
                    report.earlier += 1
                    continue
                primary = record.categories[0]
                kind: AnnounceType = "new" if canonical(primary) in wanted else "cross"
                store.papers.upsert(
                    Paper(
                        id=record.id,
                        version=record.version,
                        title=record.title,
                        authors=record.authors,
                        abstract=record.abstract,
                        primary_category=primary,
                        categories=record.categories,
                        comment=record.comment,
                        journal_ref=record.journal_ref,
                        doi=record.doi,
                        published=record.published,
                    )
                )
                store.papers.announce(Announcement(day, record.id, 1, kind))
                report.added += 1
        report.stored = len(store.papers.announced_ids(day))
        report.digest_papers = build_digest(
            store,
            day,
            categories,
            language=config.language,
            source="oai",
            include_cross=config.include_cross,
            include_replacements=config.include_replacements,
        )
        reports.append(report)
    store.fetches.finish(
        fetch_id,
        status="complete",
        feed_date=end,
        items=sum(r.items for r in reports),
        stored=sum(r.stored for r in reports),
        requests=client.log.requests - before,
        message=f"{len(reports)} days between {start} and {end}",
    )
    return reports
