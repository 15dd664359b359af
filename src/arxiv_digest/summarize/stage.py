"""The summarize stage: every paper of a stored digest gets a summary, once.

Summaries are cached under (paper, version, model, language, prompt version): a paper whose key is
stored costs nothing. Each finished summary is committed the moment it arrives, so an interrupted
run loses nothing and the next run does only what is missing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from arxiv_digest.errors import NotFoundError
from arxiv_digest.models import DigestEntry, Summary, SummaryKey
from arxiv_digest.store import Store
from arxiv_digest.summarize.base import Summarizer, SummaryResult


@dataclass
class SummarizeReport:
    total: int = 0
    ok: int = 0
    failed: int = 0
    cached: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.ok + self.failed

    @property
    def papers_per_minute(self) -> float:
        return 60.0 * self.done / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        return [
            f"summaries: {self.ok} ok, {self.failed} failed, {self.cached} cached "
            f"(of {self.total} papers)",
            f"tokens: {self.tokens_in} in, {self.tokens_out} out",
            f"time: {self.seconds:.1f} s ({self.papers_per_minute:.1f} papers/min)",
        ]


def _keep(entry: DigestEntry, summarizer: Summarizer, retry_failed: bool) -> bool:
    """Does the entry's current summary stand? Extractive ones yield to a real model."""
    current = entry.summary
    if current is None:
        return False
    if current.status == "ok":
        return current.backend != "extractive" or summarizer.backend == "extractive"
    return not retry_failed  # failed ones wait for --retry-failed


def plan(
    store: Store, date: str, summarizer: Summarizer, language: str, *, retry_failed: bool = False
) -> tuple[list[DigestEntry], int]:
    """The entries of `date` that need a backend call, and how many were served from the cache."""
    digest = store.load_digest(date)
    if digest is None:
        raise NotFoundError(f"no digest stored for {date}: fetch or import that day first")
    out_language = summarizer.output_language(language)
    pending: list[DigestEntry] = []
    cached = 0
    for entry in digest.entries:
        if _keep(entry, summarizer, retry_failed):
            cached += 1
            continue
        key = SummaryKey(
            entry.paper.id,
            entry.paper.version,
            summarizer.model,
            out_language,
            summarizer.prompt_version,
        )
        found = store.get_summary(key)
        if (
            found is not None
            and found.id is not None
            and (found.status == "ok" or not retry_failed)
        ):
            store.set_entry_summary(date, entry.paper.id, found.id)
            cached += 1
            continue
        pending.append(entry)
    return pending, cached


async def summarize_day(
    store: Store,
    date: str,
    summarizer: Summarizer,
    language: str,
    *,
    concurrency: int = 8,
    retry_failed: bool = False,
    on_done: Callable[[Summary], None] | None = None,
) -> SummarizeReport:
    """Summarize every paper of the stored digest of `date` that has no usable summary yet."""
    started = time.monotonic()
    pending, cached = plan(store, date, summarizer, language, retry_failed=retry_failed)
    report = SummarizeReport(total=len(pending) + cached, cached=cached)
    out_language = summarizer.output_language(language)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(entry: DigestEntry) -> None:
        async with gate:
            began = time.monotonic()
            try:
                result = await summarizer.summarize(entry.paper, language)
            except Exception as exc:  # a backend bug must not sink the run
                result = SummaryResult(None, error=f"{type(exc).__name__}: {exc}")
            took = time.monotonic() - began
        summary = Summary(
            paper_id=entry.paper.id,
            version=entry.paper.version,
            backend=summarizer.backend,
            model=summarizer.model,
            language=out_language,
            prompt_version=summarizer.prompt_version,
            status="ok" if result.ok else "failed",
            fields=result.fields,
            error=result.error,
            tokens_in=result.tokens_in,
            tokens_out=result.tokens_out,
            seconds=round(took, 3),
        )
        with store.transaction():
            summary_id = store.save_summary(summary)
            store.set_entry_summary(date, entry.paper.id, summary_id)
        if result.ok:
            report.ok += 1
        else:
            report.failed += 1
            report.errors.append(f"{entry.paper.id}: {result.error}")
        report.tokens_in += result.tokens_in
        report.tokens_out += result.tokens_out
        if on_done is not None:
            on_done(summary)

    try:
        await asyncio.gather(*(one(entry) for entry in pending))
    finally:
        report.seconds = time.monotonic() - started
    return report
