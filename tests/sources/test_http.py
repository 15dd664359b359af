from __future__ import annotations

import random
from collections.abc import Iterator

import httpx
import pytest

from arxiv_digest.errors import FetchError
from arxiv_digest.sources.http import PoliteClient, parse_retry_after
from tests.fakes.clock import FakeClock


def _client(handler, clock: FakeClock, **kw: object) -> PoliteClient:  # type: ignore[no-untyped-def]
    return PoliteClient(
        httpx.Client(transport=httpx.MockTransport(handler)),
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(1),
        **kw,
    )  # type: ignore[arg-type]


def test_three_seconds_between_arxiv_requests_even_if_configured_lower() -> None:
    clock = FakeClock()
    times: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        times.append(clock.now)
        assert request.headers["User-Agent"].startswith("arxiv-digest/")
        return httpx.Response(200, content=b"ok")

    client = _client(handler, clock, min_interval=0.5)
    client.get("https://rss.arxiv.org/rss/cs.AI")
    client.get("https://export.arxiv.org/api/query")
    client.get("https://oaipmh.arxiv.org/oai")
    assert [round(b - a, 6) for a, b in zip(times, times[1:], strict=False)] == [3.0, 3.0]


def test_other_hosts_use_the_configured_interval() -> None:
    clock = FakeClock()
    client = _client(lambda r: httpx.Response(200), clock, min_interval=0.0)
    for _ in range(3):
        client.get("http://127.0.0.1:9/x")
    assert clock.sleeps == []


def test_429_honours_retry_after() -> None:
    clock = FakeClock()
    answers = [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)]
    client = _client(lambda r: answers.pop(0), clock, min_interval=0)
    assert client.get("http://mirror.example/x").status_code == 200
    assert len(clock.sleeps) == 1 and 7.0 <= clock.sleeps[0] <= 8.0
    assert client.log.retries == 1 and client.log.requests == 2


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"), httpx.ConnectError("x")],
)
def test_timeouts_and_dropped_connections_are_retried(failure: Exception) -> None:
    clock = FakeClock()
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            raise failure
        return httpx.Response(200)

    client = _client(handler, clock, min_interval=0, backoff=2.0)
    assert client.get("http://mirror.example/x").status_code == 200
    assert len(clock.sleeps) == 2
    assert 2.0 <= clock.sleeps[0] <= 3.0 and 4.0 <= clock.sleeps[1] <= 5.0  # exponential


def test_gives_up_with_a_clear_error() -> None:
    clock = FakeClock()
    client = _client(lambda r: httpx.Response(503), clock, min_interval=0, max_attempts=3)
    with pytest.raises(FetchError, match="HTTP 503 after 3 attempts"):
        client.get("http://mirror.example/x")


def test_refuses_absurd_retry_after() -> None:
    clock = FakeClock()
    client = _client(
        lambda r: httpx.Response(429, headers={"Retry-After": "86400"}), clock, min_interval=0
    )
    with pytest.raises(FetchError, match="asked us to wait"):
        client.get("http://mirror.example/x")


def test_client_errors_are_returned_not_retried() -> None:
    clock = FakeClock()
    client = _client(lambda r: httpx.Response(400), clock, min_interval=0)
    assert client.get("http://mirror.example/x").status_code == 400
    assert client.log.requests == 1


def test_parse_retry_after_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("12", now) == 12.0
    assert parse_retry_after("soon", now) is None


def test_an_answer_that_trickles_meets_a_deadline() -> None:
    clock = FakeClock()
    now = [0.0]

    def trickle() -> Iterator[bytes]:
        for _ in range(1000):  # a byte every 10 s: no gap trips a read timeout
            now[0] += 10.0
            yield b"x"

    client = PoliteClient(
        httpx.Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200, content=trickle()))
        ),
        clock=clock,
        sleep=clock.sleep,
        min_interval=0,
        max_attempts=2,
        deadline=60.0,
        timer=lambda: now[0],
    )
    with pytest.raises(FetchError, match="longer than 60 s after 2 attempts"):
        client.get("http://mirror.example/rss")
    assert now[0] <= 2 * 70  # each attempt gave up at the deadline


def test_a_gzipped_answer_is_read_once_and_decoded() -> None:
    import gzip

    body = gzip.compress(b"<rss>ok</rss>")
    client = _client(
        lambda r: httpx.Response(200, content=body, headers={"Content-Encoding": "gzip"}),
        FakeClock(),
        min_interval=0,
    )
    assert client.get("http://mirror.example/rss").content == b"<rss>ok</rss>"
