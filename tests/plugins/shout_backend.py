"""A summarizer backend added by the test suite: one module, one registration."""

from __future__ import annotations

from arxiv_digest.config import SummarizerConfig
from arxiv_digest.models import Paper, SummaryFields
from arxiv_digest.summarize import Summarizer, SummaryResult, register_backend


class ShoutSummarizer(Summarizer):
    backend = "shout"
    model = "shout-1"
    prompt_version = "s1"

    async def summarize(self, paper: Paper, language: str) -> SummaryResult:
        title = paper.title.upper()
        return SummaryResult(SummaryFields(title, "why", "how", "what", "so"), tokens_in=3)


def create(settings: SummarizerConfig) -> ShoutSummarizer:
    return ShoutSummarizer()


register_backend("shout", create)
