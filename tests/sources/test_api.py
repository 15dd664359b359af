from __future__ import annotations

import httpx
import pytest

from arxiv_digest.errors import FetchError
from arxiv_digest.sources.api import fetch_entries, parse_api
from arxiv_digest.sources.http import PoliteClient
from tests.fakes.clock import FakeClock
from tests.helpers import ARXIV_DIR


def _client(
    body: bytes, status: int = 200, seen: list[httpx.Request] | None = None
) -> PoliteClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, content=body)

    clock = FakeClock()
    return PoliteClient(
        httpx.Client(transport=httpx.MockTransport(handler)), clock=clock, sleep=clock.sleep
    )


def test_two_ids_one_missing() -> None:
    seen: list[httpx.Request] = []
    body = (ARXIV_DIR / "api_idlist_two_ids_one_missing.xml").read_bytes()
    found, missing = fetch_entries(
        _client(body, seen=seen),
        "https://export.arxiv.org/api/query",
        ["0808.05394", "1707.08567v1"],
    )
    assert list(found) == ["1707.08567"] and missing == ["0808.05394"]
    entry = found["1707.08567"]
    assert entry.primary_category == "cs.IT" and len(entry.authors) == 34
    assert entry.authors[0] == "Kees A. Schouhamer Immink"
    assert entry.comment and entry.comment.startswith("44 pages")
    assert len(seen) == 1
    assert seen[0].url.params["id_list"] == "0808.05394,1707.08567v1"
    assert seen[0].url.params["max_results"] == "2"


def test_old_style_id_and_journal_ref() -> None:
    body = (ARXIV_DIR / "api_idlist_astro-ph_0601001.xml").read_bytes()
    (entry,) = parse_api(body, 200, "u")
    assert entry.id == "astro-ph/0601001" and entry.journal_ref


def test_versioned_id() -> None:
    (entry,) = parse_api((ARXIV_DIR / "api_idlist_2104.12255v1.xml").read_bytes(), 200, "u")
    assert entry.id == "2104.12255" and entry.version == 1


def test_empty_answer() -> None:
    assert parse_api((ARXIV_DIR / "api_idlist_0000.0000_empty.xml").read_bytes(), 200, "u") == []


def test_error_answer() -> None:
    body = (ARXIV_DIR / "api_error_400_incorrect_id_format.xml").read_bytes()
    with pytest.raises(FetchError, match="incorrect id format for abc"):
        parse_api(body, 400, "u")


def test_batches_of_100() -> None:
    seen: list[httpx.Request] = []
    body = (ARXIV_DIR / "api_idlist_0000.0000_empty.xml").read_bytes()
    ids = [f"2601.{i:05d}v1" for i in range(250)]
    _, missing = fetch_entries(_client(body, seen=seen), "https://e/api", ids)
    assert len(seen) == 3 and len(missing) == 250
    assert [len(r.url.params["id_list"].split(",")) for r in seen] == [100, 100, 50]
