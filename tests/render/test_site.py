"""The static site, the Atom feed, JSON and JSONL outputs (string level; the browser tests are in
test_browser.py)."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.fetch.ingest import store_imported
from arxiv_digest.models import FAILED_NOTICE, arxiv_url
from arxiv_digest.render.feeds import render_anchor_jsonl, render_atom, render_json
from arxiv_digest.render.html import SiteBuilder
from arxiv_digest.render.markdown import render_markdown
from arxiv_digest.sources.importers import read_digest_file
from arxiv_digest.store import Store
from tests.helpers import (
    REFERENCE_DIR,
    XSS,
    add_xss_day,
    import_references,
    reference_counts,
    reference_days,
)


def test_site_builds_from_all_references(tmp_path: Path, store: Store) -> None:
    days = import_references(store)
    report = SiteBuilder(store, tmp_path / "site").build()
    assert report.days_rendered == 3
    for day in days:
        page = (tmp_path / "site" / f"{day}.html").read_text("utf-8")
        assert page.count('<article class="paper"') == len(store.digests.rows(day))
        assert "https://cdn" not in page and "googleapis" not in page
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert index.index("2026-01-03") < index.index("2026-01-01")  # newest first
    failed = reference_counts(reference_days()["2026-01-03"])
    assert all(f"{name} {n}" in index for name, n in failed.sections.items())
    assert f"{failed.failed} summaries failed" in index
    failed_day = (tmp_path / "site" / "2026-01-03.html").read_text("utf-8")
    assert "Summary generation failed" not in failed_day
    assert failed_day.count(FAILED_NOTICE) == failed.failed > 0


def test_rebuild_touches_only_the_new_day_index_and_feeds(tmp_path: Path, store: Store) -> None:
    import_references(store)
    site = tmp_path / "site"
    SiteBuilder(store, site).build()
    stamps = {p.name: p.stat().st_mtime_ns for p in site.glob("*.html")}
    add_xss_day(store)
    report = SiteBuilder(store, site).build()
    assert report.days_rendered == 1 and report.days_skipped == 3
    assert sorted(report.written) == [
        "2026-02-01.html",
        "2026-02-01.json",
        "days.js",
        "feed.xml",
        "index.html",
        "pagefind/",  # a new day: the search index is built again
    ]
    again = SiteBuilder(store, site).build()
    assert again.days_rendered == 0 and "pagefind/" not in again.written  # nothing new
    for name, stamp in stamps.items():
        if name != "index.html":
            assert (site / name).stat().st_mtime_ns == stamp


def test_untrusted_text_is_escaped(tmp_path: Path, store: Store) -> None:
    add_xss_day(store)
    SiteBuilder(store, tmp_path / "site").build()
    page = (tmp_path / "site" / "2026-02-01.html").read_text("utf-8")
    for raw in (
        "<script>window",
        "<img src=x",
        "<svg onload",
        '<a href="javascript',
        "</details><img",
        "<b>bold</b>",
    ):
        assert raw not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page and "{% if 1 %}" in page  # template syntax shown, not run
    assert 'href="javascript' not in page
    assert "number: result has 99" in page  # quality warnings shown


def test_links_only_from_valid_ids() -> None:
    assert arxiv_url("2501.00001") == "https://arxiv.org/abs/2501.00001"
    assert arxiv_url("hep-th/9901001", "pdf") == "https://arxiv.org/pdf/hep-th/9901001"
    assert arxiv_url("javascript:alert(1)") == "#"
    assert arxiv_url('2501.00001" onclick="x') == "#"


def test_atom_feed_parses_back_with_every_entry(store: Store) -> None:
    days = import_references(store)
    digests = [store.digests.load(d) for d in days]
    xml = render_atom([d for d in digests if d])
    parsed = feedparser.parse(xml)
    assert not parsed.bozo
    papers = sum(reference_counts(p).papers for p in reference_days().values())
    assert len(parsed.entries) == sum(len(d.entries) for d in digests if d) == papers
    first = parsed.entries[0]
    assert first.link.startswith("https://arxiv.org/abs/") and first.summary


def test_json_has_the_documented_shape(store: Store) -> None:
    add_xss_day(store)
    digest = store.digests.load("2026-02-01")
    assert digest is not None
    data = json.loads(render_json(digest))
    assert data["schema"] == "arxiv-digest/digest-1" and data["date"] == "2026-02-01"
    first = data["sections"][0]["papers"][0]
    assert first["summary"]["tldr"] == XSS["tldr"] and first["url"].startswith("https://")
    failed = data["sections"][1]["papers"][0]["summary"]
    assert failed["status"] == "failed" and failed["tldr"] is None


@pytest.mark.parametrize("path", sorted(REFERENCE_DIR.glob("*.md")), ids=lambda p: p.name)
def test_jsonl_round_trips_through_import(path: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as first:
        store_imported(first, read_digest_file(path, "2026-01-05"))
        digest = first.digests.load("2026-01-05")
        assert digest is not None
        jsonl = tmp_path / f"2026-01-05_AI_enhanced_{digest.language}.jsonl"
        jsonl.write_text(render_anchor_jsonl(digest), encoding="utf-8")
    with Store(tmp_path / "b.db") as second:
        store_imported(second, read_digest_file(jsonl))
        again = second.digests.load("2026-01-05")
        assert again is not None
        assert render_markdown(again).encode() == path.read_bytes()


def test_render_cli_formats(tmp_path: Path, runner: CliRunner) -> None:
    db = ["--db", str(tmp_path / "c.db")]
    ref = REFERENCE_DIR / "000_3473ecea28a495c2.md"
    assert runner.invoke(cli, [*db, "import", str(ref), "--date", "2026-01-01"]).exit_code == 0
    out = tmp_path / "o"
    for fmt, name in (("json", "x.json"), ("jsonl", "x.jsonl"), ("atom", "feed.xml")):
        result = runner.invoke(cli, [*db, "render", "--format", fmt, "-o", str(out / name)])
        assert result.exit_code == 0, result.output
        assert (out / name).stat().st_size > 1000
    result = runner.invoke(cli, [*db, "render", "--format", "html", "--out", str(out / "site")])
    assert result.exit_code == 0 and "1 day pages rendered" in result.output
    again = runner.invoke(cli, [*db, "render", "--format", "html", "--out", str(out / "site")])
    assert "0 day pages rendered, 1 unchanged" in again.output
    assert oct((out / "site" / "index.html").stat().st_mode)[-3:] == "644"


def test_serve_serves_the_site_on_localhost(tmp_path: Path) -> None:
    import threading
    import urllib.request

    from arxiv_digest.web import make_server

    (tmp_path / "index.html").write_text("<h1>hi</h1>", encoding="utf-8")
    server = make_server(tmp_path, 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        assert server.server_address[0] == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html") as answer:
            assert answer.read() == b"<h1>hi</h1>"
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_every_page_has_its_favicon_and_a_visible_feed_link(tmp_path: Path, store: Store) -> None:
    import xml.etree.ElementTree as ET

    import_references(store)
    site = tmp_path / "site"
    SiteBuilder(store, site).build()
    assert (site / "static" / "favicon.svg").read_text("utf-8").startswith("<svg")
    for page in [site / "index.html", *site.glob("????-??-??.html")]:
        html = page.read_text("utf-8")
        assert '<link rel="icon" type="image/svg+xml" href="static/favicon.svg?v=' in html
        assert '<a class="feed" href="feed.xml" type="application/atom+xml">Feed</a>' in html
    feed = ET.parse(site / "feed.xml").getroot()
    # the summaries are Chinese on most of the reference days: the feed says so
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
