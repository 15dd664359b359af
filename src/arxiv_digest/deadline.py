"""One deadline for a whole exchange with an outside service: connect, headers and body.

A client library's timeout bounds each wait for the next bytes, so a server that trickles its
headers or its body one byte at a time never trips it: one answer then takes as long as the
server likes. `within` runs the exchange in a worker thread and gives up at the deadline: the
caller gets `DeadlineExceeded` at once, `cancel` (closing the connection) is called so the
worker stops too, and the worker is a daemon thread, so a process never waits for it to exit.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

T = TypeVar("T")


class DeadlineExceeded(Exception):
    """The exchange took longer than its deadline (seconds in `args[0]`)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def within(
    seconds: float,
    work: Callable[[], T],
    *,
    cancel: Callable[[], object] | None = None,
    name: str = "exchange",
) -> T:
    """`work()`'s result, or its exception, if it ends within `seconds`; else DeadlineExceeded
    (after calling `cancel`). Ctrl-C in the caller is not delayed by the worker."""
    if seconds <= 0:
        raise DeadlineExceeded(seconds)
    result: list[T] = []
    failure: list[BaseException] = []
    finished = threading.Event()

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller as it is
            failure.append(exc)
        finally:
            finished.set()

    worker = threading.Thread(target=run, name=f"arxiv-digest-{name}", daemon=True)
    worker.start()
    if not finished.wait(seconds):
        if cancel is not None:
            with suppress(Exception):
                cancel()
        raise DeadlineExceeded(seconds)
    if failure:
        raise failure[0]
    return result[0]


def within_each(
    seconds: float,
    work: Callable[[Callable[[T], None]], object],
    each: Callable[[T], None],
    *,
    cancel: Callable[[], object] | None = None,
    name: str = "exchange",
) -> None:
    """Like `within`, for work that reports progress: what it hands to its `emit` argument is
    passed to `each` in the caller's thread the moment it comes (a store written from one
    thread only), and the deadline covers the whole of it."""
    items: queue.Queue[tuple[bool, object]] = queue.Queue()
    end = time.monotonic() + seconds

    def run() -> None:
        try:
            work(lambda item: items.put((True, item)))
            items.put((False, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller as it is
            items.put((False, exc))

    if seconds <= 0:
        raise DeadlineExceeded(seconds)
    threading.Thread(target=run, name=f"arxiv-digest-{name}", daemon=True).start()
    while True:
        try:
            more, item = items.get(timeout=max(0.0, end - time.monotonic()))
        except queue.Empty:
            if cancel is not None:
                with suppress(Exception):
                    cancel()
            raise DeadlineExceeded(seconds) from None
        if more:
            each(item)  # type: ignore[arg-type]
        elif isinstance(item, BaseException):
            raise item
        else:
            return


__all__ = ["DeadlineExceeded", "within", "within_each"]
