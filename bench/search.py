"""Archive search at scale: 200,000 synthetic papers, index build time and query latency.

Papers are made from the reference digests' titles and abstracts (words shuffled per paper so the
index is not 750 copies of the same text), spread over 400 days and 5 categories. Prints the time
to build the full-text index from the tables and p50/p95 latency over 100 queries of mixed kinds
(common and rare words, phrases, prefixes, with and without filters).

    python bench/search.py [N_PAPERS]
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from arxiv_digest.models import Announcement, Paper
from arxiv_digest.store import Store
from arxiv_digest.store.search import fts_query

REF = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"
CATS = ["cs.LG", "cs.AI", "cs.IR", "cs.CL", "cs.CV"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rows = [
        json.loads(x)
        for p in sorted(REF.glob("*.jsonl"))
        for x in p.read_text("utf-8").splitlines()
    ]
    rng = random.Random(3)
    vocab = sorted({w for r in rows for w in r["abstract"].split() if w.isalpha()})
    authors = sorted({a for r in rows for a in r["authors"]})
    start = date(2025, 1, 1)
    keep = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    with tempfile.TemporaryDirectory() as tmp, Store(keep or Path(tmp) / "search.db") as store:
        t = time.perf_counter()
        for chunk in range(0, n, 5000):
            with store.transaction():
                for i in range(chunk, min(n, chunk + 5000)):
                    r = rows[i % len(rows)]
                    words = r["abstract"].split()
                    rng.shuffle(words)
                    extra = " ".join(rng.choice(vocab) for _ in range(12))
                    paper = Paper(
                        id=f"{2500 + i // 90000}.{i % 90000:05d}",
                        title=f"{r['title']} {rng.choice(vocab)}",
                        authors=tuple(rng.sample(authors, 3)),
                        abstract=" ".join(words) + " " + extra,
                        primary_category=CATS[i % len(CATS)],
                        categories=(CATS[i % len(CATS)],),
                    )
                    store.papers.upsert(paper)
                    day = (start + timedelta(days=i % 400)).isoformat()
                    store.papers.announce(Announcement(day, paper.id, 1, "new"))
        print(
            f"stored {n} papers (index kept in step by triggers) in {time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        store.search.rebuild()
        print(f"full index build from the tables: {time.perf_counter() - t:.1f} s")

        common = ["learning", "model", "graph", "language", "agents", "diffusion", "data"]
        rare = [w for w in vocab if len(w) > 9][:200]
        queries: list[tuple[str, dict[str, str]]] = []
        for i in range(100):
            kind = i % 5
            if kind == 0:
                queries.append((rng.choice(common), {}))
            elif kind == 1:
                queries.append((rng.choice(rare), {}))
            elif kind == 2:
                queries.append(('"reinforcement learning"', {}))
            elif kind == 3:
                queries.append((rng.choice(rare)[:5] + "*", {"category": rng.choice(CATS)}))
            else:
                queries.append(
                    (
                        f"{rng.choice(common)} {rng.choice(common)}",
                        {"since": "2025-12-01", "author": rng.choice(authors)[:6]},
                    )
                )
        times = []
        kinds: dict[int, list[float]] = {}
        for i, (text, filters) in enumerate(queries):
            t = time.perf_counter()
            store.search.search(fts_query(text), limit=20, **filters)
            times.append((time.perf_counter() - t) * 1000)
            kinds.setdefault(i % 5, []).append(times[-1])
        names = ["common word", "rare word", "phrase", "prefix + category", "2 words + filters"]
        for kind, values in sorted(kinds.items()):
            print(
                f"  {names[kind]:18s} p50 {statistics.median(values):6.1f} ms, "
                f"max {max(values):6.1f} ms"
            )
        times.sort()
        print(
            f"100 queries: p50 {statistics.median(times):.1f} ms, "
            f"p95 {times[94]:.1f} ms, max {times[-1]:.1f} ms"
        )


if __name__ == "__main__":
    main()
