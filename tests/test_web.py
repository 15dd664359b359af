"""`serve`: the site on loopback, gzipped with ETags, files only, stopped cleanly."""

from __future__ import annotations

import gzip
import http.client
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from arxiv_digest.render.html import SiteBuilder
from arxiv_digest.store import Store
from arxiv_digest.web import SiteServer, make_server
from tests.fakes.loopback import serving
from tests.helpers import import_references


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    with Store(root / "s.db") as store:
        import_references(store)
        SiteBuilder(store, root / "site").build()
    (root / "site" / ".git").mkdir()
    (root / "site" / ".git" / "config").write_text("[secret]", "utf-8")
    (root / "site" / ".env").write_text("OPENAI_API_KEY=sk-no", "utf-8")
    (root / "secret.txt").write_text("outside", "utf-8")
    return root / "site"


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[SiteServer]:
    server = make_server(site, 0)
    with serving(server):
        yield server


def get(server: SiteServer, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    conn.request("GET", path, headers=headers)
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body


def test_pages_come_gzipped_with_an_etag_and_revalidate(server: SiteServer, site: Path) -> None:
    day = sorted(site.glob("????-??-??.html"))[0]
    status, headers, body = get(server, "/" + day.name, **{"Accept-Encoding": "gzip, br"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == day.read_bytes()
    assert len(body) < day.stat().st_size / 2
    assert headers["content-type"].startswith("text/html") and headers["vary"] == "Accept-Encoding"
    assert headers["x-content-type-options"] == "nosniff"
    etag = headers["etag"]
    status, headers, body = get(
        server, "/" + day.name, **{"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    assert status == 304 and body == b""
    # a client without gzip gets the plain bytes and its own tag
    status, headers, body = get(server, "/" + day.name)
    assert status == 200 and "content-encoding" not in headers and body == day.read_bytes()
    assert headers["etag"] != etag
    # images that are compressed already are sent as they are
    status, headers, _ = get(server, "/static/site.js", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["content-type"] == "application/javascript"


@pytest.mark.parametrize(
    "path",
    [
        "/static/",  # a directory without index.html: no listing
        "/pagefind/",
        "/.arxiv-digest-site.json",
        "/.git/config",
        "/.env",
        "/static/../.env",
        "/%2e%2e/secret.txt",
        "/../secret.txt",
        "/nothing.html",
    ],
)
def test_no_listing_no_dotfiles_nothing_outside(server: SiteServer, path: str) -> None:
    status, _, body = get(server, path)
    assert status == 404
    assert b"secret" not in body and b"sk-no" not in body and b"Directory listing" not in body


@pytest.mark.parametrize(
    "path",
    ["/%00", "/index.html%00.txt", "/" + "a" * 256, "/static/" + "%E4%B8%AD" * 90, "/%1b[2J",
     "/" + "a/" * 1100],
)  # fmt: skip
def test_paths_no_file_can_have_are_a_bad_request(server: SiteServer, path: str) -> None:
    status, _, body = get(server, path)
    assert status == 400 and b"Traceback" not in body
    status, _, _ = get(server, "/")  # and the server still serves
    assert status == 200


def test_the_root_is_the_index(server: SiteServer, site: Path) -> None:
    status, _, body = get(server, "/")
    assert status == 200 and body == (site / "index.html").read_bytes()


def test_writes_are_refused(server: SiteServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    conn.request("PUT", "/index.html", body=b"x")
    assert conn.getresponse().status == 405
    conn.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_cleanly(site: Path, tmp_path: Path, sig: signal.Signals) -> None:
    env = {**os.environ, "ARXIV_DIGEST_CONFIG": str(tmp_path / "none.toml")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "arxiv_digest", "serve", "--port", "0", "--dir", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # it says where it listens once it does
    assert "serving" in line and "http://127.0.0.1:" in line
    port = int(line.rsplit(":", 1)[1].split("/")[0])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/")  # a kept-alive connection stays open while it stops
    assert conn.getresponse().status == 200
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    conn.close()
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err
