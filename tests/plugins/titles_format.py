"""An output format added by the test suite: one module, one registration."""

from __future__ import annotations

from arxiv_digest.models import Digest
from arxiv_digest.render.formats import DayRenderer, RenderOptions, register_format


class TitlesRenderer(DayRenderer):
    name = "titles"

    def text(self, digest: Digest, options: RenderOptions) -> str:
        return "".join(f"{e.paper.id}\t{e.tldr}\n" for e in digest.entries)

    def filename(self, digest: Digest) -> str:
        return f"{digest.date}.titles.tsv"


register_format("titles", TitlesRenderer)
