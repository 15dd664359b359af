"""Digests and their entries: the only writer of `digests` and `digest_entries`.

Three kinds of change, one method each: `plan` sets which papers a day holds (fetch, import,
demo), `rank` sets their scores and order, `attach` points an entry at its summary.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from arxiv_digest.errors import NotFoundError
from arxiv_digest.models import IMPORT_BACKEND, Digest, DigestEntry
from arxiv_digest.store._table import P_COLUMNS, Table, now_iso, paper_from_row, to_json


@dataclass(frozen=True, slots=True)
class DigestRow:
    """One planned digest line: which paper goes where, and which summary it shows."""

    section: str
    paper_id: str
    summary_id: int | None = None
    score: float | None = None
    reasons: tuple[str, ...] = ()
    dropped: str | None = None  # why the ranking left it out (None: shown)
    interest: str | None = None  # the reader's interest it belongs to (None: one interest)


class Digests(Table):
    def languages(self) -> list[str]:
        """The language of every stored day."""
        return [r[0] for r in self.store.execute("SELECT language FROM digests")]

    def plan(
        self,
        date: str,
        rows: Sequence[DigestRow],
        *,
        language: str,
        sections: Sequence[str],
        source: str,
    ) -> bool:
        """Make `rows` the digest of `date`. Returns False when the stored one was already equal."""
        current = self.store.execute(
            "SELECT language, sections FROM digests WHERE date = ?", (date,)
        ).fetchone()
        if (
            current is not None
            and current["language"] == language
            and json.loads(current["sections"]) == list(sections)
            and self.rows(date) == list(rows)
        ):
            return False
        with self.store.transaction():
            self.store.execute(
                "INSERT INTO digests (date, language, sections, source, created_at) "
                "VALUES (?,?,?,?,?) ON CONFLICT(date) DO UPDATE SET language = excluded.language, "
                "sections = excluded.sections, source = excluded.source, "
                "created_at = excluded.created_at",
                (date, language, json.dumps(list(sections)), source, now_iso()),
            )
            self._write_entries(date, rows)
        return True

    def rank(
        self,
        date: str,
        rows: Sequence[DigestRow],
        *,
        interest_quota: int = 0,
        interest_sizes: dict[str, int] | None = None,
    ) -> bool:
        """Give the day's entries their scores, reasons, interests, drops and order, and the day
        the For-you places each interest is sure of; the digest's source and sections stay.
        Returns False when nothing changed."""
        sizes = to_json(interest_sizes or {})
        head = self.store.execute(
            "SELECT interest_quota, interest_sizes FROM digests WHERE date = ?", (date,)
        ).fetchone()
        same_head = head is not None and tuple(head) == (interest_quota, sizes)
        if same_head and self.rows(date) == list(rows):
            return False
        with self.store.transaction():
            self.store.execute(
                "UPDATE digests SET created_at = ?, interest_quota = ?, interest_sizes = ? "
                "WHERE date = ?",
                (now_iso(), interest_quota, sizes, date),
            )
            self._write_entries(date, rows)
        return True

    def _write_entries(self, date: str, rows: Sequence[DigestRow]) -> None:
        self.store.execute("DELETE FROM digest_entries WHERE date = ?", (date,))
        self.store.executemany(
            "INSERT INTO digest_entries (date, position, section, paper_id, summary_id, score, "
            "reasons, dropped, interest) VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    date,
                    pos,
                    r.section,
                    r.paper_id,
                    r.summary_id,
                    r.score,
                    to_json(list(r.reasons)),
                    r.dropped,
                    r.interest,
                )
                for pos, r in enumerate(rows, start=1)
            ],
        )

    def attach(self, date: str, paper_id: str, summary_id: int) -> None:
        """Show summary `summary_id` for the paper in the day's digest."""
        self.store.execute(
            "UPDATE digest_entries SET summary_id = ? WHERE date = ? AND paper_id = ? "
            "AND summary_id IS NOT ?",
            (summary_id, date, paper_id, summary_id),
        )

    # -- reading ---------------------------------------------------------------------------

    def rows(self, date: str) -> list[DigestRow]:
        rows = self.store.execute(
            "SELECT section, paper_id, summary_id, score, reasons, dropped, interest "
            "FROM digest_entries WHERE date = ? ORDER BY position",
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
                r["interest"],
            )
            for r in rows
        ]

    def has(self, date: str) -> bool:
        found = self.store.execute("SELECT 1 FROM digests WHERE date = ?", (date,)).fetchone()
        return found is not None

    def dates(self) -> list[str]:
        """Every stored digest day, newest first."""
        return [r[0] for r in self.store.execute("SELECT date FROM digests ORDER BY date DESC")]

    def latest(self) -> str:
        """The newest stored day (NotFoundError when there is none)."""
        days = self.dates()
        if not days:
            raise NotFoundError("the store holds no digest yet: fetch or import a day first")
        return days[0]

    def require(
        self,
        date: str | None,
        *,
        include_dropped: bool = False,
        only: Collection[str] | None = None,
    ) -> Digest:
        """`load` of `date` (the newest day when None), or NotFoundError naming the day: the
        one place that says a day is missing."""
        day = date or self.latest()
        digest = self.load(day, include_dropped=include_dropped, only=only)
        if digest is None:
            raise NotFoundError(f"no digest stored for {day}: fetch or import that day first")
        return digest

    def source(self, date: str) -> str | None:
        row = self.store.execute("SELECT source FROM digests WHERE date = ?", (date,)).fetchone()
        return str(row[0]) if row else None

    def load(
        self, date: str, *, include_dropped: bool = False, only: Collection[str] | None = None
    ) -> Digest | None:
        """The digest of `date` with its papers and the summaries it shows (`only` some of its
        papers: a batch's share of a 20,000-paper day costs its share)."""
        head = self.store.execute(
            "SELECT language, sections, interest_quota, interest_sizes FROM digests WHERE date = ?",
            (date,),
        ).fetchone()
        if head is None:
            return None
        sql = (
            f"SELECT e.position, e.section, e.score, e.reasons, e.summary_id, e.interest, "
            f"{P_COLUMNS} "
            "FROM digest_entries e JOIN papers p ON p.id = e.paper_id "
            "WHERE e.date = ? AND (? OR e.dropped IS NULL)"
        )
        if only is None:
            rows = self.store.execute(
                sql + " ORDER BY e.position", (date, include_dropped)
            ).fetchall()
        else:  # by the (date, paper_id) index, not the whole day
            found = self.store.select_in(
                sql + " AND e.paper_id IN ({marks})", only, (date, include_dropped)
            )
            rows = sorted(found, key=lambda r: int(r["position"]))
        summaries = self.store.summaries.by_id(
            r["summary_id"] for r in rows if r["summary_id"] is not None
        )
        entries = tuple(
            DigestEntry(
                position=r["position"],
                section=r["section"],
                paper=paper_from_row(r),
                summary=summaries.get(r["summary_id"]),
                score=r["score"],
                reasons=tuple(json.loads(r["reasons"])),
                interest=r["interest"],
            )
            for r in rows
        )
        return Digest(
            date=date,
            entries=entries,
            language=head["language"],
            sections=tuple(json.loads(head["sections"])),
            interest_quota=head["interest_quota"],
            interest_sizes=json.loads(head["interest_sizes"]),
        )

    def days_of(self, paper_ids: Iterable[str]) -> dict[str, set[str]]:
        """The stored days that list these papers, and which of them each lists."""
        out: dict[str, set[str]] = {}
        for row in self.store.select_in(
            "SELECT date, paper_id FROM digest_entries WHERE paper_id IN ({marks})", paper_ids
        ):
            out.setdefault(row["date"], set()).add(row["paper_id"])
        return out

    def states(self, date: str, model: str, language: str, prompt_version: str) -> dict[str, str]:
        """How each paper of the day stands for a model, language and prompt (one query): ok,
        transient (failed, may heal), failed (of its own), or pending; an imported summary in
        the language stands for any model, as the summarize stage counts it."""
        rows = self.store.execute(
            "SELECT e.paper_id, s.status, s.transient, a.backend AS shown_backend, "
            "a.status AS shown_status, a.language AS shown_language "
            "FROM digest_entries e JOIN papers p ON p.id = e.paper_id "
            "LEFT JOIN summaries s ON s.paper_id = e.paper_id AND s.version = p.version "
            "AND s.model = ? AND s.language = ? AND s.prompt_version = ? "
            "LEFT JOIN summaries a ON a.id = e.summary_id "
            "WHERE e.date = ? AND e.dropped IS NULL",
            (model, language, prompt_version, date),
        )
        out: dict[str, str] = {}
        for r in rows:
            if r["status"] == "ok":
                out[r["paper_id"]] = "ok"
            elif r["status"] == "failed":
                out[r["paper_id"]] = "transient" if r["transient"] else "failed"
            elif (r["shown_backend"], r["shown_status"], r["shown_language"]) == (
                IMPORT_BACKEND,
                "ok",
                language,
            ):
                out[r["paper_id"]] = "ok"
            else:
                out[r["paper_id"]] = "pending"
        return out

    # -- overviews (stats, the site) ----------------------------------------------------------

    def stats(self) -> list[dict[str, Any]]:
        """Per day: papers per section, failed summaries, tokens and cost of its summaries."""
        rows = self.store.execute(
            "SELECT e.date AS date, e.section AS section, COUNT(*) AS papers, "
            "SUM(CASE WHEN s.status = 'failed' THEN 1 ELSE 0 END) AS failed, "
            "SUM(CASE WHEN s.id IS NULL THEN 1 ELSE 0 END) AS missing, "
            "COALESCE(SUM(s.tokens_in), 0) AS tokens_in, "
            "COALESCE(SUM(s.tokens_out), 0) AS tokens_out, SUM(s.cost) AS cost, "
            "SUM(CASE WHEN s.backend = 'batch' THEN s.cost END) AS batch_cost, "
            "SUM(CASE WHEN s.id IS NOT NULL AND s.cost IS NULL "
            "AND s.backend NOT IN ('extractive', 'import', 'local') THEN 1 ELSE 0 END) AS unpriced "
            "FROM digest_entries e LEFT JOIN summaries s ON s.id = e.summary_id "
            "WHERE e.dropped IS NULL GROUP BY e.date, e.section ORDER BY e.date DESC, e.section"
        ).fetchall()
        return [dict(r) for r in rows]

    def signatures(self) -> dict[str, str]:
        """A fingerprint per stored day that changes whenever its digest or summaries change."""
        rows = self.store.execute(
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

    def overview(self) -> list[tuple[str, str, int, int]]:
        """(date, section, papers, failed summaries) for every stored day, newest first."""
        rows = self.store.execute(
            "SELECT e.date AS date, e.section AS section, COUNT(*) AS n, "
            "SUM(CASE WHEN s.status IS NOT 'ok' THEN 1 ELSE 0 END) AS failed, "
            "MIN(e.position) AS first FROM digest_entries e "
            "LEFT JOIN summaries s ON s.id = e.summary_id WHERE e.dropped IS NULL "
            "GROUP BY e.date, e.section ORDER BY e.date DESC, first"
        ).fetchall()
        return [(r["date"], r["section"], r["n"], r["failed"]) for r in rows]
