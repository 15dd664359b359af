from __future__ import annotations

from pathlib import Path

import pytest

from tests.fulltext.papers import Built, build, make_paper


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Built]:
    """Three papers through LaTeXML and pdflatex (about three seconds each); the third at a
    real paper's length."""
    work: Path = tmp_path_factory.mktemp("papers")
    return [
        build(make_paper(0), work),
        build(make_paper(1), work),
        build(make_paper(2, paragraphs=24), work),
    ]
