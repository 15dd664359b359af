from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.store import Store
from tests.fakes.llm_server import LLMServer
from tests.fulltext.papers import Built, build, make_paper

#: shared fixtures that live beside their fakes
pytest_plugins = ["tests.fakes.smtp", "tests.fakes.webhook"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's config, store or settings."""
    import os

    for name in list(os.environ):
        if name.startswith(("ARXIV_DIGEST_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "test.db") as s:
        yield s


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def llm() -> Iterator[LLMServer]:
    """An OpenAI-compatible chat server on loopback that behaves like a real one, faults
    included (tests/fakes/llm_server.py)."""
    server = LLMServer()
    with server.running():
        yield server


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Built]:
    """Three papers through LaTeXML and pdflatex (tests/fulltext/papers.py, about three seconds
    each); the third at a real paper's length."""
    work: Path = tmp_path_factory.mktemp("papers")
    return [
        build(make_paper(0), work),
        build(make_paper(1), work),
        build(make_paper(2, paragraphs=24), work),
    ]
