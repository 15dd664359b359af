"""The archive's search in Chromium on real days: recall, precision and bytes per search.

python bench/site_search.py [SYNTHETIC_DAYS]

1. The 14 shared days of daily-arXiv-ai-enhanced (../shared/corpus/daae/, 2,969 papers) built as
   the site a user gets. For 10 Chinese and 10 English words or phrases, the archive page's own
   search (site.js's term handling over Pagefind's index) is asked for every result, and the
   results are compared with every paper that holds the word, read from the store with the
   Python reference (`search_index.holds` over what a reader sees of the paper).
2. Bytes one search downloads, cold, as the UI does it (the index chunks, the first five results'
   fragments, Pagefind's script and WebAssembly): on the first days that make 1,000 papers, on
   all 14, and on a synthetic history of SYNTHETIC_DAYS days (default 300; 0 skips it) made by
   bench/history.py from the same real papers.
"""

from __future__ import annotations

import functools
import http.server
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from arxiv_digest.collection import import_files
from arxiv_digest.render.html import SiteBuilder
from arxiv_digest.render.search_index import build_index, holds
from arxiv_digest.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.history import CORPUS, write_history  # noqa: E402
from tests.helpers import search_every_result, search_texts  # noqa: E402

CHINESE = "强化学习 大语言模型 扩散模型 知识图谱 多模态 幻觉 联邦学习 推荐系统 图神经网络 机器人"
CHINESE_WORDS = CHINESE.split()
ENGLISH = [
    '"reinforcement learning"', "diffusion", "transformer", "hallucination", "LoRA",
    "federated", '"large language model"', "benchmark", "robot", '"knowledge graph"',
]  # fmt: skip


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def search_bytes(page: Page, url: str, query: str) -> int:
    """What one search downloads from a cold cache: Pagefind's script, WebAssembly, the index
    chunks the words need and the fragments of the first five results, as the UI loads them."""
    got: list[int] = []
    context = page.context.browser.new_context()  # type: ignore[union-attr]
    fresh = context.new_page()
    fresh.on("requestfinished", lambda r: got.append(r.sizes()["responseBodySize"]))
    fresh.goto(f"{url}/index.html")
    fresh.wait_for_function("() => !!window.arxivDigestSearch")
    got.clear()
    fresh.evaluate(
        """async (q) => { const pf = await import('./pagefind/pagefind.js');
           const s = await pf.search(window.arxivDigestSearch.term(q));
           await Promise.all(s.results.slice(0, 5).map((r) => r.data())); }""",
        query,
    )
    context.close()
    return sum(got)


def measure_site(page: Page, url: str, papers: dict[str, str], label: str) -> None:
    worst_p = worst_r = 1.0
    print(f"\n{label}: {len(papers)} papers")
    print(f"{'query':26s} {'hold':>5s} {'found':>5s} {'precision':>9s} {'recall':>6s} {'KB':>6s}")
    for query in CHINESE_WORDS + ENGLISH:
        expected = {link for link, text in papers.items() if holds(text, query)}
        found = set(search_every_result(page, query))
        right = len(found & expected)
        precision = right / len(found) if found else 1.0
        recall = right / len(expected) if expected else 1.0
        worst_p, worst_r = min(worst_p, precision), min(worst_r, recall)
        kb = search_bytes(page, url, query) / 1024
        print(
            f"{query:26s} {len(expected):5d} {len(found):5d} {precision:9.3f} {recall:6.3f}"
            f" {kb:6.0f}"
        )
    print(f"lowest precision {worst_p:.3f}, lowest recall {worst_r:.3f}")


def bytes_only(page: Page, url: str, label: str) -> None:
    sizes = [search_bytes(page, url, q) / 1024 for q in CHINESE_WORDS + ENGLISH]
    median = sorted(sizes)[len(sizes) // 2]
    print(f"{label}: KB per search: median {median:.0f}, max {max(sizes):.0f}")


def main() -> None:
    synthetic = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        root = Path(tmp)
        files = sorted(CORPUS.glob("*.jsonl"))
        # the first days that make 1,000 papers
        with Store(root / "small.db") as store:
            for path in files:
                import_files(store, [path])
                if store.count("papers") >= 1000:
                    break
            SiteBuilder(store, root / "small").build()
            with served(root / "small") as url:
                page.goto(f"{url}/index.html")
                bytes_only(page, url, f"{store.count('papers')} papers")
        with Store(root / "all.db") as store:
            import_files(store, files)
            started = time.perf_counter()
            SiteBuilder(store, root / "all").build()
            print(f"site of 14 days built in {time.perf_counter() - started:.1f} s")
            with served(root / "all") as url:
                page.goto(f"{url}/index.html")
                page.wait_for_function("() => !!window.arxivDigestSearch")
                measure_site(page, url, search_texts(store), "14 shared days")
                bytes_only(page, url, "14 shared days")
        if synthetic:
            history = root / "history"
            history.mkdir()
            write_history(history, synthetic, 190)
            with Store(root / "big.db") as store:
                import_files(store, [history])
                n = store.count("papers")
                started = time.perf_counter()
                digests = (store.digests.load(d) for d in store.digests.dates())
                build_index((d for d in digests if d), root / "big" / "pagefind", "zh")
                took = time.perf_counter() - started
                print(f"\n{synthetic} synthetic days, {n} papers: index built in {took:.0f} s")
            # the archive page's scripts over the big index
            for name in ("index.html", "static"):
                src = root / "all" / name
                (root / "big" / name).symlink_to(src, target_is_directory=src.is_dir())
            with served(root / "big") as url:
                page.goto(f"{url}/index.html")
                bytes_only(page, url, f"{synthetic} days")
        browser.close()


if __name__ == "__main__":
    main()
