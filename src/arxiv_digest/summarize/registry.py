"""The summarizer backends by name (see `plugins.py` for how a package adds one).

A backend is one module with a factory `create(settings: SummarizerConfig) -> Summarizer`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from arxiv_digest import plugins
from arxiv_digest.plugins import Registry

if TYPE_CHECKING:
    from arxiv_digest.config import Config, SummarizerConfig
    from arxiv_digest.summarize.base import Summarizer

Factory = Callable[["SummarizerConfig"], "Summarizer"]

BACKENDS = cast("Registry[Factory]", plugins.BACKENDS)
register_backend = BACKENDS.register
backend_names = BACKENDS.names


def make_summarizer(settings: SummarizerConfig, options: Any = None) -> Summarizer:
    """The backend `settings.backend` names, set up from the settings; a plug-in whose factory
    declares a `config_model` also gets `options`, its [backends.NAME] table read through it."""
    factory = BACKENDS.get(settings.backend)
    if getattr(factory, "config_model", None) is not None:
        return factory(settings, options)  # type: ignore[call-arg]
    return factory(settings)


def summarizer_for(config: Config) -> Summarizer:
    """The configured backend, with its plug-in settings when it has any."""
    name = config.summarizer.backend
    return make_summarizer(config.summarizer, config.plugin_settings("backends", name))
