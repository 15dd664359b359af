"""The fetch stage against a real HTTP server on loopback that answers like arXiv."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.config import Config, load_config
from arxiv_digest.errors import FetchError, IncompleteDayError, StaleFeedError
from arxiv_digest.fetch import EMPTY_DAY, backfill, fetch_day
from arxiv_digest.sources.http import PoliteClient
from arxiv_digest.store import Store
from tests.fakes.arxiv import FakeArxiv, Fault, SynthPaper, synthetic_day
from tests.fakes.clock import FakeClock

DAY = "2026-01-06"
CATS = ["cs.LG", "cs.AI", "cs.IR"]


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    server = FakeArxiv(synthetic_day(250, CATS), day=DAY)
    with server.running():
        yield server


def _config(fake: FakeArxiv, **extra: object) -> Config:
    env = {
        "ARXIV_DIGEST_RSS_URL": f"{fake.url}/rss",
        "ARXIV_DIGEST_API_URL": f"{fake.url}/api/query",
        "ARXIV_DIGEST_OAI_URL": f"{fake.url}/oai",
        "ARXIV_DIGEST_ARXIV__MIN_INTERVAL": "0",
    }
    flags = {"categories": CATS, **extra}
    return load_config(environ=env, flags=flags)[0]


def _client(clock: FakeClock | None = None) -> PoliteClient:
    clock = clock or FakeClock()
    return PoliteClient(
        httpx.Client(timeout=5),
        min_interval=0,
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(0),
    )


def test_a_day_costs_one_rss_and_ceil_n_over_100_api_requests(
    fake: FakeArxiv, store: Store
) -> None:
    report = fetch_day(store, _client(), _config(fake), day=DAY)
    n = 250
    assert fake.count("/rss") == 1 and fake.count("/api") == math.ceil(n / 100)
    assert len(fake.requests) == 1 + math.ceil(n / 100)
    assert report.status == "complete" and report.stored == n and report.digest_papers == n
    digest = store.digests.load(DAY)
    assert digest is not None
    assert digest.section_order() == CATS
    first = digest.entries[0].paper
    assert first.authors and first.comment and first.primary_category == "cs.LG"
    assert [e.paper.id for e in digest.entries if e.section == "cs.LG"] == sorted(
        e.paper.id for e in digest.entries if e.section == "cs.LG"
    )
    (record,) = store.fetches.all()
    assert record["status"] == "complete" and record["requests"] == 4 and record["items"] == n


def test_refetching_the_same_day_asks_only_the_feed(fake: FakeArxiv, store: Store) -> None:
    fetch_day(store, _client(), _config(fake), day=DAY)
    before = store.dump()
    fake.requests.clear()
    fetch_day(store, _client(), _config(fake), day=DAY)
    assert fake.count("/rss") == 1 and fake.count("/api") == 0
    after = store.dump()
    assert {k: v for k, v in after.items() if k != "fetches"} == {
        k: v for k, v in before.items() if k != "fetches"
    }


def test_empty_feed(fake: FakeArxiv, store: Store, tmp_path: Path, runner: CliRunner) -> None:
    fake.papers = []
    report = fetch_day(store, _client(), _config(fake), day=DAY)
    assert report.status == "empty" and store.digests.dates() == []
    assert report.message == EMPTY_DAY.format(date=DAY, categories="cs.LG, cs.AI, cs.IR")
    result = runner.invoke(
        cli, ["--db", str(tmp_path / "c.db"), "fetch", "--date", DAY], env=_env(fake)
    )
    assert result.exit_code == 0
    assert result.output.strip() == (
        f"No arXiv announcement on {DAY} for cs.LG, cs.AI, cs.IR "
        "(arXiv does not announce on Saturdays, Sundays and holidays)"
    )


def test_stale_feed_is_reported_and_nothing_published(fake: FakeArxiv, store: Store) -> None:
    with pytest.raises(StaleFeedError, match=f"still serves {DAY}, not 2026-01-07"):
        fetch_day(store, _client(), _config(fake), day="2026-01-07")
    assert store.digests.dates() == [] and store.count("papers") == 0
    assert store.fetches.all()[0]["status"] == "stale"


def test_partial_day_names_the_missing_and_a_later_fetch_fills_the_gap(
    fake: FakeArxiv, store: Store
) -> None:
    fake.forget = {"2601.10003", "2601.10100", "2601.10200"}
    with pytest.raises(IncompleteDayError) as err:
        fetch_day(store, _client(), _config(fake), day=DAY)
    message = str(err.value)
    assert "3 of 250 papers are missing" in message
    assert all(pid in message for pid in fake.forget)
    assert store.digests.dates() == [] and len(store.papers.announced_ids(DAY)) == 247
    assert store.fetches.all()[0]["status"] == "partial"
    fake.forget = set()
    fake.requests.clear()
    report = fetch_day(store, _client(), _config(fake), day=DAY)
    assert report.status == "complete" and report.added == 3 and report.digest_papers == 250
    assert fake.count("/rss") == 1 and fake.count("/api") == 1
    assert fake.requests[-1][1]["id_list"] == ["2601.10003v1,2601.10100v1,2601.10200v1"]


def test_gap_filled_after_the_feed_moved_on(fake: FakeArxiv, store: Store) -> None:
    fake.forget = {"2601.10003"}
    with pytest.raises(IncompleteDayError):
        fetch_day(store, _client(), _config(fake), day=DAY)
    fake.forget = set()
    fake.day = "2026-01-07"
    report = fetch_day(store, _client(), _config(fake), day=DAY)
    assert report.status == "complete" and report.date == DAY and report.added == 1


def test_papers_of_earlier_days_are_not_added_again(fake: FakeArxiv, store: Store) -> None:
    fetch_day(store, _client(), _config(fake), day=DAY)
    fake.day = "2026-01-07"
    fake.papers = (
        fake.papers[:5]
        + synthetic_day(3, CATS, prefix="2601", seed=9)[:0]
        + [
            SynthPaper(
                "2601.20000",
                1,
                "Fresh",
                "We propose things. It works.",
                ["A B"],
                "cs.AI",
                ["cs.AI"],
            )
        ]
    )
    report = fetch_day(store, _client(), _config(fake), day="2026-01-07")
    assert report.earlier == 5 and report.added == 1
    digest = store.digests.load("2026-01-07")
    assert digest is not None and [e.paper.id for e in digest.entries] == ["2601.20000"]


def test_cross_lists_and_replacements(fake: FakeArxiv, store: Store) -> None:
    fake.papers = [
        SynthPaper("2601.00001", 1, "New LG", "a b.", ["A"], "cs.LG", ["cs.LG"]),
        SynthPaper(
            "2601.00002",
            1,
            "Cross into AI",
            "a b.",
            ["A"],
            "stat.ML",
            ["stat.ML", "cs.IR", "cs.AI"],
        ),
        SynthPaper("2512.00003", 3, "Replaced", "a b.", ["A"], "cs.LG", ["cs.LG"], "replace"),
    ]
    fetch_day(store, _client(), _config(fake), day=DAY)
    digest = store.digests.load(DAY)
    assert digest is not None and [e.paper.id for e in digest.entries] == ["2601.00001"]
    with_cross = _config(fake, include_cross=True)
    fetch_day(store, _client(), with_cross, day=DAY)
    digest = store.digests.load(DAY)
    assert digest is not None
    placed = {e.paper.id: (e.section, e.paper.primary_category) for e in digest.entries}
    # the first configured category it is listed in (cs.AI comes before cs.IR), own main category
    assert placed == {"2601.00001": ("cs.LG", "cs.LG"), "2601.00002": ("cs.AI", "stat.ML")}


@pytest.mark.parametrize(
    ("fault", "needle"),
    [
        (Fault("/rss", 200, body=b"<!DOCTYPE html><html>oops</html>"), "HTML page"),
        (Fault("/rss", 200, body=b"<rss version='2.0'><channel><item>"), "malformed"),
        (
            Fault("/api", 200, body=b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>"),
            "malformed",
        ),
    ],
)
def test_broken_answers_fail_cleanly_and_keep_the_store(
    fake: FakeArxiv, store: Store, fault: Fault, needle: str
) -> None:
    fetch_day(store, _client(), _config(fake), day=DAY)  # a good day already stored
    before = {k: v for k, v in store.dump().items() if k != "fetches"}
    fake.faults.append(fault)
    fake.forget = {"2601.10001"}  # force an API call on the refetch
    store_ids = store.papers.announced_ids(DAY)
    assert "2601.10001" in store_ids
    with pytest.raises(FetchError, match=needle):
        if fault.path == "/api":
            fake.day = DAY
            # a fresh day whose enrichment call gets the broken answer
            fake.papers = fake.papers + [
                SynthPaper("2601.30000", 1, "T", "a b.", ["A"], "cs.LG", ["cs.LG"])
            ]
        fetch_day(store, _client(), _config(fake), day=DAY)
    after = {k: v for k, v in store.dump().items() if k not in ("fetches", "feed_items")}
    assert after == {k: v for k, v in before.items() if k != "feed_items"}
    assert store.fetches.all()[-1]["status"] == "error"


def test_429_with_retry_after_on_the_feed(fake: FakeArxiv, store: Store) -> None:
    fake.faults.append(Fault("/rss", 429, headers={"Retry-After": "5"}))
    fake.faults.append(Fault("/api", 503))
    fake.faults.append(Fault("/api", 0, drop=True))
    clock = FakeClock()
    report = fetch_day(store, _client(clock), _config(fake), day=DAY)
    assert report.status == "complete" and report.stored == 250
    assert 5.0 <= clock.sleeps[0] <= 6.0  # honoured Retry-After
    assert fake.count("/rss") == 2 and fake.count("/api") == 3 + 2


def test_feed_cap_is_detected_and_split(store: Store) -> None:
    papers = [
        SynthPaper(
            f"2601.{i:05d}",
            1,
            f"T{i}",
            "We propose it. It works.",
            ["A"],
            "cs.LG" if i < 1200 else "cs.AI",
            ["cs.LG" if i < 1200 else "cs.AI"],
        )
        for i in range(2100)
    ]
    server = FakeArxiv(papers, day=DAY)
    with server.running():
        config = _config(server, categories=["cs.LG", "cs.AI"])
        report = fetch_day(store, _client(), config, day=DAY)
    assert report.stored == 2100 and report.digest_papers == 2100
    assert server.count("/rss") == 3  # the capped joint feed, then each half
    assert server.count("/api") == 21


def test_capped_feed_ending_in_replacements_needs_no_split(store: Store) -> None:
    papers = [
        SynthPaper(
            f"2601.{i:05d}",
            1,
            f"T{i}",
            "We propose it. It works.",
            ["A"],
            "cs.LG",
            ["cs.LG"],
            "new" if i < 150 else "replace",
        )
        for i in range(2050)
    ]
    server = FakeArxiv(papers, day=DAY)
    with server.running():
        report = fetch_day(
            store, _client(), _config(server, categories=["cs.LG", "cs.AI"]), day=DAY
        )
    assert report.stored == 150 and server.count("/rss") == 1 and server.count("/api") == 2


def _env(fake: FakeArxiv) -> dict[str, str]:
    return {
        "ARXIV_DIGEST_RSS_URL": f"{fake.url}/rss",
        "ARXIV_DIGEST_API_URL": f"{fake.url}/api/query",
        "ARXIV_DIGEST_OAI_URL": f"{fake.url}/oai",
        "ARXIV_DIGEST_ARXIV__MIN_INTERVAL": "0",
        "ARXIV_DIGEST_CATEGORIES": ",".join(CATS),
    }


def test_run_twice_same_bytes_no_new_work(
    fake: FakeArxiv, tmp_path: Path, runner: CliRunner
) -> None:
    args = ["--db", str(tmp_path / "r.db"), "run", "--date", DAY, "--out", str(tmp_path / "o")]
    first = runner.invoke(cli, args, env=_env(fake))
    assert first.exit_code == 0, first.output
    assert "250 ok" in first.output
    digest = (tmp_path / "o" / f"{DAY}.md").read_bytes()
    fake.requests.clear()
    second = runner.invoke(cli, args, env=_env(fake))
    assert second.exit_code == 0, second.output
    assert fake.count("/rss") == 1 and len(fake.requests) == 1
    assert "0 ok, 0 failed, 250 cached" in second.output and "unchanged" in second.output
    assert (tmp_path / "o" / f"{DAY}.md").read_bytes() == digest


@pytest.mark.parametrize(
    ("setup", "code", "needle"),
    [
        (lambda f: setattr(f, "day", "2026-01-05"), 11, "still serves 2026-01-05"),
        (lambda f: setattr(f, "forget", {"2601.10007"}), 12, "2601.10007"),
        (lambda f: f.faults.append(Fault("/rss", 200, body=b"<html>x</html>")), 10, "HTML"),
    ],
)
def test_cli_exit_codes(
    fake: FakeArxiv, tmp_path: Path, runner: CliRunner, setup, code: int, needle: str
) -> None:  # type: ignore[no-untyped-def]
    setup(fake)
    result = runner.invoke(
        cli, ["--db", str(tmp_path / "x.db"), "fetch", "--date", DAY], env=_env(fake)
    )
    assert result.exit_code == code
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unknown_category_suggests(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["fetch", "--categories", "cs.AJ"])
    assert result.exit_code == 2 and "did you mean cs.AI" in result.stderr


def _oai_page(records: list[tuple[str, str, str]], token: str = "") -> bytes:
    body = "".join(
        f"<record><header><identifier>oai:arXiv.org:{pid}</identifier><datestamp>2026-01-09"
        f"</datestamp></header><metadata><arXivRaw xmlns='http://arxiv.org/OAI/arXivRaw/'>"
        f"<id>{pid}</id><version version='v1'><date>{when}</date></version>"
        f"<title>Paper {pid}</title><authors>A. One and B. Two</authors>"
        f"<categories>{cats}</categories><abstract>  We propose\n  a thing.  It works.\n"
        "</abstract></arXivRaw></metadata></record>"
        for pid, when, cats in records
    )
    return (
        "<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'><ListRecords>"
        f"{body}<resumptionToken>{token}</resumptionToken></ListRecords></OAI-PMH>"
    ).encode()


def test_backfill_through_oai(fake: FakeArxiv, store: Store) -> None:
    fake.oai_pages = [
        _oai_page(
            [
                ("2601.00010", "Mon, 5 Jan 2026 10:00:00 GMT", "cs.LG stat.ML"),
                ("2601.00011", "Mon, 5 Jan 2026 11:00:00 GMT", "math.OC cs.LG"),
            ],
            "tok",
        ),
        _oai_page(
            [
                ("2601.00012", "Tue, 6 Jan 2026 09:00:00 GMT", "cs.LG"),
                ("2512.09999", "Mon, 22 Dec 2025 09:00:00 GMT", "cs.LG"),
            ]
        ),
    ]
    config = _config(fake, categories=["cs.LG"])
    reports = backfill(store, _client(), config, "2026-01-05", "2026-01-06", today="2026-01-20")
    assert [(r.date, r.digest_papers) for r in reports] == [("2026-01-05", 1), ("2026-01-06", 1)]
    oai_requests = [q for p, q in fake.requests if p == "/oai"]
    assert oai_requests[0]["set"] == ["cs:cs:LG"] and oai_requests[0]["until"] == ["2026-01-13"]
    assert oai_requests[1]["resumptionToken"] == ["tok"]
    digest = store.digests.load("2026-01-05")
    assert digest is not None
    paper = digest.entries[0].paper
    assert (
        paper.authors == ("A. One", "B. Two") and paper.abstract == "We propose a thing. It works."
    )
