"""The reader's stars and hides: the only writer of `feedback`."""

from __future__ import annotations

from arxiv_digest.models import Paper
from arxiv_digest.store._table import P_COLUMNS, Table, now_iso, paper_from_row


class Feedback(Table):
    def set(self, paper_id: str, kind: str | None) -> None:
        """Star or hide a paper (kind None clears it)."""
        if kind is None:
            self.store.execute("DELETE FROM feedback WHERE paper_id = ?", (paper_id,))
            return
        self.store.execute(
            "INSERT INTO feedback (paper_id, kind, at) VALUES (?,?,?) ON CONFLICT(paper_id) "
            "DO UPDATE SET kind = excluded.kind, at = excluded.at",
            (paper_id, kind, now_iso()),
        )

    def all(self) -> list[tuple[Paper, str]]:
        rows = self.store.execute(
            f"SELECT f.kind AS kind, {P_COLUMNS} "
            "FROM feedback f JOIN papers p ON p.id = f.paper_id ORDER BY f.paper_id"
        ).fetchall()
        return [(paper_from_row(r), r["kind"]) for r in rows]

    def any(self) -> bool:
        return self.store.execute("SELECT 1 FROM feedback LIMIT 1").fetchone() is not None
