from __future__ import annotations

import httpx
import pytest

from arxiv_digest.errors import FetchError
from arxiv_digest.sources.http import PoliteClient
from arxiv_digest.sources.oai import harvest, parse_page, split_authors
from tests.fakes.clock import FakeClock
from tests.helpers import ARXIV_DIR


def test_real_listrecords_page() -> None:
    body = (ARXIV_DIR / "oai_legacy_2015_listrecords_arXivRaw_trimmed.xml").read_bytes()
    records, token = parse_page(body, "u")
    assert token  # a legacy page with more to come
    assert len(records) >= 5
    first = records[0]
    assert first.id == "0704.0471" and first.first_date == "2007-04-03"
    assert first.categories == ("nucl-ex", "nucl-th")
    assert first.authors == ("D.V. Shetty", "S.J. Yennello", "G.A. Souliotis")
    assert "\n" not in first.title and first.abstract.startswith("The density dependence")


def test_no_records_match_is_empty() -> None:
    body = (ARXIV_DIR / "oai_legacy_2015_error_noRecordsMatch.xml").read_bytes()
    assert parse_page(body, "u") == ([], None)


def test_getrecord_is_not_a_listing() -> None:
    with pytest.raises(FetchError, match="no ListRecords"):
        parse_page((ARXIV_DIR / "oai_legacy_2015_getrecord.xml").read_bytes(), "u")


def test_other_errors_are_raised() -> None:
    body = (
        b"<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'>"
        b"<error code='badArgument'>until is in the future</error></OAI-PMH>"
    )
    with pytest.raises(FetchError, match="badArgument: until is in the future"):
        parse_page(body, "u")


def test_harvest_follows_resumption_tokens() -> None:
    first = (ARXIV_DIR / "oai_legacy_2015_listrecords_arXivRaw_trimmed.xml").read_bytes()
    last = first.replace(b"726959|1001", b"").replace(
        b"resumptionToken cursor", b"resumptionToken x"
    )
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=first if len(seen) == 1 else last)

    clock = FakeClock()
    client = PoliteClient(
        httpx.Client(transport=httpx.MockTransport(handler)), clock=clock, sleep=clock.sleep
    )
    records = list(
        harvest(client, "https://oaipmh.arxiv.org/oai", "cs:cs:AI", "2026-01-01", "2026-01-02")
    )
    assert len(seen) == 2
    assert seen[0].url.params["set"] == "cs:cs:AI"
    assert seen[1].url.params["resumptionToken"] and "set" not in seen[1].url.params
    assert len(records) == 2 * len(parse_page(first, "u")[0])
    assert clock.sleeps == [3.0]  # arXiv's spacing between the two pages


def test_split_authors() -> None:
    assert split_authors("A. One and B. Two") == ("A. One", "B. Two")
    assert split_authors("A. One, B. Two,\n and C. Three") == ("A. One", "B. Two", "C. Three")


def test_a_repeated_resumption_token_ends_the_harvest() -> None:
    page = (ARXIV_DIR / "oai_legacy_2015_listrecords_arXivRaw_trimmed.xml").read_bytes()
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, content=page)  # the same token, every time

    clock = FakeClock()
    client = PoliteClient(
        httpx.Client(transport=httpx.MockTransport(handler)), clock=clock, sleep=clock.sleep
    )
    got = []
    with pytest.raises(FetchError, match="repeated the resumption token"):
        for record in harvest(client, "https://oaipmh.arxiv.org/oai", "cs", "2026-01-01", "x"):
            got.append(record)
    assert len(calls) == 2 and len(got) == 2 * len(parse_page(page, "u")[0])
