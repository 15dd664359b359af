"""The daily job as a Python API: each stage callable on its own, returning a typed report
(`run_day(load_config()[0], deliver=True)` is the whole day; docs/guide/python.md shows more).

Each stage owns its entry point (`fetch.run`, `rank.run`, `summarize.run`, `check.run`,
`fulltext.run`, `render.run`, `deliver.run`); this module names them in one place and composes
them: `run_day` is them in order for one announcement day, `demo` the offline sample. Every stage
reads from and writes to the store, so each can be re-run alone. The plain forms work from a
script, a notebook cell or an async handler alike (`aio.run_sync`); `run_day_async`,
`summarize_async`, `verify_async` and the others are awaitable. Nothing here prints: stages return
reports, and `on_line` (when given) hears each line as soon as its stage is done.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from arxiv_digest.aio import threaded
from arxiv_digest.config import Config
from arxiv_digest.errors import NotFoundError
from arxiv_digest.lock import run_lock
from arxiv_digest.store import Store
from arxiv_digest.summarize.report import Budget, Progress, SummarizeOptions, SummarizeReport

if TYPE_CHECKING:
    from arxiv_digest.check.run import (
        CheckReport,
        VerifyReport,
        check,
        check_async,
        verify,
        verify_async,
    )
    from arxiv_digest.deliver.run import deliver, hold_broken_day, send_day
    from arxiv_digest.fetch import FetchReport
    from arxiv_digest.fetch.run import arxiv_client, backfill, fetch
    from arxiv_digest.fulltext.run import (
        ask,
        ask_async,
        deep_read_day,
        deep_read_day_async,
        read,
        read_async,
    )
    from arxiv_digest.rank.run import rank
    from arxiv_digest.rank.stage import RankReport
    from arxiv_digest.render.formats import Rendered
    from arxiv_digest.render.run import render
    from arxiv_digest.sources.http import PoliteClient
    from arxiv_digest.summarize.run import summarize, summarize_async

    fetch_async = threaded(fetch)
    rank_async = threaded(rank)
    render_async = threaded(render)
    deliver_async = threaded(deliver)

#: the stages' entry points, named here and loaded when first used: `arxiv-digest summarize`
#: starts without the feed parser, the ranker or the mail templates
_STAGES = {
    name: module
    for module, names in {
        "arxiv_digest.fetch.run": ("arxiv_client", "backfill", "fetch"),
        "arxiv_digest.rank.run": ("rank",),
        "arxiv_digest.summarize.run": ("summarize", "summarize_async"),
        "arxiv_digest.check.run": ("check", "check_async", "verify", "verify_async")
        + ("CheckReport", "VerifyReport"),
        "arxiv_digest.fulltext.run": ("read", "read_async", "ask", "ask_async")
        + ("deep_read_day", "deep_read_day_async"),
        "arxiv_digest.render.run": ("render",),
        "arxiv_digest.deliver.run": ("deliver", "send_day", "hold_broken_day"),
    }.items()
    for name in names
}
#: the blocking stages, awaitable: each runs on a worker thread (the summarize, check and verify
#: passes are coroutines of their own)
_THREADED = {f"{name}_async": name for name in ("fetch", "rank", "render", "deliver")}


def __getattr__(name: str) -> object:
    if name in _STAGES:
        found = getattr(importlib.import_module(_STAGES[name]), name)
    elif name in _THREADED:
        found = threaded(__getattr__(_THREADED[name]))  # type: ignore[arg-type]
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = found
    return found


__all__ = [
    "Budget",
    "SummarizeOptions",
    "CheckReport",
    "DayReport",
    "VerifyReport",
    "arxiv_client",
    "backfill",
    "check",
    "check_async",
    "deliver",
    "deliver_async",
    "demo",
    "demo_async",
    "fetch",
    "fetch_async",
    "hold_broken_day",
    "open_store",
    "rank",
    "rank_async",
    "render",
    "render_async",
    "run_day",
    "run_day_async",
    "send_day",
    "store_path",
    "summarize",
    "summarize_async",
    "verify",
    "verify_async",
    "read",
    "read_async",
    "ask",
    "ask_async",
    "deep_read_day",
    "deep_read_day_async",
]

Echo = Callable[[str], None]


def store_path(config: Config, db: str | Path | None = None) -> Path:
    """The store in use: `db`, else $ARXIV_DIGEST_DB, else the config's, else the default."""
    return config.store_path(db)


def open_store(config: Config, db: str | Path | None = None) -> Store:
    return Store(config.store_path(db))


@dataclass
class DayReport:
    """What one `run_day` did, stage by stage (None: the stage did not run)."""

    fetch: FetchReport | None = None
    rank: RankReport | None = None
    summarize: SummarizeReport | None = None
    outputs: dict[str, Rendered] = field(default_factory=dict)  # by format, in order
    delivered: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    on_line: Echo | None = None  # hears each line the moment its stage is done

    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)
        if self.on_line is not None:
            for line in lines:
                self.on_line(line)

    @property
    def markdown(self) -> Path | None:
        done = self.outputs.get("markdown")
        return done.target if done is not None else None

    @property
    def site(self) -> Rendered | None:
        return self.outputs.get("html")

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
    options: SummarizeOptions | None = None,
    db: str | Path | None = None,
    wait: bool = False,
    client: PoliteClient | None = None,
    on_line: Echo | None = None,
) -> DayReport:
    """Fetch, rank, summarize and render one announcement day; with `deliver`, also build the
    site and send the configured email and webhooks. Safe to run again: what is done is kept and
    nothing is sent twice. Holds the store's run lock (LockedError if another run has it, or
    wait for it with `wait`)."""

    from arxiv_digest.check.run import verify
    from arxiv_digest.deliver.run import deliver as deliver_day
    from arxiv_digest.deliver.run import hold_broken_day
    from arxiv_digest.fetch.run import fetch
    from arxiv_digest.fulltext.run import deep_read_day
    from arxiv_digest.rank.run import rank
    from arxiv_digest.render.run import render
    from arxiv_digest.summarize.run import summarize

    report = DayReport(on_line=on_line)

    out = out_dir or config.output_dir
    path = config.store_path(db)
    with run_lock(path, wait=wait), Store(path) as store:
        report.fetch = fetch(config, store, day=date, client=client)
        report.emit(*report.fetch.lines())
        day = report.fetch.date
        if report.fetch.status == "empty" or day is None:
            return report
        report.rank = rank(config, store, day)
        if report.rank is not None:
            report.emit(*report.rank.lines()[:2])
        report.summarize = summarize(config, store, day, options)
        report.emit(*report.summarize.lines())
        if report.summarize.stopped is not None:  # the endpoint cannot serve this run
            raise report.summarize.stopped
        if config.check.verify:  # fact-check the new summaries against their abstracts
            checked = verify(config, store, day)
            report.emit(*checked.lines())
            if checked.stopped is not None:
                raise checked.stopped
        if config.fulltext.top:  # the top papers (and the starred ones) read whole
            budget, spent = options.budget if options else None, report.summarize
            read = deep_read_day(config, store, day, client=client, budget=budget, spent=spent)
            report.emit(*read.lines())
        if not store.digests.has(day):
            raise NotFoundError(f"no paper of {day} matches {', '.join(config.categories)}")
        # the outputs (config.outputs; with --deliver the site the messages link to): the
        # Markdown first, the day's record; what is published waits for the hold's verdict
        outputs = [*config.outputs, *(["html"] if deliver and "html" not in config.outputs else [])]
        for fmt in sorted(outputs, key=lambda name: name != "markdown"):
            if fmt != "markdown" and deliver and not deliver_anyway:
                hold_broken_day(config, store, day)
            report.outputs[fmt] = render(config, store, fmt, day=day, out_dir=out)
            report.emit(*report.outputs[fmt].lines)
        if deliver:
            if not deliver_anyway:
                hold_broken_day(config, store, day)
            report.delivered = deliver_day(config, store, day, on_line=report.emit)
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
    from arxiv_digest.render.run import render
    from arxiv_digest.sources.sample import load_sample, store_sample
    from arxiv_digest.summarize.run import summarize

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
            report.summarize = summarize(
                config, store, sample.date, SummarizeOptions(progress=progress)
            )
            markdown = render(config, store, "markdown", day=sample.date, out_dir=out_dir)
    report.outputs["markdown"] = markdown
    emit(*report.summarize.lines())
    emit(f"Digest written to {markdown.target} in {time.monotonic() - started:.1f} s")
    return report


run_day_async = threaded(run_day)
demo_async = threaded(demo)
