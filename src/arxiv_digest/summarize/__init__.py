"""Summarizer backends and the summarize stage."""

from __future__ import annotations

from arxiv_digest.config import Config
from arxiv_digest.errors import SummarizeError
from arxiv_digest.summarize.base import Summarizer, SummaryResult

__all__ = ["Summarizer", "SummaryResult", "make_summarizer"]


def make_summarizer(config: Config) -> Summarizer:
    """The backend the configuration names."""
    backend = config.summarizer.backend
    if backend == "extractive":
        from arxiv_digest.summarize.extractive import ExtractiveSummarizer

        return ExtractiveSummarizer()
    raise SummarizeError(f"unknown summarizer backend {backend!r}")
