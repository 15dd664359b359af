"""A reader with two interests on real days: the reference digests' cs.LG papers of one day as
the main interest and five of its cs.IR papers as a side one, ranking another day."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.config import RankConfig
from arxiv_digest.rank import tfidf_similarity
from arxiv_digest.rank.stage import rank_day
from arxiv_digest.store import Store
from tests.helpers import import_references

LIBRARY_DAY, DAY = "2026-01-02", "2026-01-01"
MAIN, SIDE = "Machine Learning", "Information Retrieval"


def _library(store: Store, tmp_path: Path, side: int = 5) -> Path:
    digest = store.digests.require(LIBRARY_DAY)
    lg = [e.paper.id for e in digest.entries if e.paper.primary_category == "cs.LG"]
    ir = [e.paper.id for e in digest.entries if e.paper.primary_category == "cs.IR"][:side]
    path = tmp_path / "library.txt"
    path.write_text("\n".join(lg + ir), "utf-8")
    return path


def _ranked(store: Store) -> list[tuple[str, float, str | None, str]]:
    digest = store.digests.require(DAY)
    cats = {e.paper.id: e.paper.primary_category for e in digest.entries}
    rows = sorted(store.digests.rows(DAY), key=lambda r: -(r.score or 0.0))
    return [(r.paper_id, r.score or 0.0, r.interest, cats[r.paper_id]) for r in rows]


def test_a_side_interest_of_five_papers_reaches_the_top(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        import_references(store)
        library = _library(store, tmp_path)
        # one model over the whole library: the side interest is buried
        rank_day(store, DAY, RankConfig(library=[library], auto_interests=False))
        before = store.digests.require(DAY).for_you(10, float("-inf"))
        assert sum(e.paper.primary_category == "cs.IR" for e in before) == 0
        # interests found in the library (by its papers' categories), each learned alone
        report = rank_day(store, DAY, RankConfig(library=[library]))
        ranked = _ranked(store)
        assert {i for _p, _s, i, _c in ranked} == {MAIN, SIDE}
        side = [c for _p, _s, i, c in ranked if i == SIDE]
        assert side[:3] == ["cs.IR"] * 3  # the side interest's own list starts with its papers
        digest = store.digests.require(DAY)
        assert digest.interest_quota == 2
        top = digest.for_you(10, float("-inf"))
        assert len(top) == 10 and sum(e.interest == SIDE for e in top) >= 2
        assert sum(e.paper.primary_category == "cs.IR" for e in top) >= 2
        assert digest.interest_counts(top)[0][0] in (MAIN, SIDE)
        # the reasons name the interest, and `rank` prints them per interest
        assert any(r.startswith(f"{SIDE}: ") for e in top if e.interest == SIDE for r in e.reasons)
        lines = report.lines()
        assert any(line.startswith(f"{MAIN} ") and f" · {SIDE} " in line for line in lines)


def test_named_interests_with_their_own_library(tmp_path: Path, runner: CliRunner) -> None:
    with Store(tmp_path / "s.db") as store:
        import_references(store)
        digest = store.digests.require(LIBRARY_DAY)
        lg = [e.paper.id for e in digest.entries if e.paper.primary_category == "cs.LG"]
        ir = [e.paper.id for e in digest.entries if e.paper.primary_category == "cs.IR"][:5]
    (tmp_path / "main.txt").write_text("\n".join(lg), "utf-8")
    (tmp_path / "ir.txt").write_text("\n".join(ir), "utf-8")
    config = tmp_path / "c.toml"
    config.write_text(
        '[[rank.interests]]\nname = "Learning"\nlibrary = ["main.txt"]\n'
        '[[rank.interests]]\nname = "Retrieval"\nlibrary = ["ir.txt"]\n'
        'keywords = ["recommendation"]\n',
        encoding="utf-8",
    )
    args = ["--config", str(config), "--db", str(tmp_path / "s.db")]
    result = runner.invoke(cli, [*args, "rank", "--date", DAY])
    assert result.exit_code == 0, result.output
    counts = next(line for line in result.output.splitlines() if " · " in line)
    assert counts.startswith(("Learning ", "Retrieval ")) and "Retrieval " in counts
    md = runner.invoke(cli, [*args, "render", "--date", DAY, "-o", "-"]).output
    for_you = md.split("# For you [[Back]](#toc)\n\n", 1)[1].split("\n\n\n", 1)[0]
    assert for_you.splitlines()[0].startswith(("Learning ", "Retrieval "))  # the counts
    assert for_you.count("- [Retrieval] [") >= 2 and "- [Learning] [" in for_you
    assert "Retrieval: keyword: recommendation" in for_you or "Retrieval: close to" in for_you
    ask = runner.invoke(cli, [*args, "rank", "--date", DAY, "--ask", "4"], input="\n\n\n\n")
    asked = [line for line in ask.output.splitlines() if line.startswith("  2")]
    assert len(asked) == 4  # spread over the interests (checked in the store below)
    with Store(tmp_path / "s.db") as store:
        rows = {r.paper_id: r.interest for r in store.digests.rows(DAY)}
    assert {rows[line.split()[0]] for line in asked} == {"Learning", "Retrieval"}


def test_one_star_lifts_a_side_interest_and_one_hide_lowers_its_neighbours(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "s.db") as store:
        import_references(store)
        # two side papers are not an interest yet (min_interest = 3); one star makes it one
        config = RankConfig(library=[_library(store, tmp_path, side=2)])
        digest = store.digests.require(DAY)

        def side_mean() -> float:
            rank_day(store, DAY, config)
            ranked = _ranked(store)
            places = [i for i, (_p, _s, _i, c) in enumerate(ranked) if c == "cs.IR"]
            return sum(places) / len(places)

        before = side_mean()
        # a star on another day's IR paper (never in the library): the side interest rises
        other = store.digests.require(LIBRARY_DAY)
        star = [e.paper for e in other.entries if e.paper.primary_category == "cs.IR"][10]
        store.feedback.set(star.id, "star")
        after = side_mean()
        assert after < before - 10, (before, after)

        # a hide on one of the day's papers: its closest neighbours drop
        rank_day(store, DAY, config)
        scores = {p: s for p, s, _i, _c in _ranked(store)}
        hidden = next(e.paper for e in digest.entries if e.paper.primary_category == "cs.LG")
        others = [e.paper for e in digest.entries if e.paper.id != hidden.id]
        sims = tfidf_similarity(
            [f"{hidden.title}. {hidden.abstract}"], [f"{p.title}. {p.abstract}" for p in others]
        )[0]
        near = [p.id for _s, p in sorted(zip(sims, others, strict=True), key=lambda x: -x[0])[:3]]
        store.feedback.set(hidden.id, "hide")
        rank_day(store, DAY, config)
        lowered = {p: s for p, s, _i, _c in _ranked(store)}
        assert all(lowered[p] < scores[p] for p in near), [(scores[p], lowered[p]) for p in near]


def test_the_site_shows_the_top_papers_per_interest_with_counts(tmp_path: Path) -> None:
    """The day's page in a real browser: the For-you list says how many papers each interest
    brought ("Machine Learning 7 · Information Retrieval 3") and labels each paper."""
    from playwright.sync_api import sync_playwright

    from arxiv_digest.render.html import SiteBuilder
    from tests.render.test_browser import ARGS, ARTIFACTS, CHROMIUM

    with Store(tmp_path / "s.db") as store:
        import_references(store)
        rank_day(store, DAY, RankConfig(library=[_library(store, tmp_path)]))
        SiteBuilder(store, tmp_path / "site", for_you=10, threshold=1.0).build()
        top = store.digests.require(DAY).for_you(10, 1.0)
    page_text = (tmp_path / "site" / f"{DAY}.html").read_text(encoding="utf-8")
    assert 'class="interests"' in page_text
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((tmp_path / "site" / f"{DAY}.html").as_uri())
        section = page.locator("section.foryou")
        said = section.locator("p.interests").text_content() or ""
        assert f"{MAIN} " in said and f"{SIDE} " in said and " · " in said
        labels = section.locator("li span.interest").all_text_contents()
        assert labels.count(SIDE) >= 2 and MAIN in labels and len(labels) == len(top)
        ARTIFACTS.mkdir(exist_ok=True)
        section.screenshot(path=str(ARTIFACTS / "for-you-interests.png"))
        browser.close()


def test_automatic_interests_are_listed_and_take_the_readers_names(
    tmp_path: Path, runner: CliRunner
) -> None:
    with Store(tmp_path / "s.db") as store:
        import_references(store)
        library = _library(store, tmp_path)
    config = tmp_path / "c.toml"
    config.write_text(f'[rank]\nlibrary = ["{library.name}"]\n', encoding="utf-8")
    args = ["--config", str(config), "--db", str(tmp_path / "s.db")]
    listed = runner.invoke(cli, [*args, "interests"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0] == "2 interests:"
    side = lines.index(f"  {SIDE}  [cs.IR]: 5 papers")
    words = lines[side + 1]  # what the side interest's papers share and the main's do not
    assert words.startswith("    words: ") and any(
        w in words for w in ("recommend", "retrieval", "search", "user", "query")
    ), words
    assert lines[side + 2].startswith("    - ") and len(lines[side + 2]) > 10
    assert '  "cs.IR" = "Information Retrieval"' in lines
    # named in the config: the name is what `rank`, the reasons and For-you show
    config.write_text(
        f'[rank]\nlibrary = ["{library.name}"]\n'
        '[rank.interest_names]\n"cs.IR" = "Retrieval"\n"Machine Learning" = "Learning"\n',
        encoding="utf-8",
    )
    listed = runner.invoke(cli, [*args, "interests"])
    assert "  Retrieval  [cs.IR]: 5 papers" in listed.output.splitlines(), listed.output
    ranked = runner.invoke(cli, [*args, "rank", "--date", DAY])
    assert ranked.exit_code == 0, ranked.output
    assert any(
        line.startswith("Learning ") and " · Retrieval " in line
        for line in ranked.output.splitlines()
    ), ranked.output
    with Store(tmp_path / "s.db") as store:
        top = store.digests.require(DAY).for_you(10, float("-inf"))
        assert {e.interest for e in top} == {"Learning", "Retrieval"}
        assert any(r.startswith("Retrieval: ") for e in top for r in e.reasons)


def test_one_interest_is_said_plainly(tmp_path: Path, runner: CliRunner) -> None:
    with Store(tmp_path / "s.db") as store:
        import_references(store)
        library = _library(store, tmp_path, side=2)  # two cs.IR papers: below min_interest
    config = tmp_path / "c.toml"
    config.write_text(f'[rank]\nlibrary = ["{library.name}"]\n', encoding="utf-8")
    result = runner.invoke(
        cli, ["--config", str(config), "--db", str(tmp_path / "s.db"), "interests"]
    )
    assert result.exit_code == 0
    assert result.output.startswith("one interest: no two arXiv categories hold 3 of your")
    # nothing to find interests in: said so
    config.write_text("[rank]\nkeywords = ['graph']\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["--config", str(config), "--db", str(tmp_path / "s.db"), "interests"]
    )
    assert result.output == "no interests: no library in [rank], no [[rank.interests]], no stars\n"
