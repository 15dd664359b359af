"""A clock for tests of waiting code."""

from __future__ import annotations


class FakeClock:
    """Time that passes only when someone sleeps: tests check waits without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
