"""Full texts, deep reads and answers: the only writer of `fulltexts`, `deep_reads` and
`answers`. A document is kept compressed, keyed by paper and version, and never fetched twice;
a paid deep read or answer is saved the moment it arrives."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from arxiv_digest.fulltext.document import Document
from arxiv_digest.fulltext.records import Answer, DeepRead, Quote
from arxiv_digest.store._table import Table, now_iso


@dataclass(frozen=True, slots=True)
class FullText:
    """A paper version's full text, or why it has none."""

    paper_id: str
    version: int
    status: str
    source: str | None
    detail: str
    requests: int
    document: Document | None


class FullTexts(Table):
    def get(self, paper_id: str, version: int) -> FullText | None:
        row = self.store.execute(
            "SELECT * FROM fulltexts WHERE paper_id = ? AND version = ?", (paper_id, version)
        ).fetchone()
        if row is None:
            return None
        blob = row["document"]
        return FullText(
            row["paper_id"],
            row["version"],
            row["status"],
            row["source"],
            row["detail"],
            row["requests"],
            Document.unpack(blob) if blob is not None else None,
        )

    def save(self, found: FullText) -> None:
        doc = found.document
        with self.store.transaction():
            self.store.execute(
                "INSERT OR REPLACE INTO fulltexts (paper_id, version, status, source, detail, "
                "document, chars, requests, fetched_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    found.paper_id,
                    found.version,
                    found.status,
                    found.source,
                    found.detail,
                    doc.pack() if doc is not None else None,
                    doc.chars if doc is not None else 0,
                    found.requests,
                    now_iso(),
                ),
            )

    def statuses(self) -> dict[str, int]:
        rows = self.store.execute("SELECT status, COUNT(*) n FROM fulltexts GROUP BY status")
        return {r["status"]: r["n"] for r in rows}


class DeepReads(Table):
    def get(
        self, paper_id: str, version: int, model: str, language: str, prompt_version: str
    ) -> DeepRead | None:
        row = self.store.execute(
            "SELECT * FROM deep_reads WHERE paper_id = ? AND version = ? AND model = ? "
            "AND language = ? AND prompt_version = ?",
            (paper_id, version, model, language, prompt_version),
        ).fetchone()
        return _deep_read(row) if row is not None else None

    def latest(self, pairs: Iterable[tuple[str, int]], language: str) -> dict[str, DeepRead]:
        """The newest usable deep read of each (paper, version), in `language`."""
        wanted = dict(pairs)
        found: dict[str, DeepRead] = {}
        rows = self.store.select_in(
            "SELECT * FROM deep_reads WHERE status = 'ok' AND language = ? "
            "AND paper_id IN ({marks}) ORDER BY id",
            wanted,
            (language,),
        )
        for row in rows:
            if wanted.get(row["paper_id"]) == row["version"]:
                found[row["paper_id"]] = _deep_read(row)
        return found

    def save(self, read: DeepRead) -> None:
        """Keep a deep read (a failed one is replaced by the next try's)."""
        with self.store.transaction():
            self.store.execute(
                "INSERT INTO deep_reads (paper_id, version, model, language, prompt_version, "
                "backend, status, body, error, tokens_in, tokens_out, cost, seconds, created_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(paper_id, version, model, language, prompt_version) DO UPDATE SET "
                "backend = excluded.backend, status = excluded.status, body = excluded.body, "
                "error = excluded.error, tokens_in = tokens_in + excluded.tokens_in, "
                "tokens_out = tokens_out + excluded.tokens_out, "
                "cost = COALESCE(cost, 0) + COALESCE(excluded.cost, 0), "
                "seconds = excluded.seconds, created_at = excluded.created_at "
                "WHERE deep_reads.status = 'failed'",
                (
                    read.paper_id,
                    read.version,
                    read.model,
                    read.language,
                    read.prompt_version,
                    read.backend,
                    read.status,
                    read.body() if read.ok else None,
                    read.error,
                    read.tokens_in,
                    read.tokens_out,
                    read.cost,
                    read.seconds,
                    now_iso(),
                ),
            )

    def signatures(self) -> dict[str, str]:
        """A fingerprint per stored day that changes when a deep read of one of its papers is
        written (the site re-renders that day)."""
        rows = self.store.execute(
            "SELECT e.date AS date, COUNT(r.id) AS n, COALESCE(MAX(r.id), 0) AS last "
            "FROM digest_entries e JOIN deep_reads r ON r.paper_id = e.paper_id "
            "WHERE r.status = 'ok' GROUP BY e.date"
        )
        return {r["date"]: f"{r['n']}:{r['last']}" for r in rows}

    def stats(self) -> list[dict[str, Any]]:
        """Per day: the deep reads of its papers, their tokens and cost (apart from the
        summaries'), and how many are unpriced; answers to `ask` are counted apart."""
        rows = self.store.execute(
            "SELECT e.date AS date, COUNT(*) AS reads, SUM(r.status = 'failed') AS failed, "
            "COALESCE(SUM(r.tokens_in), 0) AS tokens_in, "
            "COALESCE(SUM(r.tokens_out), 0) AS tokens_out, SUM(r.cost) AS cost, "
            "SUM(CASE WHEN r.cost IS NULL AND r.backend != 'local' THEN 1 ELSE 0 END) "
            "AS unpriced FROM deep_reads r JOIN digest_entries e ON e.paper_id = r.paper_id "
            "WHERE e.dropped IS NULL GROUP BY e.date ORDER BY e.date DESC"
        )
        return [dict(r) for r in rows]

    def totals(self) -> dict[str, float]:
        row = self.store.execute(
            "SELECT COUNT(*) n, SUM(status = 'ok') ok, COALESCE(SUM(tokens_in), 0) tin, "
            "COALESCE(SUM(tokens_out), 0) tout, COALESCE(SUM(cost), 0) cost FROM deep_reads"
        ).fetchone()
        return {
            "deep_reads": row["n"],
            "ok": row["ok"] or 0,
            "tokens_in": row["tin"],
            "tokens_out": row["tout"],
            "cost": row["cost"],
        }


def _deep_read(row: object) -> DeepRead:
    parts, extra = DeepRead.parts_from(row["body"])  # type: ignore[index]
    return DeepRead(
        paper_id=row["paper_id"],  # type: ignore[index]
        version=row["version"],  # type: ignore[index]
        model=row["model"],  # type: ignore[index]
        language=row["language"],  # type: ignore[index]
        prompt_version=row["prompt_version"],  # type: ignore[index]
        backend=row["backend"],  # type: ignore[index]
        status=row["status"],  # type: ignore[index]
        parts=parts,
        source=extra.get("source") or "",
        error=row["error"],  # type: ignore[index]
        tokens_in=row["tokens_in"],  # type: ignore[index]
        tokens_out=row["tokens_out"],  # type: ignore[index]
        cost=row["cost"],  # type: ignore[index]
        seconds=row["seconds"],  # type: ignore[index]
        input_tokens=extra.get("input_tokens") or 0,
        anchors=extra.get("anchors") or {},
    )


class Answers(Table):
    def totals(self) -> dict[str, Any]:
        row = self.store.execute(
            "SELECT COUNT(*) n, COALESCE(SUM(tokens_in), 0) tin, COALESCE(SUM(tokens_out), 0) "
            "tout, SUM(cost) cost, SUM(status = 'unsupported') unsupported FROM answers"
        ).fetchone()
        return {
            "answers": row["n"],
            "tokens_in": row["tin"],
            "tokens_out": row["tout"],
            "cost": row["cost"],
            "unsupported": row["unsupported"] or 0,
        }

    def get(
        self,
        paper_id: str,
        version: int,
        model: str,
        language: str,
        prompt_version: str,
        question: str,
    ) -> Answer | None:
        row = self.store.execute(
            "SELECT * FROM answers WHERE paper_id = ? AND version = ? AND model = ? "
            "AND language = ? AND prompt_version = ? AND question = ? AND status != 'failed'",
            (paper_id, version, model, language, prompt_version, question),
        ).fetchone()
        if row is None:
            return None
        data = json.loads(row["body"] or "{}")
        return Answer(
            paper_id=row["paper_id"],
            version=row["version"],
            model=row["model"],
            language=row["language"],
            prompt_version=row["prompt_version"],
            question=row["question"],
            status=row["status"],
            text=data.get("text", ""),
            quotes=tuple(Quote(**q) for q in data.get("quotes", [])),
            problems=tuple(data.get("problems", [])),
            error=row["error"],
            tokens_in=row["tokens_in"],
            tokens_out=row["tokens_out"],
            cost=row["cost"],
            cached=True,
        )

    def save(self, answer: Answer) -> None:
        with self.store.transaction():
            self.store.execute(
                "INSERT OR REPLACE INTO answers (paper_id, version, model, language, "
                "prompt_version, question, status, body, error, tokens_in, tokens_out, cost, "
                "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    answer.paper_id,
                    answer.version,
                    answer.model,
                    answer.language,
                    answer.prompt_version,
                    answer.question,
                    answer.status,
                    answer.body(),
                    answer.error,
                    answer.tokens_in,
                    answer.tokens_out,
                    answer.cost,
                    now_iso(),
                ),
            )
