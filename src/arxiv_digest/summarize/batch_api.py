"""The `batch` backend: a day's summaries through a provider's Batch API (OpenAI's Files and
Batches endpoints, served by OpenAI, Qwen/DashScope, Together, Kimi, DeepInfra, SGLang), at the
batch price.

`arxiv-digest summarize --backend batch` (or `run`, or `batch run`): the day's requests (those
`batch export` would write, the live backend's very requests) are uploaded and the upload is
recorded in the store, then the batch is created and recorded, then it is polled with backoff
until it ends; its output and error files go through `batch import`, validated and checked as
live answers are. A run killed at any moment resumes on the next start: an upload without a
batch is reused (or its batch found, if it was created just before the kill), a batch in flight
is polled again, so no paper is uploaded or paid for twice. A batch that fails, expires or is
cancelled leaves its papers pending, its cause recorded and shown. Lines that failed or need a
repair go into a follow-up batch of just those, up to `summarizer.max_attempts` batches a run,
or to live calls with `--repair-live`. `--no-wait` submits and exits; the next run collects.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections.abc import Awaitable, Callable, Collection
from pathlib import Path
from urllib.parse import urlsplit

from arxiv_digest.config import Config, SummarizerConfig
from arxiv_digest.errors import (
    ConfigError,
    NotFoundError,
    SummarizeError,
)
from arxiv_digest.lock import run_lock
from arxiv_digest.models import Paper
from arxiv_digest.store import Store
from arxiv_digest.summarize.base import DaySummarizer, Reply, Summarizer, SummaryResult
from arxiv_digest.summarize.batch import (
    BATCH_BACKEND,
    batch_model,
    export_requests,
)
from arxiv_digest.summarize.batch_exchange import (
    MAX_BYTES,
    MAX_LINES,
    BatchRunReport,
    Chunks,
    Exchange,
    client_for,
    patient,
)
from arxiv_digest.summarize.prompt import PROMPT_VERSION
from arxiv_digest.summarize.report import Budget, SummarizeOptions, SummarizeReport
from arxiv_digest.summarize.stage import summarize_day


async def run_batch_day(
    store: Store,
    config: Config,
    date: str,
    options: SummarizeOptions | None = None,
    *,
    wait: bool | None = None,
    repair_live: bool | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_BYTES,
) -> BatchRunReport:
    """Summarize the papers of `date` (or `options.only` those) through the Batch API; `wait`
    and `repair_live` default to the config's `batch_wait` and `repair_live`."""
    options = options or SummarizeOptions()
    budget, progress, only = options.budget, options.progress, options.only
    retry_failed, redo = options.retry_failed, options.redo
    settings = config.summarizer
    wait = settings.batch_wait if wait is None else wait
    repair_live = settings.repair_live if repair_live is None else repair_live
    started = clock()
    hours = settings.batch_wait_hours * 3600
    limit = min(hours, budget.max_minutes * 60) if budget.max_minutes is not None else hours
    client, secrets = client_for(settings)
    report = BatchRunReport()
    host = urlsplit(settings.base_url or "https://api.openai.com/v1").netloc
    report.summary.service = f"the Batch API {host} (model {batch_model(config, None)})"
    run = Exchange(
        store,
        config,
        date,
        batch_model(config, None),
        client,
        patient(secrets, sleep, settings.timeout * 5),
        sleep,
        clock,
        started + limit,
        progress,
        report,
    )
    spent = SummarizeReport()
    counted = 0  # imports already added to `spent`
    try:
        follow_up: set[str] | None = None
        last: dict[str, str] = {}  # each failed line's cause in the round before
        while True:
            jobs = run.mine()
            if report.rounds == 0:
                report.resumed = sum(1 for j in jobs if j.batch_id)
            if not jobs:
                if report.rounds >= settings.max_attempts:
                    break
                hit = budget.hit(spent, report.submitted)
                if hit:
                    report.summary.budget_hit = hit
                    break
            room = None if budget.max_papers is None else budget.max_papers - report.submitted
            # one submission at a time per store: two runs started at once upload once and
            # create one batch of each upload
            with (
                run_lock(store.path.with_name(store.path.name + ".batch"), wait=True),
                tempfile.TemporaryDirectory(prefix="arxiv-digest-batch-") as tmp,
            ):
                if not jobs and not run.mine():
                    chunks = Chunks(Path(tmp), max_lines, max_bytes)
                    exported = export_requests(
                        store,
                        config,
                        [date],
                        chunks,
                        only=follow_up if follow_up is not None else only,
                        retry_failed=retry_failed,
                        redo=redo and report.rounds == 0,
                        hurry=follow_up is not None,
                        limit=room,
                    )
                    if report.rounds == 0:
                        report.held = exported.held
                    if exported.left:
                        report.summary.budget_hit = f"{budget.max_papers} papers"
                    chunks.close()
                    await run.submit(chunks)
                for job in run.mine():
                    if job.batch_id is None:
                        await run.create(job)
            if not run.mine():
                break
            jobs = run.mine()
            if not wait:
                report.waiting = [j.batch_id or f"upload {j.file_id}" for j in jobs]
                break
            await run.follow(jobs)
            report.rounds += 1
            for imported in report.imported[counted:]:
                for done in imported.reports:
                    _add(spent, done)
            counted = len(report.imported)
            if report.waiting or report.ended:
                break
            states = _states(store, config, run.model, date, only)
            failed = {pid for pid, state in states.items() if state == "transient"}
            causes = _causes(store, date, run.model, failed)
            # a line that failed twice for the same reason would fail a third time: it goes
            # to --repair-live or waits for its cause to be fixed, not into another batch
            again = {p for p in failed if p in causes and last.get(p) == causes[p]}
            report.repeated.update({p: causes[p] for p in again if _lasting(causes[p])})
            last = causes
            failed -= set(report.repeated)
            if not failed or repair_live:
                break
            follow_up = failed
        if repair_live and wait and not report.waiting:
            states = _states(store, config, run.model, date, only)
            failed = {pid for pid, state in states.items() if state in ("transient", "failed")}
            if failed:
                report.repaired = await _repair(store, config, date, failed, budget)
        if report.repeated and not repair_live and report.summary.stopped is None:
            cause = next(iter(report.repeated.values()))
            report.summary.stopped = SummarizeError(
                f"{len(report.repeated)} batch lines failed twice for the same reason ({cause}); "
                "they are sent in no further batch: fix the cause, or ask them live with "
                "--repair-live"
            )
    except SummarizeError as exc:
        report.summary.stopped = exc
    finally:
        await client.close()
    _finish(report, spent, _states(store, config, run.model, date, only), clock() - started)
    return report


def _add(total: SummarizeReport, done: SummarizeReport) -> None:
    total.ok += done.ok
    total.tokens_in += done.tokens_in
    total.tokens_out += done.tokens_out
    total.cost = None if total.cost is None or done.cost is None else total.cost + done.cost
    for kind, n in done.warnings.items():
        total.warnings[kind] = total.warnings.get(kind, 0) + n


async def _repair(
    store: Store, config: Config, date: str, failed: set[str], budget: Budget
) -> SummarizeReport:
    """The papers whose batch lines failed, asked live (stored as the openai backend's, at the
    live price)."""
    from arxiv_digest.summarize.openai_backend import create

    live = create(config.summarizer)
    return await summarize_day(
        store,
        date,
        live,
        config.language,
        SummarizeOptions(
            retry_failed=True,
            budget=Budget(max_tokens=budget.max_tokens, max_cost=budget.max_cost),
            only=frozenset(failed),
        ),
        concurrency=config.summarizer.concurrency or live.default_concurrency,
        prices=config.summarizer.prices,
    )


def _lasting(cause: str) -> bool:
    """Will this batch line fail again for the same reason? A 4xx other than 408 and 429 (a
    malformed or refused request), an answer that needed a repair, a line the engine failed
    for a reason that names no timeout, rate limit or server error; not a 5xx."""
    status = re.search(r"answered (\d{3})", cause)
    if status:
        code = int(status.group(1))
        return 400 <= code < 500 and code not in (408, 429)
    return not re.search(r"(?i)time.?out|rate|server|overload|unavailable|try again", cause)


def _causes(store: Store, date: str, model: str, papers: set[str]) -> dict[str, str]:
    """Why each of these papers' last batch line failed, without the line's number."""
    digest = store.digests.load(date) if papers else None
    out: dict[str, str] = {}
    for entry in digest.entries if digest else ():
        summary = entry.summary
        if entry.paper.id in papers and summary is not None and summary.model == model:
            out[entry.paper.id] = re.sub(r" \[batch line [^\]]*\]$", "", summary.error or "")
    return out


def _states(
    store: Store, config: Config, model: str, date: str, only: Collection[str] | None
) -> dict[str, str]:
    """How each paper of the day (or `only` those) stands for this model and language."""
    states = store.digests.states(date, model, config.language, PROMPT_VERSION)
    if not states and not store.digests.has(date):
        raise NotFoundError(f"no digest stored for {date}: fetch or import that day first")
    return states if only is None else {k: v for k, v in states.items() if k in only}


def _finish(
    report: BatchRunReport, spent: SummarizeReport, after: dict[str, str], seconds: float
) -> None:
    summary = report.summary
    live = report.repaired
    states = list(after.values())
    summary.total = len(states)
    summary.ok = spent.ok + (live.ok if live else 0)
    summary.cached = max(0, states.count("ok") - summary.ok)
    summary.transient = states.count("transient")
    summary.failed = states.count("failed") + summary.transient
    summary.left = states.count("pending")
    summary.tokens_in = spent.tokens_in + (live.tokens_in if live else 0)
    summary.tokens_out = spent.tokens_out + (live.tokens_out if live else 0)
    costs = [spent.cost, live.cost if live else 0.0]
    summary.cost = None if None in costs else sum(c or 0.0 for c in costs)
    summary.warnings = dict(spent.warnings)
    if live is not None:
        for kind, n in live.warnings.items():
            summary.warnings[kind] = summary.warnings.get(kind, 0) + n
    summary.seconds = seconds


class BatchSummarizer(DaySummarizer):
    """`--backend batch`: the openai backend's requests, answered by a Batch API."""

    backend = BATCH_BACKEND
    needs_key = True
    prompt_version = PROMPT_VERSION
    default_concurrency = 8

    def __init__(self, settings: SummarizerConfig) -> None:
        if not settings.model:
            raise ConfigError(
                "the batch backend needs a model: set summarizer.model or pass --model"
            )
        self.settings = settings
        self.model = settings.model
        self._live: Summarizer | None = None

    def _live_backend(self) -> Summarizer:
        if self._live is None:
            from arxiv_digest.summarize.openai_backend import create

            self._live = create(self.settings)
        return self._live

    async def summarize_whole_day(
        self,
        store: Store,
        config: Config,
        day: str,
        options: SummarizeOptions,
    ) -> SummarizeReport:
        report = await run_batch_day(store, config, day, options)
        report.summary.notes = report.notes()
        return report.summary

    async def summarize(self, paper: Paper, language: str) -> SummaryResult:
        """One paper alone cannot go into a batch: it is asked live."""
        return await self._live_backend().summarize(paper, language)

    async def ask(self, messages: list[dict[str, str]]) -> Reply:
        """The verify pass's questions are asked live."""
        return await self._live_backend().ask(messages)

    async def aclose(self) -> None:
        if self._live is not None:
            await self._live.aclose()


def create(settings: SummarizerConfig) -> BatchSummarizer:
    return BatchSummarizer(settings)
