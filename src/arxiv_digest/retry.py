"""One retry policy for every call that leaves the machine: arXiv, the LLM endpoint, webhooks.

An operation says a failure may heal by raising `Transient` (with the server's `Retry-After`, when
it gave one). The policy retries it with exponential back-off and jitter, waits exactly what the
server asked for when it asked, and gives up at once, with the cause, when the server asks for a
wait longer than `max_wait`: a run never sleeps for an hour on a server's word. Anything else
passes straight through. Built on tenacity; the sleep and the random source are injectable, so
tests never wait.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import tenacity

T = TypeVar("T")


class Transient(Exception):
    """A failure that may heal: retry after `after` seconds (the server's word) or back off."""

    def __init__(self, problem: str, after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.after = after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    backoff: float = 1.0  # the first back-off, doubled each time
    max_wait: float = 300.0  # a longer wait asked for ends the retries at once
    jitter: float = 1.0
    rng: random.Random | None = None

    def _base_wait(self, error: Transient, attempt: int) -> float:
        return error.after if error.after is not None else self.backoff * 2 ** (attempt - 1)

    def _options(self, on_wait: Callable[[float], None] | None) -> dict[str, object]:
        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= max(1, self.attempts):
                return True
            error = state.outcome.exception() if state.outcome else None
            # the server's word beyond what the policy allows ends the retries at once; our own
            # back-off is only capped at max_wait
            if isinstance(error, Transient) and error.after is not None:
                if error.after > self.max_wait:
                    raise TooLong(error, error.after) from error
            return False

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            base = (
                min(self._base_wait(error, state.attempt_number), self.max_wait)
                if isinstance(error, Transient)
                else 0
            )
            seconds = base + (self.rng or random).uniform(0, self.jitter)
            if on_wait is not None:
                on_wait(seconds)
            return seconds

        return {
            "stop": stop,
            "wait": wait,
            "retry": tenacity.retry_if_exception_type(Transient),
            "reraise": True,
        }

    def call(
        self,
        fn: Callable[[], T],
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[float], None] | None = None,
    ) -> T:
        """Run `fn`, retrying its `Transient` failures. Raises the last `Transient` when the
        attempts are spent, `TooLong` when the server asks for too long a wait."""
        retrying = tenacity.Retrying(sleep=sleep, **self._options(on_wait))  # type: ignore[arg-type]
        return retrying(fn)

    async def acall(
        self,
        fn: Callable[[], Awaitable[T]],
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_wait: Callable[[float], None] | None = None,
    ) -> T:
        """`call` for a coroutine function."""
        retrying = tenacity.AsyncRetrying(sleep=sleep, **self._options(on_wait))  # type: ignore[arg-type]
        return await retrying(fn)


class TooLong(Transient):
    """The server asked for a wait longer than the policy allows: give up now, say why."""

    def __init__(self, error: Transient, wait: float) -> None:
        super().__init__(error.problem, wait)
        self.wait = wait
