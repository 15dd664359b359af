"""The summarizer backends by name (see `plugins.py` for how a package adds one).

A backend is one module with a factory `create(settings: SummarizerConfig) -> Summarizer`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from arxiv_digest.plugins import Registry

if TYPE_CHECKING:
    from arxiv_digest.config import SummarizerConfig
    from arxiv_digest.summarize.base import Summarizer

Factory = Callable[["SummarizerConfig"], "Summarizer"]

BACKENDS: Registry[Factory] = Registry(
    "summarizer backend",
    "arxiv_digest.backends",
    {
        "extractive": "arxiv_digest.summarize.extractive:create",
        "openai": "arxiv_digest.summarize.openai_backend:create",
        "local": "arxiv_digest.summarize.local_backend:create",
        "batch": "arxiv_digest.summarize.batch_api:create",
    },
)
register_backend = BACKENDS.register
backend_names = BACKENDS.names


def make_summarizer(settings: SummarizerConfig) -> Summarizer:
    """The backend `settings.backend` names, set up from the settings."""
    return BACKENDS.get(settings.backend)(settings)
