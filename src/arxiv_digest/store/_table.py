"""What every table module shares: the store it belongs to, row converters, timestamps."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from arxiv_digest.models import FIELDS, Paper, Summary, SummaryFields, Verdict

if TYPE_CHECKING:
    from arxiv_digest.store import Store

PAPER_NAMES = (
    "id",
    "version",
    "title",
    "authors",
    "abstract",
    "primary_category",
    "categories",
    "comment",
    "journal_ref",
    "doi",
    "published",
    "updated",
)
PAPER_COLUMNS = ", ".join(PAPER_NAMES)
#: The paper columns of a query that joins `papers p`.
P_COLUMNS = ", ".join(f"p.{name}" for name in PAPER_NAMES)
SUMMARY_NAMES = (
    "id",
    "paper_id",
    "version",
    "model",
    "language",
    "prompt_version",
    "backend",
    "status",
    *FIELDS,
    "error",
    "tokens_in",
    "tokens_out",
    "cost",
    "seconds",
    "warnings",
    "transient",
    "attempts",
    "retry_at",
)
#: read, never written by `save`: when it was written, and the verify pass's verdicts
SUMMARY_COLUMNS = ", ".join([*SUMMARY_NAMES, "created_at", "verdicts"])


class Table:
    """A group of tables with one owner: only its module writes them."""

    def __init__(self, store: Store) -> None:
        self.store = store


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def to_json(items: object) -> str:
    return json.dumps(items, ensure_ascii=False)


def paper_from_row(row: sqlite3.Row) -> Paper:
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


def summary_from_row(row: sqlite3.Row) -> Summary:
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
        transient=bool(row["transient"]),
        attempts=row["attempts"],
        retry_at=row["retry_at"],
        created_at=row["created_at"],
        verdicts=tuple(
            Verdict(field, verdict, reason)
            for field, verdict, reason in json.loads(row["verdicts"] or "[]")
        ),
    )
