"""Ranking on days it has never seen: cross-day splits of the shared reference digests.

    python bench/rank.py [--embeddings]

A split: the library is the arXiv ids of one reference day's papers of one category; the
candidates are a different day; a candidate is relevant when its primary category is that
category. Each method ranks the candidates through the real store and `rank_day` (the default
configuration of a plain install, only `library` set), and is scored by nDCG@10 and P@10.

- `svm` (the default): our linear SVM, the library against the other stored papers;
- `tfidf`: similarity to the closest library paper (the default before);
- `embeddings` (with --embeddings and the extra): the same with MiniLM sentence embeddings;
- `textbook`: scikit-learn's LinearSVC on TF-IDF of title + abstract (unigrams and bigrams,
  sublinear tf, English stop words, balanced classes, C=0.1, arxiv-sanity's setting), the library
  as positives and the rest of its day as negatives.

The store holds the library's day and the candidates' day ("2 days"), or every reference day
("3 days": more negatives the reader never picked). Last, the time `rank_day` takes for 1,000
candidates against a 20-paper library and 3,000 stored papers.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arxiv_digest.config import RankConfig  # noqa: E402
from arxiv_digest.fetch.ingest import store_imported  # noqa: E402
from arxiv_digest.models import Announcement  # noqa: E402
from arxiv_digest.rank.stage import rank_day  # noqa: E402
from arxiv_digest.sources.importers import read_digest_file  # noqa: E402
from arxiv_digest.store import DigestRow, Store  # noqa: E402

SHARED = ROOT.parent / "shared" / "reference-digests"
LOCAL = ROOT / "tests" / "fixtures" / "reference-digests"


def reference() -> dict[str, Path]:
    folder = SHARED if SHARED.is_dir() else LOCAL
    return {f"2026-01-{i + 1:02d}": p for i, p in enumerate(sorted(folder.glob("*.jsonl")))}


def ndcg_p10(relevant: list[int]) -> tuple[float, float]:
    dcg = sum(r / math.log2(i + 2) for i, r in enumerate(relevant[:10]))
    ideal = sorted(relevant, reverse=True)
    best = sum(r / math.log2(i + 2) for i, r in enumerate(ideal[:10]))
    return (dcg / best if best else 0.0), sum(relevant[:10]) / 10


def rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def textbook(
    library: list[dict[str, object]],
    negatives: list[dict[str, object]],
    candidates: list[dict[str, object]],
) -> list[float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    def text(r: dict[str, object]) -> str:
        return f"{r['title']}. {r['abstract']}"

    train = [text(r) for r in library + negatives]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english")
    x = vectorizer.fit_transform(train + [text(r) for r in candidates])
    model = LinearSVC(class_weight="balanced", C=0.1, max_iter=10000, tol=1e-6)
    model.fit(x[: len(train)], [1] * len(library) + [0] * len(negatives))
    return list(model.decision_function(x[len(train) :]))


def ours(
    method: str,
    stored: list[str],
    days: dict[str, Path],
    library_day: str,
    category: str,
    candidate_day: str,
) -> Callable[[], dict[str, float]]:
    def run() -> dict[str, float]:
        with tempfile.TemporaryDirectory() as tmp:
            with Store(Path(tmp) / "s.db") as store:
                for day in stored:
                    store_imported(store, read_digest_file(days[day], day))
                ids = [
                    str(r["id"]) for r in rows(days[library_day]) if r["main_category"] == category
                ]
                library = Path(tmp) / "library.txt"
                library.write_text("\n".join(ids), "utf-8")
                similarity = None
                if method == "embeddings":
                    from arxiv_digest.rank.embeddings import Embedder

                    similarity = Embedder(store).similarity
                config = RankConfig(library=[library], method=method)  # type: ignore[arg-type]
                rank_day(store, candidate_day, config, similarity=similarity)
                return {r.paper_id: r.score or 0.0 for r in store.digests.rows(candidate_day)}

    return run


def speed(mixed: int = 1) -> float:
    """Milliseconds `rank_day` takes a candidate: 1,000 candidates, 20 library papers, 3,000
    stored; `mixed` interests: 15 cs.LG papers and 5 of cs.IR (2), and 5 of cs.AI (3)."""
    days = reference()
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.db") as store:
        for day, path in days.items():
            store_imported(store, read_digest_file(path, day))
        papers = [p for day in days for _, p in store.papers.announced(day)]
        with store.transaction():
            for copy in range(12):  # 3,180 stored papers under new ids
                for i, paper in enumerate(papers):
                    clone = dataclasses.replace(paper, id=f"2{copy:03d}.{i:05d}")
                    store.papers.upsert(clone)
                    if copy < 4 and len(store.papers.announced_ids("2026-02-01")) < 1000:
                        store.papers.announce(Announcement("2026-02-01", clone.id, 1, "new"))
            chosen = sorted(store.papers.announced_ids("2026-02-01"))
            store.digests.plan(
                "2026-02-01",
                [DigestRow("cs.LG", i, None) for i in chosen],
                language="English",
                sections=["cs.LG"],
                source="bench",
            )
        library = Path(tmp) / "library.txt"
        if mixed > 1:
            chosen_lib = [p for p in papers if p.primary_category == "cs.LG"][:15]
            for side in ("cs.IR", "cs.AI")[: mixed - 1]:
                chosen_lib += [p for p in papers if p.primary_category == side][:5]
        else:
            chosen_lib = papers[:20]
        library.write_text("\n".join(p.id for p in chosen_lib), "utf-8")
        started = time.perf_counter()
        report = rank_day(store, "2026-02-01", RankConfig(library=[library]))
        seconds = time.perf_counter() - started
        assert report.ranked == len(chosen)
        return seconds * 1000 / len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embeddings", action="store_true", help="also the embeddings method")
    args = parser.parse_args()
    days = reference()
    methods = ["svm", "tfidf"] + (["embeddings"] if args.embeddings else [])
    totals: dict[str, list[float]] = {}
    wins = {m: 0 for m in methods}
    splits = 0
    for library_day, lpath in days.items():
        lib_rows = rows(lpath)
        for candidate_day, cpath in days.items():
            if candidate_day == library_day:
                continue
            cands = rows(cpath)
            for category in sorted({str(r["main_category"]) for r in lib_rows}):
                library = [r for r in lib_rows if r["main_category"] == category]
                relevant = {str(r["id"]) for r in cands if r["main_category"] == category}
                if len(library) < 5 or not relevant:
                    continue
                splits += 1
                negatives = [r for r in lib_rows if r["main_category"] != category]
                scores = textbook(library, negatives, cands)
                order = sorted(range(len(cands)), key=lambda i: -scores[i])
                base = ndcg_p10([int(str(cands[i]["id"]) in relevant) for i in order])
                line = (
                    f"{library_day[-2:]}->{candidate_day[-2:]} {category:6} "
                    f"{len(library):3} -> {len(cands):3} ({len(relevant):2} relevant) | "
                    f"textbook {base[0]:.3f} ({base[1]:.1f})"
                )
                totals.setdefault("textbook", []).append(base[0])
                for method in methods:
                    for stored, label in (
                        ([library_day, candidate_day], "2 days"),
                        (list(days), "3 days"),
                    ):
                        got = ours(method, stored, days, library_day, category, candidate_day)()
                        ranked = sorted(got, key=lambda i: -got[i])
                        score = ndcg_p10([int(i in relevant) for i in ranked])
                        key = f"{method} ({label})"
                        totals.setdefault(key, []).append(score[0])
                        if label == "3 days" and score[0] >= base[0] - 1e-9:
                            wins[method] += 1
                        line += f" | {key} {score[0]:.3f} ({score[1]:.1f})"
                print(line)
    print()
    for key, values in totals.items():
        print(f"mean nDCG@10 {key:22} {sum(values) / len(values):.3f}")
    for method in methods:
        print(
            f"{method}: beats or matches the textbook SVM on {wins[method]} of {splits} splits "
            "(3 days stored)"
        )
    print(f"rank_day: {speed():.2f} ms a candidate (1,000 candidates, 3,180 stored papers)")


if __name__ == "__main__":
    main()
