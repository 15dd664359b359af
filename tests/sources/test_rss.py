from __future__ import annotations

import pytest

from arxiv_digest.errors import FetchError
from arxiv_digest.sources.rss import parse_rss, split_creators
from tests.helpers import ARXIV_DIR


def _parse(name: str, status: int = 200) -> object:
    return parse_rss((ARXIV_DIR / name).read_bytes(), status, f"http://x/{name}")


def test_real_feed() -> None:
    page = parse_rss((ARXIV_DIR / "rss_cs_ai_trimmed_3items.xml").read_bytes(), 200, "u")
    assert page.date == "2026-04-27" and len(page.items) == 3
    first = page.items[0]
    assert first.id == "2604.21935" and first.version == 1 and first.announce_type == "new"
    assert first.title.startswith("Math Takes Two")
    assert first.abstract.startswith("Although language models")
    assert "Announce Type" not in first.abstract
    assert first.categories == ("cs.AI", "cs.LG")
    assert first.creators == "Michael Cooper, Samuel Cooper"


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("rss_cs_empty_sunday_2025-04-27.xml", "2025-04-27"),
        ("rss_physics_empty_holiday_2025-12-31_from_search_excerpt.xml", "2025-12-31"),
        ("rss_test_archive_empty_2024-11-28.xml", "2024-11-28"),
    ],
)
def test_empty_feeds_have_a_date_and_no_items(name: str, day: str) -> None:
    page = parse_rss((ARXIV_DIR / name).read_bytes(), 200, "u")
    assert page.date == day and page.items == ()


def test_error_feed_served_with_400() -> None:
    with pytest.raises(FetchError, match="Bad archive 'astroph'"):
        parse_rss((ARXIV_DIR / "rss_error_bad_archive.xml").read_bytes(), 400, "u")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>", "HTML page"),
        (b"<rss version='2.0'><channel><title>x</title><item><title>a</tit", "malformed"),
        (b"", "empty"),
        (b"<rss version='2.0'><channel><title>x</title></channel></rss>", "no announcement date"),
    ],
)
def test_unusable_answers(body: bytes, needle: str) -> None:
    with pytest.raises(FetchError, match=needle):
        parse_rss(body, 200, "u")


def test_doi_and_journal_ref_kept() -> None:
    # the recorded feeds carry neither, so one real item gets both, as arXiv writes them
    raw = (ARXIV_DIR / "rss_cs_lg_trimmed_3items.xml").read_bytes()
    extra = (
        b"<arxiv:announce_type>new</arxiv:announce_type>"
        b"<arxiv:DOI>10.1000/xyz-123</arxiv:DOI>"
        b"<arxiv:journal_reference>Phys. Rev. D 99, 1 (2026)</arxiv:journal_reference>"
    )
    page = parse_rss(
        raw.replace(b"<arxiv:announce_type>new</arxiv:announce_type>", extra, 1), 200, "u"
    )
    first, *rest = page.items
    assert (first.doi, first.journal_ref) == ("10.1000/xyz-123", "Phys. Rev. D 99, 1 (2026)")
    assert all(item.doi is None and item.journal_ref is None for item in rest)


def test_split_creators_keeps_affiliation_commas() -> None:
    assert split_creators("Jane Doe (MIT, CSAIL), John Roe, Ann Lee (ETH)") == (
        "Jane Doe",
        "John Roe",
        "Ann Lee",
    )


def test_one_invalid_byte_spoils_one_character_not_every_title() -> None:
    raw = (ARXIV_DIR / "rss_cs_lg_trimmed_3items.xml").read_bytes()
    good = parse_rss(raw, 200, "u").items
    at = raw.index(b"<title>", raw.index(b"<item>")) + len(b"<title>")
    broken = parse_rss(raw[:at] + b"\xff" + raw[at:], 200, "u").items
    assert broken[0].title == "\ufffd" + good[0].title
    assert [i.title for i in broken[1:]] == [i.title for i in good[1:]]
    assert all("Ã" not in i.title and "â€" not in i.abstract for i in broken)
