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
    if backend == "openai":
        from arxiv_digest.summarize.openai_backend import OpenAISummarizer

        settings = config.summarizer
        if not settings.model:
            raise SummarizeError(
                "the openai backend needs a model: set summarizer.model or pass --model"
            )
        return OpenAISummarizer(
            model=settings.model,
            base_url=settings.base_url,
            api_key_env=settings.api_key_env,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            timeout=settings.timeout,
            max_attempts=settings.max_attempts,
            response_format=settings.response_format,
        )
    if backend == "local":
        from arxiv_digest.summarize.local_backend import LocalSummarizer

        return LocalSummarizer(
            model_path=config.summarizer.model_path,
            n_ctx=config.summarizer.n_ctx,
            n_threads=config.summarizer.n_threads,
            max_tokens=config.summarizer.max_tokens,
            temperature=config.summarizer.temperature,
        )
    raise SummarizeError(f"unknown summarizer backend {backend!r}")
