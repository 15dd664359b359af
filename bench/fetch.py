"""Requests and arXiv wait time for one day of 1000 papers in 5 categories.

Serves a synthetic day from a loopback server, fetches it with the real fetch stage, counts the
requests the server saw, and prints the time arXiv's one-request-per-3-seconds rule implies,
beside the same figures for daily-arXiv-ai-enhanced's way (one /list/<cat>/new page per category,
then one API request per paper), computed for the same day.

    python bench/fetch.py [N_PAPERS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arxiv_digest.config import load_config  # noqa: E402
from arxiv_digest.fetch import fetch_day  # noqa: E402
from arxiv_digest.sources.http import ARXIV_MIN_INTERVAL, PoliteClient  # noqa: E402
from arxiv_digest.store import Store  # noqa: E402
from tests.fakes.arxiv import FakeArxiv, synthetic_day  # noqa: E402

CATEGORIES = ["cs.LG", "cs.AI", "cs.CL", "cs.CV", "cs.IR"]
DAY = "2026-01-06"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    server = FakeArxiv(synthetic_day(n, CATEGORIES), day=DAY)
    with server.running(), tempfile.TemporaryDirectory() as tmp:
        env = {
            "ARXIV_DIGEST_RSS_URL": f"{server.url}/rss",
            "ARXIV_DIGEST_API_URL": f"{server.url}/api/query",
            "ARXIV_DIGEST_ARXIV__MIN_INTERVAL": "0",
        }
        config = load_config(environ=env, flags={"categories": CATEGORIES})[0]
        client = PoliteClient(httpx.Client(timeout=30), min_interval=0)
        started = time.perf_counter()
        with Store(Path(tmp) / "bench.db") as store:
            report = fetch_day(store, client, config, day=DAY)
        took = time.perf_counter() - started
    ours = len(server.requests)
    anchor = len(CATEGORIES) + report.stored
    ours_wait = (ours - 1) * ARXIV_MIN_INTERVAL
    anchor_wait = (anchor - 1) * ARXIV_MIN_INTERVAL
    print(f"day: {n} papers in {len(CATEGORIES)} categories, {report.stored} stored")
    print(
        f"arxiv-digest:            {ours:5d} requests "
        f"({server.count('/rss')} RSS + {server.count('/api')} API), "
        f"3 s rule implies {ours_wait:7.0f} s"
    )
    print(
        f"daily-arXiv-ai-enhanced: {anchor:5d} requests "
        f"({len(CATEGORIES)} listing pages + {report.stored} API), "
        f"3 s rule implies {anchor_wait:7.0f} s"
    )
    print(
        f"ratio: {anchor / ours:.0f}x fewer requests, "
        f"{anchor_wait / max(ours_wait, 1):.0f}x less waiting"
    )
    print(f"our own processing time on loopback (no spacing): {took:.2f} s")


if __name__ == "__main__":
    main()
