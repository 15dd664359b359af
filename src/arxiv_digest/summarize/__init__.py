"""Summarizer backends and the summarize stage."""

from __future__ import annotations

from arxiv_digest.summarize.base import Summarizer, SummaryResult
from arxiv_digest.summarize.registry import backend_names, make_summarizer, register_backend

__all__ = ["Summarizer", "SummaryResult", "backend_names", "make_summarizer", "register_backend"]
