"""The fetch stage's entry point: one polite client to arXiv for a run, a day's announcement
(or a range of past days through OAI-PMH) into the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx

from arxiv_digest.config import Config
from arxiv_digest.sources.http import PoliteClient
from arxiv_digest.store import Store

if TYPE_CHECKING:
    from arxiv_digest.fetch import FetchReport

__all__ = ["arxiv_client", "backfill", "fetch"]


@contextmanager
def arxiv_client(config: Config, given: PoliteClient | None = None) -> Iterator[PoliteClient]:
    """The one polite HTTP client to arXiv for a run (spacing, retries, User-Agent): `given`
    when the caller has one (tests, a scheduler reusing it), else a new one closed after."""
    if given is not None:
        yield given
        return
    with httpx.Client(timeout=config.arxiv.timeout, follow_redirects=True) as http:
        yield PoliteClient(
            http,
            min_interval=config.arxiv.min_interval,
            max_attempts=config.arxiv.max_attempts,
            deadline=config.arxiv.deadline,
        )


def fetch(
    config: Config,
    store: Store,
    *,
    day: str | None = None,
    allow_partial: bool = False,
    client: PoliteClient | None = None,
) -> FetchReport:
    """Fetch an announcement day from arXiv into the store and build its digest."""
    from arxiv_digest.fetch import fetch_day  # stages load when used: start-up stays short

    with arxiv_client(config, client) as http:
        return fetch_day(store, http, config, day=day, allow_partial=allow_partial)


def backfill(
    config: Config, store: Store, start: str, end: str, *, client: PoliteClient | None = None
) -> list[FetchReport]:
    """Harvest past days through OAI-PMH (grouped by first-version date)."""
    from arxiv_digest.fetch import backfill as harvest

    with arxiv_client(config, client) as http:
        return harvest(store, http, config, start, end)
