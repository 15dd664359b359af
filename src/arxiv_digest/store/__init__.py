"""The store: the only code that touches SQLite.

`Store` owns the one connection and its transactions. Each concern is a table group in a module
of its own, reached as an attribute, and each table has exactly one writer:

    store.papers       papers and announcements                (papers.py)
    store.fetches      fetch records and raw feed items        (fetches.py)
    store.summaries    summaries and the claims on them         (summaries.py)
    store.digests      digests and their entries                (digests.py)
    store.feedback     stars and hides                          (feedback.py)
    store.embeddings   the embedding cache                      (embeddings.py)
    store.deliveries   what was sent to whom                    (deliveries.py)
    store.search       the full-text index (kept by triggers)   (search.py)
    store.fulltexts    papers' full texts (compressed)          (fulltext.py)
    store.deep_reads   deep reads of whole papers               (fulltext.py)
    store.answers      answers to questions about a paper       (fulltext.py)

Opening a store applies pending migrations, turns on WAL and foreign keys, and sets a busy timeout
so that two processes on one file wait instead of failing. Writes that belong together go through
`transaction()`, which takes the write lock up front (BEGIN IMMEDIATE) so a crash or a Ctrl-C
leaves either all of a change or none of it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from arxiv_digest.errors import StoreError
from arxiv_digest.models import Summary
from arxiv_digest.store.batches import BatchJobs
from arxiv_digest.store.deliveries import Deliveries
from arxiv_digest.store.digests import DigestRow, Digests
from arxiv_digest.store.embeddings import EmbeddingCache
from arxiv_digest.store.feedback import Feedback
from arxiv_digest.store.fetches import Fetches
from arxiv_digest.store.fulltext import Answers, DeepReads, FullTexts
from arxiv_digest.store.migrations import MIGRATIONS
from arxiv_digest.store.papers import Papers
from arxiv_digest.store.search import SearchIndex, index_categories
from arxiv_digest.store.summaries import Summaries, claim_owner
from arxiv_digest.textutil import index_text

__all__ = ["DigestRow", "Store", "claim_owner"]

#: SQLite allows at most 999 bound parameters in older builds: `IN (...)` lists go in chunks.
CHUNK = 500


def damaged(text: str) -> bool:
    """Does SQLite's message say the file itself is broken?"""
    return any(w in text for w in ("malformed", "not a database", "corrupt", "disk image"))


def store_error(exc: sqlite3.DatabaseError, path: object) -> StoreError:
    """One line that says what to do: a full or read-only disk keeps finished work, a damaged
    file can be recovered. A broken constraint is a bug of ours, not the user's: it stays."""
    if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError):
        raise exc
    text = " ".join(str(exc).split())
    if "full" in text or "disk I/O" in text:
        hint = "free some space, then run again (finished work is kept)"
    elif "readonly" in text or "read-only" in text:
        hint = "it is read-only here; use a writable place (--db) or fix its permissions"
    elif isinstance(exc, sqlite3.OperationalError) and not damaged(text):
        hint = ""
    else:  # malformed, not a database, ...
        hint = (
            f"the file is damaged; recover what it holds with `sqlite3 {path} .recover"
            f" | sqlite3 recovered.db`, then pass --db recovered.db"
        )
    return StoreError(f"the store {path}: {text}" + (f"; {hint}" if hint else ""))


class Store:
    """A SQLite database of papers, announcements, summaries and digests."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # one thread at a time, but not always the opening one: a synchronous stage called
            # inside a running event loop (a notebook) runs its coroutine on a worker thread
            # while the caller waits (`aio.run_sync`)
            self._db = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout = 30000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA synchronous = NORMAL")
            # the full-text index's view of text (the triggers call them): CJK as pairs,
            # categories as exact tokens
            self._db.create_function("index_text", 1, index_text, deterministic=True)
            self._db.create_function("index_categories", 1, index_categories, deterministic=True)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open {self._error(exc)}") from None
        except OSError as exc:
            raise StoreError(f"cannot create the store {self.path}: {exc.strerror}") from exc
        self._depth = 0
        self.papers = Papers(self)
        self.fetches = Fetches(self)
        self.summaries = Summaries(self)
        self.digests = Digests(self)
        self.feedback = Feedback(self)
        self.embeddings = EmbeddingCache(self)
        self.deliveries = Deliveries(self)
        self.search = SearchIndex(self)
        self.batches = BatchJobs(self)
        self.fulltexts = FullTexts(self)
        self.deep_reads = DeepReads(self)
        self.answers = Answers(self)

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
            # SQLite parses the script itself (triggers, comments, strings and all); the
            # version bump commits with it, so a migration is applied whole or not at all.
            try:
                self._db.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version = {number};\nCOMMIT;"
                )
            except BaseException:
                if self._db.in_transaction:
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
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        self._depth = 1
        try:
            yield
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise self._error(exc) from None
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    def _rollback(self) -> None:
        # SQLite may have rolled back already (a full disk does): a second ROLLBACK would raise
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _error(self, exc: sqlite3.DatabaseError) -> StoreError:
        return store_error(exc, self.path)

    # -- statements, for the table modules ----------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self._db.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def select_in(
        self, sql: str, values: Iterable[Any], params: Sequence[Any] = ()
    ) -> Iterator[sqlite3.Row]:
        """Rows of `sql` for every value, in chunks: `{marks}` in `sql` becomes `?, ?, ...`;
        `params` are bound before the chunk's values."""
        items = list(values)
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            yield from self.execute(
                sql.format(marks=", ".join("?" * len(chunk))), [*params, *chunk]
            )

    # -- inspection (tests, `stats`) ---------------------------------------------------------

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: two equal dumps mean two equal stores."""
        tables = [
            r[0]
            for r in self.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            t: sorted((tuple(row) for row in self.execute(f"SELECT * FROM {t}")), key=repr)
            for t in tables
        }

    TABLES = frozenset(
        {"papers", "announcements", "summaries", "digests", "digest_entries", "fetches"}
        | {"feed_items", "claims", "feedback", "deliveries", "embeddings"}
        | {"fulltexts", "deep_reads", "answers"}
    )

    def keep_unsaved(self, date: str, summary: Summary) -> bool:
        """A paid answer this store could not take (a full disk), kept beside it for the next
        run (`store.unsaved`); False when even that fails."""
        from arxiv_digest.store import unsaved

        return unsaved.keep(self.path, date, summary)

    def restore_unsaved(self) -> int:
        """Save the answers an earlier run kept beside the store; how many."""
        from arxiv_digest.store import unsaved

        return unsaved.restore(self)

    def count(self, table: str) -> int:
        if table not in self.TABLES:
            raise ValueError(table)
        return int(self.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
