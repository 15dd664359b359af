"""The daily job as a Python API: each stage callable on its own, returning a typed report.

    from arxiv_digest.config import load_config
    from arxiv_digest.pipeline import run_day

    config, _ = load_config()
    report = run_day(config, deliver=True)     # fetch, rank, summarize, render, deliver
    print("\\n".join(report.lines))

Every stage reads from and writes to the store, so each can be re-run alone (`fetch`,
`summarize`, `check`, `rank`, `render`, `deliver`); `run_day` is them in order for one
announcement day. The command line is a thin shell over this module; a scheduler or a notebook
calls it the same way. Nothing here prints: stages return reports, and `on_line` (when given)
hears each line as soon as its stage is done. A stage's modules load when it runs, so
`summarize` starts without the feed parser, the ranker or the mail templates.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from arxiv_digest.config import Config, default_db_path
from arxiv_digest.deliver.channels import CHANNELS, DeliverOptions, Delivery
from arxiv_digest.errors import (
    ConfigError,
    DeliveryError,
    DigestError,
    NotFoundError,
    SummarizeError,
    UsageError,
)
from arxiv_digest.files import write_atomic
from arxiv_digest.lock import run_lock
from arxiv_digest.models import Paper, SummaryFields
from arxiv_digest.render.formats import FORMATS, Rendered, RenderOptions, latest_day
from arxiv_digest.sources.http import PoliteClient
from arxiv_digest.store import Store
from arxiv_digest.summarize.base import DaySummarizer
from arxiv_digest.summarize.extractive import ExtractiveSummarizer
from arxiv_digest.summarize.registry import make_summarizer
from arxiv_digest.summarize.stage import Budget, Progress, SummarizeReport, summarize_day

if TYPE_CHECKING:
    from arxiv_digest.fetch import FetchReport
    from arxiv_digest.rank.stage import RankReport

__all__ = [
    "Budget",
    "CheckReport",
    "DayReport",
    "arxiv_client",
    "check",
    "deliver",
    "fetch",
    "open_store",
    "rank",
    "render",
    "run_day",
    "store_path",
    "summarize",
]

Echo = Callable[[str], None]


def store_path(config: Config, db: str | Path | None = None) -> Path:
    """The store in use: `db`, else $ARXIV_DIGEST_DB, else the config's, else the default."""
    return Path(db or os.environ.get("ARXIV_DIGEST_DB") or config.db or default_db_path())


def open_store(config: Config, db: str | Path | None = None) -> Store:
    return Store(store_path(config, db))


def ranking_on(config: Config, store: Store) -> bool:
    """Ranking runs when the config has a profile or the reader has starred or hidden papers."""
    return config.rank.enabled() or store.feedback.any()


def _for_you(config: Config, store: Store) -> int:
    return config.rank.for_you if ranking_on(config, store) else 0


@contextmanager
def arxiv_client(config: Config, given: PoliteClient | None = None) -> Iterator[PoliteClient]:
    """The one polite HTTP client to arXiv for a run (spacing, retries, User-Agent): `given`
    when the caller has one (tests, a scheduler reusing it), else a new one closed after."""
    if given is not None:
        yield given
        return
    with httpx.Client(timeout=config.arxiv.timeout, follow_redirects=True) as http:
        yield PoliteClient(
            http,
            min_interval=config.arxiv.min_interval,
            max_attempts=config.arxiv.max_attempts,
            deadline=config.arxiv.deadline,
        )


# -- the stages ----------------------------------------------------------------------------------


def fetch(
    config: Config,
    store: Store,
    *,
    day: str | None = None,
    allow_partial: bool = False,
    client: PoliteClient | None = None,
) -> FetchReport:
    """Fetch an announcement day from arXiv into the store and build its digest."""
    from arxiv_digest.fetch import fetch_day  # stages load when used: start-up stays short

    with arxiv_client(config, client) as http:
        return fetch_day(store, http, config, day=day, allow_partial=allow_partial)


def backfill(
    config: Config, store: Store, start: str, end: str, *, client: PoliteClient | None = None
) -> list[FetchReport]:
    """Harvest past days through OAI-PMH (grouped by first-version date)."""
    from arxiv_digest.fetch import backfill as harvest

    with arxiv_client(config, client) as http:
        return harvest(store, http, config, start, end)


def summarize(
    config: Config,
    store: Store,
    day: str | None = None,
    *,
    retry_failed: bool = False,
    redo: bool = False,
    budget: Budget | None = None,
    progress: Progress | None = None,
) -> SummarizeReport:
    """Summarize every paper of a stored day that has no usable summary yet.

    When the endpoint cannot serve the run (bad key, spent quota, unreachable), the report's
    `stopped` holds the cause and the papers not yet done stay pending for the next run.

    With `rank.summarize_top = K` only the K best-ranked papers go to the configured backend;
    the rest get the extractive summary, at no cost. A summary in another language or by another
    model than the configured one is not shown for the day: the configured setting is written
    (or taken from the cache); `redo` writes every paper again.
    """

    day = day or latest_day(store)
    budget = budget or Budget()
    summarizer = make_summarizer(config.summarizer)
    if (
        budget.max_minutes is None
        and config.summarizer.max_minutes is not None
        and not isinstance(summarizer, DaySummarizer)  # a batch waits batch_wait_hours
    ):
        budget = dataclasses.replace(budget, max_minutes=config.summarizer.max_minutes)
    only: set[str] | None = None
    rest: set[str] = set()
    wanted = config.rank.summarize_top is not None or config.rank.exclude
    digest = store.digests.load(day) if wanted else None
    if digest is not None and config.rank.summarize_top is not None:
        if summarizer.backend != "extractive":
            only = {e.paper.id for e in digest.top(config.rank.summarize_top or 0)}
            rest = {e.paper.id for e in digest.entries} - only
    if digest is not None and config.rank.exclude:
        # an excluded paper is never summarized, even on a day that was not ranked
        from arxiv_digest.rank import excluded

        dropped = excluded(config.rank, [e.paper for e in digest.entries])
        only = (only if only is not None else {e.paper.id for e in digest.entries}) - dropped
        rest -= dropped
    if isinstance(summarizer, DaySummarizer):  # a batch engine takes the day at once
        whole = summarizer.summarize_whole_day(
            store,
            config,
            day,
            only=only,
            retry_failed=retry_failed,
            redo=redo,
            budget=budget,
            progress=progress,
        )
        report = asyncio.run(whole)
    else:
        report = asyncio.run(
            summarize_day(
                store,
                day,
                summarizer,
                config.language,
                retry_failed=retry_failed,
                concurrency=config.summarizer.concurrency or summarizer.default_concurrency,
                budget=budget,
                prices=config.summarizer.prices,
                progress=progress,
                only=only,
                redo=redo,
            )
        )
    if rest:  # each paper is counted once: the top K above, the rest here
        extra = asyncio.run(
            summarize_day(store, day, ExtractiveSummarizer(), config.language, only=rest)
        )
        report.total += extra.total
        report.ok += extra.ok
        report.cached += extra.cached
    return report


@dataclass
class CheckReport:
    """The quality warnings of some days' summaries, and the verify pass's doubts."""

    total: int = 0
    flagged: list[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=list)
    verify: VerifyReport | None = None

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for *_, warnings in self.flagged:
            for warning in warnings:
                kind = warning.split(":", 1)[0]
                counts[kind] = counts.get(kind, 0) + 1
        return counts

    def lines(self) -> list[str]:
        out = []
        for day, paper_id, title, warnings in self.flagged:
            out.append(f"{day} {paper_id} {title}")
            out.extend(f"  - {w}" for w in warnings)
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items())) or "none"
        out.append(f"{len(self.flagged)} of {self.total} summaries have warnings ({kinds})")
        if self.verify is not None:
            out.extend(self.verify.lines())
        return out


@dataclass
class VerifyReport:
    """What the verify pass did: summaries asked about, fact-checked, found doubtful, or left
    without a verdict (and why)."""

    asked: int = 0
    checked: int = 0
    doubted: int = 0
    cached: int = 0
    failed: list[str] = field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    stopped: DigestError | None = None
    #: answers in a row that held no verdict; the pass stops at VERIFY_STREAK
    streak: int = 0

    @property
    def missing(self) -> int:
        return self.asked - self.checked

    def causes(self) -> list[tuple[str, int]]:
        counted: dict[str, int] = {}
        for line in self.failed:
            cause = line.split(": ", 1)[-1]
            counted[cause] = counted.get(cause, 0) + 1
        return sorted(counted.items(), key=lambda item: -item[1])

    def lines(self) -> list[str]:
        out = [
            f"verify: asked {self.asked}, verified {self.checked}, failed {len(self.failed)}"
            f" ({self.cached} verified before); {self.doubted} with a field the abstract does not"
            f" support; tokens: {self.tokens_in} in, {self.tokens_out} out"
        ]
        out.extend(f"  not verified ({n}): {cause}" for cause, n in self.causes()[:5])
        if self.stopped is not None:
            out.append(f"verify stopped: {self.stopped}")
        return out


#: Answers in a row without a verdict after which the verify pass stops: the endpoint answers
#: but cannot give verdicts (a model that ignores the format), and every further call is lost.
VERIFY_STREAK = 10


def check(
    store: Store,
    day: str | None = None,
    *,
    all_days: bool = False,
    verify_with: Config | None = None,
) -> CheckReport:
    """Collect the quality warnings stored with each summary of one day (or every day). With
    `verify_with` (a config naming a model), first fact-check the summaries not yet verified."""
    report = CheckReport()
    days = store.digests.dates() if all_days else [day or latest_day(store)]
    if verify_with is not None:
        report.verify = VerifyReport()
        for one_day in days:
            verify(verify_with, store, one_day, report=report.verify)
            if report.verify.stopped is not None:
                break
    for one_day in days:
        digest = store.digests.load(one_day)
        if digest is None:
            raise NotFoundError(f"no digest stored for {one_day}")
        for entry in digest.entries:
            report.total += 1
            s = entry.summary
            if s is None or not (s.warnings or s.doubts()):
                continue
            doubts = tuple(
                f"{v.verdict}: {v.field}: {v.reason or 'the abstract does not say this'}"
                for v in s.doubts().values()
            )
            report.flagged.append(
                (one_day, entry.paper.id, entry.paper.title, (*s.warnings, *doubts))
            )
    return report


def verify(
    config: Config, store: Store, day: str | None = None, *, report: VerifyReport | None = None
) -> VerifyReport:
    """Ask the configured model whether each usable summary of the day is supported by its
    abstract, and keep the verdicts with the summaries. Summaries already verified, and the
    extractive backend's quotes (the abstract's own sentences), are not asked about again."""
    from arxiv_digest.summarize.verify import verify_summary

    report = report if report is not None else VerifyReport()
    digest = store.digests.load(day or latest_day(store))
    if digest is None:
        raise NotFoundError(f"no digest stored for {day}")
    todo = []
    for entry in digest.entries:
        s = entry.summary
        if s is None or not s.usable or s.quoted or s.fields is None or s.id is None:
            continue
        if s.verdicts:
            report.cached += 1
            continue
        todo.append((entry.paper, s.fields, s.id))
    if not todo:
        return report
    backend = make_summarizer(config.summarizer)
    limit = asyncio.Semaphore(config.summarizer.concurrency or backend.default_concurrency)

    async def one(paper: Paper, fields: SummaryFields, summary_id: int) -> None:
        async with limit:
            if report.stopped is not None:
                return
            try:
                result = await verify_summary(backend.ask, paper, fields)
            except DigestError as exc:  # the endpoint cannot serve this run
                report.stopped = exc
                return
        report.asked += 1
        report.tokens_in += result.tokens_in
        report.tokens_out += result.tokens_out
        if result.verdicts is None:
            report.failed.append(f"{paper.id}: {result.error}")
            report.streak += 1
            if report.streak >= VERIFY_STREAK and report.stopped is None:
                report.stopped = SummarizeError(
                    f"the model answered {report.streak} times in a row without a verdict "
                    f"(last: {result.error}); the summaries not asked about stay unverified"
                )
            return
        report.streak = 0
        store.summaries.set_verdicts(summary_id, result.verdicts)
        report.checked += 1
        report.doubted += any(not v.trusted for v in result.verdicts)

    async def all_of_them() -> None:
        try:
            await asyncio.gather(*(one(*item) for item in todo))
        finally:
            await backend.aclose()

    asyncio.run(all_of_them())
    return report


def rank(
    config: Config, store: Store, day: str | None = None, *, ask: int = 0
) -> RankReport | None:
    """Score a day against the reader's profile; None when ranking is off."""
    from arxiv_digest.rank.embeddings import Embedder
    from arxiv_digest.rank.stage import rank_day

    if not ranking_on(config, store):
        return None
    similarity = None
    if config.rank.method == "embeddings":
        similarity = Embedder(store).similarity
    return rank_day(store, day or latest_day(store), config.rank, similarity=similarity, ask=ask)


def render(
    config: Config,
    store: Store,
    fmt: str = "markdown",
    *,
    day: str | None = None,
    output: Path | None = None,
    out_dir: Path | None = None,
    site_dir: Path | None = None,
    feed_days: int | None = None,
    force: bool = False,
) -> Rendered:
    """Render in a registered format and write the file (`output`, else its default place).
    With `output` = Path("-") nothing is written: the caller prints `text`."""
    renderer = FORMATS.get(fmt)()
    rendered = renderer.render(
        store,
        RenderOptions(
            day=day,
            out_dir=out_dir or config.output_dir,
            site_dir=site_dir,
            feed_days=feed_days or config.feed_days,
            force=force,
            for_you=_for_you(config, store),
            threshold=config.rank.threshold,
            site_url=config.site_url,
        ),
    )
    if rendered.text is not None and str(output) != "-":
        target = output or rendered.target
        assert target is not None
        changed = write_atomic(target, rendered.text)
        rendered.target = target
        rendered.lines.append(f"{'wrote' if changed else 'unchanged'} {target}")
    return rendered


def deliver(
    config: Config,
    store: Store,
    day: str | None = None,
    *,
    channels: Sequence[str] | None = None,
    name: str | None = None,
    force: bool = False,
    on_line: Echo | None = None,
) -> list[str]:
    """Send a day's digest through the configured channels (all, or those named); each target
    gets it once, unless `force`. Returns one line per target (`on_line` hears each at once, so
    a failure later on does not hide what was sent)."""
    day = day or latest_day(store)
    options = DeliverOptions(config.site_url, _for_you(config, store), config.rank.threshold)
    lines: list[str] = []
    digest = None
    for channel_name in channels or CHANNELS.names():
        channel = CHANNELS.get(channel_name)()
        targets = [t for t in channel.targets(config) if name is None or name in t.recipients]
        if channels and not targets:
            raise ConfigError(f"no {channel_name} delivery configured")
        for target in targets:
            todo = [
                r
                for r in target.recipients
                if force or not store.deliveries.sent(day, target.channel, r)
            ]
            if not todo:
                every = " to every recipient" if target.many else ""
                lines.append(
                    f"{target.label} for {day} was already sent{every} (--force sends again)"
                )
                if on_line is not None:
                    on_line(lines[-1])
                continue
            if digest is None:
                digest = store.digests.load(day)
                if digest is None:
                    raise NotFoundError(f"no digest stored for {day}")

            def done(recipient: str, channel_key: str = target.channel) -> None:
                store.deliveries.mark(day, channel_key, [recipient])

            lines.append(channel.send(Delivery(target, digest, todo, config, options, done)))
            if on_line is not None:
                on_line(lines[-1])
    return lines


send = deliver  # `run_day` takes a flag called `deliver`


def send_day(
    config: Config,
    day: str | None = None,
    *,
    channels: Sequence[str] | None = None,
    name: str | None = None,
    force: bool = False,
    db: str | Path | None = None,
    on_line: Echo | None = None,
) -> list[str]:
    """`deliver` under the store's run lock, waiting for a run or another send that holds it:
    two sends started at once reach each recipient once."""
    path = store_path(config, db)
    with run_lock(path, wait=True), Store(path) as store:
        return deliver(
            config, store, day, channels=channels, name=name, force=force, on_line=on_line
        )


def hold_broken_day(config: Config, store: Store, day: str) -> None:
    """Refuse to publish a day most of whose papers have no summary (an outage, a spent quota):
    readers would get a page of notices. DeliveryError names the cause."""
    digest = store.digests.load(day)
    if digest is None or not digest.entries:
        return
    missing = [e for e in digest.entries if e.summary is None or not e.summary.usable]
    share = len(missing) / len(digest.entries)
    if share <= config.hold_delivery_above:
        return
    causes = sorted({e.summary.error for e in missing if e.summary and e.summary.error})
    flying = [j.batch_id or j.file_id for j in store.batches.in_flight(day)]
    if flying:  # `--no-wait`, or a batch that outlasted the run's wait
        causes.insert(0, f"a batch is still in flight ({', '.join(flying)})")
    cause = f"; the cause: {causes[0]}" if causes else ""
    raise DeliveryError(
        f"held the delivery of {day}: {len(missing)} of {len(digest.entries)} papers have no "
        f"summary (more than {config.hold_delivery_above:.0%}){cause}. The Markdown is written; "
        "run again once the model is back, or publish anyway with --deliver-anyway"
    )


# -- the daily job -------------------------------------------------------------------------------


@dataclass
class DayReport:
    """What one `run_day` did, stage by stage (None: the stage did not run)."""

    fetch: FetchReport | None = None
    rank: RankReport | None = None
    summarize: SummarizeReport | None = None
    markdown: Path | None = None
    site: Rendered | None = None
    delivered: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    on_line: Echo | None = None  # hears each line the moment its stage is done

    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)
        if self.on_line is not None:
            for line in lines:
                self.on_line(line)

    @property
    def date(self) -> str | None:
        return self.fetch.date if self.fetch else None


def run_day(
    config: Config,
    date: str | None = None,
    *,
    deliver: bool = False,
    deliver_anyway: bool = False,
    out_dir: Path | None = None,
    budget: Budget | None = None,
    db: str | Path | None = None,
    wait: bool = False,
    client: PoliteClient | None = None,
    progress: Progress | None = None,
    on_line: Echo | None = None,
) -> DayReport:
    """Fetch, rank, summarize and render one announcement day; with `deliver`, also build the
    site and send the configured email and webhooks. Safe to run again: what is done is kept and
    nothing is sent twice. Holds the store's run lock (LockedError if another run has it, or
    wait for it with `wait`)."""

    report = DayReport(on_line=on_line)

    out = out_dir or config.output_dir
    path = store_path(config, db)
    with run_lock(path, wait=wait), Store(path) as store:
        report.fetch = fetch(config, store, day=date, client=client)
        report.emit(*report.fetch.lines())
        day = report.fetch.date
        if report.fetch.status == "empty" or day is None:
            return report
        report.rank = rank(config, store, day)
        if report.rank is not None:
            report.emit(*report.rank.lines()[:2])
        report.summarize = summarize(config, store, day, budget=budget, progress=progress)
        report.emit(*report.summarize.lines())
        if report.summarize.stopped is not None:  # the endpoint cannot serve this run
            raise report.summarize.stopped
        if config.check.verify:  # fact-check the new summaries against their abstracts
            checked = verify(config, store, day)
            report.emit(*checked.lines())
            if checked.stopped is not None:
                raise checked.stopped
        if not store.digests.has(day):
            raise NotFoundError(f"no paper of {day} matches {', '.join(config.categories)}")
        markdown = render(config, store, "markdown", day=day, out_dir=out)
        report.markdown = markdown.target
        report.emit(*markdown.lines)
        if deliver and not deliver_anyway:
            hold_broken_day(config, store, day)
        if deliver:
            report.site = render(config, store, "html", out_dir=out)
            report.emit(*report.site.lines)
            report.delivered = send(config, store, day, on_line=report.emit)
        # the day is rendered (and delivered, when held back by nothing); the exit code still
        # says that papers failed for good, or that every one tried failed
        failure = report.summarize.outcome()
        if failure is not None:
            raise failure
    return report


def demo(
    config: Config,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    on_line: Echo | None = None,
) -> DayReport:
    """The whole pipeline offline on the bundled day of real papers, in a throw-away store:
    load, summarize with the configured backend (extractive unless one is set), render."""
    import tempfile
    import time

    from arxiv_digest.fetch.sections import build_digest
    from arxiv_digest.sources.sample import load_sample, store_sample

    started = time.monotonic()
    report = DayReport(on_line=on_line)
    emit = report.emit

    if "backend" not in config.summarizer.model_fields_set:
        emit(
            "No summarizer configured: using the offline extractive backend "
            "(it quotes the abstract's own sentences)."
        )
    sample = load_sample()
    with tempfile.TemporaryDirectory(prefix="arxiv-digest-demo-") as tmp:
        with Store(Path(tmp) / "demo.db") as store:
            store_sample(store, sample)
            count = build_digest(
                store, sample.date, sample.categories, language=config.language, source="demo"
            )
            cats = ", ".join(sample.categories)
            emit(f"Loaded {count} papers announced on {sample.date} ({cats}).")
            report.summarize = summarize(config, store, sample.date, progress=progress)
            markdown = render(config, store, "markdown", day=sample.date, out_dir=out_dir)
    report.markdown = markdown.target
    emit(*report.summarize.lines())
    emit(f"Digest written to {markdown.target} in {time.monotonic() - started:.1f} s")
    return report


def batch_days(store: Store, day: str | None, start: str | None, end: str | None) -> list[str]:
    """The stored days a batch covers: one day (default: the latest), or those from `start`
    to `end`."""
    if start or end:
        if not (start and end) or start > end:
            raise UsageError("--from and --to go together, --from first")
        days = [d for d in sorted(store.digests.dates()) if start <= d <= end]
        if not days:
            raise NotFoundError(f"no stored day from {start} to {end}")
        return days
    return [day or latest_day(store)]
