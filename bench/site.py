"""The static site at scale: 250 days x 300 papers, built from the reference digests' papers.

Prints the full build time, the incremental rebuild time after one new day, the size of one day
page raw and gzipped, and how long the text filter takes in Chromium on that page.

    python bench/site.py [DAYS] [PAPERS_PER_DAY]
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from arxiv_digest.models import Announcement, Paper, Summary, SummaryFields
from arxiv_digest.render.html import SiteBuilder
from arxiv_digest.store import DigestRow, Store

REF = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"
FIELDS = ("tldr", "motivation", "method", "result", "conclusion")


def rows() -> list[dict[str, object]]:
    return [
        json.loads(line)
        for p in sorted(REF.glob("*.jsonl"))
        for line in p.read_text("utf-8").splitlines()
        if json.loads(line)["tldr"] != "Summary generation failed"
    ]


def add_day(store: Store, day: str, n: int, source: list[dict[str, object]], serial: int) -> None:
    with store.transaction():
        entries = []
        for i in range(n):
            r = source[(serial * n + i) % len(source)]
            pid = f"{2000 + serial // 100:04d}.{(serial % 100) * 1000 + i:05d}"
            paper = Paper(
                id=pid,
                title=str(r["title"]),
                authors=tuple(r["authors"]),  # type: ignore[arg-type]
                abstract=str(r["abstract"]),
                primary_category=str(r["main_category"]),
            )
            store.papers.upsert(paper)
            store.papers.announce(Announcement(day, pid, 1, "new"))
            sid = store.summaries.save(
                Summary(
                    pid,
                    1,
                    "openai",
                    "m",
                    "Chinese",
                    "p1",
                    "ok",
                    SummaryFields(*(str(r[f]) for f in FIELDS)),
                )
            )
            entries.append(DigestRow(paper.primary_category, pid, sid))
        entries.sort(key=lambda e: e.section)
        store.digests.plan(
            day,
            entries,
            language="Chinese",
            sections=sorted({e.section for e in entries}),
            source="bench",
        )


def filter_time(page_path: Path) -> str:
    chromium = shutil.which("chromium")
    if not chromium:
        return "chromium not installed"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(page_path.as_uri())
        page.wait_for_selector("#shown:not(:empty)")
        times = page.evaluate("""() => {
            const q = document.getElementById('q'); const out = [];
            for (const word of ['learning', 'graph', 'diffusion model', 'zzz', '']) {
              const t = performance.now();
              q.value = word; q.dispatchEvent(new Event('input'));
              document.body.offsetHeight;  // include the layout the change causes
              out.push(performance.now() - t);
            }
            return out;
        }""")
        browser.close()
    return ", ".join(f"{t:.1f}" for t in times) + f" ms (max {max(times):.1f} ms)"


def main() -> None:
    days = int(sys.argv[1]) if len(sys.argv) > 1 else 250
    per_day = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    source = rows()
    start = date(2025, 1, 1)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        t = time.perf_counter()
        for d in range(days):
            add_day(store, (start + timedelta(days=d)).isoformat(), per_day, source, d)
        print(f"store: {days} days x {per_day} papers in {time.perf_counter() - t:.1f} s")
        site = Path(tmp) / "site"
        full = SiteBuilder(store, site).build()
        print(f"full build: {full.days_rendered} day pages in {full.seconds:.2f} s")
        add_day(store, (start + timedelta(days=days)).isoformat(), per_day, source, days)
        inc = SiteBuilder(store, site).build()
        print(
            f"incremental rebuild after one new day: {inc.seconds:.2f} s "
            f"({inc.days_rendered} day page, files: {', '.join(sorted(inc.written))})"
        )
        page = site / f"{start.isoformat()}.html"
        raw = page.read_bytes()
        print(
            f"one day page: {len(raw) / 1e6:.2f} MB raw, "
            f"{len(gzip.compress(raw)) / 1e3:.0f} KB gzipped"
        )
        print(f"text filter in Chromium on that page: {filter_time(page)}")


if __name__ == "__main__":
    main()
