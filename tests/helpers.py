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
