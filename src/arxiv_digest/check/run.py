"""The check stage: the quality warnings stored with each summary, and the verify pass that
asks the configured model whether each field is supported by its abstract."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from arxiv_digest.aio import run_sync
from arxiv_digest.config import Config
from arxiv_digest.errors import DigestError, SummarizeError
from arxiv_digest.models import Paper, SummaryFields
from arxiv_digest.store import Store
from arxiv_digest.summarize.registry import summarizer_for

__all__ = [
    "VERIFY_STREAK",
    "CheckReport",
    "VerifyReport",
    "check",
    "check_async",
    "verify",
    "verify_async",
]


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


async def check_async(
    store: Store,
    day: str | None = None,
    *,
    all_days: bool = False,
    verify_with: Config | None = None,
) -> CheckReport:
    """Collect the quality warnings stored with each summary of one day (or every day). With
    `verify_with` (a config naming a model), first fact-check the summaries not yet verified."""
    report = CheckReport()
    days = store.digests.dates() if all_days else [day or store.digests.latest()]
    if verify_with is not None:
        report.verify = VerifyReport()
        for one_day in days:
            await verify_async(verify_with, store, one_day, report=report.verify)
            if report.verify.stopped is not None:
                break
    for one_day in days:
        digest = store.digests.require(one_day)
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


async def verify_async(
    config: Config, store: Store, day: str | None = None, *, report: VerifyReport | None = None
) -> VerifyReport:
    """Ask the configured model whether each usable summary of the day is supported by its
    abstract, and keep the verdicts with the summaries. Summaries already verified, and the
    extractive backend's quotes (the abstract's own sentences), are not asked about again."""
    from arxiv_digest.summarize.verify import verify_summary

    report = report if report is not None else VerifyReport()
    digest = store.digests.require(day)
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
    backend = summarizer_for(config)
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

    try:
        await asyncio.gather(*(one(*item) for item in todo))
    finally:
        await backend.aclose()
    return report


def check(
    store: Store,
    day: str | None = None,
    *,
    all_days: bool = False,
    verify_with: Config | None = None,
) -> CheckReport:
    """`check_async`, from code with or without a running event loop."""
    return run_sync(check_async(store, day, all_days=all_days, verify_with=verify_with))


def verify(
    config: Config, store: Store, day: str | None = None, *, report: VerifyReport | None = None
) -> VerifyReport:
    """`verify_async`, from code with or without a running event loop."""
    return run_sync(verify_async(config, store, day, report=report))
