"""The reader's day page in Chromium: size, first render, papers per screen, layout shift.

    python bench/page.py [--papers 250] [--runs 5] [--site DIR]

Builds a day of N papers, every one summarized (the reference papers with a Chinese summary,
repeated under new ids: the worst case for size), then opens it in Debian's Chromium on a
desktop (1280×800) and a phone (390×844) screen, each run in a fresh browser context, and
prints the page's bytes (raw and gzipped), its DOM nodes, first contentful paint and the load
event (median of the runs), papers fully visible per screen in the compact view, and the
cumulative layout shift with highlights on, and how long the text filter takes for a few
words (the layout it causes included). `--site DIR` measures an existing site instead
(the day page with the most papers), e.g. one built by an older version for a before/after.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from arxiv_digest.render.html import SiteBuilder  # noqa: E402
from arxiv_digest.store import Store  # noqa: E402
from tests.helpers import add_big_day, import_references  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True},
}
TIMING = """() => new Promise(done => {
  const paint = () => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    if (!fcp || !nav || !nav.loadEventEnd) return setTimeout(paint, 20);
    let cls = 0;
    new PerformanceObserver(l => {
      for (const e of l.getEntries()) if (!e.hadRecentInput) cls += e.value;
    }).observe({type: 'layout-shift', buffered: true});
    requestAnimationFrame(() => requestAnimationFrame(() => done({
      fcp: fcp.startTime, load: nav.loadEventEnd, cls: cls,
      nodes: document.getElementsByTagName('*').length})));
  };
  paint();
})"""
FILTER = """() => {
  const q = document.getElementById('q'); const out = [];
  for (const word of ['learning', 'graph', 'diffusion model', '推荐', 'zzz', '']) {
    const t = performance.now();
    q.value = word; q.dispatchEvent(new Event('input'));
    document.body.offsetHeight;  // include the layout the change causes
    out.push(performance.now() - t);
  }
  return out;
}"""
#: keystroke to paint: from a key's press (its event's timeStamp) to the task after the next
#: animation frame, which runs once that frame (the filtered list included) has been painted;
#: and Event Timing's own figure for the slowest event (8 ms steps, only those of 16 ms or more)
KEYS_OBSERVE = """() => { window.__keys = []; window.__slow = [];
  document.getElementById('q').addEventListener('keydown', (e) => {
    const done = () => window.__keys.push(performance.now() - e.timeStamp);
    requestAnimationFrame(() => setTimeout(done, 0));
  }, true);
  new PerformanceObserver(l => {
    for (const e of l.getEntries()) window.__slow.push([e.name, e.duration]);
  }).observe({type: 'event', durationThreshold: 16, buffered: false}); }"""
ON_SCREEN = """() => {
  const top = document.querySelector('header.top, header');
  const bar = top ? top.getBoundingClientRect().bottom : 0;
  return [...document.querySelectorAll('article.paper')].filter(p => {
    const r = p.getBoundingClientRect();
    return !p.hidden && r.height && r.top >= bar - 0.5 && r.bottom <= innerHeight + 0.5;
  }).length;
}"""


def build(papers: int, out: Path) -> Path:
    with Store(out / "s.db") as store:
        import_references(store)
        add_big_day(store, "2026-03-02", papers)
        SiteBuilder(store, out / "site").build()
    return out / "site" / "2026-03-02.html"


def measure(page_path: Path, runs: int) -> None:
    data = page_path.read_bytes()
    print(
        f"page {page_path.name}: {len(data) / 1000:.0f} KB, "
        f"{len(gzip.compress(data, 9)) / 1000:.0f} KB gzipped"
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, context in SCREENS.items():
            timings = []
            for _ in range(runs):
                ctx = browser.new_context(**context)
                ctx.add_init_script("localStorage.setItem('arxiv-digest:keywords', 'agent, 推荐');")
                page = ctx.new_page()
                page.goto(page_path.as_uri())
                timings.append(page.evaluate(TIMING))
                if len(timings) == runs:
                    filtering = page.evaluate(FILTER)
                    page.fill("#q", "")
                    # real keystrokes once the abstracts are in (the filter searches them too)
                    page.wait_for_function("() => !document.querySelector('p[data-abs]')")
                    page.evaluate(KEYS_OBSERVE)
                    page.click("#q")
                    for word in ("diffusion model", "强化学习"):
                        page.keyboard.type(word, delay=60)
                        page.fill("#q", "")
                    page.wait_for_timeout(300)
                    slow = page.evaluate("() => window.__slow")
                    keys = page.evaluate("() => window.__keys")
                    height = context["viewport"]["height"]  # type: ignore[index]
                    counts = []
                    page.mouse.wheel(0, 2000)
                    for _ in range(5):
                        page.mouse.wheel(0, height * 0.9)
                        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(0)))")
                        counts.append(page.evaluate(ON_SCREEN))
                ctx.close()
            fcp = statistics.median(t["fcp"] for t in timings)
            load = statistics.median(t["load"] for t in timings)
            cls = max(t["cls"] for t in timings)
            low, high = min(t["fcp"] for t in timings), max(t["fcp"] for t in timings)
            print(
                f"{name:8} first contentful paint {fcp:.0f} ms (runs {low:.0f}-{high:.0f}), "
                f"load {load:.0f} ms, "
                f"DOM nodes {timings[0]['nodes']}, papers per screen {min(counts)}-{max(counts)}, "
                f"CLS {cls:.3f}, text filter " + "/".join(f"{t:.1f}" for t in filtering) + " ms, "
                f"keystroke to paint median {statistics.median(keys):.1f} ms, "
                f"max {max(keys):.1f} ms "
                f"({len(keys)} keys; Event Timing's slowest "
                f"{max((d for _, d in slow), default=0):.0f} ms)"
            )
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=250)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, help="measure this site's largest day page")
    args = parser.parse_args()
    if args.site:
        page = max(args.site.glob("????-??-??.html"), key=lambda p: p.stat().st_size)
        measure(page, args.runs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        measure(build(args.papers, Path(tmp)), args.runs)


if __name__ == "__main__":
    main()
