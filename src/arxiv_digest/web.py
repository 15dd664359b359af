"""`serve`: the built site on localhost, read-only, nothing else.

Files only: no directory listing, nothing whose name starts with a dot (the site's manifest,
editor and VCS files), no path outside the site. Text is sent gzipped to clients that accept
it, with an ETag so a reload costs a 304. Ctrl-C or SIGTERM stop it cleanly.
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import hashlib
import signal
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from urllib.parse import unquote, urlsplit

from arxiv_digest.errors import NotFoundError

#: Worth compressing; images and fonts are compressed already.
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "image/svg+xml",
    "application/wasm",
)
_GZIP_CACHE_MAX = 256


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "application/javascript",
        ".json": "application/json",
        ".xml": "application/xml",
        ".svg": "image/svg+xml",
        ".wasm": "application/wasm",
        ".pf_meta": "application/octet-stream",
    }
    # (path, mtime_ns, size) -> gzipped bytes, shared by the server's threads
    gzipped: dict[tuple[str, int, int], bytes] = {}
    lock = threading.Lock()

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def do_POST(self) -> None:  # noqa: N802 - read-only
        self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)

    do_PUT = do_DELETE = do_PATCH = do_POST  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _file(self) -> Path | None:
        """The file a GET names: inside the site, no dot-named part, a directory's index."""
        parts = [p for p in unquote(urlsplit(self.path).path).split("/") if p]
        if any(p.startswith(".") or "\\" in p for p in parts):
            return None
        root = Path(self.directory).resolve()
        try:
            target = root.joinpath(*parts)
            if target.is_dir():
                target = target / "index.html"
            target = target.resolve(strict=True)
        except (OSError, ValueError):
            return None
        if not target.is_file() or not target.is_relative_to(root):
            return None
        return target

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _malformed(self) -> bool:
        """A path no file of a site can have: a NUL or control character, a name longer than
        a file system allows, or a path of more than 2,048 bytes (answered 400)."""
        path = unquote(urlsplit(self.path).path)
        return (
            len(path.encode("utf-8", "surrogateescape")) > 2048
            or any(ord(c) < 32 or ord(c) == 127 for c in path)
            or any(len(p.encode("utf-8", "surrogateescape")) > 255 for p in path.split("/"))
        )

    def _answer(self, *, body: bool) -> None:
        if self._malformed():
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        target = self._file()
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        stat = target.stat()
        ctype = self.guess_type(str(target))
        wants_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "").lower()
        compress = wants_gzip and ctype.startswith(COMPRESSIBLE)
        tag = hashlib.sha1(f"{target}:{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest()
        etag = f'"{tag[:20]}{"-gz" if compress else ""}"'
        if etag in [t.strip() for t in (self.headers.get("If-None-Match") or "").split(",")]:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return
        data = target.read_bytes()
        if compress:
            key = (str(target), stat.st_mtime_ns, stat.st_size)
            with self.lock:
                cached = self.gzipped.get(key)
            if cached is None:
                cached = gzip.compress(data, compresslevel=9, mtime=0)
                with self.lock:
                    if len(self.gzipped) >= _GZIP_CACHE_MAX:
                        self.gzipped.clear()
                    self.gzipped[key] = cached
            data = cached
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "no-cache")  # revalidate: a rebuild shows at once
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if body:
            self.wfile.write(data)


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True  # a browser's kept-alive connection never holds up the stop
    block_on_close = False


def make_server(root: Path, port: int) -> SiteServer:
    handler = functools.partial(_Handler, directory=str(root))
    return SiteServer(("127.0.0.1", port), handler)


def serve(root: Path, port: int, announce: Callable[[str], None] | None = None) -> None:
    """Serve the site in `root` on loopback until Ctrl-C or SIGTERM; returns normally then."""
    if not (root / "index.html").is_file():
        raise NotFoundError(f"no site in {root}: run `arxiv-digest render --format html` first")
    server = make_server(root, port)
    real_port = server.server_address[1]

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # both, explicitly: a process started in the background by a non-interactive shell
    # inherits SIGINT ignored, and Ctrl-C (or `kill -INT`) would then do nothing
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    if announce:
        announce(f"http://127.0.0.1:{real_port}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.server_close()
