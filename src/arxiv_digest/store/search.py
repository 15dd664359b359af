"""The full-text index over every stored paper and its shown summary.

The triggers of the migrations keep `papers_fts` in step with the tables; this module reads it
and, when asked, refills it. What the index holds is `textutil.index_text` of each field: every
run of Chinese (or other CJK) characters as its overlapping character pairs, so a Chinese word
of any length is searched as a phrase of pairs and found exactly where its characters stand
together. Categories are exact tokens and announcement days are tokens, so the category, author
and date filters are part of the full-text query itself, never applied after a cut.

`fts_query` turns what a person types into a safe FTS5 query. Snippets are cut from the stored
text in Python (the index's text is pairs, not prose) and mark every searched word.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from dataclasses import dataclass
from datetime import date as Date
from typing import TYPE_CHECKING, Any

from arxiv_digest.errors import StoreError
from arxiv_digest.store._table import Table

if TYPE_CHECKING:
    from arxiv_digest.store import Store
from arxiv_digest.textutil import cjk_query_part, has_cjk

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_PREFIX = re.compile(r'"([^"\s]+)"\*')
_OPERATORS = ("OR", "AND", "NOT")
#: A query is capped: more words than this cost time and find nothing more.
MAX_WORDS = 32
MAX_CHARS = 512


class QueryTooLong(ValueError):
    """The query has more words (or characters) than a search takes."""


@dataclass(frozen=True, slots=True)
class Query:
    """What a person typed, as FTS5 reads it (`match`) and as the snippet marks it (`terms`)."""

    match: str
    terms: tuple[str, ...]


def parse_query(text: str) -> Query:
    """'graph "neural network" diffus* OR gnn 强化学习' as an FTS5 query and its terms.

    Every word is quoted, so FTS5 operators and punctuation typed by the user cannot break the
    query; a trailing * keeps its prefix meaning and a bare OR/AND/NOT stays an operator; a
    Chinese word becomes a phrase of its character pairs. Raises ValueError for a query with no
    words, QueryTooLong past MAX_WORDS words or MAX_CHARS characters."""
    if len(text) > MAX_CHARS:
        raise QueryTooLong(
            f"the query has {len(text)} characters; at most {MAX_CHARS} are searched"
        )
    parts: list[str] = []
    terms: list[str] = []
    words = 0
    for match in _TOKEN.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            cleaned = " ".join(phrase.replace('"', "").split())
            if cleaned:
                words += len(cleaned.split())
                parts.append(_phrase(cleaned))
                terms.append(cleaned)
            continue
        if word in _OPERATORS:
            if parts and parts[-1] not in _OPERATORS:
                parts.append(word)
            continue
        core = word.rstrip("*").replace('"', "")
        if core:
            words += 1
            prefix = word.endswith("*") and not has_cjk(core)
            parts.append(_phrase(core) + ("*" if prefix else ""))
            terms.append(core + ("*" if prefix else ""))
    if words > MAX_WORDS:
        raise QueryTooLong(f"the query has {words} words; at most {MAX_WORDS} are searched")
    while parts and parts[-1] in _OPERATORS:
        parts.pop()
    if not parts:
        raise ValueError("empty query")
    return Query(" ".join(parts), tuple(terms))


def fts_query(text: str) -> str:
    """The FTS5 query for `text` (see `parse_query`)."""
    return parse_query(text).match


def _phrase(text: str) -> str:
    """A quoted FTS5 phrase of `text`, its CJK runs as character pairs."""
    out = [cjk_query_part(w)[0] for w in text.split()]
    return '"' + " ".join(out).replace('"', " ") + '"'


def index_categories(raw: str | None) -> str:
    """A paper's categories (JSON list) as exact tokens: cs.LG -> catcs0lg, q-bio.QM ->
    catq0bio0qm (no arXiv category has a 0), so `cs.LG` never matches `cs.LGX` or `stat.ML`."""
    try:
        names = json.loads(raw or "[]")
    except ValueError:
        return ""
    return " ".join(category_token(name) for name in names if isinstance(name, str))


def category_token(name: str) -> str:
    return "cat" + re.sub(r"[^a-z0-9]", "0", name.lower())


# ---------------------------------------------------------------------------------- snippets

SNIPPET_WIDTH = 90
MARK_OPEN, MARK_CLOSE = "\u00ab", "\u00bb"


def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    pieces = []
    for term in terms:
        prefix = term.endswith("*")
        term = term.rstrip("*")
        if not term:
            continue
        words = [re.escape(w) for w in term.split()]
        body = r"\s+".join(words)
        if has_cjk(term):
            pieces.append(body)  # CJK: where the characters stand, no word boundaries
        else:
            pieces.append(rf"(?<!\w){body}" + (r"\w*" if prefix else r"(?!\w)"))
    if not pieces:
        return None
    return re.compile("|".join(sorted(pieces, key=len, reverse=True)), re.IGNORECASE)


def make_snippet(texts: list[str], terms: tuple[str, ...], width: int = SNIPPET_WIDTH) -> str:
    """A window of the first text that holds a searched word, every searched word in it marked
    «like this»; the start of the first text when none does."""
    pattern = _term_pattern(terms)
    for text in texts:
        flat = " ".join((text or "").split())
        found = pattern.search(flat) if pattern else None
        if pattern is None or found is None:
            continue
        start = max(0, found.start() - width // 3)
        end = min(len(flat), start + width)
        window = flat[start:end]
        marked = pattern.sub(lambda m: f"{MARK_OPEN}{m.group(0)}{MARK_CLOSE}", window)
        return ("…" if start else "") + marked + ("…" if end < len(flat) else "")
    flat = " ".join((texts[0] if texts else "").split())
    return flat[:width] + ("…" if len(flat) > width else "")


_RELATED_STOP = frozenset(
    """the and for with from that this these those are was were been being have has had not
    but can could may might will would should also such than then there here which who whom
    whose what when where how our its their they them into over under between among via using
    use used based new show shows shown results result paper propose proposed approach method
    methods model models data study work task tasks while both each more most other some only
    well however further first two three one""".split()
)


class SearchIndex(Table):
    #: A query matching more papers than this is ranked among its newest WINDOW matches (the
    #: filters already applied), so a very common word still answers in a few milliseconds.
    WINDOW = 5_000
    #: A prefix (diffus*) stands for its most common completions, at most this many.
    PREFIX_TERMS = 8

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        # word -> papers holding it, for `related`, valid while the archive has _df_total papers
        self._df: dict[str, int | None] = {}
        self._df_total: int | None = None

    def search(
        self,
        query: Query | str,
        *,
        since: str | None = None,
        category: str | None = None,
        author: str | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        """Ranked full-text hits (bm25: title counts most) with a highlighted snippet.

        The filters are part of the full-text query, so they hold at any size: a query that
        matches 25,000 papers still returns every one of a category's that ranks best."""
        if limit < 1:
            raise ValueError("the limit must be at least 1")
        parsed = query if isinstance(query, Query) else Query(query, ())
        try:
            return self._search(parsed, since, category, author, limit)
        except (sqlite3.OperationalError, StoreError) as exc:
            raise StoreError(f"cannot search for {parsed.match!r}: {exc}") from None

    def _filters(self, since: str | None, category: str | None, author: str | None) -> str:
        clauses = []
        if category:
            clauses.append(f'categories : "{category_token(category)}"')
        if author:
            clauses.append(f"authors : {_phrase(' '.join(author.split()))}")
        if since:
            days = self._days_since(since)
            clauses.append("days : (" + " OR ".join(days) + ")" if days else 'days : "none0"')
        return " AND ".join(clauses)

    def _days_since(self, since: str) -> list[str]:
        """The day tokens from `since` on: whole months as m-tokens, the first month by day."""
        first = Date.fromisoformat(since)
        rows = self.store.execute(
            "SELECT DISTINCT date FROM announcements WHERE date >= ? ORDER BY date", (since,)
        ).fetchall()
        month = f"{first.year:04d}{first.month:02d}"
        tokens: dict[str, None] = {}
        for (day,) in rows:
            compact = day.replace("-", "")
            if compact[:6] == month:
                tokens[f"d{compact}"] = None
            else:
                tokens[f"m{compact[:6]}"] = None
        return list(tokens)

    def _search(
        self, query: Query, since: str | None, category: str | None, author: str | None, limit: int
    ) -> list[dict[str, Any]]:
        db = self.store
        match = _PREFIX.sub(lambda m: self._expand_prefix(m.group(1)), query.match)
        filters = self._filters(since, category, author)
        if filters:
            match = f"({match}) AND {filters}"
        edge = db.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY rowid DESC "
            "LIMIT 1 OFFSET ?",
            (match, self.WINDOW - 1),
        ).fetchone()
        bound = edge[0] if edge else 0
        ranked = [
            r[0]
            for r in db.execute(
                "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? AND rowid >= ? "
                "ORDER BY rank LIMIT ?",
                (match, bound, limit),
            ).fetchall()
        ]
        if not ranked:
            return []
        rows = db.select_in(
            "SELECT p.rowid AS rowid, p.id AS id, p.title AS title, p.authors AS authors, "
            "p.abstract AS abstract, p.primary_category AS category, "
            "(SELECT MAX(a.date) FROM announcements a WHERE a.paper_id = p.id) AS day, "
            "(SELECT t.text FROM digest_entries e JOIN summary_text t ON t.id = e.summary_id "
            "WHERE e.paper_id = p.id ORDER BY e.date DESC LIMIT 1) AS summary "
            "FROM papers p WHERE p.rowid IN ({marks})",
            ranked,
        )
        by_rowid = {r["rowid"]: r for r in rows}
        hits = []
        for position, rowid in enumerate(ranked):
            r = by_rowid[rowid]
            texts = [r["title"], r["summary"] or "", r["abstract"]]
            hits.append(
                {
                    "id": r["id"],
                    "title": r["title"],
                    "authors": json.loads(r["authors"]),
                    "category": r["category"],
                    "day": r["day"],
                    "snippet": make_snippet(texts, query.terms),
                    "score": position,
                }
            )
        return hits

    #: "More like this": the paper's most distinctive words, at most this many, make the query.
    RELATED_TERMS = 12
    #: ... and together they may name at most this many papers.
    RELATED_POSTINGS = 2000

    def related(self, paper_id: str, limit: int = 10) -> list[dict[str, Any]]:
        """Papers most like `paper_id`: its title and abstract's most distinctive words (by how
        rare they are in the whole archive) searched as one ranked OR query, itself left out."""
        row = self.store.execute(
            "SELECT rowid, title, abstract FROM papers WHERE id = ?", (paper_id,)
        ).fetchone()
        if row is None:
            return []
        words = [
            w
            for w in re.findall(
                r"[a-z][a-z\-]{2,}", f"{row['title']} {row['title']} {row['abstract']}".lower()
            )
            if w not in _RELATED_STOP
        ]
        if not words:
            return []
        counts: dict[str, int] = {}
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        total = max(1, self.store.count("papers"))
        df = self._document_frequencies(list(counts), total)
        weights = {
            w: (1 + math.log(c)) * math.log(total / df[w])
            for w, c in counts.items()
            if 1 < df.get(w, 0) < total / 2
        }
        # the most distinctive words first, while the papers they name stay few: the query's cost
        # is the papers its words name, so it stays flat as the archive grows (a common word
        # would make every paper of a site build scan a good share of the archive)
        best: list[str] = []
        postings = 0
        for word in sorted(weights, key=lambda w: -weights[w]):
            if len(best) == self.RELATED_TERMS:
                break
            if best and postings + df[word] > self.RELATED_POSTINGS:
                continue
            best.append(word)
            postings += df[word]
        if not best:
            return []
        query = Query(" OR ".join(f'"{w}"' for w in best), tuple(best))
        hits = self._search(query, None, None, None, limit + 1)
        return [h for h in hits if h["id"] != paper_id][:limit]

    def _document_frequencies(self, words: list[str], total: int) -> dict[str, int]:
        """How many papers hold each word (absent: none). One lookup a word (the vocabulary
        answers `term = ?` directly), remembered while the archive keeps its size: a site build
        asks for the same words for every paper of every day."""
        if self._df_total != total:
            self._df, self._df_total = {}, total
        cache = self._df
        out: dict[str, int] = {}
        for word in words:
            if word not in cache:
                found = self.store.execute(
                    "SELECT doc FROM papers_vocab WHERE term = ?", (word,)
                ).fetchone()
                cache[word] = found[0] if found is not None else None
            value = cache[word]
            if value is not None:
                out[word] = value
        return out

    def rebuild(self) -> int:
        """Refill the full-text index from the tables (the triggers keep it in step after)."""
        from arxiv_digest.store.migrations import FTS_REFILL

        with self.store.transaction():
            self.store.execute("DELETE FROM papers_fts")
            self.store.execute(FTS_REFILL)
            # merge the index's segments into one: smaller, and no deleted entries left behind
            self.store.execute("INSERT INTO papers_fts (papers_fts) VALUES ('optimize')")
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
