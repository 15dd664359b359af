"""Fetch records and the raw feed items: the only writer of `fetches` and `feed_items`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from arxiv_digest.models import FeedItem
from arxiv_digest.store._table import Table, now_iso

#: A fetch still "running" after this long died with its process (a fetch takes minutes).
ABANDONED_AFTER = timedelta(hours=1)


class Fetches(Table):
    def start(self, kind: str, requested: dict[str, Any]) -> int:
        """Record a new fetch; close the records of fetches whose process died mid-way."""
        cutoff = (datetime.now(UTC) - ABANDONED_AFTER).isoformat(timespec="seconds")
        self.store.execute(
            "UPDATE fetches SET status = 'interrupted', finished_at = ?, "
            "message = 'the process ended before the fetch finished' "
            "WHERE status = 'running' AND started_at < ?",
            (now_iso(), cutoff),
        )
        cur = self.store.execute(
            "INSERT INTO fetches (started_at, kind, requested, status) VALUES (?,?,?,?)",
            (now_iso(), kind, json.dumps(requested), "running"),
        )
        return int(cur.lastrowid or 0)

    def finish(
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
        self.store.execute(
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

    def all(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.store.execute("SELECT * FROM fetches ORDER BY id")]

    def save_items(self, date: str, items: Iterable[FeedItem]) -> None:
        self.store.executemany(
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

    def items(self, date: str) -> list[FeedItem]:
        rows = self.store.execute(
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
