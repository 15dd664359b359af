"""Registries of the things that vary: summarizer backends, output formats, delivery channels.

Each registry maps a name to an object loaded from `module:attribute`. Built-ins are listed by the
registry's owner and imported only when chosen (the extractive default never loads the openai
SDK). A third-party package adds one with an entry point, as `llm` plugins do:

    [project.entry-points."arxiv_digest.backends"]     # or .formats, .channels
    mybackend = "my_package.module:create"

and code (a notebook, a test) calls `register(name, obj)`.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from arxiv_digest.errors import ConfigError, SummarizeError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str, group: str, builtin: dict[str, str]) -> None:
        self.kind = kind  # "summarizer backend", "output format", "delivery channel"
        self.group = group
        self.builtin = dict(builtin)
        self._registered: dict[str, T] = {}

    def register(self, name: str, obj: T) -> None:
        """Make `obj` the entry called `name` (replacing one of that name)."""
        self._registered[name] = obj

    def unregister(self, name: str) -> None:
        self._registered.pop(name, None)

    def _plugins(self) -> dict[str, str]:
        return {ep.name: ep.value for ep in entry_points(group=self.group)}

    def names(self) -> list[str]:
        return list(dict.fromkeys([*self.builtin, *self._plugins(), *self._registered]))

    def get(self, name: str) -> T:
        found = self._registered.get(name)
        if found is not None:
            return found
        target = self.builtin.get(name) or self._plugins().get(name)
        if target is None:
            raise ConfigError(f"unknown {self.kind} {name!r} (known: {', '.join(self.names())})")
        module_name, _, attr = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise SummarizeError(f"cannot load the {self.kind} {name!r}: {exc}") from None
        loaded: T = getattr(module, attr)
        return loaded


#: what can be plugged in, by name: each owner module gives its registry a type
#: (`summarize.registry.BACKENDS`, `render.formats.FORMATS`, `deliver.channels.CHANNELS`); the
#: config reads the names from here without loading a stage
BACKENDS: Registry[Any] = Registry(
    "summarizer backend",
    "arxiv_digest.backends",
    {
        "extractive": "arxiv_digest.summarize.extractive:create",
        "openai": "arxiv_digest.summarize.openai_backend:create",
        "local": "arxiv_digest.summarize.local_backend:create",
        "batch": "arxiv_digest.summarize.batch_api:create",
    },
)
FORMATS: Registry[Any] = Registry(
    "output format",
    "arxiv_digest.formats",
    {
        "markdown": "arxiv_digest.render.markdown:MarkdownRenderer",
        "html": "arxiv_digest.render.html:SiteRenderer",
        "atom": "arxiv_digest.render.feeds:AtomRenderer",
        "json": "arxiv_digest.render.feeds:JsonRenderer",
        "jsonl": "arxiv_digest.render.feeds:JsonlRenderer",
    },
)
CHANNELS: Registry[Any] = Registry(
    "delivery channel",
    "arxiv_digest.channels",
    {
        "email": "arxiv_digest.deliver.email:EmailChannel",
        "webhook": "arxiv_digest.deliver.webhook:WebhookChannel",
    },
)
