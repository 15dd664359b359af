"""A day's summaries through a provider's Batch API (OpenAI's Files and Batches endpoints,
served by OpenAI, Qwen/DashScope, Together, Kimi, DeepInfra, SGLang), at the batch price.

`arxiv-digest batch run [--date D] [--no-wait]`: the day's requests (those `batch export` would
write) are uploaded and the upload is recorded in the store, then the batch is created and
recorded, then it is polled with backoff until it ends; its output and error files go through
`batch import`. A run killed at any moment resumes on the next start: an upload without a batch
is reused, a batch in flight is polled again, so no paper is uploaded twice. A batch that
fails, expires or is cancelled leaves its papers pending, its cause recorded and shown; lines
that failed or need a repair are asked again by the next `batch run` (a follow-up batch of
just those) or by a live `summarize`.
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import openai

from arxiv_digest.config import Config
from arxiv_digest.errors import ConfigError, SummarizeError, redact
from arxiv_digest.store import Store
from arxiv_digest.store.batches import BatchJob
from arxiv_digest.summarize.batch import (
    ImportReport,
    batch_model,
    export_requests,
    import_results,
)
from arxiv_digest.summarize.prompt import PROMPT_VERSION

#: Polls start this often and slow down by half each time, up to POLL_MAX.
POLL_FIRST, POLL_MAX = 10.0, 300.0
ENDS = ("completed", "failed", "expired", "cancelled")
#: The Batch API's limits for one batch.
MAX_LINES, MAX_BYTES = 50_000, 100 * 1024 * 1024


def split_lines(lines: list[str], max_lines: int, max_bytes: int) -> list[list[str]]:
    """Request lines in batches of at most `max_lines` lines and `max_bytes` bytes."""
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        length = len(line.encode("utf-8")) + 1
        if current and (len(current) == max_lines or size + length > max_bytes):
            chunks.append(current)
            current, size = [], 0
        current.append(line)
        size += length
    if current:
        chunks.append(current)
    return chunks


@dataclass
class BatchRunReport:
    submitted: int = 0  # papers uploaded by this run
    resumed: int = 0  # batches found in flight and polled again
    imported: list[ImportReport] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)  # "batch_1: expired: ..." for the ones lost
    waiting: list[str] = field(default_factory=list)  # batch ids left in flight (--no-wait)

    def lines(self) -> list[str]:
        out = []
        if self.submitted:
            out.append(f"uploaded {self.submitted} requests")
        if self.resumed:
            out.append(f"resumed {self.resumed} batch(es) already submitted")
        for report in self.imported:
            out += report.lines()
        for ended in self.ended:
            out.append(f"batch {ended}; its papers stay pending for the next run")
        if self.waiting:
            out.append(f"in flight: {', '.join(self.waiting)} (the next `batch run` collects)")
        if not out:
            out.append("nothing to ask: every paper has its summary")
        return out


def _client(config: Config) -> tuple[openai.AsyncOpenAI, tuple[str, ...]]:
    settings = config.summarizer
    key = os.environ.get(settings.api_key_env, "")
    if not key and settings.base_url is None:
        raise ConfigError(f"the Batch API needs a key in {settings.api_key_env}")
    key = key or "not-needed"
    client = openai.AsyncOpenAI(
        api_key=key, base_url=settings.base_url, timeout=settings.timeout, max_retries=0
    )
    return client, (key, f"Bearer {key}")


async def run_batch_day(
    store: Store,
    config: Config,
    date: str,
    *,
    wait: bool = True,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    max_polls: int = 10_000,
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_BYTES,
) -> BatchRunReport:
    model = batch_model(config, None)
    language = config.language
    client, secrets = _client(config)
    report = BatchRunReport()

    async def patiently(call: Callable[[], Awaitable[object]]) -> object:
        """A call retried on 5xx, 429 and network errors with growing waits; 4xx stop."""
        wait_s = 1.0
        for attempt in range(6):
            try:
                return await call()
            except (
                openai.APIConnectionError,
                openai.APITimeoutError,
                openai.InternalServerError,
                openai.RateLimitError,
            ) as exc:
                if attempt == 5:
                    raise SummarizeError(f"the Batch API: {redact(str(exc), *secrets)}") from None
                await sleep(wait_s)
                wait_s = min(wait_s * 2, 60.0)
            except openai.APIStatusError as exc:
                raise SummarizeError(
                    f"the Batch API refused (HTTP {exc.status_code}): {redact(str(exc), *secrets)}"
                ) from None
        raise AssertionError("unreachable")

    try:
        jobs = [
            j
            for j in store.batches.in_flight(date)
            if (j.model, j.language, j.prompt_version) == (model, language, PROMPT_VERSION)
        ]
        report.resumed = sum(1 for j in jobs if j.batch_id)
        if not jobs:
            buffer = io.StringIO()
            export_requests(store, config, [date], buffer)
            for chunk in split_lines(buffer.getvalue().splitlines(), max_lines, max_bytes):
                data = "".join(line + "\n" for line in chunk).encode("utf-8")
                upload: Callable[[], Awaitable[object]] = partial(
                    client.files.create, file=("requests.jsonl", data), purpose="batch"
                )
                uploaded = await patiently(upload)
                file_id = uploaded.id  # type: ignore[attr-defined]
                # recorded before anything else: a kill from here on reuses this upload
                store.batches.add(date, model, language, PROMPT_VERSION, file_id, len(chunk))
                report.submitted += len(chunk)
            jobs = store.batches.in_flight(date)
        for job in jobs:
            if job.batch_id is None:
                await _create(job, store, client, patiently)
        jobs = store.batches.in_flight(date)
        if not wait:
            report.waiting = [j.batch_id or f"upload {j.file_id}" for j in jobs]
            return report
        for job in jobs:
            await _follow(job, store, config, client, patiently, sleep, report, max_polls)
    finally:
        await client.close()
    return report


async def _create(
    job: BatchJob,
    store: Store,
    client: openai.AsyncOpenAI,
    patiently: Callable[[Callable[[], Awaitable[object]]], Awaitable[object]],
) -> None:
    batch = await patiently(
        lambda: client.batches.create(
            input_file_id=job.file_id, endpoint="/v1/chat/completions", completion_window="24h"
        )
    )
    store.batches.update(job.id, batch.status, batch_id=batch.id)  # type: ignore[attr-defined]


async def _follow(
    job: BatchJob,
    store: Store,
    config: Config,
    client: openai.AsyncOpenAI,
    patiently: Callable[[Callable[[], Awaitable[object]]], Awaitable[object]],
    sleep: Callable[[float], Awaitable[None]],
    report: BatchRunReport,
    max_polls: int,
) -> None:
    assert job.batch_id is not None
    batch_id = job.batch_id
    pause = POLL_FIRST
    for _ in range(max_polls):
        batch = await patiently(lambda: client.batches.retrieve(batch_id))
        status = str(batch.status)  # type: ignore[attr-defined]
        if status not in ENDS:
            store.batches.update(job.id, status)
            await sleep(pause)
            pause = min(pause * 1.5, POLL_MAX)
            continue
        if status != "completed":
            errors = getattr(getattr(batch, "errors", None), "data", None) or []
            cause = "; ".join(str(getattr(e, "message", e)) for e in errors) or status
            store.batches.update(job.id, status, error=cause)
            report.ended.append(f"{batch_id}: {status}: {cause}")
            return
        with tempfile.TemporaryDirectory(prefix="arxiv-digest-batch-") as tmp:
            for name in ("output_file_id", "error_file_id"):
                file_id = getattr(batch, name, None)
                if not file_id:
                    continue
                fetch: Callable[[], Awaitable[object]] = partial(client.files.content, file_id)
                content = await patiently(fetch)
                path = Path(tmp) / f"{name}.jsonl"
                path.write_bytes(content.read())  # type: ignore[attr-defined]
                report.imported.append(await import_results(store, config, path, [job.date]))
        store.batches.update(job.id, "collected")
        return
    report.waiting.append(batch_id)
