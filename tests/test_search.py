from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.store import Store
from arxiv_digest.store.search import fts_query, parse_query
from arxiv_digest.summarize.extractive import ExtractiveSummarizer
from arxiv_digest.summarize.stage import summarize_day
from tests.helpers import (
    chinese_words,
    import_references,
    make_paper,
    reference_counts,
    reference_days,
    reference_texts,
    seed_day,
)


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
        hits = store.search.search(parse_query("物理信息机器学习框架"))
        assert hits and hits[0]["id"] == "2512.21349"
        assert "«物理信息机器学习框架»" in hits[0]["snippet"]
        summary_hits = store.search.search(fts_query("Floquet-Bloch"))
        assert summary_hits and summary_hits[0]["id"] == "2512.21349"


def test_chinese_words_find_the_papers_that_hold_them(tmp_path: Path) -> None:
    texts = reference_texts()
    words = chinese_words(texts)
    with Store(tmp_path / "s.db") as store:
        import_references(store)
        total = store.count("papers")
        for word in words:
            expected = {pid for pid, text in texts.items() if word in text}
            hits = store.search.search(parse_query(word), limit=total)
            found = {h["id"] for h in hits}
            assert found == expected, (word, len(found), len(expected))  # precision = recall = 1
            assert all(f"«{word}" in h["snippet"] for h in hits), word
    counts = {w: sum(w in t for t in texts.values()) for w in ("模型", "强化学习", "大语言模型")}
    assert counts["模型"] > 100 and counts["强化学习"] > 10 and counts["大语言模型"] > 10


def test_filters_are_part_of_the_query_at_any_size(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from arxiv_digest.store.search import SearchIndex

    with Store(tmp_path / "s.db") as store:
        import_references(store)
        every = store.search.search(parse_query("learning"), limit=1000)
        rare = [h for h in every if h["category"] == "cs.RO"]
        assert rare and len(every) > 50
        # a window far smaller than the matches: the filter must act before it, not after
        monkeypatch.setattr(SearchIndex, "WINDOW", 10)
        hits = store.search.search(parse_query("learning"), category="cs.RO", limit=1000)
        assert {h["id"] for h in hits} >= {h["id"] for h in rare}
        assert all("cs.RO" in store.papers.get(h["id"]).categories for h in hits)  # type: ignore[union-attr]
        # categories match exactly: a prefix of one is no category
        assert store.search.search(parse_query("learning"), category="cs.R") == []


def test_limits_and_long_queries_are_refused_clearly(db: list[str], runner: CliRunner) -> None:
    zero = runner.invoke(cli, [*db, "search", "learning", "-n", "0"])
    assert zero.exit_code == 2 and "0 is not in the range 1<=x<=10000" in zero.output
    long = runner.invoke(cli, [*db, "search", " ".join(["word"] * 40)])
    assert long.exit_code == 2
    assert "the query has 40 words; at most 32 are searched: shorten it" in long.output


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


def test_a_saved_search_is_an_atom_feed(db: list[str], runner: CliRunner, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    out = tmp_path / "topic.xml"
    result = runner.invoke(
        cli, [*db, "search", "强化学习", "--category", "cs.LG", "--format", "atom", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = runner.invoke(cli, [*db, "search", "强化学习", "--category", "cs.LG", "-n", "20"])
    ids = [line.split()[1] for line in text.output.splitlines() if line[:4] == "2026"]
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(out).getroot()
    assert "强化学习 category=cs.LG" in feed.findtext("a:title", namespaces=ns, default="")
    entries = feed.findall("a:entry", ns)
    links = [e.find("a:link", ns).get("href") for e in entries]  # type: ignore[union-attr]
    assert links == [f"https://arxiv.org/abs/{i}" for i in ids] and ids  # best first
    assert all("«强化学习»" in (e.findtext("a:summary", namespaces=ns) or "") for e in entries)
    assert f"{len(ids)} results written to {out}" in result.output


def test_related_papers_on_the_command_line_and_the_site(
    db: list[str], runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(cli, [*db, "related", "2601.02366", "-n", "5"])  # TextBridgeGNN
    assert result.exit_code == 0, result.output
    titles = [
        line for line in result.output.splitlines() if line[:4] == "2026" or line[:4] == "2025"
    ]
    assert len(titles) == 5 and not any("2601.02366" in t for t in titles)
    assert sum("recommend" in t.lower() for t in titles) >= 3  # it is a recommendation paper
    missing = runner.invoke(cli, [*db, "related", "2501.99999"])
    assert missing.exit_code != 0 and "not in the store" in missing.output
    out = tmp_path / "site"
    assert runner.invoke(cli, [*db, "render", "--format", "html", "--out", str(out)]).exit_code == 0
    page = next(out.glob("**/2026-01-02.html")).read_text("utf-8")
    assert page.count('<p class="rel"><b>相关论文:</b> ') > 50
    assert re.search(
        r'<p class="rel"><b>相关论文:</b> <a href="\d{4}-\d\d-\d\d\.html#p',
        page,
    )
