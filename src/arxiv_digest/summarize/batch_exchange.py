"""The exchange with a provider's Batch API for one day: request files cut to the API's limits,
uploads and batches recorded the moment they exist, polling with backoff, answers downloaded
and imported. `batch_api.py` decides what to send and when; this module talks to the API, every
call through the shared retry policy."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO

import openai

from arxiv_digest.config import Config, SummarizerConfig
from arxiv_digest.errors import ConfigError, SummarizeError, redact, remember_secret
from arxiv_digest.retry import RetryPolicy, TooLong, Transient, parse_retry_after
from arxiv_digest.store import Store
from arxiv_digest.store.batches import BatchJob
from arxiv_digest.summarize.batch import ImportReport, import_results
from arxiv_digest.summarize.prompt import PROMPT_VERSION
from arxiv_digest.summarize.report import Progress, SummarizeReport, ticks

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


def client_for(settings: SummarizerConfig) -> tuple[openai.AsyncOpenAI, tuple[str, ...]]:
    key = os.environ.get(settings.api_key_env, "")
    if not key and settings.base_url is None:
        raise ConfigError(f"the Batch API needs a key in {settings.api_key_env}")
    key = key or "not-needed"
    remember_secret(key)
    client = openai.AsyncOpenAI(
        api_key=key, base_url=settings.base_url, timeout=settings.timeout, max_retries=0
    )
    return client, (key, f"Bearer {key}")


def patient(
    secrets: tuple[str, ...], sleep: Callable[[float], Awaitable[None]], deadline: float
) -> Patient:
    """Each call through the shared retry policy (`retry.py`): 5xx, 429 and network errors are
    retried with growing waits, or after the server's Retry-After when it gives one within
    `deadline`; other refusals stop at once. Each try ends within `deadline` seconds, its answer
    included (an upload or a download that trickles is cut off there, as a timeout)."""
    policy = RetryPolicy(attempts=6, max_wait=deadline)

    async def once(call: Call) -> object:
        try:
            async with asyncio.timeout(deadline):
                return await call()
        except TimeoutError:
            raise Transient(f"no full answer within {deadline:g} s") from None
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            raise Transient(redact(str(exc), *secrets)) from None
        except (openai.InternalServerError, openai.RateLimitError) as exc:
            after = parse_retry_after(exc.response.headers.get("retry-after"))
            raise Transient(redact(str(exc), *secrets), after) from None
        except openai.APIStatusError as exc:
            raise SummarizeError(
                f"the Batch API refused (HTTP {exc.status_code}): {redact(str(exc), *secrets)}"
            ) from None
        except (ValueError, RecursionError):  # the SDK reading an answer that is not JSON
            raise SummarizeError(
                "the Batch API answered with something that is not JSON (or not UTF-8); "
                "the day's papers stay pending for the next run"
            ) from None

    async def patiently(call: Call) -> object:
        try:
            return await policy.acall(partial(once, call), sleep=sleep)
        except TooLong as exc:
            raise SummarizeError(
                f"the Batch API asked to wait {exc.wait:g} s, longer than this run's "
                f"{deadline:g} s: {exc.problem}"
            ) from None
        except Transient as exc:
            raise SummarizeError(f"the Batch API: {exc.problem}") from None

    return patiently


@dataclass
class Exchange:
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
    #: what the batches ask: summaries (their prompt version), or another kind of request
    #: (deep reads: their own prompt version) whose answers `importer` stores
    prompt_version: str = PROMPT_VERSION
    importer: Callable[[list[Path]], Awaitable[None]] | None = None

    def mine(self) -> list[BatchJob]:
        wanted = (self.model, self.config.language, self.prompt_version)
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
                self.date, self.model, self.config.language, self.prompt_version, file_id, lines
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
            if paths and self.importer is not None:
                await self.importer(paths)
            elif paths:
                imported = await import_results(self.store, self.config, paths, [self.date])
                self.report.imported.append(imported)

    async def _download(self, file_id: str, path: Path) -> None:
        async with self.client.files.with_streaming_response.content(file_id) as response:
            await response.stream_to_file(path)
