from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.models import FIELDS


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
    return found


@pytest.mark.parametrize("path", [(), *_commands(cli)], ids=lambda p: " ".join(p) or "root")
def test_every_command_has_help(runner: CliRunner, path: tuple[str, ...]) -> None:
    result = runner.invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_python_m_works() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "arxiv_digest", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "arxiv-digest" in out.stdout


def test_demo_writes_a_full_digest(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "extractive" in result.output.splitlines()[0]
    files = list((tmp_path / "out").glob("*.md"))
    assert len(files) == 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}\.md", files[0].name)
    text = files[0].read_text(encoding="utf-8")
    blocks = text.split("\n### [")[1:]
    loaded = re.search(r"Loaded (\d+) papers", result.output)
    assert loaded and len(blocks) == int(loaded.group(1)) > 0
    for block in blocks:
        for label in ("TL;DR", "Motivation", "Method", "Result", "Conclusion"):
            value = re.search(rf"^{label}: (.*)$", block, re.MULTILINE)
            assert value and value.group(1).strip(), (label, block[:80])
        assert "failed" not in block.split("Abstract:")[0].lower()
    assert len(FIELDS) == 5


def test_render_and_summarize_on_an_empty_store(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--db", str(tmp_path / "e.db"), "render"])
    assert result.exit_code != 0 and "no digest" in result.stderr


def test_summarize_replaces_failed_imports_only_when_asked(
    tmp_path: Path, runner: CliRunner
) -> None:
    from tests.helpers import REFERENCE_DIR, reference_counts

    db = ["--db", str(tmp_path / "s.db")]
    failed = REFERENCE_DIR / "004_fd5308535e503f19.md"
    n = reference_counts(failed).failed
    assert n == reference_counts(failed).papers > 0  # the day whose summaries all failed
    assert runner.invoke(cli, [*db, "import", str(failed), "--date", "2026-01-01"]).exit_code == 0
    result = runner.invoke(cli, [*db, "summarize"])
    assert "0 ok" in result.output and f"{n} cached" in result.output
    result = runner.invoke(cli, [*db, "summarize", "--retry-failed"])
    assert f"{n} ok" in result.output, result.output
    out = tmp_path / "d.md"
    assert runner.invoke(cli, [*db, "render", "-o", str(out)]).exit_code == 0
    assert "Summary generation failed" not in out.read_text(encoding="utf-8")


def test_the_offline_backend_never_replaces_imported_summaries(
    tmp_path: Path, runner: CliRunner
) -> None:
    from tests.helpers import REFERENCE_DIR, reference_counts

    db = ["--db", str(tmp_path / "s.db")]
    good = REFERENCE_DIR / "000_3473ecea28a495c2.md"
    assert runner.invoke(cli, [*db, "import", str(good), "--date", "2026-01-01"]).exit_code == 0
    result = runner.invoke(cli, [*db, "summarize"])  # the default: extractive
    n = reference_counts(good).papers
    assert f"summaries: 0 ok, 0 failed, {n} cached" in result.output
    out = tmp_path / "d.md"
    assert runner.invoke(cli, [*db, "render", "-o", str(out)]).exit_code == 0
    assert out.read_bytes() == good.read_bytes()
