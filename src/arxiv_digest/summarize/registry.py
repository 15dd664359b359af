"""The summarizer backends by name (see `plugins.py` for how a package adds one).

A backend is one module with a factory `create(settings: SummarizerConfig) -> Summarizer`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from arxiv_digest import plugins
from arxiv_digest.plugins import Registry

if TYPE_CHECKING:
    from arxiv_digest.config import SummarizerConfig
    from arxiv_digest.summarize.base import Summarizer

Factory = Callable[["SummarizerConfig"], "Summarizer"]

BACKENDS = cast("Registry[Factory]", plugins.BACKENDS)
register_backend = BACKENDS.register
backend_names = BACKENDS.names


def make_summarizer(settings: SummarizerConfig) -> Summarizer:
    """The backend `settings.backend` names, set up from the settings."""
    return BACKENDS.get(settings.backend)(settings)
