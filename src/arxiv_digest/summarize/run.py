"""The summarize stage's entry point: the configured backend for the papers that earn it (the
ranking's top K, none that are excluded), the extractive summary for the rest."""

from __future__ import annotations

import dataclasses

from arxiv_digest.aio import run_sync
from arxiv_digest.config import Config
from arxiv_digest.store import Store
from arxiv_digest.summarize.base import DaySummarizer
from arxiv_digest.summarize.extractive import ExtractiveSummarizer
from arxiv_digest.summarize.registry import summarizer_for
from arxiv_digest.summarize.report import SummarizeOptions, SummarizeReport
from arxiv_digest.summarize.stage import summarize_day

__all__ = ["summarize", "summarize_async"]


async def summarize_async(
    config: Config,
    store: Store,
    day: str | None = None,
    options: SummarizeOptions | None = None,
) -> SummarizeReport:
    """Summarize every paper of a stored day that has no usable summary yet (`options`: what
    is asked again, the budget, progress).

    When the endpoint cannot serve the run (bad key, spent quota, unreachable), the report's
    `stopped` holds the cause and the papers not yet done stay pending for the next run.

    With `rank.summarize_top = K` only the K best-ranked papers go to the configured backend;
    the rest get the extractive summary, at no cost. A summary in another language or by another
    model than the configured one is not shown for the day: the configured setting is written
    (or taken from the cache); `options.redo` writes every paper again.
    """
    day = day or store.digests.latest()
    options = options or SummarizeOptions()
    summarizer = summarizer_for(config)
    if (
        options.budget.max_minutes is None
        and config.summarizer.max_minutes is not None
        and not isinstance(summarizer, DaySummarizer)  # a batch waits batch_wait_hours
    ):
        budget = dataclasses.replace(options.budget, max_minutes=config.summarizer.max_minutes)
        options = dataclasses.replace(options, budget=budget)
    only: set[str] | None = None
    rest: set[str] = set()
    wanted = config.rank.summarize_top is not None or config.rank.exclude
    digest = store.digests.load(day) if wanted else None
    if digest is not None and config.rank.summarize_top is not None:
        if not summarizer.quotes:  # quoting costs nothing: it does every paper itself
            only = {e.paper.id for e in digest.top(config.rank.summarize_top or 0)}
            rest = {e.paper.id for e in digest.entries} - only
    if digest is not None and config.rank.exclude:
        # an excluded paper is never summarized, even on a day that was not ranked
        from arxiv_digest.rank import excluded

        dropped = excluded(config.rank, [e.paper for e in digest.entries])
        only = (only if only is not None else {e.paper.id for e in digest.entries}) - dropped
        rest -= dropped
    if only is not None:
        options = dataclasses.replace(options, only=frozenset(only))
    if isinstance(summarizer, DaySummarizer):  # a batch engine takes the day at once
        report = await summarizer.summarize_whole_day(store, config, day, options)
    else:
        report = await summarize_day(
            store,
            day,
            summarizer,
            config.language,
            options,
            concurrency=config.summarizer.concurrency or summarizer.default_concurrency,
            prices=config.summarizer.prices,
        )
    if rest:  # each paper is counted once: the top K above, the rest here
        quoted = SummarizeOptions(only=frozenset(rest))
        extra = await summarize_day(store, day, ExtractiveSummarizer(), config.language, quoted)
        report.total += extra.total
        report.ok += extra.ok
        report.cached += extra.cached
    return report


def summarize(
    config: Config,
    store: Store,
    day: str | None = None,
    options: SummarizeOptions | None = None,
) -> SummarizeReport:
    """`summarize_async`, from code with or without a running event loop."""
    return run_sync(summarize_async(config, store, day, options))
