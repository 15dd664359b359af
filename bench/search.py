"""Archive search at scale: 200,000 papers with English abstracts and Chinese summaries.

Papers are made from the reference digests (title and abstract words shuffled per paper, the
Chinese summaries' clauses shuffled across papers, so the index is not 750 copies of the same
text), spread over 400 days and 5 categories, each with a summary in its day's digest. Prints the
time to store them (the triggers keep the index in step), the time to build the index from the
tables, the index's size, and p50/p95/p99 latency over 200 mixed queries in both languages:
common and rare English words, phrases, prefixes, Chinese words of 2-5 characters, with and
without category, date and author filters.

    python bench/search.py [N_PAPERS] [KEEP_DB]
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from arxiv_digest.models import Announcement, Paper, Summary, SummaryFields
from arxiv_digest.store import DigestRow, Store
from arxiv_digest.store.search import parse_query

REF = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"
CATS = ["cs.LG", "cs.AI", "cs.IR", "cs.CL", "cs.CV"]
DAYS = 400


def _chinese_words(clauses: list[str]) -> tuple[list[str], list[str]]:
    import rjieba

    counts: dict[str, int] = {}
    for clause in clauses:
        for word in rjieba.cut(clause):
            if 2 <= len(word) <= 5 and all("\u4e00" <= ch <= "\u9fff" for ch in word):
                counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: -counts[w])
    return ranked[:30], [w for w in ranked if counts[w] <= 2][:200]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    keep = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    rows = [
        json.loads(x)
        for p in sorted(REF.glob("*.jsonl"))
        for x in p.read_text("utf-8").splitlines()
    ]
    chinese = [r for r in rows if r["tldr"] != "Summary generation failed"]
    clauses = [
        c
        for r in chinese
        for name in ("tldr", "motivation", "method", "result", "conclusion")
        for c in re.split(r"(?<=[，。；])", r[name])
        if c
    ]
    rng = random.Random(3)
    vocab = sorted({w for r in rows for w in r["abstract"].split() if w.isalpha()})
    authors = sorted({a for r in rows for a in r["authors"]})
    start = date(2025, 1, 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = keep or Path(tmp) / "search.db"
        with Store(path) as store:
            t = time.perf_counter()
            per_day: dict[str, list[DigestRow]] = {}
            for chunk in range(0, n, 5000):
                with store.transaction():
                    for i in range(chunk, min(n, chunk + 5000)):
                        r = rows[i % len(rows)]
                        words = r["abstract"].split()
                        rng.shuffle(words)
                        extra = " ".join(rng.choice(vocab) for _ in range(12))
                        cat = CATS[i % len(CATS)]
                        paper = Paper(
                            id=f"{2500 + i // 90000}.{i % 90000:05d}",
                            title=f"{r['title']} {rng.choice(vocab)}",
                            authors=tuple(rng.sample(authors, 3)),
                            abstract=" ".join(words) + " " + extra,
                            primary_category=cat,
                            categories=(cat,),
                        )
                        store.papers.upsert(paper)
                        day = (start + timedelta(days=i % DAYS)).isoformat()
                        store.papers.announce(Announcement(day, paper.id, 1, "new"))
                        fields = SummaryFields(*("".join(rng.sample(clauses, 2)) for _ in range(5)))
                        summary_id = store.summaries.save(
                            Summary(paper.id, 1, "bench", "m", "Chinese", "p3", "ok", fields)
                        )
                        per_day.setdefault(day, []).append(DigestRow(cat, paper.id, summary_id))
            for day, items in per_day.items():
                store.digests.plan(day, items, language="Chinese", sections=CATS, source="b")
            stored = time.perf_counter() - t
            print(
                f"stored {n} papers with Chinese summaries over {DAYS} days in {stored:.0f} s "
                "(the triggers keep the index in step)"
            )
            t = time.perf_counter()
            store.search.rebuild()
            build = time.perf_counter() - t
            size = store.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'papers_fts%'"
            ).fetchone()[0]
            total = path.stat().st_size
            print(
                f"index: built from the tables in {build:.1f} s, {size / 2**20:.0f} MiB "
                f"(the whole store {total / 2**20:.0f} MiB)"
            )
            # the category filter holds when a word matches far more than the ranking window
            matches = store.execute(
                "SELECT COUNT(*) FROM papers_fts WHERE papers_fts MATCH ?", ('"learning"',)
            ).fetchone()[0]
            hits = store.search.search(parse_query("learning"), category="cs.IR", limit=20)
            right = sum(h["category"] == "cs.IR" for h in hits)
            print(
                f"'learning' matches {matches} papers; with --category cs.IR: {len(hits)} "
                f"results, {right} of them cs.IR"
            )
            queries = _queries(rng, vocab, authors, clauses)
            times: dict[str, list[float]] = {}
            every = []
            for kind, text, filters in queries:
                t = time.perf_counter()
                store.search.search(parse_query(text), limit=20, **filters)
                took = (time.perf_counter() - t) * 1000
                times.setdefault(kind, []).append(took)
                every.append(took)
            for kind, values in times.items():
                print(
                    f"  {kind:26s} p50 {statistics.median(values):6.1f} ms, "
                    f"max {max(values):6.1f} ms"
                )
            every.sort()
            q = len(every)
            print(
                f"{q} queries: p50 {statistics.median(every):.1f} ms, "
                f"p95 {every[int(q * 0.95) - 1]:.1f} ms, p99 {every[int(q * 0.99) - 1]:.1f} ms, "
                f"max {every[-1]:.1f} ms"
            )


def _queries(
    rng: random.Random, vocab: list[str], authors: list[str], clauses: list[str]
) -> list[tuple[str, str, dict[str, str]]]:
    common = ["learning", "model", "graph", "language", "agents", "diffusion", "data"]
    rare = [w for w in vocab if len(w) > 9][:200]
    zh_common, zh_rare = _chinese_words(clauses)
    out: list[tuple[str, str, dict[str, str]]] = []
    since = (date(2025, 1, 1) + timedelta(days=DAYS - 30)).isoformat()
    for i in range(200):
        kind = i % 10
        if kind == 0:
            out.append(("English common word", rng.choice(common), {}))
        elif kind == 1:
            out.append(("English rare word", rng.choice(rare), {}))
        elif kind == 2:
            out.append(("English phrase", '"reinforcement learning"', {}))
        elif kind == 3:
            out.append(
                ("prefix + category", rng.choice(rare)[:5] + "*", {"category": rng.choice(CATS)})
            )
        elif kind == 4:
            out.append(
                (
                    "2 words + since + author",
                    f"{rng.choice(common)} {rng.choice(common)}",
                    {"since": since, "author": rng.choice(authors).split()[-1]},
                )
            )
        elif kind == 5:
            out.append(("Chinese common word", rng.choice(zh_common), {}))
        elif kind == 6:
            out.append(("Chinese rare word", rng.choice(zh_rare), {}))
        elif kind == 7:
            out.append(
                ("Chinese word + category", rng.choice(zh_common), {"category": rng.choice(CATS)})
            )
        elif kind == 8:
            out.append(("Chinese + English", f"{rng.choice(zh_common)} {rng.choice(common)}", {}))
        else:
            out.append(("Chinese word + since", rng.choice(zh_common), {"since": since}))
    return out


if __name__ == "__main__":
    main()
