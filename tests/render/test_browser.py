"""The day page in a real browser: Debian's Chromium driven by Playwright (executable_path).

No request may leave the site, no console error may appear, filters and highlights must work,
and XSS payloads in every untrusted field must show as text and run nothing. A screenshot of a
day page is kept in test-artifacts/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from arxiv_digest.render.html import SiteBuilder
from arxiv_digest.store import Store
from tests.helpers import add_xss_day, import_references, reference_counts, reference_days

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    with Store(root / "s.db") as store:
        import_references(store)
        add_xss_day(store)
        SiteBuilder(store, root / "site").build()
    return root / "site"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Watch:
    def __init__(self, page: Page, root: Path) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        prefix = root.as_uri()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on(
            "request",
            lambda r: None if r.url.startswith((prefix, "data:")) else self.outside.append(r.url),
        )


def open_day(browser: Browser, site: Path, day: str, **context: Any) -> tuple[Page, Watch]:
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    watch = Watch(page, site)
    page.goto((site / f"{day}.html").as_uri())
    page.wait_for_selector("#shown:not(:empty)")
    return page, watch


def visible_count(page: Page) -> int:
    return int(page.locator("article.paper:visible").count())


def test_day_page_loads_clean_and_offline(browser: Browser, site: Path) -> None:
    page, watch = open_day(browser, site, "2026-01-02")
    n = reference_counts(reference_days()["2026-01-02"]).papers
    assert visible_count(page) == n
    assert page.locator("#shown").text_content() == f"{n} of {n} papers shown"
    assert watch.errors == [] and watch.outside == []
    nav = page.locator("#daynav a")
    assert nav.count() == 2  # previous and next day, from days.js
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.screenshot(path=str(ARTIFACTS / "day-page.png"))
    page.context.close()


def test_text_and_category_filters(browser: Browser, site: Path) -> None:
    page, watch = open_day(browser, site, "2026-01-02")
    counts = reference_counts(reference_days()["2026-01-02"])
    page.click("button.cat[data-cat='cs.IR']")
    assert visible_count(page) == counts.sections["cs.IR"]
    page.click("button.cat[data-cat='']")
    page.fill("#q", "recommendation")
    shown = visible_count(page)
    assert 0 < shown < counts.papers
    for text in page.locator("article.paper:visible").all_text_contents():
        assert "recommendation" in text.lower()
    page.fill("#q", "zzzz-no-such-word")
    assert visible_count(page) == 0 and page.locator("section.sec:visible").count() == 0
    page.fill("#q", "")
    assert visible_count(page) == counts.papers
    assert watch.errors == []
    page.context.close()


def test_highlight_survives_a_reload(browser: Browser, site: Path) -> None:
    page, watch = open_day(browser, site, "2026-01-02")
    page.click("details.prefs summary")
    page.fill("#hl-keywords", "retrieval")
    page.dispatch_event("#hl-keywords", "change")
    marked = page.locator("mark.kw").count()
    assert marked > 0
    page.reload()
    page.wait_for_selector("#shown:not(:empty)")
    assert page.locator("mark.kw").count() == marked
    assert page.locator("article.paper.hl").count() > 0
    assert page.locator("mark.kw").first.text_content().lower() == "retrieval"
    assert watch.errors == []
    page.context.close()


def test_keyboard_moves_between_papers(browser: Browser, site: Path) -> None:
    page, _ = open_day(browser, site, "2026-01-01")
    page.keyboard.press("j")
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.id")
    assert focused == page.locator("article.paper").nth(1).get_attribute("id")
    page.keyboard.press("o")
    assert page.locator("article.paper").nth(1).locator("details").get_attribute("open") == ""
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.context.close()


def test_xss_payloads_show_as_text_and_run_nothing(browser: Browser, site: Path) -> None:
    page, watch = open_day(browser, site, "2026-02-01")
    page.click("details.prefs summary")
    page.fill("#hl-keywords", "script, img, details")  # highlighting must not revive markup
    page.dispatch_event("#hl-keywords", "change")
    page.fill("#q", "script")
    page.locator("article.paper details").first.evaluate("d => d.open = true")
    assert page.evaluate("window.__pwned") is None
    assert watch.dialogs == [] and watch.outside == []
    title = page.locator("article.paper .t").first.text_content()
    assert title is not None and "<script>window.__pwned=1</script>" in title
    assert "{{ 7*7 }}" in title
    assert page.locator("article.paper script, article.paper img, article.paper svg").count() == 0
    assert page.locator("article.paper a[href^='javascript']").count() == 0
    assert page.locator("article.paper").count() == 2  # </details></article> broke nothing
    assert "number: result has 99" in (page.locator(".warnings").first.text_content() or "")
    assert "Summary failed" in (page.locator("article.paper .failed").first.text_content() or "")


def test_phone_and_dark_mode(browser: Browser, site: Path) -> None:
    page, watch = open_day(
        browser,
        site,
        "2026-01-01",
        viewport={"width": 390, "height": 844},
        color_scheme="dark",
        is_mobile=True,
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(19, 19, 22)"
    assert watch.errors == []
    page.context.close()
