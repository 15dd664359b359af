"""A backend, a format and a channel, each added by one module of the test suite, run through the
pipeline and the command line like the built-in ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest import pipeline
from arxiv_digest.cli import cli
from arxiv_digest.config import load_config
from arxiv_digest.deliver.channels import CHANNELS
from arxiv_digest.render.formats import FORMATS
from arxiv_digest.store import Store
from arxiv_digest.summarize.registry import BACKENDS
from tests.helpers import seed_day

DAY = "2026-01-06"


@pytest.fixture
def plugged() -> Iterator[None]:
    import importlib

    from tests.plugins import inbox_channel, shout_backend, titles_format

    for module in (inbox_channel, shout_backend, titles_format):  # importing registers
        importlib.reload(module)
    inbox_channel.InboxChannel.sent.clear()
    yield
    BACKENDS.unregister("shout")
    FORMATS.unregister("titles")
    CHANNELS.unregister("inbox")


def test_registered_plugins_run_through_the_pipeline(plugged: None, tmp_path: Path) -> None:
    from tests.plugins.inbox_channel import InboxChannel  # the reloaded class

    config, _ = load_config(flags={"summarizer.backend": "shout", "output_dir": str(tmp_path)})
    with Store(tmp_path / "s.db") as store:
        papers = seed_day(store, 4, DAY)
        report = pipeline.summarize(config, store, DAY)
        assert (report.ok, report.failed, report.tokens_in) == (4, 0, 12)
        rendered = pipeline.render(config, store, "titles", day=DAY)
        assert rendered.target == tmp_path / f"{DAY}.titles.tsv"
        lines = rendered.target.read_text().splitlines()
        assert sorted(lines) == sorted(f"{p.id}\t{p.title.upper()}" for p in papers)
        sent = pipeline.deliver(config, store, DAY, channels=["inbox"])
        assert sent == [f"inbox for {DAY} got 2"]
        again = pipeline.deliver(config, store, DAY, channels=["inbox"])
        assert again == [
            f"inbox for {DAY} was already sent to every recipient (--force sends again)"
        ]
    assert InboxChannel.sent == [("me", DAY, 4), ("you", DAY, 4)]


def test_the_command_line_offers_plugins(plugged: None, tmp_path: Path, runner: CliRunner) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        seed_day(store, 2, DAY)
    result = runner.invoke(cli, ["--db", str(db), "summarize", "--backend", "shout"])
    assert result.exit_code == 0, result.output
    assert "2 ok, 0 failed, 0 cached" in result.output
    out = runner.invoke(cli, ["--db", str(db), "render", "--format", "titles", "-o", "-"])
    assert out.exit_code == 0 and out.output.count("\n") == 2
    assert all(line.split("\t")[1].isupper() for line in out.output.splitlines())


def test_unknown_names_are_usage_errors(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["summarize", "--backend", "shout"])
    assert result.exit_code == 2 and "'shout' is not one of" in result.output
    result = runner.invoke(cli, ["render", "--format", "titles"])
    assert result.exit_code == 2 and "'titles' is not one of" in result.output


def test_an_entry_point_backend_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """A package's entry point in the group arxiv_digest.backends names a backend."""
    from importlib.metadata import EntryPoint

    from arxiv_digest import plugins

    point = EntryPoint("shout", "tests.plugins.shout_backend:create", BACKENDS.group)
    monkeypatch.setattr(
        plugins, "entry_points", lambda group: [point] if group == BACKENDS.group else []
    )
    assert "shout" in BACKENDS.names()
    config, _ = load_config(flags={"summarizer.backend": "shout"})
    from arxiv_digest.summarize import make_summarizer

    assert make_summarizer(config.summarizer).backend == "shout"
    BACKENDS.unregister("shout")


def test_help_lists_what_is_registered(plugged: None, runner: CliRunner) -> None:
    summarize = runner.invoke(cli, ["summarize", "--help"]).output
    assert "[extractive|openai|local|batch|shout]" in summarize
    render = runner.invoke(cli, ["render", "--help"]).output
    assert "[markdown|html|atom|json|jsonl|titles]" in render
