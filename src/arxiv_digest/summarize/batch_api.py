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
import os
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO

import openai

from arxiv_digest.config import Config, SummarizerConfig
from arxiv_digest.errors import (
    ConfigError,
    NotFoundError,
    SummarizeError,
    redact,
    remember_secret,
)
from arxiv_digest.lock import run_lock
from arxiv_digest.models import Paper
from arxiv_digest.store import Store
from arxiv_digest.store.batches import BatchJob
from arxiv_digest.summarize.base import DaySummarizer, Reply, Summarizer, SummaryResult
from arxiv_digest.summarize.batch import (
    BATCH_BACKEND,
    ImportReport,
    batch_model,
    export_requests,
    import_results,
)
from arxiv_digest.summarize.prompt import PROMPT_VERSION
from arxiv_digest.summarize.report import Budget, Progress, SummarizeReport, ticks
from arxiv_digest.summarize.stage import summarize_day

#: Polls start this often and slow down by half each time, up to POLL_MAX.
POLL_FIRST, POLL_MAX = 10.0, 300.0
ENDS = ("completed", "failed", "expired", "cancelled")
#: The Batch API's limits for one batch.
MAX_LINES, MAX_BYTES = 50_000, 100 * 1024 * 1024

Call = Callable[[], Awaitable[object]]
Patient = Callable[[Call], Awaitable[object]]


class Chunks:
    """Request lines written straight into files of at most `max_lines` lines and `max_bytes`
    bytes each, one per batch: a 20,000-paper day never sits in memory whole."""

    def __init__(self, folder: Path, max_lines: int, max_bytes: int) -> None:
        self.folder, self.max_lines, self.max_bytes = folder, max_lines, max_bytes
        self.files: list[tuple[Path, int, int]] = []  # (file, lines, bytes)
        self._handle: BinaryIO | None = None

    def write(self, text: str, /) -> int:
        data = text.encode("utf-8")
        if self._handle is None or (
            self.files[-1][1] == self.max_lines or self.files[-1][2] + len(data) > self.max_bytes
        ):
            self.close()
            path = self.folder / f"requests-{len(self.files) + 1}.jsonl"
            self._handle = path.open("wb")
            self.files.append((path, 0, 0))
        self._handle.write(data)
        path, lines, size = self.files[-1]
        self.files[-1] = (path, lines + text.count("\n"), size + len(data))
        return len(text)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


@dataclass
class BatchRunReport:
    submitted: int = 0  # papers uploaded by this run
    batches: list[tuple[int, int]] = field(default_factory=list)  # (lines, bytes) per upload
    rounds: int = 0  # batches waited for in turn: the first, then follow-ups of failed lines
    resumed: int = 0  # batches found in flight and polled again
    imported: list[ImportReport] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)  # "batch_1: expired: ..." for the ones lost
    waiting: list[str] = field(default_factory=list)  # batch ids left in flight
    repaired: SummarizeReport | None = None  # the live calls of --repair-live
    held: int = 0  # failed papers whose retry time has not come
    #: papers whose batch line failed twice for the same reason: sent in no further batch
    repeated: dict[str, str] = field(default_factory=dict)
    #: the day's tally, as the live stage reports it
    summary: SummarizeReport = field(default_factory=SummarizeReport)

    def notes(self) -> list[str]:
        """What the batches did (the summary lines say what the day has)."""
        out = []
        if self.submitted:
            sizes = ", ".join(f"{n} lines {b / 1e6:.2f} MB" for n, b in self.batches)
            out.append(
                f"uploaded {self.submitted} requests in {len(self.batches)} batch(es) ({sizes})"
            )
        if self.resumed:
            out.append(f"resumed {self.resumed} batch(es) already submitted")
        if self.rounds > 1:
            out.append(f"{self.rounds - 1} follow-up batch(es) for lines that failed")
        out += [f"batch {ended}; its papers stay pending for the next run" for ended in self.ended]
        if self.repaired is not None:
            live = self.repaired
            out.append(
                f"asked live (--repair-live): {live.ok} ok, {live.failed} failed, "
                f"{live.tokens_in} tokens in, {live.tokens_out} out"
            )
        if self.held:
            out.append(f"{self.held} failed papers wait for their retry time (see `failures`)")
        if self.waiting:
            out.append(
                f"in flight: {', '.join(self.waiting)} (the next `summarize` or `run` collects)"
            )
        return out

    def lines(self) -> list[str]:
        out = self.notes()
        if not out and not self.summary.ok and not self.summary.failed:
            out.append("nothing to ask: every paper has its summary")
        return out + self.summary.lines()


def _client(settings: SummarizerConfig) -> tuple[openai.AsyncOpenAI, tuple[str, ...]]:
    key = os.environ.get(settings.api_key_env, "")
    if not key and settings.base_url is None:
        raise ConfigError(f"the Batch API needs a key in {settings.api_key_env}")
    key = key or "not-needed"
    remember_secret(key)
    client = openai.AsyncOpenAI(
        api_key=key, base_url=settings.base_url, timeout=settings.timeout, max_retries=0
    )
    return client, (key, f"Bearer {key}")


def _patient(
    secrets: tuple[str, ...], sleep: Callable[[float], Awaitable[None]], deadline: float
) -> Patient:
    async def patiently(call: Call) -> object:
        """A call retried on 5xx, 429 and network errors with growing waits; 4xx stop. Each
        try ends within `deadline` seconds, its answer included (an upload or a download that
        trickles is cut off there, as a timeout)."""
        wait_s = 1.0
        for attempt in range(6):
            try:
                async with asyncio.timeout(deadline):
                    return await call()
            except (
                TimeoutError,
                openai.APIConnectionError,
                openai.APITimeoutError,
                openai.InternalServerError,
                openai.RateLimitError,
            ) as exc:
                if attempt == 5:
                    said = (
                        f"no full answer within {deadline:g} s"
                        if isinstance(exc, TimeoutError)
                        else redact(str(exc), *secrets)
                    )
                    raise SummarizeError(f"the Batch API: {said}") from None
                await sleep(wait_s)
                wait_s = min(wait_s * 2, 60.0)
            except openai.APIStatusError as exc:
                raise SummarizeError(
                    f"the Batch API refused (HTTP {exc.status_code}): {redact(str(exc), *secrets)}"
                ) from None
            except (ValueError, RecursionError):  # the SDK reading an answer that is not JSON
                raise SummarizeError(
                    "the Batch API answered with something that is not JSON (or not UTF-8); "
                    "the day's papers stay pending for the next run"
                ) from None
        raise AssertionError("unreachable")

    return patiently


@dataclass
class _Run:
    """One run over one day: its settings, its client and what it has done so far."""

    store: Store
    config: Config
    date: str
    model: str
    client: openai.AsyncOpenAI
    patiently: Patient
    sleep: Callable[[float], Awaitable[None]]
    clock: Callable[[], float]
    deadline: float
    progress: Progress | None
    report: BatchRunReport

    def mine(self) -> list[BatchJob]:
        wanted = (self.model, self.config.language, PROMPT_VERSION)
        return [
            j
            for j in self.store.batches.in_flight(self.date)
            if (j.model, j.language, j.prompt_version) == wanted
        ]

    async def submit(self, chunks: Chunks) -> None:
        for path, lines, size in chunks.files:
            with path.open("rb") as handle:  # streamed to the server, not read into memory
                upload: Call = partial(
                    self.client.files.create, file=(path.name, handle), purpose="batch"
                )
                uploaded = await self.patiently(upload)
            file_id = str(uploaded.id)  # type: ignore[attr-defined]
            # recorded before anything else: a kill from here on reuses this upload
            self.store.batches.add(
                self.date, self.model, self.config.language, PROMPT_VERSION, file_id, lines
            )
            self.report.submitted += lines
            self.report.batches.append((lines, size))

    async def create(self, job: BatchJob) -> None:
        """The batch of an upload: one found on the server (created just before a kill, or by a
        creation whose answer was lost), else a new one; recorded at once."""
        found = await self._created_for(job.file_id)
        if found is None:
            found = await self.patiently(self._create_once(job.file_id))
        self.store.batches.update(job.id, str(found.status), batch_id=str(found.id))  # type: ignore[attr-defined]

    def _create_once(self, file_id: str) -> Call:
        tried = False

        async def call() -> object:
            nonlocal tried
            if tried:  # a retry: the last try may have created it before its answer was lost
                again = await self._created_for(file_id)
                if again is not None:
                    return again
            tried = True
            return await self.client.batches.create(
                input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h"
            )

        return call

    async def _created_for(self, file_id: str) -> object | None:
        listing: Call = partial(self.client.batches.list, limit=100)
        page = await self.patiently(listing)
        for batch in getattr(page, "data", None) or []:
            if getattr(batch, "input_file_id", None) == file_id:
                return batch  # type: ignore[no-any-return]
        return None

    async def follow(self, jobs: list[BatchJob]) -> None:
        """Poll the jobs until each ends (or the deadline comes), and import what they answer."""
        with ticks(self.progress, sum(j.papers for j in jobs)) as tick:
            for job in jobs:
                await self._follow(job, tick)

    async def _follow(self, job: BatchJob, tick: Callable[[], None]) -> None:
        assert job.batch_id is not None
        batch_id = job.batch_id
        pause, counted = POLL_FIRST, 0
        while True:
            batch = await self.patiently(partial(self.client.batches.retrieve, batch_id))
            status = str(batch.status)  # type: ignore[attr-defined]
            counts = getattr(batch, "request_counts", None)
            answered = (getattr(counts, "completed", 0) or 0) + (getattr(counts, "failed", 0) or 0)
            for _ in range(max(0, min(answered, job.papers) - counted)):
                tick()
            counted = max(counted, answered)
            if status not in ENDS:
                self.store.batches.update(job.id, status)
                if self.clock() + pause > self.deadline:
                    self.report.waiting.append(batch_id)
                    return
                await self.sleep(pause)
                pause = min(pause * 1.5, POLL_MAX)
                continue
            if status != "completed":
                errors = getattr(getattr(batch, "errors", None), "data", None) or []
                cause = "; ".join(str(getattr(e, "message", e)) for e in errors) or status
                self.store.batches.update(job.id, status, error=cause)
                self.report.ended.append(f"{batch_id}: {status}: {cause}")
                return
            await self._collect(batch)
            self.store.batches.update(job.id, "collected")
            return

    async def _collect(self, batch: object) -> None:
        with tempfile.TemporaryDirectory(prefix="arxiv-digest-batch-") as tmp:
            paths = []
            for name in ("output_file_id", "error_file_id"):
                file_id = getattr(batch, name, None)
                if not file_id:
                    continue
                path = Path(tmp) / f"{name}.jsonl"
                await self.patiently(partial(self._download, str(file_id), path))
                paths.append(path)
            if paths:
                imported = await import_results(self.store, self.config, paths, [self.date])
                self.report.imported.append(imported)

    async def _download(self, file_id: str, path: Path) -> None:
        async with self.client.files.with_streaming_response.content(file_id) as response:
            await response.stream_to_file(path)


def _budget_hit(budget: Budget, spent: SummarizeReport, submitted: int) -> str | None:
    if budget.max_papers is not None and submitted >= budget.max_papers:
        return f"{budget.max_papers} papers"
    if budget.max_tokens is not None and spent.tokens_in + spent.tokens_out >= budget.max_tokens:
        return f"{budget.max_tokens} tokens"
    if budget.max_cost is not None and spent.cost is not None and spent.cost >= budget.max_cost:
        return f"${budget.max_cost:g}"
    return None


async def run_batch_day(
    store: Store,
    config: Config,
    date: str,
    *,
    wait: bool | None = None,
    repair_live: bool | None = None,
    only: set[str] | None = None,
    retry_failed: bool = False,
    redo: bool = False,
    budget: Budget | None = None,
    progress: Progress | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_BYTES,
) -> BatchRunReport:
    """Summarize the papers of `date` (or `only` those) through the Batch API; `wait` and
    `repair_live` default to the config's `batch_wait` and `repair_live`."""
    settings = config.summarizer
    wait = settings.batch_wait if wait is None else wait
    repair_live = settings.repair_live if repair_live is None else repair_live
    budget = budget or Budget()
    started = clock()
    hours = settings.batch_wait_hours * 3600
    limit = min(hours, budget.max_minutes * 60) if budget.max_minutes is not None else hours
    client, secrets = _client(settings)
    report = BatchRunReport()
    run = _Run(
        store,
        config,
        date,
        batch_model(config, None),
        client,
        _patient(secrets, sleep, settings.timeout * 5),
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
                hit = _budget_hit(budget, spent, report.submitted)
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
        only=failed,
        retry_failed=True,
        concurrency=config.summarizer.concurrency or live.default_concurrency,
        prices=config.summarizer.prices,
        budget=Budget(max_tokens=budget.max_tokens, max_cost=budget.max_cost),
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
    store: Store, config: Config, model: str, date: str, only: set[str] | None
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
        *,
        only: set[str] | None = None,
        retry_failed: bool = False,
        redo: bool = False,
        budget: Budget | None = None,
        progress: Progress | None = None,
    ) -> SummarizeReport:
        report = await run_batch_day(
            store,
            config,
            day,
            only=only,
            retry_failed=retry_failed,
            redo=redo,
            budget=budget,
            progress=progress,
        )
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
