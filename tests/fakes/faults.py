"""A loopback HTTP server that misbehaves the way real services do, one fault at a time.

`FaultServer(fault, body=...)` answers every request with `body` (the service's good answer,
for the client's success path) spoiled by `fault`:

- ``ok``: the good answer;
- ``reset``: headers promising the whole body, half of it, then a TCP reset;
- ``trickle_headers``: the status line and headers one byte every `gap` seconds, forever;
- ``trickle_body``: good headers, then the body one byte every `gap` seconds;
- ``endless``: a chunked body that never ends, as fast as the client reads;
- ``huge``: a Content-Length of 10 GB and zeros as fast as the client reads;
- ``self_link``: the good answer with a `Link: rel="next"` to itself (pagination that never
  ends; a client following OAI-PMH tokens gets `body_for_page(n)`);
- ``retry_after``: 503 with `Retry-After: 3600`;
- ``echo_401`` and ``echo_500``: the status, and a body quoting the request's headers and
  URL back (credentials included), as some gateways do;
- ``bad_utf8``: the good answer with an invalid UTF-8 byte in it;
- ``malformed``: the good answer cut in half (broken JSON or XML).

``refused`` is a port with nothing listening (`refused_url()`). Every request is recorded
(method, path, headers, body) so a test can check where a secret went.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.fakes.loopback import serving

FAULTS = (
    "refused",
    "reset",
    "trickle_headers",
    "trickle_body",
    "endless",
    "huge",
    "self_link",
    "retry_after",
    "echo_401",
    "echo_500",
    "bad_utf8",
    "malformed",
)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FaultServer:
    fault: str = "ok"
    body: bytes = b"{}"
    content_type: str = "application/json"
    gap: float = 0.2  # seconds between trickled bytes
    #: a page's good answer for pagination faults (OAI-PMH: a fresh token each page)
    body_for_page: Callable[[int], bytes] | None = None
    seen: list[Seen] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(size) if size else b""
                fake.seen.append(
                    Seen(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                fake.answer(self, len(fake.seen))

            do_GET = do_POST = _serve  # noqa: N815

        return Handler

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
        h.send_response(status)
        h.send_header("Content-Type", self.content_type)
        h.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            h.send_header(name.replace("_", "-"), value)
        h.end_headers()
        h.wfile.write(body)

    def _drip(self, h: BaseHTTPRequestHandler, data: bytes) -> None:
        for i in range(len(data)):
            if self.stop.is_set():
                return
            h.wfile.write(data[i : i + 1])
            h.wfile.flush()
            time.sleep(self.gap)

    def answer(self, h: BaseHTTPRequestHandler, n: int) -> None:  # noqa: C901, PLR0912
        fault, body = self.fault, self.body
        try:
            if fault == "ok":
                self._send(h, 200, body)
            elif fault == "reset":
                h.send_response(200)
                h.send_header("Content-Type", self.content_type)
                h.send_header("Content-Length", str(len(body) * 2 + 100))
                h.end_headers()
                h.wfile.write(body[: len(body) // 2])
                h.wfile.flush()
                h.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                h.connection.close()
                h.close_connection = True
            elif fault == "trickle_headers":
                head = f"HTTP/1.1 200 OK\r\nContent-Type: {self.content_type}\r\n"
                self._drip(h, (head + "X-Pad: " + "a" * 100_000).encode())
            elif fault == "trickle_body":
                h.send_response(200)
                h.send_header("Content-Type", self.content_type)
                h.send_header("Content-Length", str(len(body) + 100_000))
                h.end_headers()
                self._drip(h, body + b" " * 100_000)
            elif fault == "endless":
                h.send_response(200)
                h.send_header("Content-Type", self.content_type)
                h.send_header("Transfer-Encoding", "chunked")
                h.end_headers()
                chunk = b"a" * 65536
                while not self.stop.is_set():
                    h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            elif fault == "huge":
                h.send_response(200)
                h.send_header("Content-Type", self.content_type)
                h.send_header("Content-Length", str(10 * 2**30))
                h.end_headers()
                zeros = b"0" * 65536
                while not self.stop.is_set():
                    h.wfile.write(zeros)
            elif fault == "self_link":
                page = self.body_for_page(n) if self.body_for_page else body
                self._send(h, 200, page, Link=f'<{self.url}{h.path}>; rel="next"')
            elif fault == "retry_after":
                self._send(h, 503, b'{"error": "busy"}', Retry_After="3600")
            elif fault in ("echo_401", "echo_500"):
                said = "\n".join(f"{k}: {v}" for k, v in h.headers.items())
                echo = f"error at {self.url}{h.path}\n{said}".encode()
                self._send(h, 401 if fault == "echo_401" else 500, echo)
            elif fault == "bad_utf8":
                cut = len(body) // 2
                self._send(h, 200, body[:cut] + b"\xff\xfe" + body[cut:])
            elif fault == "malformed":
                self._send(h, 200, body[: len(body) // 2])
            else:
                raise ValueError(fault)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@contextmanager
def fault_server(server: FaultServer) -> Iterator[FaultServer]:
    """Serve `server` on loopback for the block; its `url` is set. For ``refused`` the URL
    is a port where nothing listens."""
    if server.fault == "refused":
        server.url = refused_url()
        yield server
        return
    http = _Server(("127.0.0.1", 0), server.handler())
    server.url = f"http://127.0.0.1:{http.server_address[1]}"
    with serving(http):
        try:
            yield server
        finally:
            server.stop.set()


def refused_url() -> str:
    """A loopback URL whose port has nothing listening (bound, then closed)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
