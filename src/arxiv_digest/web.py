"""`serve`: the built site on localhost, read-only, nothing else."""

from __future__ import annotations

import functools
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from arxiv_digest.errors import NotFoundError


class _Handler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def do_POST(self) -> None:  # noqa: N802 - read-only
        self.send_error(405)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def make_server(root: Path, port: int) -> ThreadingHTTPServer:
    handler = functools.partial(_Handler, directory=str(root))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(root: Path, port: int, announce: Callable[[str], None] | None = None) -> None:
    """Serve the site in `root` on loopback until interrupted."""
    if not (root / "index.html").is_file():
        raise NotFoundError(f"no site in {root}: run `arxiv-digest render --format html` first")
    server = make_server(root, port)
    real_port = server.server_address[1]
    if announce:
        announce(f"http://127.0.0.1:{real_port}/")
    try:
        server.serve_forever()
    finally:
        server.server_close()
