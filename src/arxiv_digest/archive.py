"""The stored archive as a Python API: import digests, star and hide papers, search, statistics.

Like `pipeline`, nothing here prints: each call returns what the command line shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arxiv_digest.errors import NotFoundError, UsageError
from arxiv_digest.models import split_arxiv_id
from arxiv_digest.store import Store
from arxiv_digest.store.search import QueryTooLong, parse_query


def import_files(store: Store, files: Sequence[Path], day: str | None = None) -> list[str]:
    """Import digests (reference Markdown, reference JSONL, daily-arXiv-ai-enhanced JSONL).

    Every file is read and checked before anything is written; importing a file again changes
    nothing. One line per file."""
    from arxiv_digest.fetch.ingest import store_imported
    from arxiv_digest.sources.importers import read_digest_file

    parsed = [read_digest_file(path, day) for path in files]
    dates = [d.date for d in parsed]
    if len(set(dates)) != len(dates):
        raise UsageError(
            "two of the files are for the same day; import them one at a time with --date"
        )
    lines = []
    for digest in parsed:
        result = store_imported(store, digest)
        state = "imported" if result.changed else "unchanged"
        failed = f", {result.failed} failed summaries" if result.failed else ""
        lines.append(f"{digest.path}: {state}, {result.date}, {result.papers} papers{failed}")
    return lines


def _stored_id(store: Store, raw: str) -> str:
    """The id of a stored paper, from what a person typed (2512.21349v2, arXiv:..., a URL)."""
    try:
        paper_id, _ = split_arxiv_id(raw)
    except ValueError:
        raise UsageError(f"{raw!r} is not an arXiv id") from None
    if store.papers.get(paper_id) is None:
        raise NotFoundError(f"paper {paper_id} is not in the store")
    return paper_id


def set_feedback(store: Store, paper_ids: Sequence[str], kind: str | None) -> list[str]:
    """Star (kind "star") or hide ("hide") stored papers, or clear either (None)."""
    lines = []
    for raw in paper_ids:
        paper_id = _stored_id(store, raw)
        store.feedback.set(paper_id, kind)
        lines.append(f"{paper_id}: {kind or 'cleared'}")
    return lines


@dataclass
class SearchReport:
    hits: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for hit in self.hits:
            names = hit["authors"]
            authors = ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")
            day = hit["day"] or "----------"
            out.append(f"{day}  {hit['id']}  [{hit['category']}]  {hit['title']}")
            out.append(f"    {authors}")
            out.append(f"    {hit['snippet']}")
        out.append(f"{len(self.hits)} results")
        return out


def search(
    store: Store,
    query: str,
    *,
    since: str | None = None,
    category: str | None = None,
    author: str | None = None,
    limit: int = 20,
) -> SearchReport:
    """Search every stored paper and summary; best matches first, with a snippet."""
    if limit < 1:
        raise UsageError(f"the limit must be at least 1, not {limit}")
    try:
        parsed = parse_query(query)
    except QueryTooLong as exc:
        raise UsageError(f"{exc}: shorten it") from None
    except ValueError:
        raise UsageError("the query is empty") from None
    hits = store.search.search(parsed, since=since, category=category, author=author, limit=limit)
    return SearchReport(hits)


def related(store: Store, paper: str, *, limit: int = 10) -> SearchReport:
    """The stored papers most like `paper` ("more like this"): its title and abstract's most
    distinctive words searched as one ranked query."""
    return SearchReport(store.search.related(_stored_id(store, paper), limit))


@dataclass
class StatsReport:
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per day and section

    def lines(self) -> list[str]:
        days: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows:
            days.setdefault(row["date"], []).append(row)
        out = [
            f"{'day':10s}  {'papers':>6s}  {'failed':>6s}  {'tokens in':>9s}  "
            f"{'out':>8s}  {'cost':>9s}  categories"
        ]
        for date, items in days.items():
            papers, failed = sum(r["papers"] for r in items), sum(r["failed"] for r in items)
            tin, tout = sum(r["tokens_in"] for r in items), sum(r["tokens_out"] for r in items)
            known = sum(r["cost"] for r in items if r["cost"] is not None)
            cost = "unknown" if any(r["unpriced"] for r in items) else f"${known:.4f}"
            cats = ", ".join(f"{r['section']} {r['papers']}" for r in items)
            out.append(
                f"{date:10s}  {papers:6d}  {failed:6d}  {tin:9d}  {tout:8d}  {cost:>9s}  {cats}"
            )
        out.append(f"{len(days)} days")
        return out


def stats(store: Store) -> StatsReport:
    """Papers per day and category, failed summaries, tokens and cost per day."""
    return StatsReport(store.digests.stats())


def failures(store: Store, day: str | None = None) -> list[str]:
    """The papers of a day (default: the latest) without a usable summary: why, how many
    attempts, and when they will be tried again."""
    from arxiv_digest.render.formats import latest_day

    day = day or latest_day(store)
    digest = store.digests.load(day)
    if digest is None:
        raise NotFoundError(f"no digest stored for {day}")
    lines: list[str] = []
    for entry in digest.entries:
        summary = entry.summary
        if summary is not None and summary.usable:
            continue
        head = f"{entry.paper.id}  {entry.paper.title[:70]}"
        if summary is None:
            lines += [head, "    pending: not summarized yet; the next run summarizes it"]
            continue
        tries = f"{summary.attempts} attempt{'s' * (summary.attempts != 1)}"
        if summary.transient:
            when = f"after {summary.retry_at}" if summary.retry_at else "on the next run"
            state = f"failed for now ({tries}); retried {when}"
        else:
            state = f"failed ({tries}); retry with `arxiv-digest summarize --retry-failed`"
        lines += [head, f"    {state}", f"    cause: {summary.error or 'unknown'}"]
    shown = sum(1 for line in lines if not line.startswith(" "))
    lines.append(f"{shown} of {len(digest.entries)} papers of {day} have no summary")
    return lines
