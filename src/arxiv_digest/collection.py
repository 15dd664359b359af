"""The stored collection as a Python API: import digests, star and hide papers, search, statistics.

Like `pipeline`, nothing here prints: each call returns what the command line shows.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arxiv_digest.errors import ImportFormatError, NotFoundError, UsageError
from arxiv_digest.models import split_arxiv_id
from arxiv_digest.store import Store
from arxiv_digest.store.batches import BatchJob
from arxiv_digest.store.search import QueryTooLong, parse_query

if TYPE_CHECKING:
    from arxiv_digest.sources.imported import ImportedDigest


@dataclass
class ImportReport:
    """What an import did: a line per file, and the sums."""

    lines: list[str] = field(default_factory=list)
    files: int = 0
    days: set[str] = field(default_factory=set)
    papers: int = 0
    summaries: int = 0
    failed_summaries: int = 0
    pending: int = 0
    bad: list[str] = field(default_factory=list)

    def total(self) -> str:
        bad = f"; {len(self.bad)} files not imported" if self.bad else ""
        return (
            f"{self.files} files: {len(self.days)} days, {self.papers} papers, "
            f"{self.summaries} summaries ({self.failed_summaries} failed), "
            f"{self.pending} papers waiting for a summary{bad}"
        )


def digest_files(paths: Sequence[Path]) -> list[Path]:
    """The files to import: each file named, and the digests inside each folder named (a
    daily-arXiv-ai-enhanced `data/` folder: its `.jsonl` files, and `.md` digests), sorted."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = (p for p in path.iterdir() if p.suffix in (".jsonl", ".md") and p.is_file())
            out += sorted(found)
        else:
            out.append(path)
    return out


def _merged(summarized: ImportedDigest, raw: list[ImportedDigest]) -> ImportedDigest:
    """A day's summarized digest with the papers its raw day holds beyond it (the anchor drops
    a quarter of the raw day before summarizing): those wait for `summarize`."""

    def reader(meta: Any) -> Any:
        seen: set[str] = set()
        for item in summarized.reader(meta):
            seen.add(item.paper.id)
            yield item
        for other in raw:
            for item in other.reader(meta):
                if item.paper.id not in seen:
                    seen.add(item.paper.id)
                    yield item

    extra = sum(1 for other in raw for _ in other.papers)  # an upper bound, for the count only
    return dataclasses.replace(summarized, reader=reader, count=summarized.count + extra)


def import_files(
    store: Store,
    files: Sequence[Path],
    day: str | None = None,
    *,
    language: str = "Chinese",
    on_line: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import digests (reference Markdown, reference JSONL, daily-arXiv-ai-enhanced JSONL in its
    three shapes: `AI.tldr`, the early `AI.task`, and raw days without `AI`) from files or
    folders. Each file is all or nothing: a bad one is reported by name and line, and the others
    are imported. A day's raw file adds the papers its summarized file lacks. Importing a file
    again changes nothing. `language`: the summaries' language for a day that has none yet."""
    from arxiv_digest.fetch.ingest import store_imported
    from arxiv_digest.sources.importers import read_digest_file

    report = ImportReport()

    def say(line: str) -> None:
        report.lines.append(line)
        if on_line is not None:
            on_line(line)

    paths = digest_files(files)
    by_day: dict[str, list[ImportedDigest]] = {}
    for path in paths:
        report.files += 1
        try:
            digest = read_digest_file(path, day)
        except ImportFormatError as exc:
            report.bad.append(str(exc))
            say(f"not imported: {exc}")
            continue
        by_day.setdefault(digest.date, []).append(digest)
    for date, digests in sorted(by_day.items()):
        summarized = [d for d in digests if d.summarized]
        raw = [d for d in digests if not d.summarized]
        if len(summarized) > 1:
            names = ", ".join(str(d.path) for d in summarized)
            report.bad.append(f"{names}: two summarized files for {date}")
            say(f"not imported: {names}: two summarized files for {date}; import one with --date")
            continue
        digest = _merged(summarized[0], raw) if summarized else raw[0]
        if not summarized and len(raw) > 1:
            digest = _merged(raw[0], raw[1:])
        if not digest.language:  # no summary text to tell: the summaries' configured language
            digest = dataclasses.replace(digest, language=language)
        result = store_imported(store, digest)
        state = "imported" if result.changed else "unchanged"
        failed = f", {result.failed} failed summaries" if result.failed else ""
        waiting = result.papers - result.summaries
        pending = f", {waiting} waiting for a summary" if waiting else ""
        names = " + ".join(str(d.path) for d in ([*summarized, *raw]))
        say(f"{names}: {state}, {date}, {result.papers} papers{failed}{pending}")
        report.days.add(date)
        report.papers += result.papers
        report.summaries += result.summaries
        report.failed_summaries += result.failed
        report.pending += waiting
    say(report.total())
    return report


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


def star_file_ids(path: Path) -> list[str]:
    """The arXiv ids a file of starred papers names, in order, once each: the site's export
    (JSON, "arxiv-digest/stars-1"), a JSON list of ids, BibTeX (eprint fields or arXiv URLs),
    or plain text with one id per line."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    raw: list[str] = []
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ImportFormatError(f"{path}: not valid JSON ({exc})") from None
        except RecursionError:
            raise ImportFormatError(f"{path}: not valid JSON (nested too deeply)") from None
        items = data.get("papers", []) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ImportFormatError(f"{path}: expected a list of papers")
        for item in items:
            value = item.get("id") if isinstance(item, dict) else item
            if isinstance(value, str):
                raw.append(value)
    elif stripped.startswith("@"):
        from arxiv_digest.rank.library import LibraryError, parse_bibtex

        try:
            raw = [p.arxiv_id for p in parse_bibtex(path, text) if p.arxiv_id]
        except LibraryError as exc:
            raise ImportFormatError(str(exc)) from None
    else:
        raw = [line.strip() for line in text.splitlines() if line.strip()]
    ids: dict[str, None] = {}  # in order, once each (a dict: linear in the file's size)
    for value in raw:
        try:
            paper_id, _ = split_arxiv_id(value)
        except ValueError:
            raise ImportFormatError(f"{path}: {value[:60]!r} is not an arXiv id") from None
        ids[paper_id] = None
    if not ids:
        raise ImportFormatError(f"{path}: names no arXiv paper")
    return list(ids)


def import_stars(store: Store, path: Path) -> list[str]:
    """Star every paper a file names (see `star_file_ids`) that the store holds; say which
    it does not hold (they were starred on a site built from another store)."""
    ids = star_file_ids(path)
    held = store.papers.existing(ids)
    missing = [i for i in ids if i not in held]
    with store.transaction():
        for paper_id in ids:
            if paper_id in held:
                store.feedback.set(paper_id, "star")
    lines = [f"starred {len(ids) - len(missing)} papers from {path}"]
    if missing:
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        shown = ", ".join(missing[:20]) + more
        lines.append(f"not in the store, skipped: {shown}")
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
    in_flight: list[BatchJob] = field(default_factory=list)  # batches not collected yet
    deep: list[dict[str, Any]] = field(default_factory=list)  # deep reads, one row a day
    answers: dict[str, Any] = field(default_factory=dict)  # `ask`, all days together

    def lines(self) -> list[str]:
        days: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows:
            days.setdefault(row["date"], []).append(row)
        out = [
            f"{'day':10s}  {'papers':>6s}  {'failed':>6s}  {'tokens in':>9s}  "
            f"{'out':>8s}  {'cost':>9s}  {'live':>9s}  {'batch':>9s}  categories"
        ]
        for date, items in days.items():
            papers, failed = sum(r["papers"] for r in items), sum(r["failed"] for r in items)
            tin, tout = sum(r["tokens_in"] for r in items), sum(r["tokens_out"] for r in items)
            known = sum(r["cost"] for r in items if r["cost"] is not None)
            batch = sum(r.get("batch_cost") or 0.0 for r in items)
            if any(r["unpriced"] for r in items):
                cost = live = spent = "unknown"
            else:
                cost, live, spent = f"${known:.4f}", f"${known - batch:.4f}", f"${batch:.4f}"
            cats = ", ".join(f"{r['section']} {r['papers']}" for r in items)
            out.append(
                f"{date:10s}  {papers:6d}  {failed:6d}  {tin:9d}  {tout:8d}  {cost:>9s}  "
                f"{live:>9s}  {spent:>9s}  {cats}"
            )
        out.append(f"{len(days)} days")
        out += [in_flight_line(job) for job in self.in_flight]
        if self.deep:
            out.append("deep reads (full text), apart from the summaries:")
            for row in self.deep:
                cost = "unknown" if row["unpriced"] else f"${row['cost'] or 0.0:.4f}"
                out.append(
                    f"{row['date']:10s}  {row['reads']:6d}  {row['failed'] or 0:6d}  "
                    f"{row['tokens_in']:9d}  {row['tokens_out']:8d}  {cost:>9s}"
                )
        if self.answers.get("answers"):
            a = self.answers
            cost = f"${a['cost']:.4f}" if a["cost"] is not None else "unknown"
            out.append(
                f"answers (ask): {a['answers']}, {a['unsupported']} unsupported, "
                f"{a['tokens_in']} tokens in, {a['tokens_out']} out, {cost}"
            )
        return out


def in_flight_line(job: BatchJob) -> str:
    what = job.batch_id or f"upload {job.file_id} (no batch yet)"
    return (
        f"in flight: {what} for {job.date}, {job.papers} papers, {job.status} (the next "
        "`summarize --backend batch` or `run` collects it)"
    )


def stats(store: Store) -> StatsReport:
    """Papers per day and category, failed summaries, tokens and cost (live and batch) per
    day, and the batches still in flight."""
    return StatsReport(
        store.digests.stats(),
        store.batches.in_flight(),
        store.deep_reads.stats(),
        store.answers.totals(),
    )


def failures(store: Store, day: str | None = None) -> list[str]:
    """The papers of a day (default: the latest) without a usable summary: why, how many
    attempts, and when they will be tried again."""
    digest = store.digests.require(day)
    day = digest.date
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
    lines += [in_flight_line(job) for job in store.batches.in_flight(day)]
    return lines
