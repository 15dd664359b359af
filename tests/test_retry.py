"""The one retry policy every outside client uses (retry.py), on its own: the server's word is
honoured when it fits, ends the retries at once when it does not; our own back-off grows and is
capped, never mistaken for the server's word."""

from __future__ import annotations

import random

import pytest

from arxiv_digest.retry import RetryPolicy, TooLong, Transient, parse_retry_after


def _failing(times: int, after: float | None = None) -> tuple[list[int], object]:
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise Transient("busy", after)
        return "done"

    return calls, call


def test_the_servers_word_is_honoured_when_it_fits() -> None:
    waits: list[float] = []
    calls, call = _failing(2, after=7)
    policy = RetryPolicy(attempts=5, max_wait=30, rng=random.Random(1))
    assert policy.call(call, sleep=waits.append) == "done"  # type: ignore[arg-type]
    assert len(calls) == 3 and all(7 <= w <= 8 for w in waits) and len(waits) == 2


def test_a_wait_past_the_deadline_stops_at_once_with_the_servers_number() -> None:
    waits: list[float] = []
    calls, call = _failing(5, after=3600)
    with pytest.raises(TooLong) as stopped:
        RetryPolicy(attempts=5, max_wait=30).call(call, sleep=waits.append)  # type: ignore[arg-type]
    assert stopped.value.wait == 3600 and len(calls) == 1 and waits == []


def test_our_own_backoff_grows_is_capped_and_never_reads_as_the_servers() -> None:
    waits: list[float] = []
    calls, call = _failing(9)
    policy = RetryPolicy(attempts=5, backoff=1.0, max_wait=3.0, jitter=0.0)
    with pytest.raises(Transient) as spent:
        policy.call(call, sleep=waits.append)  # type: ignore[arg-type]
    assert not isinstance(spent.value, TooLong) and len(calls) == 5
    assert waits == [1.0, 2.0, 3.0, 3.0]


def test_retry_after_in_both_forms() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Thu, 03 Dec 2026 12:01:00 GMT", now) == 60.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
