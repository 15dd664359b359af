"""What the summarize stage reports, and the limits and progress hooks it is given: the types a
backend, the stage and the command line share (no stage logic here)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Protocol

from arxiv_digest.errors import DigestError, SummarizeError

__all__ = ["Budget", "Progress", "Spent", "SummarizeOptions", "SummarizeReport", "ticks"]


#: Given the number of papers about to be sent to the backend, a context that yields a function
#: to call once per finished paper (a progress bar, a log line, nothing).
Progress = Callable[[int], AbstractContextManager[Callable[[], None]]]


def _no_tick() -> None:
    return None


def ticks(progress: Progress | None, total: int) -> AbstractContextManager[Callable[[], None]]:
    """The progress context for `total` papers: the caller's, or one that does nothing."""
    return progress(total) if progress is not None and total else nullcontext(_no_tick)


class Spent(Protocol):
    """What a pass has spent so far: a summarize report, a day's deep reads."""

    tokens_in: int
    tokens_out: int
    cost: float | None


@dataclass(frozen=True)
class Budget:
    """Limits for one run; None means no limit."""

    max_papers: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None
    #: a deadline for the whole run: no paper is started after it (the rest waits for the next)
    max_minutes: float | None = None

    def hit(self, spent: Spent, papers: int, minutes: float | None = None) -> str | None:
        """The limit reached (said as "50 papers", "$2", "30 minutes"), or None: `papers`
        started, the tokens and money `spent`, `minutes` since the run began (when it counts)."""
        if self.max_minutes is not None and minutes is not None and minutes > self.max_minutes:
            return f"{self.max_minutes:g} minutes"
        if self.max_papers is not None and papers >= self.max_papers:
            return f"{self.max_papers} papers"
        if self.max_tokens is not None and spent.tokens_in + spent.tokens_out >= self.max_tokens:
            return f"{self.max_tokens} tokens"
        if self.max_cost is not None and spent.cost is not None and spent.cost >= self.max_cost:
            return f"${self.max_cost:g}"
        return None


@dataclass(frozen=True)
class SummarizeOptions:
    """How one summarize pass runs: which papers, what is asked again, its limits, its
    progress hook. One object, handed from the command line to the stage and to a backend that
    takes the whole day (`DaySummarizer`)."""

    #: papers already failed for a reason of their own are asked again
    retry_failed: bool = False
    #: every paper is written again, whatever is stored
    redo: bool = False
    budget: Budget = Budget()
    progress: Progress | None = None
    #: only these paper ids (the ranking's top K); None: every paper of the day
    only: frozenset[str] | None = None


@dataclass
class SummarizeReport:
    total: int = 0
    ok: int = 0
    failed: int = 0
    cached: int = 0
    busy: int = 0  # being summarized by another run right now
    left: int = 0  # not started because the budget ran out
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = 0.0  # None once any call had no known price
    seconds: float = 0.0
    budget_hit: str | None = None
    transient: int = 0  # of the failed: retried by the next ordinary run
    #: why the stage stopped early (the endpoint cannot serve this run); the rest stays pending
    stopped: DigestError | None = None
    errors: list[str] = field(default_factory=list)
    unsaved: int = 0  # paid answers the store could not take, kept beside it for the next run
    restored: int = 0  # such answers of an earlier run, saved now
    warnings: dict[str, int] = field(default_factory=dict)  # quality check -> count
    notes: list[str] = field(default_factory=list)  # what the backend says first (a batch's)
    #: who wrote (or failed to write) the summaries, as a failure names it
    service: str = "the summarizer"

    @property
    def done(self) -> int:
        return self.ok + self.failed

    @property
    def papers_per_minute(self) -> float:
        return 60.0 * self.done / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        cost = "cost unknown" if self.cost is None else f"cost ${self.cost:.4f}"
        out = [
            *self.notes,
            f"summaries: {self.ok} ok, {self.failed} failed, {self.cached} cached "
            f"(of {self.total} papers)",
            f"tokens: {self.tokens_in} in, {self.tokens_out} out, {cost}",
            f"time: {self.seconds:.1f} s ({self.papers_per_minute:.1f} papers/min)",
        ]
        if self.warnings:
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.warnings.items()))
            out.append(f"quality warnings: {counts} (see `arxiv-digest check`)")
        if self.busy:
            out.append(f"{self.busy} papers are being summarized by another run")
        if self.budget_hit:
            out.append(
                f"budget reached ({self.budget_hit}): {self.left} papers left for the next run"
            )
        if self.transient:
            out.append(
                f"{self.transient} failed for a reason that may heal (timeouts, server errors): "
                "the next run tries them again"
            )
        if self.failed > self.transient:
            out.append(
                f"{self.failed - self.transient} failed for a reason of their own (see "
                "`arxiv-digest failures`); retry them with `arxiv-digest summarize --retry-failed`"
            )
        if self.restored:
            out.append(f"{self.restored} answers an earlier run could not save are saved now")
        if self.unsaved:
            out.append(
                f"{self.unsaved} paid answers could not be saved in the store; they are kept "
                "beside it and saved by the next run (nothing is paid again)"
            )
        if self.stopped is not None:
            out.append(f"stopped early: {self.left} papers are still pending for the next run")
        return out

    def outcome(self) -> DigestError | None:
        """What the exit code says: the stop's cause; else a failure when every paper tried
        failed, or when some failed for a reason the next run will not heal (exit 6); None
        when the papers are summarized or wait only for causes that heal by themselves."""
        if self.stopped is not None:
            return self.stopped
        first = f" (first: {self.errors[0]})" if self.errors else ""
        if self.failed and not self.ok and not self.cached:
            return SummarizeError(
                f"{self.service}: every one of the {self.failed} papers tried failed{first}"
            )
        lasting = self.failed - self.transient
        if lasting > 0:
            return SummarizeError(
                f"{self.service}: {lasting} papers failed for a reason the next run will not "
                f"heal{first}; fix it, then `arxiv-digest summarize --retry-failed`"
            )
        return None
