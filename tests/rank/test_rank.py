from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.config import RankConfig
from arxiv_digest.errors import ConfigError
from arxiv_digest.rank import Ranker, name_key, tfidf_similarity
from arxiv_digest.rank.library import LibraryPaper, load_library
from arxiv_digest.rank.stage import rank_day
from arxiv_digest.store import Store
from tests.helpers import REFERENCE_DIR, import_references, make_paper, seed_day

GNN = make_paper(
    "2601.00001",
    title="Graph Neural Networks for Molecules",
    abstract="We train graph neural networks on molecular graphs with message "
    "passing and show strong property prediction.",
    authors=("Jane Doe", "Bo Li"),
    primary_category="cs.LG",
)
DIFF = make_paper(
    "2601.00002",
    title="Fast Diffusion Sampling",
    abstract="Denoising diffusion models generate images; we speed up sampling.",
    authors=("Mark Roe",),
    primary_category="cs.CV",
)
RAG = make_paper(
    "2601.00003",
    title="A Survey of Retrieval",
    abstract="We survey retrieval-augmented generation for question answering.",
    authors=("Ann Lee",),
    primary_category="cs.IR",
)


def test_keywords_case_insensitive_whole_words_title_counts_more() -> None:
    ranker = Ranker(RankConfig(keywords=["diffusion", "message passing", "retrieval augmented"]))
    scores = ranker.score([GNN, DIFF, RAG])
    assert scores[1].reasons == ["keyword: diffusion"] and scores[1].score == 1.0  # in title
    assert scores[0].reasons == ["keyword: message passing"] and scores[0].score == 0.6
    assert scores[2].reasons == ["keyword: retrieval augmented"]  # hyphen matches a space
    assert Ranker(RankConfig(keywords=["diff"])).score([DIFF])[0].reasons == []  # whole words


def test_weighted_and_negative_keywords() -> None:
    ranker = Ranker(RankConfig(keywords={"diffusion": 3.0, "survey": -2.0}))
    diff, rag = ranker.score([DIFF, RAG])
    assert diff.score == 3.0 and rag.score == -2.0 and rag.reasons == ["keyword: -survey"]


@pytest.mark.parametrize("variant", ["J. Doe", "Doe, Jane", "Jané Doé", "JANE DOE", "Jane A. Doe"])
def test_author_name_variants(variant: str) -> None:
    assert name_key(variant) == name_key("Jane Doe")
    paper = make_paper(authors=(variant, "Someone Else"))
    result = Ranker(RankConfig(authors=["Jane Doe"])).score([paper])[0]
    assert result.reasons == [f"author: {variant}"] and result.score == 2.0


def test_other_authors_do_not_match() -> None:
    paper = make_paper(authors=("Mark Doe", "Jane Dole"))
    assert Ranker(RankConfig(authors=["Jane Doe"])).score([paper])[0].score == 0.0


def test_library_similarity_with_reasons() -> None:
    library = [
        LibraryPaper(
            "Message passing on molecular graphs",
            "Graph neural networks predict molecular properties.",
        )
    ]
    scores = Ranker(RankConfig(), library).score([GNN, DIFF, RAG])
    assert scores[0].score > scores[1].score and scores[0].score > scores[2].score
    assert scores[0].reasons == ["close to: Message passing on molecular graphs"]
    assert scores[1].reasons == []


def test_tfidf_similarity_bounds() -> None:
    sims = tfidf_similarity(["graph neural networks"], ["graph neural networks", "cooking"])
    assert sims[0][0] == pytest.approx(1.0) and sims[0][1] == 0.0


def test_star_and_hide_pull_scores() -> None:
    starred = Ranker(RankConfig(), starred=[GNN]).score([GNN, DIFF])
    hidden = Ranker(RankConfig(), hidden=[GNN]).score([GNN, DIFF])
    assert starred[0].score > 0 and starred[0].reasons[0].startswith("like starred: ")
    assert hidden[0].score < 0 and hidden[0].reasons[0].startswith("like hidden: ")
    assert starred[1].score == hidden[1].score == 0.0


def test_library_formats(tmp_path: Path) -> None:
    bib = tmp_path / "lib.bib"
    bib.write_text(
        '@article{a, title = {Graph {Neural} Networks}, abstract = "On graphs.", '
        "eprint = {2101.00001}, archivePrefix = {arXiv}}\n@misc{b, title={Second}}\n"
    )
    csl = tmp_path / "zotero.json"
    csl.write_text(
        json.dumps(
            [
                {
                    "id": "x",
                    "title": "Diffusion",
                    "abstract": "Denoising.",
                    "URL": "https://arxiv.org/abs/2102.00002",
                }
            ]
        )
    )
    ids = tmp_path / "ids.txt"
    ids.write_text("# my papers\n2103.00003\nhep-th/9901001v2\n")
    papers = load_library([bib, csl, ids])
    assert [p.title for p in papers] == ["Graph Neural Networks", "Second", "Diffusion", "", ""]
    assert [p.arxiv_id for p in papers] == [
        "2101.00001",
        None,
        "2102.00002",
        "2103.00003",
        "hep-th/9901001",
    ]


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("bad.bib", "@article{a,\n title = {Unclosed\n", "bad.bib:1: unbalanced braces"),
        ("bad.json", '[{"title": "x",\n ]', "bad.json:2: not valid CSL-JSON"),
        ("bad.txt", "2101.00001\nnot-an-id\n", "bad.txt:2: 'not-an-id' is not an arXiv id"),
        ("bad.xml", "<x/>", "unknown library format"),
    ],
)
def test_malformed_library_is_a_clear_error(
    tmp_path: Path, runner: CliRunner, name: str, text: str, needle: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError, match=needle.replace("(", r"\(")):
        load_library([path])
    config = tmp_path / "c.toml"
    config.write_text(f'[rank]\nlibrary = ["{path}"]\n')
    db = ["--config", str(config), "--db", str(tmp_path / "s.db")]
    ref = REFERENCE_DIR / "000_3473ecea28a495c2.md"
    assert runner.invoke(cli, [*db, "import", str(ref), "--date", "2026-01-01"]).exit_code == 0
    result = runner.invoke(cli, [*db, "rank"])
    assert result.exit_code == 2 and needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_empty_profile_leaves_the_digest_unchanged(tmp_path: Path, runner: CliRunner) -> None:
    db = ["--db", str(tmp_path / "s.db")]
    ref = REFERENCE_DIR / "002_7d4dfe1d692b6f6f.md"
    assert runner.invoke(cli, [*db, "import", str(ref), "--date", "2026-01-01"]).exit_code == 0
    result = runner.invoke(cli, [*db, "rank"])
    assert "ranking is off" in result.output
    out = tmp_path / "d.md"
    assert runner.invoke(cli, [*db, "render", "-o", str(out)]).exit_code == 0
    assert out.read_bytes() == ref.read_bytes()


def _ranked_cli(tmp_path: Path, runner: CliRunner, rank_toml: str) -> tuple[list[str], Path]:
    config = tmp_path / "c.toml"
    config.write_text("[rank]\n" + rank_toml)
    db = ["--config", str(config), "--db", str(tmp_path / "s.db")]
    ref = REFERENCE_DIR / "000_3473ecea28a495c2.md"
    assert runner.invoke(cli, [*db, "import", str(ref), "--date", "2026-01-01"]).exit_code == 0
    return db, ref


def test_negative_keyword_removes_a_paper(tmp_path: Path, runner: CliRunner) -> None:
    db, ref = _ranked_cli(tmp_path, runner, 'exclude = ["Floquet-Bloch"]\nkeywords = ["graph"]\n')
    result = runner.invoke(cli, [*db, "rank"])
    assert (
        result.exit_code == 0 and "filtered out 1 papers (1 by a negative keyword" in result.output
    )
    out = tmp_path / "d.md"
    assert runner.invoke(cli, [*db, "render", "-o", str(out)]).exit_code == 0
    text = out.read_text("utf-8")
    assert "Floquet-Bloch" not in text and "[Total: 53]" in text
    assert text.count("\n### [") == 75


def test_order_by_score_and_for_you_section(tmp_path: Path, runner: CliRunner) -> None:
    db, ref = _ranked_cli(
        tmp_path,
        runner,
        'keywords = ["reinforcement learning", "graph", "LLM"]\n'
        'order = "score"\nfor_you = 3\nthreshold = 0.5\n',
    )
    assert runner.invoke(cli, [*db, "rank"]).exit_code == 0
    with Store(tmp_path / "s.db") as store:
        digest = store.digests.load("2026-01-01")
        assert digest is not None
        for _, items in digest.by_section():
            scores = [e.score for e in items]
            assert scores == sorted(scores, reverse=True)
    out = tmp_path / "d.md"
    assert runner.invoke(cli, [*db, "render", "-o", str(out)]).exit_code == 0
    text = out.read_text("utf-8")
    assert text.startswith(
        "<div id=toc></div>\n\n# Table of Contents\n\n- [For you](#for-you) "
        "[Total: 3]\n- [cs.LG](#cs.LG) [Total: 54]"
    )
    head = text.split("<div id='cs.LG'>")[0]
    assert head.count("\n- [") == 4 + 3 and "keyword: " in head  # 4 TOC lines, 3 for you
    # a ranked digest imports back
    again = runner.invoke(
        cli, ["--db", str(tmp_path / "t.db"), "import", str(out), "--date", "2026-01-02"]
    )
    assert again.exit_code == 0, again.stderr


def test_summarize_top_sends_only_the_best_to_the_llm(tmp_path: Path, runner: CliRunner) -> None:
    from tests.fakes.llm_server import LLMServer

    with Store(tmp_path / "s.db") as store:
        seed_day(store, 12, "2026-01-06")
    config = tmp_path / "c.toml"
    config.write_text('[rank]\nkeywords = ["graph", "diffusion", "agent"]\nsummarize_top = 4\n')
    server = LLMServer()
    with server.running():
        env = {
            "ARXIV_DIGEST_BACKEND": "openai",
            "ARXIV_DIGEST_MODEL": "m",
            "ARXIV_DIGEST_BASE_URL": server.url,
            "OPENAI_API_KEY": "k",
        }
        db = ["--config", str(config), "--db", str(tmp_path / "s.db")]
        assert runner.invoke(cli, [*db, "rank"], env=env).exit_code == 0
        result = runner.invoke(cli, [*db, "summarize"], env=env)
        assert result.exit_code == 0, result.output
        assert server.calls == 4
        # each paper counted once: 4 by the model, 8 extractive
        assert "summaries: 12 ok, 0 failed, 0 cached (of 12 papers)" in result.output
        again = runner.invoke(cli, [*db, "summarize"], env=env)
        assert "summaries: 0 ok, 0 failed, 12 cached (of 12 papers)" in again.output
    with Store(tmp_path / "s.db") as store:
        digest = store.digests.load("2026-01-06")
        assert digest is not None
        backends = sorted(e.summary.backend for e in digest.entries if e.summary)
        assert backends == ["extractive"] * 8 + ["openai"] * 4
        best = sorted(digest.entries, key=lambda e: -(e.score or 0))[:4]
        assert {e.summary.backend for e in best if e.summary} == {"openai"}


def test_star_and_hide_commands(tmp_path: Path, runner: CliRunner) -> None:
    db = ["--db", str(tmp_path / "s.db")]
    ref = REFERENCE_DIR / "000_3473ecea28a495c2.md"
    assert runner.invoke(cli, [*db, "import", str(ref), "--date", "2026-01-01"]).exit_code == 0
    assert runner.invoke(cli, [*db, "star", "2512.21349"]).exit_code == 0
    result = runner.invoke(cli, [*db, "rank"])
    assert result.exit_code == 0 and "ranked 76 papers" in result.output
    assert "(starred; words: " in result.output  # the starred paper, and why it scores
    bad = runner.invoke(cli, [*db, "star", "9999.99999"])
    assert bad.exit_code != 0 and "not in the store" in bad.stderr
    with Store(tmp_path / "s.db") as store:
        report = rank_day(store, "2026-01-01", RankConfig())
        assert report.top[0][0].startswith("Physics-Informed Neural Solvers")


def test_one_star_moves_the_next_ranking(tmp_path: Path) -> None:
    """The SVM learns from every star: starring one recommendation paper lifts the day's other
    recommendation papers in the very next ranking."""
    from arxiv_digest.rank import tfidf_similarity

    with Store(tmp_path / "s.db") as store:
        days = import_references(store)
        day = days[1]
        library = tmp_path / "library.txt"
        digest = store.digests.load(day)
        assert digest is not None
        lg = [e.paper for e in digest.entries if e.section == "cs.LG"][:5]
        library.write_text("\n".join(p.id for p in lg), "utf-8")
        config = RankConfig(library=[library], method="svm")
        ir = [e.paper for e in digest.entries if e.section == "cs.IR"]
        star, others = ir[0], ir[1:]
        sims = tfidf_similarity([f"{star.title}. {star.abstract}"], [p.abstract for p in others])
        twin = others[max(range(len(others)), key=sims[0].__getitem__)]

        def positions() -> dict[str, tuple[int, float]]:
            rank_day(store, day, config)
            rows = sorted(store.digests.rows(day), key=lambda r: -(r.score or 0.0))
            return {r.paper_id: (i, r.score or 0.0) for i, r in enumerate(rows)}

        before = positions()
        store.feedback.set(star.id, "star")
        after = positions()
        assert after[twin.id][1] > before[twin.id][1]
        assert after[twin.id][0] < before[twin.id][0], (before[twin.id], after[twin.id])
        mean = [sum(p[o.id][0] for o in others) / len(others) for p in (before, after)]
        assert mean[1] < mean[0] - 5, mean  # the day's recommendation papers, all lifted


def test_embeddings_similarity_and_cache(tmp_path: Path) -> None:
    from arxiv_digest.rank.embeddings import Embedder

    with Store(tmp_path / "e.db") as store:
        embedder = Embedder(store)
        texts = [
            "Graph neural networks for molecules",
            "Message passing on molecular graphs",
            "A recipe for chocolate cake",
        ]
        sims = embedder.similarity(texts[:1], texts[1:])[0]
        assert sims[0] > sims[1] + 0.2
        assert embedder.computed == 3
        again = Embedder(store)
        again.similarity(texts[:1], texts[1:])
        assert again.computed == 0  # every text came from the store's cache
        ranker = Ranker(RankConfig(), [LibraryPaper(texts[1])], similarity=again.similarity)
        gnn, diff = ranker.score([GNN, DIFF])
        assert gnn.score > diff.score and gnn.reasons[0].startswith("close to: ")


def test_bibtex_names_inside_values_are_not_fields(tmp_path: Path) -> None:
    from arxiv_digest.rank.library import parse_bibtex

    text = (
        "@article{a,\n  note = {see title = {Wrong} and eprint = 9999.99999},\n"
        "  title = {Graph {N}eural Retrieval},\n  eprint = {2401.00001},\n"
        "  archivePrefix = {arXiv}\n}\n"
        '@misc{b, Title = "Quoted, with a comma", url = {https://arxiv.org/abs/2402.00002v2}}\n'
    )
    papers = parse_bibtex(tmp_path / "lib.bib", text)
    assert [(p.title, p.arxiv_id) for p in papers] == [
        ("Graph Neural Retrieval", "2401.00001"),
        ("Quoted, with a comma", "2402.00002"),
    ]


def test_excluded_papers_are_never_summarized(tmp_path: Path) -> None:
    """`exclude` holds before any ranking: `summarize` on an unranked day skips those papers."""
    from arxiv_digest import pipeline
    from arxiv_digest.config import Config
    from tests.helpers import day_statuses

    with Store(tmp_path / "s.db") as store:
        papers = seed_day(store, 30, "2026-01-06")
        word = next(w for w in papers[0].title.split() if len(w) > 5)
        hit = {p.id for p in papers if word.lower() in f"{p.title} {p.abstract}".lower()}
        assert 0 < len(hit) < len(papers)
        config = Config(rank=RankConfig(exclude=[word]), output_dir=tmp_path)
        pipeline.summarize(config, store, "2026-01-06")
        digest = store.digests.load("2026-01-06")
        assert digest is not None
        for entry in digest.entries:
            assert (entry.summary is None) == (entry.paper.id in hit), entry.paper.title
        assert day_statuses(store, "2026-01-06")["ok"] == len(papers) - len(hit)


def test_rank_ask_names_the_least_sure_and_learns_the_answers(
    tmp_path: Path, runner: CliRunner
) -> None:
    db = ["--db", str(tmp_path / "s.db")]
    with Store(tmp_path / "s.db") as store:
        days = import_references(store)
        digest = store.digests.load(days[1])
        assert digest is not None
        ids = [e.paper.id for e in digest.entries if e.section == "cs.IR"][:6]
    (tmp_path / "library.txt").write_text("\n".join(ids), "utf-8")
    config = tmp_path / "arxiv-digest.toml"
    config.write_text('[rank]\nlibrary = ["library.txt"]\n', "utf-8")
    result = runner.invoke(
        cli,
        ["--config", str(config), *db, "rank", "--date", days[0], "--ask", "3"],
        input="s\nh\n\n",
    )
    assert result.exit_code == 0, result.output
    asked = [line.split()[0] for line in result.output.splitlines() if line.startswith("  2")]
    assert len(asked) == 3 and "least sure of" in result.output
    decisions = [
        float(line.rsplit("(", 1)[1].rstrip(")"))
        for line in result.output.splitlines()
        if line.startswith("  2")
    ]
    assert all(abs(d) < 1.0 for d in decisions)  # near the boundary, not the confident ones
    assert "ranking again with 2 new answers" in result.output
    with Store(tmp_path / "s.db") as store:
        kinds = {p.id: kind for p, kind in store.feedback.all()}
    assert kinds == {asked[0]: "star", asked[1]: "hide"}
