"""The output formats: one `Renderer` per format, found by name in `FORMATS`.

A renderer reads what it needs from the store and returns the text of one file (the pipeline
writes it, or prints it) or, for a whole site, writes its directory itself and says what it did.
Adding a format is one module with a `Renderer` subclass and one registration (see `plugins.py`).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from arxiv_digest import plugins
from arxiv_digest.plugins import Registry

if TYPE_CHECKING:
    from arxiv_digest.models import Digest
    from arxiv_digest.store import Store


def page_anchor(text: str) -> str:
    """An arXiv id or category as an HTML id/fragment: `hep-th/9901001` -> `hep-th-9901001`."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", text)


@dataclass(frozen=True)
class RenderOptions:
    day: str | None = None  # None: the latest stored day
    out_dir: Path = Path("digests")  # where files go by default
    site_dir: Path | None = None  # the site's directory (default: out_dir/site)
    feed_days: int = 3
    force: bool = False
    for_you: int = 0  # the "For you" list's length; 0 when ranking is off
    threshold: float = 1.0
    site_url: str | None = None
    #: a plug-in format's [formats.NAME] table, read through its `config_model`
    settings: Any = None
    #: the day's deep reads by paper id (filled in by `DayRenderer.render` from the store)
    deep_reads: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Rendered:
    """One format's output: a file's text and default place, or a report of what was written."""

    text: str | None = None
    target: Path | None = None
    lines: list[str] = field(default_factory=list)  # for the user
    notes: list[str] = field(default_factory=list)  # warnings, for stderr


class Renderer(ABC):
    """A format. Its docstring's first line is its line in `render --help`."""

    name: ClassVar[str]
    #: a pydantic model for the format's [formats.NAME] table (plug-ins); None: no settings
    config_model: ClassVar[Any] = None

    @abstractmethod
    def render(self, store: Store, options: RenderOptions) -> Rendered:
        """Render from the store; raise NotFoundError when there is nothing to render."""


class DayRenderer(Renderer):
    """A format of one stored day: subclasses say how a digest becomes text and where it goes."""

    @abstractmethod
    def text(self, digest: Digest, options: RenderOptions) -> str: ...

    @abstractmethod
    def filename(self, digest: Digest) -> str: ...

    def render(self, store: Store, options: RenderOptions) -> Rendered:
        from arxiv_digest.render.deepread import for_digest

        digest = store.digests.require(options.day)
        options = replace(options, deep_reads=for_digest(store, digest))
        missing = sum(1 for e in digest.entries if e.summary is None)
        notes = [f"note: {missing} papers have no summary yet and show placeholders"] * bool(
            missing
        )
        return Rendered(
            self.text(digest, options), options.out_dir / self.filename(digest), notes=notes
        )


FORMATS = cast("Registry[type[Renderer]]", plugins.FORMATS)
register_format = FORMATS.register
