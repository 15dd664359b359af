"""Running the stages' coroutines from synchronous code, with or without an event loop.

Every stage that waits on a network has an `async` form (`summarize_async`, `verify_async`,
`run_day_async`, ...) for callers that already run a loop, and a plain form for the rest. The
plain form calls `run_sync`, which works from a script (no loop: `asyncio.run`), from a notebook
cell or an async web handler (a loop is running in this thread and cannot be entered again: the
coroutine runs to its end on a fresh loop in a worker thread while the caller waits).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")


def loop_running() -> bool:
    """Whether this thread is inside a running event loop (a notebook, an async handler)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to its end and return its result (or raise its exception), whether or not
    this thread already runs an event loop."""
    if not loop_running():
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="arxiv-digest") as pool:
        return pool.submit(asyncio.run, coro).result()


def threaded(fn: Callable[P, T]) -> Callable[P, Coroutine[Any, Any, T]]:
    """The async form of a blocking stage: it runs on a worker thread, so the caller's loop keeps
    serving while it works (the store may be handed across: see `Store`)."""

    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.to_thread(fn, *args, **kwargs)

    run.__doc__ = f"`{fn.__name__}` on a worker thread, awaitable."
    return run
