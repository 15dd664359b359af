"""Search across every day on the static site: Pagefind's index and UI in real Chromium, served
from loopback as a static host would, with no request leaving it."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from arxiv_digest.render.html import SiteBuilder
from arxiv_digest.store import Store
from tests.helpers import import_references
from tests.render.test_browser import browser  # noqa: F401 - the shared Chromium


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    root = tmp_path_factory.mktemp("search-site")
    store = Store(root / "s.db")
    import_references(store)
    report = SiteBuilder(store, root / "site").build()
    assert "pagefind/" in report.written and not report.notes
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root / "site"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", store
    server.shutdown()
    server.server_close()
    store.close()


def _search(page: Page, query: str) -> list[str]:
    page.fill(".pagefind-ui__search-input", query)
    page.wait_for_selector(".pagefind-ui__result-nested a")
    # the UI fills its results in as their fragments load: wait until they stop changing
    page.wait_for_function(
        """() => { const n = document.querySelectorAll('.pagefind-ui__result-nested a').length;
                   const same = window.__n === n; window.__n = n; return same; }""",
        polling=300,
    )
    links = page.locator(".pagefind-ui__result-nested a")
    return [str(links.nth(i).get_attribute("href")) for i in range(links.count())]


def _paper_text(store: Store, paper_id: str) -> str:
    paper = store.papers.get(paper_id)
    assert paper is not None
    parts = [paper.title, paper.abstract]
    for day in store.digests.dates():
        digest = store.digests.load(day)
        for entry in digest.entries if digest else ():
            if entry.paper.id == paper_id and entry.summary is not None:
                parts.extend(entry.summary.shown_fields().values())
    return " ".join(" ".join(parts).split()).lower()


@pytest.mark.parametrize(
    ("query", "words", "days"),
    [
        ("强化学习", ["强化", "学习"], 2),  # site.js searches it as a phrase
        ('"reinforcement learning"', ["reinforcement learning"], 2),
    ],
)
def test_every_day_is_searched_in_both_languages(
    browser: Browser,  # noqa: F811
    served: tuple[str, Store],
    query: str,
    words: list[str],
    days: int,
) -> None:
    url, store = served
    page = browser.new_page()
    errors: list[str] = []
    outside: list[str] = []
    missing: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))
    page.on("response", lambda r: r.status >= 400 and missing.append(r.url))
    page.goto(f"{url}/index.html")
    links = _search(page, query)
    assert len({link.split("/")[-1].split(".html")[0] for link in links}) >= days
    exact = query.strip('"')
    assert all("#t" in link for link in links)  # each sub-result lands on a paper
    texts = [_paper_text(store, link.split("#t", 1)[1]) for link in links]
    # Pagefind matches the words its segmenter finds (强化学习: 强化, 学习) and their prefixes:
    # most sub-results hold the whole word, every one holds a piece of it
    holding = sum(exact in t for t in texts) / len(texts)
    print(f"{query}: {len(links)} sub-results, {holding:.0%} hold {exact!r}")
    assert holding >= 0.8
    assert all(any(w in t for w in words) for t in texts)
    best = _paper_text(store, links[0].split("#t", 1)[1])
    assert exact in best  # the best hit holds the whole word or phrase
    # nothing left the site, and nothing it asked for was missing (its favicon included)
    assert outside == [] and missing == [], missing
    assert errors == []  # no CSP violation, no script error, no missing file
    page.close()
