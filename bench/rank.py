"""Proxy evaluation of ranking from the reference digests, and scoring speed.

Profile = one digest's papers of a category (its library); candidates = another digest's papers;
relevant = the candidates in that category. For cs.IR and cs.AI, both directions: nDCG@10 and
precision@10 for keywords only, TF-IDF and embeddings. Then the time to score 1000 papers with
each (embeddings cold, then from the store's cache).

    python bench/rank.py
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from arxiv_digest.config import RankConfig
from arxiv_digest.models import Paper
from arxiv_digest.rank import Ranker, tokenize
from arxiv_digest.rank.library import LibraryPaper
from arxiv_digest.store import Store

REF = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"
A, B = "000_3473ecea28a495c2", "002_7d4dfe1d692b6f6f"


def load(name: str) -> list[dict[str, str]]:
    return [json.loads(x) for x in (REF / f"{name}.jsonl").read_text("utf-8").splitlines()]


def paper(row: dict[str, str], suffix: str = "") -> Paper:
    return Paper(
        id=row["id"] + suffix,
        title=row["title"],
        authors=tuple(row["authors"]),
        abstract=row["abstract"],
        primary_category=row["main_category"],
    )


def keywords_from(profile: list[dict[str, str]], background: list[dict[str, str]]) -> list[str]:
    """The 10 words most typical of the profile against the rest of its digest."""
    prof = Counter(
        w for r in profile for w in set(tokenize(r["title"] + " " + r["abstract"])) if " " not in w
    )
    back = Counter(
        w
        for r in background
        for w in set(tokenize(r["title"] + " " + r["abstract"]))
        if " " not in w
    )
    n = len(background) + 1
    score = {w: c / len(profile) * math.log(n / (1 + back[w])) for w, c in prof.items()}
    return sorted(score, key=lambda w: -score[w])[:10]


def metrics(scores: list[float], relevant: list[bool], k: int = 10) -> tuple[float, float]:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
    dcg = sum(1 / math.log2(rank + 2) for rank, i in enumerate(order) if relevant[i])
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(k, sum(relevant))))
    return dcg / ideal if ideal else 0.0, sum(relevant[i] for i in order) / k


def embedder(store: Store | None):  # type: ignore[no-untyped-def]
    try:
        from arxiv_digest.rank.embeddings import Embedder

        return Embedder(store)
    except Exception as exc:  # the extra is optional
        print(f"embeddings unavailable: {exc}")
        return None


def main() -> None:
    emb = embedder(None)
    print(f"{'profile -> candidates':34s} {'method':10s} nDCG@10  P@10")
    for cat in ("cs.IR", "cs.AI"):
        for src, dst in ((A, B), (B, A)):
            rows_a, rows_b = load(src), load(dst)
            profile = [r for r in rows_a if r["main_category"] == cat]
            library = [LibraryPaper(r["title"], r["abstract"]) for r in profile]
            candidates = [paper(r) for r in rows_b]
            relevant = [r["main_category"] == cat for r in rows_b]
            label = f"{cat}: {len(profile)} -> {len(rows_b)} ({sum(relevant)} rel.)"
            kw = keywords_from(profile, [r for r in rows_a if r["main_category"] != cat])
            runs = [
                ("keywords", Ranker(RankConfig(keywords=kw))),
                ("tfidf", Ranker(RankConfig(), library)),
            ]
            if emb is not None:
                runs.append(
                    ("embeddings", Ranker(RankConfig(), library, similarity=emb.similarity))
                )
            for name, ranker in runs:
                ndcg, p10 = metrics([s.score for s in ranker.score(candidates)], relevant)
                print(f"{label:34s} {name:10s} {ndcg:7.3f} {p10:5.2f}")
    rows = load(A) + load(B)
    many = [paper(rows[i % len(rows)], f"-{i}") for i in range(1000)]
    many = [
        Paper(
            id=p.id,
            title=f"{p.title} {i}",
            authors=p.authors,
            abstract=p.abstract,
            primary_category=p.primary_category,
        )
        for i, p in enumerate(many)
    ]
    library = [
        LibraryPaper(r["title"], r["abstract"]) for r in load(A) if r["main_category"] == "cs.IR"
    ]
    config = RankConfig(keywords=["retrieval", "recommendation", "graph"], authors=["Jane Doe"])
    t = time.perf_counter()
    Ranker(config, library).score(many)
    print(f"score 1000 papers, TF-IDF (+ keywords, authors): {time.perf_counter() - t:.2f} s")
    if emb is not None:
        with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "e.db") as store:
            cached = embedder(store)
            t = time.perf_counter()
            Ranker(config, library, similarity=cached.similarity).score(many)
            cold = time.perf_counter() - t
            t = time.perf_counter()
            Ranker(config, library, similarity=cached.similarity).score(many)
            warm = time.perf_counter() - t
            print(
                f"score 1000 papers, embeddings: {cold:.2f} s cold (model load and "
                f"{cached.computed} texts embedded), {warm:.2f} s cached"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
