"""What was sent to whom: the only writer of `deliveries`, so nothing is sent twice."""

from __future__ import annotations

from collections.abc import Iterable

from arxiv_digest.store._table import Table, now_iso


class Deliveries(Table):
    def sent(self, date: str, channel: str, recipient: str) -> bool:
        row = self.store.execute(
            "SELECT 1 FROM deliveries WHERE date = ? AND channel = ? AND recipient = ?",
            (date, channel, recipient),
        ).fetchone()
        return row is not None

    def mark(self, date: str, channel: str, recipients: Iterable[str]) -> None:
        with self.store.transaction():
            self.store.executemany(
                "INSERT INTO deliveries (date, channel, recipient, sent_at) VALUES (?,?,?,?) "
                "ON CONFLICT DO UPDATE SET sent_at = excluded.sent_at",
                [(date, channel, r, now_iso()) for r in recipients],
            )
