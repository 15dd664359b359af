"""Whether a reader's day is ranked: the one rule every stage that orders papers shares."""

from __future__ import annotations

from arxiv_digest.config import Config
from arxiv_digest.store import Store


def ranking_on(config: Config, store: Store) -> bool:
    """Ranking runs when the config has a profile or the reader has starred or hidden papers."""
    return config.rank.enabled() or store.feedback.any()


def for_you(config: Config, store: Store) -> int:
    """How many papers head the digest as "for you" (0 when ranking is off)."""
    return config.rank.for_you if ranking_on(config, store) else 0
