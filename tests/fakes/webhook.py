"""A Slack or Feishu incoming webhook on loopback: records each posted body, answers as told
(statuses, Retry-After). A pytest fixture (`hook`), shared through tests/conftest.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class Hook:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.answers: list[tuple[int, bytes]] = []
        self.retry_after: str | None = None  # sent with every 429
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T0K3N-SECRET"


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.bodies.append(json.loads(body))
            status, payload = (
                state.answers.pop(0) if state.answers else (200, b'{"code": 0, "msg": "success"}')
            )
            self.send_response(status)
            if status == 429 and state.retry_after:
                self.send_header("Retry-After", state.retry_after)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    state.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=state.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    state.server.shutdown()
    state.server.server_close()
