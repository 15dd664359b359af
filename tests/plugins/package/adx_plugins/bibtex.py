"""A daily BibTeX file of the day's papers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from arxiv_digest.models import Digest
from arxiv_digest.render.formats import DayRenderer, RenderOptions


class BibtexSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key_prefix: str = "arxiv"


class BibtexRenderer(DayRenderer):
    """The day's papers as BibTeX entries: OUTPUT_DIR/DATE.bib."""

    name = "bibtex"
    config_model = BibtexSettings

    def text(self, digest: Digest, options: RenderOptions) -> str:
        prefix = options.settings.key_prefix
        return "".join(
            f"@misc{{{prefix}:{e.paper.id},\n  title = {{{e.paper.title}}},\n"
            f"  eprint = {{{e.paper.id}}},\n  archivePrefix = {{arXiv}},\n}}\n\n"
            for e in digest.entries
        )

    def filename(self, digest: Digest) -> str:
        return f"{digest.date}.bib"
