"""The static site, the Atom feed, JSON and JSONL outputs (string level; the browser tests are in
test_browser.py)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
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
    add_reading_day,
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
        assert page.count('<article class="paper') == len(store.digests.rows(day))
        assert "https://cdn" not in page and "googleapis" not in page
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert index.index("2026-01-03") < index.index("2026-01-01")  # newest first
    failed = reference_counts(reference_days()["2026-01-03"])
    assert all(f"{name} {n}" in index for name, n in failed.sections.items())
    assert f"{failed.failed} 篇没有摘要" in index  # the site's language: Chinese
    failed_day = (tmp_path / "site" / "2026-01-03.html").read_text("utf-8")
    assert "Summary generation failed" not in failed_day
    # one banner with the count and the cause, no notice per paper, every abstract open
    assert failed_day.count('class="banner"') == 1
    # no summary to tell its language by: the page speaks the site's language (Chinese)
    assert '<html lang="zh"' in failed_day
    assert f"{failed.papers} 篇论文中有 {failed.failed} 篇没有摘要" in failed_day
    assert "导入的摘要文件里只有占位文字" in failed_day  # the cause in the site's language
    assert FAILED_NOTICE not in failed_day
    assert failed_day.count('<p class="abs open">') == failed.papers


def test_a_chinese_site_whose_only_day_failed_speaks_chinese(
    tmp_path: Path, runner: CliRunner
) -> None:
    db = tmp_path / "f.db"
    failed = reference_days()["2026-01-03"]
    imported = runner.invoke(cli, ["--db", str(db), "import", str(failed), "--date", "2026-01-03"])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "out"
    env = {"ARXIV_DIGEST_OUTPUT_DIR": str(out)}
    assert (
        runner.invoke(cli, ["--db", str(db), "render", "--format", "html"], env=env).exit_code == 0
    )
    page = (out / "site" / "2026-01-03.html").read_text("utf-8")
    counts = reference_counts(failed)
    assert '<html lang="zh"' in page and "篇没有摘要" in page and "详情" in page
    assert "have no summary" not in page and "Details" not in page
    feed = (out / "site" / "feed.xml").read_text("utf-8")
    assert feed.count("摘要生成失败，下面是论文摘要原文。") == counts.papers
    assert "Summary failed" not in feed and "Abstract:" not in feed
    assert 'xml:lang="zh"' in feed


def test_rebuild_touches_only_the_new_day_index_and_feeds(tmp_path: Path, store: Store) -> None:
    import_references(store)
    site = tmp_path / "site"
    SiteBuilder(store, site).build()
    stamps = {p.name: p.stat().st_mtime_ns for p in site.glob("*.html")}
    add_xss_day(store)
    report = SiteBuilder(store, site).build()
    assert report.days_rendered == 2 and report.days_skipped == 2  # the new day, its neighbour
    assert sorted(report.written) == [
        "2026-01-03.html",  # its "next day" link now points at the new day
        "2026-02-01.abs.js",
        "2026-02-01.html",
        "2026-02-01.json",
        "feed.xml",
        *sorted(f"feeds/{name}.xml" for name in ("cs.AI", "cs.IR", "cs.LG", "cs.RO")),
        "index.html",
        "pagefind/",  # a new day: the search index is built again
    ]
    assert 'href="2026-02-01.html" rel="next"' in (site / "2026-01-03.html").read_text("utf-8")
    again = SiteBuilder(store, site).build()
    assert again.days_rendered == 0 and again.written == []  # nothing new, nothing written
    for name, stamp in stamps.items():
        if name not in ("index.html", "2026-01-03.html"):
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
    # quality warnings read as sentences, never as the checks' codes; quotes are not repeated
    assert "Result: 99% does not appear in the title or abstract" in page
    assert "number:" not in page and "tldr-length" not in page


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


def test_every_page_has_its_favicon_and_a_visible_feed_link(tmp_path: Path, store: Store) -> None:
    import_references(store)
    site = tmp_path / "site"
    SiteBuilder(store, site).build()
    assert (site / "static" / "favicon.svg").read_text("utf-8").startswith("<svg")
    pages = [site / "index.html", site / "starred.html", *site.glob("????-??-??.html")]
    for page in pages:
        html = page.read_text("utf-8")
        assert '<link rel="icon" type="image/svg+xml" href="static/favicon.svg?v=' in html
        assert re.search(
            r'<a class="feed" href="feed.xml" type="application/atom\+xml">(Feed|订阅)</a>', html
        )
        assert 'rel="canonical"' not in html  # no address known: no absolute links invented
    feed = ET.parse(site / "feed.xml").getroot()
    # the summaries are Chinese on most of the reference days: the feed says so
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"


ATOM = "{http://www.w3.org/2005/Atom}"


def test_with_a_site_url_every_link_is_absolute_and_feeds_name_themselves(
    tmp_path: Path, store: Store
) -> None:
    days = import_references(store)
    site = tmp_path / "site"
    url = "https://me.example.org/arxiv"
    SiteBuilder(store, site, site_url=url + "/", feed_days=2).build()
    day = (site / f"{days[0]}.html").read_text("utf-8")
    assert f'<link rel="canonical" href="{url}/{days[0]}.html">' in day
    assert f'data-url="{url}/{days[0]}.html"' in day  # what "copy link" copies
    assert f'<a class="feed" href="{url}/feed.xml"' in day
    feeds = {"feed.xml": None, **{p.name: p.stem for p in (site / "feeds").glob("*.xml")}}
    index = (site / "index.html").read_text("utf-8")
    for name in feeds:  # the archive links every feed, visibly and for feed readers
        href = f"{url}/feed.xml" if name == "feed.xml" else f"{url}/feeds/{name}"
        assert f'<a href="{href}" type="application/atom+xml">' in index
        assert (
            name == "feed.xml"
            or f'type="application/atom+xml" title="arxiv-digest: {feeds[name]}" href="{href}"'
            in index
        )
    recent = [store.digests.load(d) for d in sorted(days, reverse=True)[:2]]
    sections = {e.section for d in recent if d for e in d.entries}
    assert set(feeds) - {"feed.xml"} == {f"{name}.xml" for name in sections}
    for name, category in feeds.items():
        path = site / name if category is None else site / "feeds" / name
        root = ET.parse(path).getroot()
        selfs = [link.get("href") for link in root.findall(f"{ATOM}link[@rel='self']")]
        assert selfs == [f"{url}/{'' if category is None else 'feeds/'}{name}"]
        entries = root.findall(f"{ATOM}entry")
        assert entries
        for entry in entries:
            links = entry.findall(f"{ATOM}link")  # one, rel="alternate" (Atom's default)
            assert len(links) == 1 and links[0].get("rel", "alternate") == "alternate"
            assert links[0].get("href", "").startswith(f"{url}/20")
            if category is not None:
                term = entry.find(f"{ATOM}category")
                assert term is not None and term.get("term") == category
    # bounded: feed_days days, summaries without their abstracts, ten authors at most
    parsed = feedparser.parse((site / "feed.xml").read_text("utf-8"))
    assert len(parsed.entries) == sum(len(d.entries) for d in recent if d)
    assert all(len(e.get("authors", [])) <= 10 for e in parsed.entries)
    summarized = [e for e in parsed.entries if "Abstract:" not in e.content[0].value]
    assert summarized  # the abstract is in the feed only where no summary stands in for it


def test_feed_of_three_real_days_is_bounded(store: Store) -> None:
    days = import_references(store)
    digests = [d for d in (store.digests.load(x) for x in days) if d]
    size = len(render_atom(digests).encode("utf-8"))
    entries = sum(len(d.entries) for d in digests)
    # before: 3.4 KB an entry (905 KB for these days): abstracts and every author included
    assert size / entries < 2_300, size / entries


def test_archive_page_is_a_calendar_of_days_with_counts(tmp_path: Path, store: Store) -> None:
    days = import_references(store)
    SiteBuilder(store, tmp_path / "site").build()
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    for day in days:
        n = reference_counts(reference_days()[day]).papers
        assert f'<span class="c">{n}</span><span class="vh"> ({day}, 篇论文' in index
    assert index.count('<table class="cal">') == len({d[:7] for d in days})
    assert "2026年1月" in index
    newest = max(days)
    assert f'最新: <a href="{newest}.html">{newest}</a>' in index


def test_summarized_abstracts_load_from_their_own_file(tmp_path: Path, store: Store) -> None:
    days = import_references(store)
    SiteBuilder(store, tmp_path / "site").build()
    page = (tmp_path / "site" / f"{days[0]}.html").read_text("utf-8")
    script = (tmp_path / "site" / f"{days[0]}.abs.js").read_text("utf-8")
    data = json.loads(script.split('"] = ', 1)[1].rstrip().rstrip(";"))
    digest = store.digests.load(days[0])
    assert digest is not None
    ok = [e for e in digest.entries if e.summary is not None and e.summary.usable]
    assert set(data) == {e.paper.id for e in ok}
    for entry in ok[:20]:
        text = "".join(part if isinstance(part, str) else "" for part in data[entry.paper.id])
        assert text.split("$")[0][:40] in entry.paper.abstract
        assert entry.paper.abstract[:60] not in page or "$" in entry.paper.abstract[:60]
    assert re.search(rf'data-abstracts="{days[0]}\.abs\.js\?v=[0-9a-f]{{12}}"', page)


def test_feed_warnings_read_as_sentences_in_the_readers_language(store: Store) -> None:
    add_reading_day(store)
    digest = store.digests.load("2026-02-02")
    assert digest is not None
    xml = render_atom([digest])
    content = "".join(e.content[0].value for e in feedparser.parse(xml).entries)
    assert "请对照摘要核实: 结果：数字 97.3% 在标题和摘要中找不到" in content
    assert "number:" not in content and "Warnings:" not in content
