"""The store: the only code that touches SQLite.

One `Store` wraps one database file. Opening it applies pending migrations, turns on WAL and
foreign keys, and sets a busy timeout so that two processes on one file wait instead of failing.
Writes that belong together go through `transaction()`, which takes the write lock up front
(BEGIN IMMEDIATE) so a crash or a Ctrl-C leaves either all of a change or none of it.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from arxiv_digest.errors import StoreError
from arxiv_digest.models import (
    FIELDS,
    Announcement,
    Digest,
    DigestEntry,
    FeedItem,
    Paper,
    Summary,
    SummaryFields,
    SummaryKey,
)
from arxiv_digest.store.migrations import MIGRATIONS

__all__ = ["DigestRow", "Store", "claim_owner", "now_iso"]

PAPER_COLUMNS = (
    "id, version, title, authors, abstract, primary_category, categories, comment, journal_ref, "
    "doi, published, updated"
)
SUMMARY_COLUMNS = (
    "id, paper_id, version, model, language, prompt_version, backend, status, tldr, motivation, "
    "method, result, conclusion, error, tokens_in, tokens_out, cost, seconds, warnings"
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class DigestRow:
    """One planned digest line: which paper goes where, and which summary it shows."""

    section: str
    paper_id: str
    summary_id: int | None = None
    score: float | None = None
    reasons: tuple[str, ...] = ()
    dropped: str | None = None  # why the ranking left it out (None: shown)


def _paper_from_row(row: sqlite3.Row) -> Paper:
    return Paper(
        id=row["id"],
        version=row["version"],
        title=row["title"],
        authors=tuple(json.loads(row["authors"])),
        abstract=row["abstract"],
        primary_category=row["primary_category"],
        categories=tuple(json.loads(row["categories"])),
        comment=row["comment"],
        journal_ref=row["journal_ref"],
        doi=row["doi"],
        published=row["published"],
        updated=row["updated"],
    )


def _summary_from_row(row: sqlite3.Row) -> Summary:
    fields = None
    if row["status"] == "ok" or any(row[name] for name in FIELDS):
        fields = SummaryFields(*(row[name] or "" for name in FIELDS))
    return Summary(
        id=row["id"],
        paper_id=row["paper_id"],
        version=row["version"],
        backend=row["backend"],
        model=row["model"],
        language=row["language"],
        prompt_version=row["prompt_version"],
        status=row["status"],
        fields=fields,
        error=row["error"],
        tokens_in=row["tokens_in"],
        tokens_out=row["tokens_out"],
        cost=row["cost"],
        seconds=row["seconds"],
        warnings=tuple(json.loads(row["warnings"])),
    )


class Store:
    """A SQLite database of papers, announcements, summaries and digests."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout = 30000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"cannot create the store {self.path}: {exc.strerror}") from exc
        self._depth = 0

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        current = self._db.execute("PRAGMA user_version").fetchone()[0]
        if current > len(MIGRATIONS):
            raise StoreError(
                f"the store {self.path} has schema version {current}, newer than this "
                f"arxiv-digest knows ({len(MIGRATIONS)}); upgrade arxiv-digest"
            )
        for number, (_name, sql) in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_sql(sql):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all; nesting joins the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._db.execute("ROLLBACK")
            raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"store {self.path}: {exc}") from exc

    # -- papers and announcements ----------------------------------------------------------

    def upsert_paper(self, paper: Paper) -> None:
        """Insert a paper, or bring a stored one up to date; an identical row is left untouched."""
        values = (
            paper.id,
            paper.version,
            paper.title,
            json.dumps(list(paper.authors), ensure_ascii=False),
            paper.abstract,
            paper.primary_category,
            json.dumps(list(paper.categories), ensure_ascii=False),
            paper.comment,
            paper.journal_ref,
            paper.doi,
            paper.published,
            paper.updated,
        )
        names = [name.strip() for name in PAPER_COLUMNS.split(",")]
        changes = " OR ".join(f"{n} IS NOT excluded.{n}" for n in names[1:])
        updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
        self._execute(
            f"INSERT INTO papers ({PAPER_COLUMNS}, stored_at) VALUES ({', '.join('?' * 13)}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates} WHERE {changes}",
            (*values, now_iso()),
        )

    def get_paper(self, paper_id: str) -> Paper | None:
        row = self._execute(f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?", (paper_id,))
        found = row.fetchone()
        return _paper_from_row(found) if found else None

    def add_announcement(self, ann: Announcement) -> None:
        self._execute(
            "INSERT INTO announcements (date, paper_id, version, announce_type) VALUES (?,?,?,?) "
            "ON CONFLICT(date, paper_id) DO UPDATE SET version = excluded.version, "
            "announce_type = excluded.announce_type "
            "WHERE version IS NOT excluded.version OR announce_type IS NOT excluded.announce_type",
            (ann.date, ann.paper_id, ann.version, ann.announce_type),
        )

    def announcements(self, date: str) -> list[tuple[Announcement, Paper]]:
        """The papers announced on a day, in ascending id order."""
        rows = self._execute(
            f"SELECT a.date AS a_date, a.version AS a_version, a.announce_type, "
            f"{', '.join('p.' + c.strip() for c in PAPER_COLUMNS.split(','))} "
            "FROM announcements a JOIN papers p ON p.id = a.paper_id WHERE a.date = ? "
            "ORDER BY a.paper_id",
            (date,),
        ).fetchall()
        return [
            (
                Announcement(r["a_date"], r["id"], r["a_version"], r["announce_type"]),
                _paper_from_row(r),
            )
            for r in rows
        ]

    def first_announced(self, paper_ids: Iterable[str]) -> dict[str, str]:
        """For each id that was announced before, the earliest day it was announced."""
        ids = list(paper_ids)
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self._execute(
                "SELECT paper_id, MIN(date) AS first FROM announcements "
                f"WHERE paper_id IN ({', '.join('?' * len(chunk))}) GROUP BY paper_id",
                chunk,
            )
            found.update({r["paper_id"]: r["first"] for r in rows})
        return found

    # -- summaries --------------------------------------------------------------------------

    def get_summary(self, key: SummaryKey) -> Summary | None:
        row = self._execute(
            f"SELECT {SUMMARY_COLUMNS} FROM summaries WHERE paper_id = ? AND version = ? "
            "AND model = ? AND language = ? AND prompt_version = ?",
            (key.paper_id, key.version, key.model, key.language, key.prompt_version),
        ).fetchone()
        return _summary_from_row(row) if row else None

    def get_summary_by_id(self, summary_id: int) -> Summary | None:
        row = self._execute(
            f"SELECT {SUMMARY_COLUMNS} FROM summaries WHERE id = ?", (summary_id,)
        ).fetchone()
        return _summary_from_row(row) if row else None

    def save_summary(self, summary: Summary) -> int:
        """Store a summary under its cache key and return its id.

        An `ok` summary is never replaced by a `failed` one: a retry that fails keeps the content.
        """
        texts: dict[str, str | None] = dict.fromkeys(FIELDS)
        if summary.fields is not None:
            texts.update({k: v or None for k, v in summary.fields.as_dict().items()})
        values = (
            summary.paper_id,
            summary.version,
            summary.model,
            summary.language,
            summary.prompt_version,
            summary.backend,
            summary.status,
            *(texts[name] for name in FIELDS),
            summary.error,
            summary.tokens_in,
            summary.tokens_out,
            summary.cost,
            summary.seconds,
            json.dumps(list(summary.warnings), ensure_ascii=False),
            now_iso(),
        )
        columns = [c.strip() for c in SUMMARY_COLUMNS.split(",")][1:] + ["created_at"]
        mutable = columns[5:-1]
        changes = " OR ".join(f"{n} IS NOT excluded.{n}" for n in mutable)
        updates = ", ".join(f"{n} = excluded.{n}" for n in mutable + ["created_at"])
        self._execute(
            f"INSERT INTO summaries ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT(paper_id, version, model, language, prompt_version) DO UPDATE SET "
            f"{updates} WHERE ({changes}) AND NOT (summaries.status = 'ok' "
            "AND excluded.status = 'failed')",
            values,
        )
        found = self.get_summary(summary.key)
        assert found is not None and found.id is not None
        return found.id

    # -- claims: two runs on one store never summarize the same paper twice --------------------

    def claim(self, key: SummaryKey, owner: str, *, ttl: float = 3600.0) -> bool:
        """Take the right to summarize `key`. False if an ok summary exists or another live run
        holds it. A claim whose owner died (same host, process gone) or expired is taken over."""
        params = (key.paper_id, key.version, key.model, key.language, key.prompt_version)
        with self.transaction():
            done = self._execute(
                "SELECT 1 FROM summaries WHERE paper_id = ? AND version = ? AND model = ? AND "
                "language = ? AND prompt_version = ? AND status = 'ok'",
                params,
            ).fetchone()
            if done:
                return False
            row = self._execute(
                "SELECT owner, claimed_at FROM claims WHERE paper_id = ? AND version = ? AND "
                "model = ? AND language = ? AND prompt_version = ?",
                params,
            ).fetchone()
            if (
                row is not None
                and row["owner"] != owner
                and not _claim_is_stale(row["owner"], row["claimed_at"], ttl)
            ):
                return False
            self._execute(
                "INSERT INTO claims (paper_id, version, model, language, prompt_version, owner, "
                "claimed_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET "
                "owner = excluded.owner, claimed_at = excluded.claimed_at",
                (*params, owner, time.time()),
            )
        return True

    def release(self, key: SummaryKey, owner: str) -> None:
        self._execute(
            "DELETE FROM claims WHERE paper_id = ? AND version = ? AND model = ? AND "
            "language = ? AND prompt_version = ? AND owner = ?",
            (key.paper_id, key.version, key.model, key.language, key.prompt_version, owner),
        )

    # -- digests ----------------------------------------------------------------------------

    def save_digest(
        self,
        date: str,
        rows: Sequence[DigestRow],
        *,
        language: str,
        sections: Sequence[str],
        source: str,
    ) -> bool:
        """Make `rows` the digest of `date`. Returns False when the stored one was already equal."""
        current = self._execute(
            "SELECT language, sections FROM digests WHERE date = ?", (date,)
        ).fetchone()
        if (
            current is not None
            and current["language"] == language
            and json.loads(current["sections"]) == list(sections)
            and self.digest_rows(date) == list(rows)
        ):
            return False
        with self.transaction():
            self._execute("DELETE FROM digest_entries WHERE date = ?", (date,))
            self._execute(
                "INSERT INTO digests (date, language, sections, source, created_at) "
                "VALUES (?,?,?,?,?) ON CONFLICT(date) DO UPDATE SET language = excluded.language, "
                "sections = excluded.sections, source = excluded.source, "
                "created_at = excluded.created_at",
                (date, language, json.dumps(list(sections)), source, now_iso()),
            )
            self._db.executemany(
                "INSERT INTO digest_entries (date, position, section, paper_id, summary_id, score, "
                "reasons, dropped) VALUES (?,?,?,?,?,?,?,?)",
                [
                    (
                        date,
                        pos,
                        r.section,
                        r.paper_id,
                        r.summary_id,
                        r.score,
                        json.dumps(list(r.reasons), ensure_ascii=False),
                        r.dropped,
                    )
                    for pos, r in enumerate(rows, start=1)
                ],
            )
        return True

    def digest_rows(self, date: str) -> list[DigestRow]:
        rows = self._execute(
            "SELECT section, paper_id, summary_id, score, reasons, dropped FROM digest_entries "
            "WHERE date = ? ORDER BY position",
            (date,),
        ).fetchall()
        return [
            DigestRow(
                r["section"],
                r["paper_id"],
                r["summary_id"],
                r["score"],
                tuple(json.loads(r["reasons"])),
                r["dropped"],
            )
            for r in rows
        ]

    def set_entry_summary(self, date: str, paper_id: str, summary_id: int) -> None:
        self._execute(
            "UPDATE digest_entries SET summary_id = ? WHERE date = ? AND paper_id = ? "
            "AND summary_id IS NOT ?",
            (summary_id, date, paper_id, summary_id),
        )

    def has_digest(self, date: str) -> bool:
        return self._execute("SELECT 1 FROM digests WHERE date = ?", (date,)).fetchone() is not None

    def digest_dates(self) -> list[str]:
        """Every stored digest day, newest first."""
        return [r[0] for r in self._execute("SELECT date FROM digests ORDER BY date DESC")]

    def load_digest(self, date: str, *, include_dropped: bool = False) -> Digest | None:
        head = self._execute(
            "SELECT language, sections FROM digests WHERE date = ?", (date,)
        ).fetchone()
        if head is None:
            return None
        rows = self._execute(
            "SELECT e.position, e.section, e.score, e.reasons, e.summary_id, "
            f"{', '.join('p.' + c.strip() for c in PAPER_COLUMNS.split(','))} "
            "FROM digest_entries e JOIN papers p ON p.id = e.paper_id "
            "WHERE e.date = ? AND (? OR e.dropped IS NULL) ORDER BY e.position",
            (date, include_dropped),
        ).fetchall()
        summary_ids = [r["summary_id"] for r in rows if r["summary_id"] is not None]
        summaries = self._summaries_by_id(summary_ids)
        entries = tuple(
            DigestEntry(
                position=r["position"],
                section=r["section"],
                paper=_paper_from_row(r),
                summary=summaries.get(r["summary_id"]),
                score=r["score"],
                reasons=tuple(json.loads(r["reasons"])),
            )
            for r in rows
        )
        return Digest(
            date=date,
            entries=entries,
            language=head["language"],
            sections=tuple(json.loads(head["sections"])),
        )

    def _summaries_by_id(self, ids: list[int]) -> dict[int, Summary]:
        found: dict[int, Summary] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self._execute(
                f"SELECT {SUMMARY_COLUMNS} FROM summaries "
                f"WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for row in rows:
                found[row["id"]] = _summary_from_row(row)
        return found

    # -- fetch records and raw feed items -------------------------------------------------------

    def start_fetch(self, kind: str, requested: dict[str, Any]) -> int:
        cur = self._execute(
            "INSERT INTO fetches (started_at, kind, requested, status) VALUES (?,?,?,?)",
            (now_iso(), kind, json.dumps(requested), "running"),
        )
        return int(cur.lastrowid or 0)

    def finish_fetch(
        self,
        fetch_id: int,
        *,
        status: str,
        feed_date: str | None = None,
        items: int = 0,
        stored: int = 0,
        missing: Sequence[tuple[str, str]] = (),
        requests: int = 0,
        message: str | None = None,
    ) -> None:
        self._execute(
            "UPDATE fetches SET finished_at = ?, status = ?, feed_date = ?, items = ?, stored = ?, "
            "missing = ?, requests = ?, message = ? WHERE id = ?",
            (
                now_iso(),
                status,
                feed_date,
                items,
                stored,
                json.dumps([list(m) for m in missing]),
                requests,
                message,
                fetch_id,
            ),
        )

    def fetches(self) -> list[dict[str, Any]]:
        rows = self._execute("SELECT * FROM fetches ORDER BY id").fetchall()
        return [dict(r) for r in rows]

    def save_feed_items(self, date: str, items: Iterable[FeedItem]) -> None:
        self._db.executemany(
            "INSERT INTO feed_items (date, paper_id, version, announce_type, title, abstract, "
            "categories, creators, doi, journal_ref) VALUES (?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(date, paper_id) DO UPDATE SET version = excluded.version, "
            "announce_type = excluded.announce_type, title = excluded.title, "
            "abstract = excluded.abstract, categories = excluded.categories, "
            "creators = excluded.creators, doi = excluded.doi, journal_ref = excluded.journal_ref "
            "WHERE feed_items.version IS NOT excluded.version "
            "OR feed_items.announce_type IS NOT excluded.announce_type",
            [
                (
                    date,
                    i.id,
                    i.version,
                    i.announce_type,
                    i.title,
                    i.abstract,
                    json.dumps(list(i.categories)),
                    i.creators,
                    i.doi,
                    i.journal_ref,
                )
                for i in items
            ],
        )

    def feed_items(self, date: str) -> list[FeedItem]:
        rows = self._execute(
            "SELECT * FROM feed_items WHERE date = ? ORDER BY paper_id", (date,)
        ).fetchall()
        return [
            FeedItem(
                r["paper_id"],
                r["version"],
                r["announce_type"],
                r["title"],
                r["abstract"],
                tuple(json.loads(r["categories"])),
                r["creators"],
                r["doi"],
                r["journal_ref"],
            )
            for r in rows
        ]

    def announced_ids(self, date: str) -> set[str]:
        return {
            r[0]
            for r in self._execute("SELECT paper_id FROM announcements WHERE date = ?", (date,))
        }

    # -- reader feedback and embedding cache --------------------------------------------------

    def set_feedback(self, paper_id: str, kind: str | None) -> None:
        """Star or hide a paper (kind None clears it)."""
        if kind is None:
            self._execute("DELETE FROM feedback WHERE paper_id = ?", (paper_id,))
            return
        self._execute(
            "INSERT INTO feedback (paper_id, kind, at) VALUES (?,?,?) ON CONFLICT(paper_id) "
            "DO UPDATE SET kind = excluded.kind, at = excluded.at",
            (paper_id, kind, now_iso()),
        )

    def feedback(self) -> list[tuple[Paper, str]]:
        rows = self._execute(
            "SELECT f.kind AS kind, "
            f"{', '.join('p.' + c.strip() for c in PAPER_COLUMNS.split(','))} "
            "FROM feedback f JOIN papers p ON p.id = f.paper_id ORDER BY f.paper_id"
        ).fetchall()
        return [(_paper_from_row(r), r["kind"]) for r in rows]

    def papers_by_id(self, ids: Iterable[str]) -> dict[str, Paper]:
        wanted = list(ids)
        found: dict[str, Paper] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._execute(
                f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            found.update({r["id"]: _paper_from_row(r) for r in rows})
        return found

    def get_embeddings(self, keys: Sequence[str], model: str) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            rows = self._execute(
                f"SELECT key, vector FROM embeddings WHERE model = ? AND key IN "
                f"({', '.join('?' * len(chunk))})",
                [model, *chunk],
            )
            found.update({r["key"]: r["vector"] for r in rows})
        return found

    def save_embeddings(self, model: str, vectors: dict[str, bytes]) -> None:
        with self.transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO embeddings (key, model, vector) VALUES (?,?,?)",
                [(k, model, v) for k, v in vectors.items()],
            )

    # -- deliveries -------------------------------------------------------------------------

    def delivered(self, date: str, channel: str, recipient: str) -> bool:
        return (
            self._execute(
                "SELECT 1 FROM deliveries WHERE date = ? AND channel = ? AND recipient = ?",
                (date, channel, recipient),
            ).fetchone()
            is not None
        )

    def mark_delivered(self, date: str, channel: str, recipients: Iterable[str]) -> None:
        with self.transaction():
            self._db.executemany(
                "INSERT INTO deliveries (date, channel, recipient, sent_at) VALUES (?,?,?,?) "
                "ON CONFLICT DO UPDATE SET sent_at = excluded.sent_at",
                [(date, channel, r, now_iso()) for r in recipients],
            )

    # -- archive search and statistics ---------------------------------------------------------

    #: A query matching more papers than this is ranked among its newest SEARCH_WINDOW matches,
    #: so a very common word still answers in a few milliseconds on a large archive.
    SEARCH_WINDOW = 5_000

    def search(
        self,
        match: str,
        *,
        since: str | None = None,
        category: str | None = None,
        author: str | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        """Ranked full-text hits (bm25: title counts most) with a highlighted snippet.

        Ranking runs inside FTS5 (ORDER BY rank LIMIT k); filters are applied to those
        candidates afterwards, widening k until enough pass, so no query joins every match.
        """
        try:
            return self._search(match, since, category, author, limit)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot search for {match!r}: {exc}") from None

    def _search(
        self, match: str, since: str | None, category: str | None, author: str | None, limit: int
    ) -> list[dict[str, Any]]:
        db = self._db
        match = _PREFIX.sub(lambda m: self._expand_prefix(m.group(1)), match)
        # the author is matched inside the index (name words as tokens); the category and the
        # announcement date are checked on the ranked candidates
        if author:
            match = f"({match}) AND authors : {_fts_phrase(author)}"
        filters: list[str] = []
        params: list[Any] = []
        if category:
            filters.append("(p.primary_category = ? OR p.categories LIKE ?)")
            params += [category, f'%"{category}"%']
        if since:
            filters.append(
                "EXISTS (SELECT 1 FROM announcements a WHERE a.paper_id = p.id AND a.date >= ?)"
            )
            params.append(since)
        edge = db.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY rowid DESC "
            "LIMIT 1 OFFSET ?",
            (match, self.SEARCH_WINDOW - 1),
        ).fetchone()
        bound = edge[0] if edge else 0
        k = limit if not filters else max(limit * 20, 200)
        while True:
            candidates = db.execute(
                "SELECT rowid, rank FROM papers_fts WHERE papers_fts MATCH ? AND rowid >= ? "
                "ORDER BY rank LIMIT ?",
                (match, bound, k),
            ).fetchall()
            order = {r[0]: i for i, r in enumerate(candidates)}
            if not filters:
                kept = list(order)
            else:
                kept_rows: list[int] = []
                ids = list(order)
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    kept_rows += [
                        r[0]
                        for r in db.execute(
                            f"SELECT p.rowid FROM papers p WHERE p.rowid IN "
                            f"({', '.join('?' * len(chunk))}) AND {' AND '.join(filters)}",
                            [*chunk, *params],
                        )
                    ]
                kept = sorted(kept_rows, key=order.__getitem__)
            if len(kept) >= limit or len(candidates) < k:
                break
            k *= 8
        kept = kept[:limit]
        if not kept:
            return []
        marks = ", ".join("?" * len(kept))
        snippets = dict(
            db.execute(
                "SELECT rowid, snippet(papers_fts, -1, '\u00ab', '\u00bb', '…', 14) "
                f"FROM papers_fts WHERE papers_fts MATCH ? AND rowid IN ({marks})",
                (match, *kept),
            ).fetchall()
        )
        rows = {
            r["rowid"]: r
            for r in db.execute(
                "SELECT p.rowid AS rowid, p.id AS id, p.title AS title, p.authors AS authors, "
                "p.primary_category AS category, (SELECT MAX(a.date) FROM announcements a "
                f"WHERE a.paper_id = p.id) AS day FROM papers p WHERE p.rowid IN ({marks})",
                kept,
            ).fetchall()
        }
        return [
            {
                "id": rows[r]["id"],
                "title": rows[r]["title"],
                "authors": json.loads(rows[r]["authors"]),
                "category": rows[r]["category"],
                "day": rows[r]["day"],
                "snippet": snippets.get(r, ""),
                "score": order[r],
            }
            for r in kept
        ]

    def rebuild_search_index(self) -> int:
        """Refill the full-text index from the tables (the triggers keep it in step after)."""
        with self.transaction():
            self._execute("DELETE FROM papers_fts")
            self._execute(
                "INSERT INTO papers_fts (rowid, paper_id, title, authors, abstract, summary, "
                "categories) SELECT p.rowid, p.id, p.title, p.authors, p.abstract, COALESCE(("
                "SELECT COALESCE(s.tldr, '') || ' ' || COALESCE(s.motivation, '') || ' ' || "
                "COALESCE(s.method, '') || ' ' || COALESCE(s.result, '') || ' ' || "
                "COALESCE(s.conclusion, '') FROM digest_entries e JOIN summaries s "
                "ON s.id = e.summary_id WHERE e.paper_id = p.id AND s.status = 'ok' "
                "ORDER BY e.date DESC LIMIT 1), ''), p.categories FROM papers p"
            )
        return self.count("papers")

    #: A prefix (diffus*) stands for its most common completions, at most this many.
    PREFIX_TERMS = 8

    def _expand_prefix(self, prefix: str) -> str:
        low = prefix.lower()
        if not low:
            return '""'
        upper = low[:-1] + chr(ord(low[-1]) + 1)
        terms = [
            r[0]
            for r in self._db.execute(
                "SELECT term FROM papers_vocab WHERE term >= ? AND term < ? ORDER BY doc DESC "
                "LIMIT ?",
                (low, upper, self.PREFIX_TERMS),
            )
        ]
        if not terms:
            return f'"{low}"'
        return "(" + " OR ".join(f'"{t}"' for t in terms) + ")"

    def stats(self) -> list[dict[str, Any]]:
        """Per day: papers per section, failed summaries, tokens and cost of its summaries."""
        rows = self._execute(
            "SELECT e.date AS date, e.section AS section, COUNT(*) AS papers, "
            "SUM(CASE WHEN s.status = 'failed' THEN 1 ELSE 0 END) AS failed, "
            "SUM(CASE WHEN s.id IS NULL THEN 1 ELSE 0 END) AS missing, "
            "COALESCE(SUM(s.tokens_in), 0) AS tokens_in, "
            "COALESCE(SUM(s.tokens_out), 0) AS tokens_out, SUM(s.cost) AS cost, "
            "SUM(CASE WHEN s.id IS NOT NULL AND s.cost IS NULL "
            "AND s.backend NOT IN ('extractive', 'import', 'local') THEN 1 ELSE 0 END) AS unpriced "
            "FROM digest_entries e LEFT JOIN summaries s ON s.id = e.summary_id "
            "WHERE e.dropped IS NULL GROUP BY e.date, e.section ORDER BY e.date DESC, e.section"
        ).fetchall()
        return [dict(r) for r in rows]

    # -- cheap overviews for the site ----------------------------------------------------------

    def digest_signatures(self) -> dict[str, str]:
        """A fingerprint per stored day that changes whenever its digest or summaries change."""
        rows = self._execute(
            "SELECT e.date AS date, COUNT(*) AS n, COALESCE(SUM(e.summary_id), 0) AS ids, "
            "MAX(s.created_at) AS latest, d.created_at AS made, "
            "COALESCE(SUM(LENGTH(s.warnings)), 0) AS warn, "
            "COALESCE(SUM(e.score), 0) AS score "
            "FROM digest_entries e JOIN digests d ON d.date = e.date "
            "LEFT JOIN summaries s ON s.id = e.summary_id WHERE e.dropped IS NULL GROUP BY e.date"
        ).fetchall()
        return {
            r["date"]: f"{r['n']}:{r['ids']}:{r['latest']}:{r['made']}:{r['warn']}:{r['score']}"
            for r in rows
        }

    def digest_overview(self) -> list[tuple[str, str, int, int]]:
        """(date, section, papers, failed summaries) for every stored day, newest first."""
        rows = self._execute(
            "SELECT e.date AS date, e.section AS section, COUNT(*) AS n, "
            "SUM(CASE WHEN s.status IS NOT 'ok' THEN 1 ELSE 0 END) AS failed, "
            "MIN(e.position) AS first FROM digest_entries e "
            "LEFT JOIN summaries s ON s.id = e.summary_id WHERE e.dropped IS NULL "
            "GROUP BY e.date, e.section ORDER BY e.date DESC, first"
        ).fetchall()
        return [(r["date"], r["section"], r["n"], r["failed"]) for r in rows]

    # -- inspection (tests, `stats`) ---------------------------------------------------------

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: two equal dumps mean two equal stores."""
        tables = [
            r[0]
            for r in self._execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            t: sorted((tuple(row) for row in self._execute(f"SELECT * FROM {t}")), key=repr)
            for t in tables
        }

    def count(self, table: str) -> int:
        if table not in {
            "papers",
            "announcements",
            "summaries",
            "digests",
            "digest_entries",
            "fetches",
            "feed_items",
        }:
            raise ValueError(table)
        return int(self._execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


_PREFIX = re.compile(r'"([^"\s]+)"\*')


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', " ") + '"'


def claim_owner() -> str:
    """Who holds a claim: host, process and a nonce (a pid can be reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _claim_is_stale(owner: str, claimed_at: float, ttl: float) -> bool:
    if time.time() - claimed_at > ttl:
        return True
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True  # the run that claimed it is gone (killed, crashed)
    except PermissionError:
        return False
    return False


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements; trigger bodies keep their inner semicolons."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line.split("--", 1)[0].rstrip() + "\n"
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
