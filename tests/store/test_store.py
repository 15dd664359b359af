from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from arxiv_digest.errors import StoreError
from arxiv_digest.models import Announcement, Summary, SummaryFields
from arxiv_digest.store import DigestRow, Store
from arxiv_digest.store.migrations import MIGRATIONS
from tests.helpers import make_paper


def test_open_applies_migrations_wal_and_foreign_keys(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.count("papers") == 0
    raw = sqlite3.connect(tmp_path / "a.db")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"papers", "announcements", "summaries", "digests", "digest_entries"} <= tables


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.papers.announce(Announcement("2026-01-01", "2501.99999", 1, "new"))


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    raw = sqlite3.connect(tmp_path / "future.db")
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    with pytest.raises(StoreError, match="newer"):
        Store(tmp_path / "future.db")


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=str(path)):
        Store(path)


def test_upsert_is_idempotent_and_updates(store: Store) -> None:
    paper = make_paper()
    store.papers.upsert(paper)
    before = store.dump()
    store.papers.upsert(paper)
    assert store.dump() == before
    store.papers.upsert(make_paper(title="New title", version=2))
    got = store.papers.get(paper.id)
    assert got is not None and got.title == "New title" and got.version == 2


def _summary(status: str, text: str = "x") -> Summary:
    return Summary(
        "2501.00001",
        1,
        "b",
        "m",
        "English",
        "1",
        status,  # type: ignore[arg-type]
        SummaryFields(*[text] * 5) if status == "ok" else None,
    )


def test_ok_summary_is_never_downgraded(store: Store) -> None:
    store.papers.upsert(make_paper())
    first = store.summaries.save(_summary("ok", "good"))
    assert store.summaries.save(_summary("failed")) == first
    got = store.summaries.get_by_id(first)
    assert got is not None and got.status == "ok" and got.fields is not None
    assert got.fields.tldr == "good"


def test_transaction_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.papers.upsert(make_paper())
        raise RuntimeError("boom")
    assert store.count("papers") == 0


def test_digest_save_and_load(store: Store) -> None:
    for i in (1, 2):
        store.papers.upsert(make_paper(f"2501.0000{i}"))
    rows = [DigestRow("cs.LG", "2501.00002"), DigestRow("cs.AI", "2501.00001")]
    assert store.digests.plan(
        "2026-01-01", rows, language="English", sections=["cs.LG", "cs.AI"], source="test"
    )
    assert not store.digests.plan(
        "2026-01-01", rows, language="English", sections=["cs.LG", "cs.AI"], source="test"
    )
    digest = store.digests.load("2026-01-01")
    assert digest is not None
    assert [e.paper.id for e in digest.entries] == ["2501.00002", "2501.00001"]
    assert store.digests.dates() == ["2026-01-01"]


def test_a_version_5_store_migrates_and_keeps_its_index_in_step(tmp_path: Path) -> None:
    import sqlite3

    from arxiv_digest.models import Announcement, Summary, SummaryFields
    from arxiv_digest.store import DigestRow
    from arxiv_digest.store.migrations import MIGRATIONS
    from arxiv_digest.store.search import fts_query
    from tests.helpers import make_paper

    path = tmp_path / "v5.db"
    db = sqlite3.connect(path, isolation_level=None)
    for number, (_name, sql) in enumerate(MIGRATIONS[:5], start=1):
        db.executescript(f"BEGIN;\n{sql}\n;PRAGMA user_version = {number};\nCOMMIT;")
    db.close()
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        paper = make_paper("2501.00009")
        store.papers.upsert(paper)
        store.papers.announce(Announcement("2026-01-01", paper.id, 1, "new"))
        fields = SummaryFields("零样本检索", "why", "how", "what", "so")
        summary_id = store.summaries.save(
            Summary(paper.id, 1, "test", "m", "Chinese", "p", "ok", fields)
        )
        store.digests.plan(
            "2026-01-01",
            [DigestRow("cs.LG", paper.id, summary_id)],
            language="Chinese",
            sections=["cs.LG"],
            source="test",
        )
        hits = store.search.search(fts_query("零样本检索"))
        assert [h["id"] for h in hits] == [paper.id]


def test_a_dead_runs_claims_lapse_within_a_lease_and_a_live_run_keeps_them(store: Store) -> None:
    """Another host's claim is judged by its renewal counter as this process watches it, never
    by that host's clock (which may run ahead or behind)."""
    import time

    from arxiv_digest.models import SummaryKey
    from arxiv_digest.store.summaries import LEASE

    now = [1000.0]
    store.summaries.monotonic = lambda: now[0]
    key = SummaryKey("2501.00001", 1, "m", "Chinese", "p")
    elsewhere = "another-host:4242:abcd1234"  # a run on another machine: its pid says nothing
    assert store.summaries.claim(key, elsewhere)
    store.execute(  # that host's clock runs ten minutes ahead
        "UPDATE claims SET claimed_at = ? WHERE owner = ?", (time.time() + 600, elsewhere)
    )
    assert not store.summaries.claim(key, "me:1:x")  # held: first seen now
    now[0] += LEASE / 2
    assert not store.summaries.claim(key, "me:1:x")  # still within a lease of watching
    store.summaries.renew(elsewhere)  # it renews: alive, the watch starts again
    now[0] += LEASE * 0.9
    assert not store.summaries.claim(key, "me:1:x")
    now[0] += LEASE + 1  # no renewal for a whole lease: its run is dead
    assert store.summaries.claim(key, "me:1:x")  # taken over, 600 s early by its clock
    store.summaries.renew("me:1:x")  # a live run renews its lease
    assert not store.summaries.claim(key, elsewhere)
    assert LEASE <= 90  # "about a minute"


def test_the_record_of_a_fetch_that_died_is_closed(store: Store) -> None:
    dead = store.fetches.start("rss", {"date": "2026-01-05"})
    store.execute(
        "UPDATE fetches SET started_at = '2026-01-05T01:00:00+00:00' WHERE id = ?", (dead,)
    )
    live = store.fetches.start("rss", {"date": "2026-01-06"})
    status = {r["id"]: r["status"] for r in store.fetches.all()}
    assert status == {dead: "interrupted", live: "running"}
