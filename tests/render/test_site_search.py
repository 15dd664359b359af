"""Search across every day on the static site: Pagefind's index and UI in real Chromium, served
from loopback as a static host would, with no request leaving it."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from arxiv_digest.render.html import SiteBuilder
from arxiv_digest.render.search_index import holds
from arxiv_digest.store import Store
from tests.helpers import (
    chinese_words,
    import_references,
    reference_texts,
    search_every_result,
    search_texts,
)
from tests.render.test_browser import (
    ARTIFACTS,
    browser,  # noqa: F401 - the shared Chromium
)


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


@pytest.fixture(scope="module")
def archive(browser: Browser, served: tuple[str, Store]) -> Iterator[tuple[Page, dict[str, str]]]:  # noqa: F811
    url, store = served
    page = browser.new_page()
    page.goto(f"{url}/index.html")
    page.wait_for_function("() => !!window.arxivDigestSearch")
    yield page, search_texts(store)
    page.close()


def test_every_paper_holding_the_word_is_found_and_only_those(
    archive: tuple[Page, dict[str, str]],
) -> None:
    """Recall and precision of the archive's search on real days, against the Python reference:
    Chinese words of 2-5 characters from the summaries (jieba's, spread over frequencies) and
    English words and phrases; every result is one paper, and the set is exactly the papers that
    hold the word."""
    page, texts = archive
    words = chinese_words(reference_texts(), n=12) + [
        "diffusion", "retrieval", "transformer", "LoRA", "benchmark", "agent",
        '"reinforcement learning"', '"language model"', "text-to-sql", "GPT-4o",
    ]  # fmt: skip
    for word in words:
        expected = {link for link, text in texts.items() if holds(text, word)}
        found = search_every_result(page, word)
        assert len(found) == len(set(found)), word  # one record per paper
        assert set(found) == expected, (word, sorted(set(found) ^ expected)[:4])
        assert expected or word not in ("强化学习", "大语言模型"), word


def _search(page: Page, query: str) -> int:
    """Type a search into Pagefind's box; the number of results it says it found."""
    page.fill(".pagefind-ui__search-input", query)
    page.wait_for_function(  # the message names the words once their results are in
        """(q) => { const m = document.querySelector('.pagefind-ui__message');
                    return m && m.textContent.indexOf(q) >= 0 && /[0-9]/.test(m.textContent); }""",
        arg=query,
    )
    page.wait_for_selector(".pagefind-ui__result-link")
    message = page.locator(".pagefind-ui__message").inner_text().replace(query, "")
    return int(re.sub(r"[^0-9]", "", message))


def test_a_result_opens_its_paper_with_the_match_marked_even_in_the_abstract(
    browser: Browser,  # noqa: F811
    served: tuple[str, Store],
    archive: tuple[Page, dict[str, str]],
) -> None:
    url, _ = served
    _, texts = archive
    page = browser.new_page()
    errors: list[str] = []
    outside: list[str] = []
    missing: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))
    page.on("response", lambda r: r.status >= 400 and missing.append(r.url))
    page.goto(f"{url}/index.html")
    # the count it says is the number of papers holding the word, with per-day counts
    holding = [link for link, text in texts.items() if holds(text, "强化学习")]
    assert _search(page, "强化学习") == len(holding) > 10
    block = page.locator(".pagefind-ui__filter-block", has_text="日期")
    block.locator(".pagefind-ui__filter-name").click()
    days = " ".join(block.locator(".pagefind-ui__filter-label").all_inner_texts())
    for day in {link.split(".html")[0] for link in holding}:
        n = sum(link.startswith(day) for link in holding)
        assert re.search(rf"{day}\s*\(?{n}\)?", days), (day, n, days)
    # a word only in one paper's abstract: its result opens that paper, the abstract shown and
    # the word marked in it
    word, link = _abstract_only(texts)
    assert _search(page, word) == sum(holds(t, word) for t in texts.values())
    target = page.locator(f'.pagefind-ui__result-link[href$="{link.split(".html")[1]}"]')
    assert "?hl=" in str(target.get_attribute("href"))
    target.click()
    paper = page.locator(f"article#{link.split('#')[1]}".replace(".", "\\."))
    mark = paper.locator("details.ab[open] mark.kw").first
    mark.wait_for()
    assert mark.inner_text().lower() == word and mark.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-result.png"))
    assert outside == [] and missing == [], missing
    assert errors == []  # no CSP violation, no script error, no missing file
    page.close()


def _abstract_only(texts: dict[str, str]) -> tuple[str, str]:
    """A Latin word of 8+ letters found in exactly one paper, and only in its abstract."""
    seen: dict[str, list[str]] = {}
    for link, text in texts.items():
        for word in set(re.findall(r"\b[a-z]{8,}\b", text.split("\n")[-1].lower())):
            seen.setdefault(word, []).append(link)
    for word, links in sorted(seen.items()):
        hits = [k for k, t in texts.items() if holds(t, word)]
        before = "\n".join(texts[links[0]].split("\n")[:-1])
        if len(links) == 1 and hits == links and not holds(before, word):
            return word, links[0]
    raise AssertionError("no word only in one abstract")
