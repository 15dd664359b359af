from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.store import Store
from arxiv_digest.store.search import fts_query
from arxiv_digest.summarize.extractive import ExtractiveSummarizer
from arxiv_digest.summarize.stage import summarize_day
from tests.helpers import import_references, make_paper, reference_counts, reference_days, seed_day


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    with Store(tmp_path / "s.db") as store:
        import_references(store)
    return ["--db", str(tmp_path / "s.db")]


def test_ranked_hits_with_highlighted_snippets(db: list[str], runner: CliRunner) -> None:
    result = runner.invoke(cli, [*db, "search", "recommendation"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert 10 <= int(lines[-1].split()[0]) <= 20
    assert "«recommendation»" in result.output.lower() or "«Recommendation»" in result.output
    first = lines[0]
    assert "recommend" in first.lower()  # the best hit has it in its title


def test_filters(db: list[str], runner: CliRunner) -> None:
    cat = runner.invoke(cli, [*db, "search", "learning", "--category", "cs.RO", "-n", "100"])
    assert "[cs.LG]" not in cat.output and "[cs.RO]" in cat.output
    since = runner.invoke(cli, [*db, "search", "learning", "--since", "2026-01-03", "-n", "100"])
    assert all(
        line.startswith("2026-01-03") for line in since.output.splitlines() if line[:4] == "2026"
    )
    author = runner.invoke(cli, [*db, "search", "physics", "--author", "Haaris Mian"])
    assert "2512.21349" in author.output and author.output.splitlines()[-1] == "1 results"


def test_phrases_prefixes_and_hostile_input(db: list[str], runner: CliRunner) -> None:
    phrase = runner.invoke(cli, [*db, "search", '"reinforcement learning"', "-n", "100"])
    prefix = runner.invoke(cli, [*db, "search", "reinforce*", "-n", "100"])
    assert int(prefix.output.split()[-2]) >= int(phrase.output.split()[-2]) > 0
    for hostile in ['"unbalanced', "NEAR(", "title:x OR", "a AND AND b", "*", "^x"]:
        result = runner.invoke(cli, [*db, "search", hostile])
        assert result.exit_code in (0, 2), (hostile, result.output, result.stderr)
    assert fts_query('graph "neural net" diff* OR gnn') == ('"graph" "neural net" "diff"* OR "gnn"')


def test_index_follows_the_store(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        papers = seed_day(store, 3, "2026-01-06")
        assert len(store.search.search('"Overall"')) == 3  # every synthetic abstract says it
        assert len(store.search.search(fts_query(papers[0].title.split()[0]))) >= 1
        asyncio.run(summarize_day(store, "2026-01-06", ExtractiveSummarizer(), "English"))
        store.papers.upsert(make_paper(papers[0].id, title="Zygomorphic Retitled Paper"))
        hits = store.search.search(fts_query("zygomorphic"))
        assert [h["id"] for h in hits] == [papers[0].id]
        assert store.search.rebuild() == 3
        assert [h["id"] for h in store.search.search(fts_query("zygomorphic"))] == [papers[0].id]


def test_summary_text_is_searchable(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        import_references(store)
        hits = store.search.search(fts_query("物理信息机器学习框架"))
        assert hits == [] or hits[0]["id"]  # CJK runs are single tokens in unicode61
        summary_hits = store.search.search(fts_query("Floquet-Bloch"))
        assert summary_hits and summary_hits[0]["id"] == "2512.21349"


def test_stats(db: list[str], runner: CliRunner) -> None:
    result = runner.invoke(cli, [*db, "stats"])
    assert result.exit_code == 0
    day, path = list(reference_days().items())[-1]
    counts = reference_counts(path)  # the day whose summaries all failed
    assert f"{day}  {counts.papers:6d}  {counts.failed:6d}" in result.output
    sections = sorted(f"{name} {n}" for name, n in counts.sections.items())
    line = next(x for x in result.output.splitlines() if x.startswith(day))
    assert sorted(line.split("  ")[-1].split(", ")) == sections
    assert result.output.splitlines()[-1] == "3 days"
