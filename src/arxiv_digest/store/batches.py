"""Batch jobs handed to a provider's Batch API: the only writer of `batch_jobs`.

A job is recorded as soon as its requests are uploaded, and again when the batch exists, so a
run killed at any moment finds it on the next start: it reuses the uploaded file or polls the
batch, and never uploads the same papers twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from arxiv_digest.store._table import Table, now_iso

#: The batch is done with, one way or the other: its papers are no longer in flight.
ENDED = frozenset({"collected", "failed", "expired", "cancelled"})


@dataclass(frozen=True, slots=True)
class BatchJob:
    id: int
    date: str
    model: str
    language: str
    prompt_version: str
    file_id: str
    batch_id: str | None
    status: str
    papers: int
    error: str | None


class BatchJobs(Table):
    def add(
        self, date: str, model: str, language: str, prompt_version: str, file_id: str, papers: int
    ) -> int:
        now = now_iso()
        cursor = self.store.execute(
            "INSERT INTO batch_jobs (date, model, language, prompt_version, file_id, status, "
            "papers, created_at, updated_at) VALUES (?,?,?,?,?,'uploaded',?,?,?)",
            (date, model, language, prompt_version, file_id, papers, now, now),
        )
        return int(cursor.lastrowid or 0)

    def update(
        self, job_id: int, status: str, *, batch_id: str | None = None, error: str | None = None
    ) -> None:
        self.store.execute(
            "UPDATE batch_jobs SET status = ?, batch_id = COALESCE(?, batch_id), "
            "error = COALESCE(?, error), updated_at = ? WHERE id = ?",
            (status, batch_id, error, now_iso(), job_id),
        )

    def in_flight(self, date: str | None = None) -> list[BatchJob]:
        """Jobs not ended yet (of one day, or all), oldest first."""
        marks = ",".join("?" * len(ENDED))
        sql = f"SELECT * FROM batch_jobs WHERE status NOT IN ({marks})"
        args: list[str] = sorted(ENDED)
        if date is not None:
            sql += " AND date = ?"
            args.append(date)
        rows = self.store.execute(sql + " ORDER BY id", args).fetchall()
        return [_job(r) for r in rows]

    def all(self) -> list[BatchJob]:
        return [_job(r) for r in self.store.execute("SELECT * FROM batch_jobs ORDER BY id")]


def _job(r: object) -> BatchJob:
    row = dict(r)  # type: ignore[call-overload]
    return BatchJob(
        row["id"],
        row["date"],
        row["model"],
        row["language"],
        row["prompt_version"],
        row["file_id"],
        row["batch_id"],
        row["status"],
        row["papers"],
        row["error"],
    )
