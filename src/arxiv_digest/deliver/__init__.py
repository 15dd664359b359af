"""Delivery: the digest where people read it (email, Slack, Feishu/Lark)."""

from __future__ import annotations

from arxiv_digest.models import Digest, DigestEntry
from arxiv_digest.render.markdown import for_you_entries


def top_entries(digest: Digest, k: int) -> list[DigestEntry]:
    """The best K papers: by score when ranked, else the first K in digest order."""
    if any(e.score is not None for e in digest.entries):
        return for_you_entries(digest, k, float("-inf"))
    return list(digest.entries[:k])


def day_url(site_url: str | None, date: str) -> str | None:
    return f"{site_url.rstrip('/')}/{date}.html" if site_url else None
