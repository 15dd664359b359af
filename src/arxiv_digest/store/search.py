"""The full-text index over every stored paper and its shown summary.

The triggers of the migrations keep `papers_fts` in step with the tables; this module reads it
and, when asked, refills it. `fts_query` turns what a person types into a safe FTS5 query.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from arxiv_digest.errors import StoreError
from arxiv_digest.store._table import Table

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_PREFIX = re.compile(r'"([^"\s]+)"\*')
_OPERATORS = ("OR", "AND", "NOT")


def fts_query(text: str) -> str:
    """'graph "neural network" diffus* OR gnn' -> '"graph" "neural network" "diffus"* OR "gnn"'.

    Every word is quoted, so FTS5 operators and punctuation typed by the user cannot break the
    query; a trailing * keeps its prefix meaning and a bare OR/AND/NOT stays an operator.
    Raises ValueError for a query with no words.
    """
    parts: list[str] = []
    for match in _TOKEN.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            cleaned = phrase.replace('"', "").strip()
            if cleaned:
                parts.append(f'"{cleaned}"')
            continue
        if word in _OPERATORS:
            if parts and parts[-1] not in _OPERATORS:
                parts.append(word)
            continue
        core = word.rstrip("*").replace('"', "")
        if core:
            parts.append(f'"{core}"' + ("*" if word.endswith("*") else ""))
    while parts and parts[-1] in _OPERATORS:
        parts.pop()
    if not parts:
        raise ValueError("empty query")
    return " ".join(parts)


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', " ") + '"'


class SearchIndex(Table):
    #: A query matching more papers than this is ranked among its newest WINDOW matches, so a
    #: very common word still answers in a few milliseconds on a large archive.
    WINDOW = 5_000
    #: A prefix (diffus*) stands for its most common completions, at most this many.
    PREFIX_TERMS = 8

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
        except (sqlite3.OperationalError, StoreError) as exc:
            raise StoreError(f"cannot search for {match!r}: {exc}") from None

    def _search(
        self, match: str, since: str | None, category: str | None, author: str | None, limit: int
    ) -> list[dict[str, Any]]:
        db = self.store
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
            (match, self.WINDOW - 1),
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
                rows = db.select_in(
                    "SELECT p.rowid FROM papers p WHERE "
                    f"{' AND '.join(filters)} AND p.rowid IN ({{marks}})",
                    order,
                    params,
                )
                kept = sorted((r[0] for r in rows), key=order.__getitem__)
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
        rows_by_id = {
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
                "id": rows_by_id[r]["id"],
                "title": rows_by_id[r]["title"],
                "authors": json.loads(rows_by_id[r]["authors"]),
                "category": rows_by_id[r]["category"],
                "day": rows_by_id[r]["day"],
                "snippet": snippets.get(r, ""),
                "score": order[r],
            }
            for r in kept
        ]

    def rebuild(self) -> int:
        """Refill the full-text index from the tables (the triggers keep it in step after)."""
        with self.store.transaction():
            self.store.execute("DELETE FROM papers_fts")
            self.store.execute(
                "INSERT INTO papers_fts (rowid, paper_id, title, authors, abstract, summary, "
                "categories) SELECT p.rowid, p.id, p.title, p.authors, p.abstract, COALESCE(("
                "SELECT t.text FROM digest_entries e JOIN summary_text t ON t.id = e.summary_id "
                "WHERE e.paper_id = p.id ORDER BY e.date DESC LIMIT 1), ''), p.categories "
                "FROM papers p"
            )
        return self.store.count("papers")

    def _expand_prefix(self, prefix: str) -> str:
        low = prefix.lower()
        if not low:
            return '""'
        upper = low[:-1] + chr(ord(low[-1]) + 1)
        terms = [
            r[0]
            for r in self.store.execute(
                "SELECT term FROM papers_vocab WHERE term >= ? AND term < ? ORDER BY doc DESC "
                "LIMIT ?",
                (low, upper, self.PREFIX_TERMS),
            )
        ]
        if not terms:
            return f'"{low}"'
        return "(" + " OR ".join(f'"{t}"' for t in terms) + ")"
