"""The rank stage's entry point: score a stored day against the reader's profile and
feedback, when ranking is on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arxiv_digest.config import Config
from arxiv_digest.rank.on import ranking_on
from arxiv_digest.store import Store

if TYPE_CHECKING:
    from arxiv_digest.rank.stage import RankReport

__all__ = ["rank"]


def rank(
    config: Config, store: Store, day: str | None = None, *, ask: int = 0
) -> RankReport | None:
    """Score a day against the reader's profile; None when ranking is off."""
    from arxiv_digest.rank.embeddings import Embedder
    from arxiv_digest.rank.stage import rank_day

    if not ranking_on(config, store):
        return None
    similarity = None
    if config.rank.method == "embeddings":
        similarity = Embedder(store).similarity
    return rank_day(
        store, day or store.digests.latest(), config.rank, similarity=similarity, ask=ask
    )
