"""Polite, robust HTTP to arXiv: one client, spacing, back-off, and a User-Agent that names us.

arXiv asks for no more than one request every three seconds, one connection at a time, across all
of its hosts. `PoliteClient` enforces that for every `*.arxiv.org` host (the interval can be set
higher, never lower); other hosts (mirrors, test servers) use the configured interval as is.
It retries 429, 5xx, timeouts and dropped connections under the project's one retry policy
(`retry.py`: exponential back-off and jitter, honouring `Retry-After`). The clock and the sleep
are injectable, so tests never wait.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from arxiv_digest import __version__
from arxiv_digest.deadline import DeadlineExceeded, within
from arxiv_digest.errors import FetchError
from arxiv_digest.retry import RetryPolicy, TooLong, Transient, parse_retry_after

__all__ = ["USER_AGENT", "PoliteClient", "RequestLog", "is_arxiv_host", "parse_retry_after"]

USER_AGENT = f"arxiv-digest/{__version__} (+https://pypi.org/project/arxiv-digest/)"
ARXIV_MIN_INTERVAL = 3.0
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
#: the largest answer read: a day's feed or an API page is a few MB at most
MAX_BODY = 64 * 2**20


def is_arxiv_host(host: str) -> bool:
    return host == "arxiv.org" or host.endswith(".arxiv.org")


@dataclass
class RequestLog:
    """What the client did, for fetch records, reports and tests."""

    requests: int = 0
    retries: int = 0
    waited: float = 0.0
    urls: list[str] = field(default_factory=list)


class PoliteClient:
    """Wraps one `httpx.Client`; every request to arXiv goes through `get`."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        min_interval: float = ARXIV_MIN_INTERVAL,
        max_attempts: int = 5,
        backoff: float = 2.0,
        max_wait: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        deadline: float = 120.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.min_interval = min_interval
        self.max_attempts = max(1, max_attempts)
        self.policy = RetryPolicy(
            attempts=self.max_attempts, backoff=backoff, max_wait=max_wait, rng=rng
        )
        self.clock = clock
        self.sleep = sleep
        #: seconds one whole answer may take: the client's timeout only bounds each gap between
        #: bytes, which a server that trickles a byte at a time never exceeds
        self.deadline = deadline
        self.timer = timer
        self.log = RequestLog()
        self._last: dict[str, float] = {}
        client.headers["User-Agent"] = USER_AGENT

    def interval_for(self, host: str) -> float:
        if is_arxiv_host(host):
            return max(self.min_interval, ARXIV_MIN_INTERVAL)
        return max(self.min_interval, 0.0)

    def _gate(self, host: str) -> None:
        key = "arxiv" if is_arxiv_host(host) else host
        interval = self.interval_for(host)
        last = self._last.get(key)
        if last is not None:
            wait = last + interval - self.clock()
            if wait > 0:
                self.sleep(wait)
                self.log.waited += wait
        self._last[key] = self.clock()

    def _get_within_deadline(self, url: str, params: dict[str, str] | None) -> httpx.Response:
        """One GET whose connect, headers and body together end within the deadline (a
        server trickling its headers a byte at a time is cut off too), and whose body is
        at most MAX_BODY bytes."""
        try:
            return within(self.deadline, lambda: self._read(url, params), name="arxiv")
        except DeadlineExceeded:
            raise Transient(f"the answer took longer than {self.deadline:g} s") from None

    def _read(self, url: str, params: dict[str, str] | None) -> httpx.Response:
        request = self.client.build_request("GET", url, params=params)
        end = self.timer() + self.deadline
        streamed = self.client.send(request, stream=True)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in streamed.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY:
                    raise FetchError(
                        f"{urlsplit(url).hostname} sent more than {MAX_BODY // 2**20} MB "
                        "in one answer; no arXiv answer is that large"
                    )
                if self.timer() > end:
                    raise Transient(f"the answer took longer than {self.deadline:g} s")
        finally:
            streamed.close()
        # the decoded bytes: the headers that said how to decode them no longer apply
        headers = [
            (k, v)
            for k, v in streamed.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            streamed.status_code,
            headers=headers,
            content=b"".join(chunks),
            request=request,
        )

    def get(self, url: str, params: dict[str, str] | None = None) -> httpx.Response:
        """GET with spacing and retries; returns the final response (any status) or raises."""
        host = urlsplit(url).hostname or ""

        def attempt() -> httpx.Response:
            self._gate(host)
            self.log.requests += 1
            self.log.urls.append(url)
            try:
                response = self._get_within_deadline(url, params)
            except httpx.TimeoutException:
                raise Transient("timed out") from None
            except httpx.TransportError as exc:
                raise Transient(f"connection failed ({type(exc).__name__})") from None
            if response.status_code in RETRY_STATUS:
                raise Transient(
                    f"HTTP {response.status_code}",
                    parse_retry_after(response.headers.get("Retry-After")),
                )
            return response

        def waited(seconds: float) -> None:
            self.log.retries += 1
            self.log.waited += seconds

        try:
            return self.policy.call(attempt, sleep=self.sleep, on_wait=waited)
        except TooLong as exc:
            raise FetchError(
                f"{host} asked us to wait {exc.wait:.0f} s ({exc.problem}); try again later"
            ) from None
        except Transient as exc:
            raise FetchError(
                f"{host}: {exc.problem} after {self.max_attempts} attempts ({url})"
            ) from None
