"""The day page's filter on the largest real days, typed as a reader types, in Chromium.

    python bench/filter_corpus.py [DAYS]

The DAYS largest days of daily-arXiv-ai-enhanced in ../shared/corpus/daae/ (default 2; each
over 150 papers, so a cleared filter shows its papers in steps) are imported and built as the
site. On each day page, for 10 Chinese and 10 English words, the box is cleared (every paper
comes back, in steps) and the word typed key by key; once the abstracts are in and no step is
pending, the papers shown are compared with every paper whose text holds the word
(`glance.filter_text` and `glance.matches`, the Python reference): precision and recall per
word, and the papers the filter got wrong.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from arxiv_digest.collection import import_files
from arxiv_digest.render.glance import filter_text, matches
from arxiv_digest.render.html import SiteBuilder
from arxiv_digest.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.history import CORPUS  # noqa: E402

WORDS = [
    *"强化学习 大语言模型 扩散模型 知识图谱 多模态 幻觉 推荐 机器人 基准 框架".split(),
    "reinforcement", "diffusion", "transformer", "hallucination", "lora",
    "federated", "language model", "benchmark", "robot", "graph",
]  # fmt: skip
SETTLED = """(day) => (window.ARXIV_DIGEST_ABSTRACTS || {})[day] !== undefined
  && !document.documentElement.hasAttribute('data-pending')"""
SHOWN = "() => [...document.querySelectorAll('article.paper:not([hidden])')].map(p => p.dataset.id)"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    files = sorted(CORPUS.glob("*_AI_enhanced_Chinese.jsonl"), key=lambda p: -p.stat().st_size)[:n]
    worst_p = worst_r = 1.0
    wrong_total = 0
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        root = Path(tmp)
        with Store(root / "s.db") as store:
            import_files(store, files)
            SiteBuilder(store, root / "site").build()
            days = {d: store.digests.require(d) for d in store.digests.dates()}
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        for day, digest in sorted(days.items()):
            texts = {e.paper.id: filter_text(e) for e in digest.entries}
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto((root / "site" / f"{day}.html").as_uri())
            page.mouse.wheel(0, 4000)  # a reader part-way down the day
            print(f"\n{day}: {len(texts)} papers")
            print(f"{'word':16s} {'hold':>5s} {'shown':>6s} {'precision':>9s} {'recall':>6s}")
            for word in WORDS:
                page.fill("#q", "")  # every paper back, in steps on a day this size
                page.click("#q")
                page.keyboard.type(word)
                page.wait_for_function(SETTLED, arg=day)
                shown = set(page.evaluate(SHOWN))
                expected = {pid for pid, text in texts.items() if matches(text, word)}
                right = len(shown & expected)
                precision = right / len(shown) if shown else 1.0
                recall = right / len(expected) if expected else 1.0
                worst_p, worst_r = min(worst_p, precision), min(worst_r, recall)
                wrong_total += len(shown ^ expected)
                print(
                    f"{word:16s} {len(expected):5d} {len(shown):6d} {precision:9.3f} {recall:6.3f}"
                )
            page.fill("#q", "")
            page.wait_for_function(SETTLED, arg=day)
            back = len(page.evaluate(SHOWN))
            print(f"cleared: {back} of {len(texts)} papers shown")
            page.close()
        browser.close()
    print(
        f"\nlowest precision {worst_p:.3f}, lowest recall {worst_r:.3f}, "
        f"papers shown wrongly or missed: {wrong_total}"
    )


if __name__ == "__main__":
    main()
