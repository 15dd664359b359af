"""The Zotero web API source against a loopback server that answers as api.zotero.org does:
pages of 100 top-level items, `Total-Results` and `Link` headers, 403 for a wrong key, 429
with `Retry-After`."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from arxiv_digest.config import InterestConfig, RankConfig, ZoteroConfig
from arxiv_digest.errors import ServiceError
from arxiv_digest.rank.library import LibraryError
from arxiv_digest.rank.stage import library_papers, rank_day
from arxiv_digest.rank.zotero import arxiv_id, fetch_zotero
from arxiv_digest.store import Store
from tests.fakes.loopback import serving
from tests.fakes.zotero import ITEMS, KEY, Zotero, library
from tests.helpers import import_references


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    Zotero.items, Zotero.throttle, Zotero.seen, Zotero.paths = library(230), [], [], []
    Zotero.collection = None
    monkeypatch.setenv("ZOTERO_API_KEY", KEY)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Zotero)
    with serving(httpd):
        yield f"http://127.0.0.1:{httpd.server_address[1]}"


def test_reads_every_page_and_skips_notes_and_attachments(server: str) -> None:
    papers = fetch_zotero("1234567", "user", base_url=server)
    assert len(Zotero.seen) == 3  # 230 items, 100 a page, following Link rel="next"
    assert all(h["zotero-api-version"] == "3" and h["zotero-api-key"] == KEY for h in Zotero.seen)
    assert len(papers) == 230 - 2  # the note and the PDF attachment are no papers
    by_title = {p.title: p for p in papers}
    assert (
        by_title[
            "Leash: Adaptive Length Penalty and Reward Shaping for Efficient Large Reasoning Model"
        ].arxiv_id
        == "2512.21540"
    )
    assert (
        by_title[
            "AWARE-US: Benchmark for Preference-Aware Resolution in Tool-Calling Agents"
        ].arxiv_id
        == "2601.02643"
    )  # from the arXiv DOI
    assert by_title["Attention Is All You Need"].arxiv_id == "1706.03762"  # from Extra
    assert by_title["Pattern Recognition and Machine Learning"].arxiv_id is None
    assert by_title[
        "AWARE-US: Benchmark for Preference-Aware Resolution in Tool-Calling Agents"
    ].abstract.startswith("Tool-calling conversational agents")


def test_a_collection_only(server: str) -> None:
    papers = fetch_zotero("1234567", "user", collection="QH7ZUW2E", base_url=server)
    assert set(Zotero.paths) == {"/users/1234567/collections/QH7ZUW2E/items/top"}
    assert len(papers) == 228


def test_wrong_key_stops_with_its_cause_and_never_shows_it(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOTERO_API_KEY", "zk-wrong-key-987")
    with pytest.raises(LibraryError) as caught:
        fetch_zotero("1234567", "user", base_url=server)
    assert "403" in str(caught.value) and "ZOTERO_API_KEY" in str(caught.value)
    assert "zk-wrong-key-987" not in str(caught.value)
    monkeypatch.delenv("ZOTERO_API_KEY")
    with pytest.raises(LibraryError, match="set ZOTERO_API_KEY"):
        fetch_zotero("1234567", "user", base_url=server)
    with pytest.raises(LibraryError, match="no user library 999"):
        monkeypatch.setenv("ZOTERO_API_KEY", KEY)
        fetch_zotero("999", "user", base_url=server)


def test_waits_as_asked_within_its_deadline(server: str) -> None:
    waited: list[float] = []
    Zotero.throttle = [3]
    papers = fetch_zotero("1234567", "user", base_url=server, sleep=waited.append)
    assert waited == [3.0] and len(papers) == 228
    Zotero.throttle = [3600]  # Retry-After: 3600 is past any deadline: stop now, say why
    with pytest.raises(ServiceError, match="asks to wait 3600 s") as caught:
        fetch_zotero("1234567", "user", base_url=server, sleep=waited.append)
    assert waited == [3.0]
    assert caught.value.exit_code == 15  # a service's failure, not a configuration error


def test_zotero_library_ranks_a_day(server: str, tmp_path: Path) -> None:
    Zotero.items = copy.deepcopy(ITEMS)
    with Store(tmp_path / "s.db") as store:
        days = import_references(store)
        config = RankConfig(zotero=ZoteroConfig(library_id="1234567", base_url=server))
        assert config.enabled()
        assert [p.arxiv_id for p in library_papers(store, config)][:2] == [
            "2512.21540",
            "2601.02643",
        ]
        report = rank_day(store, days[0], config)
        assert report.ranked == 76
        leash = next(t for t in report.top if t[0].startswith("Leash"))  # the library's own paper
        assert leash[1] > 0


def test_an_interest_is_a_zotero_collection(server: str, tmp_path: Path) -> None:
    Zotero.items = copy.deepcopy(ITEMS)
    Zotero.collection = copy.deepcopy(ITEMS[:2])  # the two agent and reasoning papers
    zotero = ZoteroConfig(library_id="1234567", base_url=server)
    interests = [InterestConfig(name="Agents", zotero_collection="QH7ZUW2E")]
    with Store(tmp_path / "s.db") as store:
        papers = library_papers(store, RankConfig(zotero=zotero, interests=interests))
        # the whole library once and the collection once; its papers are the interest's only
        assert Zotero.paths == [
            "/users/1234567/items/top",
            "/users/1234567/collections/QH7ZUW2E/items/top",
        ]
        assert sorted((p.title[:9], p.interest) for p in papers) == [
            ("AWARE-US:", "Agents"),
            ("Attention", ""),
            ("Leash: Ad", "Agents"),
            ("Pattern R", ""),
        ]
        # the main library is that same collection: read once
        Zotero.paths.clear()
        one = ZoteroConfig(library_id="1234567", base_url=server, collection="QH7ZUW2E")
        papers = library_papers(store, RankConfig(zotero=one, interests=interests))
        assert Zotero.paths == ["/users/1234567/collections/QH7ZUW2E/items/top"]
        assert [p.interest for p in papers] == ["Agents", "Agents"]
        # a collection without a Zotero library to read it from says so
        with pytest.raises(LibraryError, match="interest 'Agents' names a Zotero collection"):
            library_papers(store, RankConfig(interests=interests))


def test_library_id_from_the_environment(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(tmp_path / "s.db") as store:
        config = RankConfig(zotero=ZoteroConfig(base_url=server))
        with pytest.raises(LibraryError, match="ZOTERO_LIBRARY_ID"):
            library_papers(store, config)
        monkeypatch.setenv("ZOTERO_LIBRARY_ID", "1234567")
        assert len(library_papers(store, config)) == 228


def test_arxiv_ids_from_every_field() -> None:
    assert arxiv_id({"url": "https://arxiv.org/pdf/2501.00001v2"}) == "2501.00001"
    assert arxiv_id({"extra": "arXiv: hep-th/9901001"}) == "hep-th/9901001"
    assert arxiv_id({"DOI": "10.48550/ARXIV.2501.12345"}) == "2501.12345"
    assert arxiv_id({"url": "https://example.org", "DOI": "10.1000/xyz"}) is None
