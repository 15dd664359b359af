from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE_DIR = FIXTURES / "reference-digests"
ARXIV_DIR = FIXTURES / "arxiv"
SHARED_REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference-digests"


def reference_markdown() -> list[Path]:
    """Every reference digest: the copies in tests/fixtures and, where present, ../shared."""
    seen: dict[bytes, Path] = {}
    for directory in (REFERENCE_DIR, SHARED_REFERENCE_DIR):
        for path in sorted(directory.glob("*.md")):
            seen.setdefault(path.read_bytes(), path)
    return list(seen.values())


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
