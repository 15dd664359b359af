"""Small builders shared by tests."""

from __future__ import annotations

from typing import Any

from arxiv_digest.models import Paper


def make_paper(paper_id: str = "2501.00001", **overrides: Any) -> Paper:
    values: dict[str, Any] = {
        "id": paper_id,
        "title": f"A Study of Things {paper_id}",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "abstract": (
            "Large models remain costly to train. However, existing methods fail to scale. "
            "We propose ThingNet, a sparse mixture of experts. Specifically, it routes tokens "
            "with a learned gate. Experiments show that ThingNet outperforms baselines by 12%. "
            "Overall, this work suggests that sparsity is a promising direction."
        ),
        "primary_category": "cs.LG",
        "categories": ("cs.LG",),
    }
    values.update(overrides)
    return Paper(**values)


def seed_day(store: Any, n: int, date: str = "2026-01-06", seed: int = 3) -> list[Paper]:
    """Store a synthetic announcement day of `n` papers and build its digest."""
    from arxiv_digest.digest import build_digest
    from arxiv_digest.models import Announcement
    from tests.fakes.arxiv import synthetic_day

    papers = []
    cats = ["cs.LG", "cs.AI", "cs.IR"]
    with store.transaction():
        for synth in synthetic_day(n, cats, seed=seed):
            paper = Paper(
                id=synth.id,
                title=synth.title,
                authors=tuple(synth.authors),
                abstract=synth.abstract,
                primary_category=synth.primary,
                categories=tuple(synth.categories),
                comment=synth.comment,
            )
            store.upsert_paper(paper)
            store.add_announcement(Announcement(date, paper.id, 1, "new"))
            papers.append(paper)
    build_digest(store, date, cats, language="Chinese", source="test")
    return papers
