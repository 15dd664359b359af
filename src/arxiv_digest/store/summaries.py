"""Summaries and the claims on them: the only writer of `summaries` and `claims`.

A claim is the right to summarize one cache key: two runs on one store never pay for the same
paper twice. A claim is a lease: the run that holds it renews it (`renew`) every `LEASE / 3`
seconds, counting its renewals. A claim is free again when its run is gone: on this host, when
its process is, or its last renewal (by this host's clock) is older than the lease; from another
host, when its renewal counter has stood still for the lease length as this process watched it
(`observe`). Two hosts' clocks are never compared: a host whose clock runs ten minutes ahead
cannot hold a dead run's claims ten minutes longer.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from arxiv_digest.models import FIELDS, Summary, SummaryKey, Verdict
from arxiv_digest.store._table import (
    SUMMARY_COLUMNS,
    SUMMARY_NAMES,
    Table,
    now_iso,
    summary_from_row,
    to_json,
)

if TYPE_CHECKING:
    from arxiv_digest.store import Store

#: Seconds a claim lasts unless its run renews it.
LEASE = 60.0

_KEY = "paper_id = ? AND version = ? AND model = ? AND language = ? AND prompt_version = ?"
_INSERTED = [*SUMMARY_NAMES[1:], "created_at"]
_MUTABLE = _INSERTED[5:-1]
_SAVE = (
    f"INSERT INTO summaries ({', '.join(_INSERTED)}) VALUES ({', '.join('?' * len(_INSERTED))}) "
    f"ON CONFLICT(paper_id, version, model, language, prompt_version) DO UPDATE SET "
    f"{', '.join(f'{n} = excluded.{n}' for n in [*_MUTABLE, 'created_at'])} "
    f"WHERE ({' OR '.join(f'{n} IS NOT excluded.{n}' for n in _MUTABLE)}) "
    "AND NOT (summaries.status = 'ok' AND excluded.status = 'failed') "
    "RETURNING id"
)


def _key_params(key: SummaryKey) -> tuple[str, int, str, str, str]:
    return (key.paper_id, key.version, key.model, key.language, key.prompt_version)


class Summaries(Table):
    def __init__(self, store: Store) -> None:
        super().__init__(store)
        #: another host's claims as this process saw them: renewals, and when (monotonic)
        self._seen: dict[tuple[tuple[object, ...], str], tuple[int, float]] = {}
        self.monotonic: Callable[[], float] = time.monotonic

    def get(self, key: SummaryKey) -> Summary | None:
        row = self.store.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM summaries WHERE {_KEY}", _key_params(key)
        ).fetchone()
        return summary_from_row(row) if row else None

    def get_by_id(self, summary_id: int) -> Summary | None:
        return self.by_id([summary_id]).get(summary_id)

    def by_id(self, ids: Iterable[int]) -> dict[int, Summary]:
        rows = self.store.select_in(
            f"SELECT {SUMMARY_COLUMNS} FROM summaries WHERE id IN ({{marks}})", ids
        )
        return {row["id"]: summary_from_row(row) for row in rows}

    def save(self, summary: Summary) -> int:
        """Store a summary under its cache key and return its id.

        An `ok` summary is never replaced by a `failed` one: a retry that fails keeps the content.
        """
        texts: dict[str, str | None] = dict.fromkeys(FIELDS)
        if summary.fields is not None:
            texts.update({k: v or None for k, v in summary.fields.as_dict().items()})
        row = self.store.execute(
            _SAVE,
            (
                *_key_params(summary.key),
                summary.backend,
                summary.status,
                *(texts[name] for name in FIELDS),
                summary.error,
                summary.tokens_in,
                summary.tokens_out,
                summary.cost,
                summary.seconds,
                to_json(list(summary.warnings)),
                int(summary.transient),
                summary.attempts,
                summary.retry_at,
                summary.created_at or now_iso(),
            ),
        ).fetchone()
        if row is not None:
            return int(row[0])
        # unchanged, or an ok summary kept against a failed retry: the stored row stands
        found = self.store.execute(
            f"SELECT id FROM summaries WHERE {_KEY}", _key_params(summary.key)
        ).fetchone()
        return int(found[0])

    def set_verdicts(self, summary_id: int, verdicts: Iterable[Verdict]) -> None:
        """Keep the verify pass's verdicts with the summary they judge."""
        rows = [[v.field, v.verdict, v.reason] for v in verdicts]
        self.store.execute(
            "UPDATE summaries SET verdicts = ? WHERE id = ?", (to_json(rows), summary_id)
        )

    # -- claims -------------------------------------------------------------------------------

    def claim(self, key: SummaryKey, owner: str, *, ttl: float = LEASE, redo: bool = False) -> bool:
        """Take the right to summarize `key`. False if an ok summary exists or another live run
        holds it. A claim whose lease ran out, or whose owner is gone (same host), is taken
        over. With `redo`, an ok summary does not stop the claim (it is to be written again)."""
        params = _key_params(key)
        with self.store.transaction():
            done = self.store.execute(
                f"SELECT 1 FROM summaries WHERE {_KEY} AND status = 'ok'", params
            ).fetchone()
            if done and not redo:
                return False
            row = self.store.execute(
                f"SELECT owner, claimed_at, renewals FROM claims WHERE {_KEY}", params
            ).fetchone()
            if (
                row is not None
                and row["owner"] != owner
                and not self._stale(params, row["owner"], row["claimed_at"], row["renewals"], ttl)
            ):
                return False
            self.store.execute(
                "INSERT INTO claims (paper_id, version, model, language, prompt_version, owner, "
                "claimed_at, renewals) VALUES (?,?,?,?,?,?,?,0) ON CONFLICT DO UPDATE SET "
                "owner = excluded.owner, claimed_at = excluded.claimed_at, renewals = 0",
                (*params, owner, time.time()),
            )
        return True

    def _stale(
        self, params: tuple[object, ...], owner: str, claimed_at: float, renewals: int, ttl: float
    ) -> bool:
        host = owner.partition(":")[0]
        if host == socket.gethostname():  # our clock wrote it: compare, and ask the process
            return _claim_is_stale(owner, claimed_at, ttl)
        # another host's claim: stale once its counter stood still for the lease, watched here
        now = self.monotonic()
        seen = self._seen.get((params, owner))
        if seen is None or seen[0] != renewals:
            self._seen[(params, owner)] = (renewals, now)
            return False
        return now - seen[1] > ttl

    def renew(self, owner: str) -> None:
        """Extend every claim `owner` holds by a full lease, counting the renewal."""
        self.store.execute(
            "UPDATE claims SET claimed_at = ?, renewals = renewals + 1 WHERE owner = ?",
            (time.time(), owner),
        )

    def held_elsewhere(self, key: SummaryKey) -> bool:
        """Is `key` claimed by a run on another host (whose lease only watching can judge)?"""
        row = self.store.execute(
            f"SELECT owner FROM claims WHERE {_KEY}", _key_params(key)
        ).fetchone()
        return row is not None and row["owner"].partition(":")[0] != socket.gethostname()

    def release(self, key: SummaryKey, owner: str) -> None:
        self.store.execute(
            f"DELETE FROM claims WHERE {_KEY} AND owner = ?", (*_key_params(key), owner)
        )


def claim_owner() -> str:
    """Who holds a claim: host, process and a nonce (a pid can be reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _claim_is_stale(owner: str, claimed_at: float, ttl: float) -> bool:
    if time.time() - claimed_at > ttl:
        return True
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True  # the run that claimed it is gone (killed, crashed)
    except PermissionError:
        return False
    return False
