"""The summarize stage: every paper of a stored digest gets a summary, once.

Summaries are cached under (paper, version, model, language, prompt version): a paper whose key is
stored costs nothing. Each finished summary is committed the moment it arrives, so an interrupted
run (Ctrl-C, kill -9) loses nothing and the next run does only what is missing. Before calling a
backend the stage claims the paper in the store, so two runs on one store never pay for the same
paper twice. A budget (papers, tokens, money) stops the run cleanly and leaves the rest for the
next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import partial

from arxiv_digest.check import check_summary, warm_up
from arxiv_digest.config import Price
from arxiv_digest.errors import StoreError, SummarizeError
from arxiv_digest.models import IMPORT_BACKEND, DigestEntry, Summary, SummaryKey
from arxiv_digest.store import Store, claim_owner
from arxiv_digest.store.summaries import LEASE
from arxiv_digest.summarize.base import Summarizer, SummaryResult
from arxiv_digest.summarize.report import SummarizeOptions, SummarizeReport, ticks


def keeps(entry: DigestEntry, summarizer: Summarizer, language: str, retry_failed: bool) -> bool:
    """Does the entry's current summary stand? Not when it is in another language or by another
    model than the one asked for now (those stay cached under their own key, and come back when
    asked for again); an imported one stands for any model in its language; extractive ones
    yield to a real model."""
    current = entry.summary
    if current is None:
        return False
    if current.usable and summarizer.quotes and not current.quoted:
        return True  # the offline quotes never replace a model's (or an imported) summary
    if current.backend == IMPORT_BACKEND and not current.usable:
        return not retry_failed  # an imported failure, in whatever language, waits to be asked
    if current.language != summarizer.output_language(language):
        return False
    if (
        current.backend != IMPORT_BACKEND
        and not current.quoted
        and current.model != summarizer.model
    ):
        return False
    if current.status == "ok":
        return not current.quoted or summarizer.quotes
    # a failure of the paper's own waits for --retry-failed; one that may heal is retried by the
    # next ordinary run once its backoff has passed
    return not (retry_failed or due(current))


#: Seconds after its start that a run warms the checks up: its first requests are sent by then.
WARM_AFTER = 0.1

#: After the second failure in a row a paper waits before it is tried again, 1 min, 4 min, ...
BACKOFF_BASE = 60.0
BACKOFF_MAX = 6 * 3600.0


def retry_at(attempts: int, now: datetime | None = None) -> str | None:
    """When a paper whose call failed transiently `attempts` times may be tried again (None: at
    once; the first failure is retried by the very next run)."""
    if attempts < 2:
        return None
    wait = min(BACKOFF_MAX, BACKOFF_BASE * 4 ** (attempts - 2))
    return ((now or datetime.now(UTC)) + timedelta(seconds=wait)).isoformat(timespec="seconds")


def due(summary: Summary, now: datetime | None = None) -> bool:
    """Is this failed summary one the next ordinary run should try again now?"""
    if summary.status != "failed" or not summary.transient:
        return False
    if summary.retry_at is None:
        return True
    return datetime.fromisoformat(summary.retry_at) <= (now or datetime.now(UTC))


def _key(entry: DigestEntry, summarizer: Summarizer, language: str) -> SummaryKey:
    return SummaryKey(
        entry.paper.id,
        entry.paper.version,
        summarizer.model,
        summarizer.output_language(language),
        summarizer.prompt_version,
    )


def plan(
    store: Store,
    date: str,
    summarizer: Summarizer,
    language: str,
    options: SummarizeOptions,
) -> tuple[list[DigestEntry], int]:
    """The entries of `date` that need a backend call, and how many were served from the cache.

    `options.only` limits the work to those paper ids (the ranking's top K, say)."""
    only, redo, retry_failed = options.only, options.redo, options.retry_failed
    digest = store.digests.require(date, only=only)
    pending: list[DigestEntry] = []
    cached = 0
    for entry in digest.entries:
        if only is not None and entry.paper.id not in only:
            continue
        if not redo and keeps(entry, summarizer, language, retry_failed):
            cached += 1
            continue
        found = store.summaries.get(_key(entry, summarizer, language))
        if (
            not redo
            and found is not None
            and found.id is not None
            and (found.status == "ok" or not (retry_failed or due(found)))
        ):
            store.digests.attach(date, entry.paper.id, found.id)
            cached += 1
            continue
        pending.append(entry)
    return pending, cached


async def summarize_day(
    store: Store,
    date: str,
    summarizer: Summarizer,
    language: str,
    options: SummarizeOptions | None = None,
    *,
    concurrency: int = 8,
    prices: Mapping[str, Price] | None = None,
) -> SummarizeReport:
    """Summarize every paper of the stored digest of `date` that has no usable summary yet
    (`options`: which papers, what is asked again, the budget, progress)."""
    started = time.monotonic()
    options = options or SummarizeOptions()
    budget, progress, redo = options.budget, options.progress, options.redo
    price = (prices or {}).get(summarizer.model)
    restored = store.restore_unsaved()  # answers paid for by a run the disk stopped
    pending, cached = plan(store, date, summarizer, language, options)
    report = SummarizeReport(total=len(pending) + cached, cached=cached, restored=restored)
    report.service = summarizer.service
    if not summarizer.offline and price is None:
        report.cost = None
    owner = claim_owner()
    # a claim keeps two runs from paying for one paper; answers already in hand (a batch's
    # output file) are paid for, and storing one twice changes nothing
    claims = summarizer.answers_waiting
    gate = asyncio.Semaphore(max(1, concurrency))
    started_papers = 0
    fatal: list[SummarizeError] = []
    #: the store failed (a full disk): no paper is started after it, answers in flight are
    #: kept beside the store, and claims are left to expire (releasing them would fail too)
    broken: list[StoreError] = []
    #: papers another host's run holds: watched for a lease; taken over if it never renews
    watched: list[DigestEntry] = []

    def release(key: SummaryKey) -> None:
        if claims and not broken:
            try:
                store.summaries.release(key, owner)
            except StoreError as exc:
                broken.append(exc)

    def over_budget() -> str | None:
        minutes = (time.monotonic() - started) / 60
        return budget.hit(report, started_papers, minutes)

    async def one(entry: DigestEntry) -> None:
        nonlocal started_papers
        key = _key(entry, summarizer, language)
        async with gate:
            if fatal or broken:
                report.left += 1
                return
            hit = over_budget()
            if hit:
                report.budget_hit = hit
                report.left += 1
                return
            try:
                mine = not claims or store.summaries.claim(key, owner, ttl=LEASE, redo=redo)
            except StoreError as exc:
                broken.append(exc)
                report.left += 1
                return
            if not mine:
                found = store.summaries.get(key)
                if found is not None and found.status == "ok" and found.id is not None:
                    store.digests.attach(date, entry.paper.id, found.id)
                    report.cached += 1
                else:
                    report.busy += 1
                    if store.summaries.held_elsewhere(key):
                        watched.append(entry)
                return
            started_papers += 1
            began = time.monotonic()
            # the run's deadline (--max-minutes) holds for answers in flight too
            end = None if budget.max_minutes is None else started + 60 * budget.max_minutes
            deadline = asyncio.timeout_at(
                None if end is None else asyncio.get_running_loop().time() + end - began
            )
            try:
                async with deadline:
                    result = await summarizer.summarize(entry.paper, language)
            except TimeoutError as exc:
                if not deadline.expired():  # the backend's own, not the run's: a failure
                    result = SummaryResult(None, error=f"{type(exc).__name__}: {exc}")
                else:  # past --max-minutes, unanswered: the paper waits for the next run
                    release(key)
                    report.budget_hit = f"{budget.max_minutes:g} minutes"
                    report.left += 1
                    return
            except SummarizeError as exc:  # the endpoint cannot serve this run: stop, stay pending
                fatal.append(exc)
                release(key)
                report.left += 1
                return
            except asyncio.CancelledError:  # Ctrl-C: hand the paper back before leaving
                release(key)
                raise
            except Exception as exc:  # noqa: BLE001 - a backend bug must not sink the run
                # a local error (a closed client, a full disk, a bug) says nothing about the
                # paper: it may heal, so the next ordinary run asks again
                result = SummaryResult(None, error=f"{type(exc).__name__}: {exc}", transient=True)
            took = time.monotonic() - began
            warnings: list[str] = []
            interrupted = False
            if result.fields is not None:
                # off the event loop (the checks take a few ms; the other requests go on) but
                # inside the gate, so no more answers wait unsaved than requests are in flight
                check = partial(
                    check_summary, result.fields, entry.paper, key.language, summarizer.backend
                )
                try:
                    if summarizer.answers_waiting:
                        warnings = await asyncio.to_thread(check)
                    else:  # nothing in flight to let go on: a thread would only cost a switch
                        warnings = check()
                except asyncio.CancelledError:  # Ctrl-C: the answer is paid for, keep it first
                    warnings = check()
                    interrupted = True
        cost = price.cost(result.tokens_in, result.tokens_out) if price else None
        attempts = 1
        if not result.ok:
            before = store.summaries.get(key)
            if before is not None and before.status == "failed":
                attempts = before.attempts + 1
        summary = Summary(
            paper_id=key.paper_id,
            version=key.version,
            backend=summarizer.backend,
            model=key.model,
            language=key.language,
            prompt_version=key.prompt_version,
            status="ok" if result.ok else "failed",
            fields=result.fields,
            error=result.error,
            tokens_in=result.tokens_in,
            tokens_out=result.tokens_out,
            cost=cost,
            seconds=round(took, 3),
            warnings=tuple(warnings),
            transient=result.transient and not result.ok,
            attempts=attempts,
            retry_at=retry_at(attempts) if result.transient and not result.ok else None,
        )
        try:
            if broken:  # the store failed already: straight to the side file
                raise broken[0]
            with store.transaction():
                summary_id = store.summaries.save(summary)
                store.digests.attach(date, entry.paper.id, summary_id)
                if claims:
                    store.summaries.release(key, owner)
        except StoreError as exc:
            if not broken:
                broken.append(exc)
            if result.tokens_in or result.tokens_out or result.ok:  # paid: keep it
                report.unsaved += store.keep_unsaved(date, summary)
            report.left += 1
            return
        if interrupted:
            raise asyncio.CancelledError
        for warning in warnings:
            kind = warning.split(":", 1)[0]
            report.warnings[kind] = report.warnings.get(kind, 0) + 1
        if result.ok:
            report.ok += 1
        else:
            report.failed += 1
            report.transient += result.transient
            report.errors.append(f"{entry.paper.id}: {result.error}")
        report.tokens_in += result.tokens_in
        report.tokens_out += result.tokens_out
        if report.cost is not None:
            report.cost += cost or 0.0
        tick()

    async def keep_claims() -> None:  # the lease on our claims lasts while this run lives
        while True:
            await asyncio.sleep(LEASE / 3)
            try:
                store.summaries.renew(owner)
            except StoreError as exc:  # a full disk: the claims lapse, the stage stops
                if not broken:
                    broken.append(exc)

    async def warm() -> None:
        # once the first requests are on the wire (a few ms each), the checks load what they
        # load on first use (0.2 s for Chinese) while the answers are awaited, not after
        await asyncio.sleep(WARM_AFTER)
        with contextlib.suppress(Exception):  # a head start only: the checks report their own
            await asyncio.to_thread(warm_up, summarizer.output_language(language))

    bar = ticks(progress, len(pending))
    lease = asyncio.create_task(keep_claims())
    warming = asyncio.create_task(warm()) if pending and summarizer.answers_waiting else None
    try:
        with bar as tick:
            # every paper ends before the client closes: an error in one (a bug) is raised
            # after the others are done, never while they are in flight
            done = await asyncio.gather(*(one(entry) for entry in pending), return_exceptions=True)
            # another host's claims: a live run renews them within LEASE / 3; one that never
            # does for a whole lease is dead, and its papers are done here
            waited = 0.0
            while watched and not fatal and not broken and waited <= LEASE * 1.2:
                await asyncio.sleep(LEASE / 6)
                waited += LEASE / 6
                again, watched[:] = list(watched), []
                report.busy -= len(again)
                done += await asyncio.gather(*(one(e) for e in again), return_exceptions=True)
    finally:
        lease.cancel()
        if warming is not None:
            warming.cancel()
        report.seconds = time.monotonic() - started
        await summarizer.aclose()
    for outcome in done:
        if isinstance(outcome, BaseException):
            raise outcome
    report.stopped = broken[0] if broken else fatal[0] if fatal else None
    return report
