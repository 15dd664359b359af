"""Papers and their announcements: the only writer of `papers` and `announcements`."""

from __future__ import annotations

from collections.abc import Iterable

from arxiv_digest.models import Announcement, Paper
from arxiv_digest.store._table import (
    P_COLUMNS,
    PAPER_COLUMNS,
    PAPER_NAMES,
    Table,
    now_iso,
    paper_from_row,
    to_json,
)

_CHANGES = " OR ".join(f"{n} IS NOT excluded.{n}" for n in PAPER_NAMES[1:])
_UPDATES = ", ".join(f"{n} = excluded.{n}" for n in PAPER_NAMES[1:])
_UPSERT = (
    f"INSERT INTO papers ({PAPER_COLUMNS}, stored_at) VALUES ({', '.join('?' * 13)}) "
    f"ON CONFLICT(id) DO UPDATE SET {_UPDATES} WHERE {_CHANGES}"
)


class Papers(Table):
    def upsert(self, paper: Paper) -> None:
        """Insert a paper, or bring a stored one up to date; an identical row is left untouched."""
        self.store.execute(
            _UPSERT,
            (
                paper.id,
                paper.version,
                paper.title,
                to_json(list(paper.authors)),
                paper.abstract,
                paper.primary_category,
                to_json(list(paper.categories)),
                paper.comment,
                paper.journal_ref,
                paper.doi,
                paper.published,
                paper.updated,
                now_iso(),
            ),
        )

    def get(self, paper_id: str) -> Paper | None:
        found = self.store.execute(
            f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?", (paper_id,)
        ).fetchone()
        return paper_from_row(found) if found else None

    def existing(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` the store holds (one query per few hundred ids)."""
        rows = self.store.select_in("SELECT id FROM papers WHERE id IN ({marks})", ids)
        return {r["id"] for r in rows}

    def by_id(self, ids: Iterable[str]) -> dict[str, Paper]:
        rows = self.store.select_in(
            f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({{marks}})", ids
        )
        return {r["id"]: paper_from_row(r) for r in rows}

    def recent(self, limit: int, *, besides: Iterable[str] = ()) -> list[Paper]:
        """The `limit` most recently stored papers, leaving out `besides` (the ranker's
        negatives: what the reader did not pick)."""
        skip = set(besides)
        rows = self.store.execute(
            f"SELECT {PAPER_COLUMNS} FROM papers ORDER BY rowid DESC LIMIT ?",
            (limit + len(skip),),
        ).fetchall()
        return [paper_from_row(r) for r in rows if r["id"] not in skip][:limit]

    def announce(self, ann: Announcement) -> None:
        self.store.execute(
            "INSERT INTO announcements (date, paper_id, version, announce_type) VALUES (?,?,?,?) "
            "ON CONFLICT(date, paper_id) DO UPDATE SET version = excluded.version, "
            "announce_type = excluded.announce_type "
            "WHERE version IS NOT excluded.version OR announce_type IS NOT excluded.announce_type",
            (ann.date, ann.paper_id, ann.version, ann.announce_type),
        )

    def announced(self, date: str) -> list[tuple[Announcement, Paper]]:
        """The papers announced on a day, in ascending id order."""
        rows = self.store.execute(
            f"SELECT a.date AS a_date, a.version AS a_version, a.announce_type, {P_COLUMNS} "
            "FROM announcements a JOIN papers p ON p.id = a.paper_id WHERE a.date = ? "
            "ORDER BY a.paper_id",
            (date,),
        ).fetchall()
        return [
            (
                Announcement(r["a_date"], r["id"], r["a_version"], r["announce_type"]),
                paper_from_row(r),
            )
            for r in rows
        ]

    def announced_ids(self, date: str) -> set[str]:
        rows = self.store.execute("SELECT paper_id FROM announcements WHERE date = ?", (date,))
        return {r[0] for r in rows}

    def first_announced(self, paper_ids: Iterable[str]) -> dict[str, str]:
        """For each id that was announced before, the earliest day it was announced."""
        rows = self.store.select_in(
            "SELECT paper_id, MIN(date) AS first FROM announcements "
            "WHERE paper_id IN ({marks}) GROUP BY paper_id",
            paper_ids,
        )
        return {r["paper_id"]: r["first"] for r in rows}
