"""Readers with more than one interest: multi-interest splits of real days.

    python bench/rank_interests.py [--heldout] [--old | --unknown | --weights | --small |
                                    --self-train K]

A split: the library is a major category's papers of one day (at most 60) plus 5 papers of one
minor category (two interests) or of two (three interests) from the same day; the candidates
are another day; a candidate is relevant to an interest when its primary category is that
interest's. The days are the shared reference digests and the real days of
daily-arXiv-ai-enhanced in ../shared/corpus/daae/. The store holds the library's day, the
candidates' day and two more days of the same source (unlabelled papers, as a reader's store
has). Each interest is scored by nDCG@10 of the whole ranking (what the reader sees at the top),
for the default configuration through `rank_day` (only `library` set) and for scikit-learn's
LinearSVC (the library against the rest of its day). Last, the time `rank_day` takes a
candidate with a 3,000-paper store.

Goals (issue 29): the minor interests' nDCG@10 >= 0.5 on every split, the major's >= 0.7.

`--heldout`: splits no choice was tuned on, made by a rule from the pairs of consecutive days of
daily-arXiv-ai-enhanced that the fixed splits do not use: the library day's largest category is
the major; each other category with 5 papers or more on both days a minor (a two-interest split
each), and the two largest minors together (a three-interest split).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arxiv_digest.config import RankConfig  # noqa: E402
from arxiv_digest.fetch.ingest import store_imported  # noqa: E402
from arxiv_digest.rank.stage import rank_day  # noqa: E402
from arxiv_digest.sources.importers import read_digest_file  # noqa: E402
from arxiv_digest.store import Store  # noqa: E402
from arxiv_digest.taxonomy import categories as taxonomy  # noqa: E402
from bench.rank import ndcg_p10, textbook  # noqa: E402

TIMES: list[float] = []

SHARED = ROOT.parent / "shared"
MAJOR_CAP = 60
MINOR = 5


def _rows(path: Path) -> list[dict[str, str]]:
    """id, title, abstract, cat (primary category) and listed (every category it is listed in,
    space-separated: cross-lists too where the file says them; the primary alone otherwise)"""
    out: dict[str, dict[str, str]] = {}
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        cat = r.get("main_category") or (r.get("categories") or [""])[0]
        out[str(r["id"])] = {
            "id": str(r["id"]),
            "title": str(r["title"]),
            "abstract": str(r.get("abstract") or r.get("summary") or ""),
            "cat": str(cat),
            "listed": " ".join(r.get("categories") or [cat]),
        }
    return list(out.values())


def days() -> dict[str, tuple[str, Path]]:
    """Every day: (source, file), keyed by the day as the store knows it."""
    found: dict[str, tuple[str, Path]] = {}
    for i, p in enumerate(sorted((SHARED / "reference-digests").glob("*.jsonl"))):
        found[f"2026-01-{i + 1:02d}"] = ("reference", p)
    for p in sorted((SHARED / "corpus" / "daae").glob("*_AI_enhanced_Chinese.jsonl")):
        if not p.name.startswith("2025-03-27"):  # the first weeks' schema: too few papers
            found[p.name[:10]] = ("daae", p)
    return found


@dataclass(frozen=True)
class Split:
    library_day: str
    candidate_day: str
    major: str
    minors: tuple[str, ...]


#: Fixed splits: (library day, candidate day, major, minors). Two-interest first, then three.
SPLITS = (
    Split("2026-01-02", "2026-01-01", "cs.LG", ("cs.IR",)),
    Split("2026-01-02", "2026-01-01", "cs.LG", ("cs.AI",)),
    Split("2026-01-01", "2026-01-02", "cs.LG", ("cs.IR",)),
    Split("2026-01-01", "2026-01-02", "cs.LG", ("cs.AI",)),
    Split("2025-05-20", "2025-04-15", "cs.CV", ("cs.LG",)),
    Split("2025-07-23", "2025-08-27", "cs.CV", ("cs.AI",)),
    Split("2025-10-15", "2025-11-19", "cs.CL", ("cs.CV",)),
    Split("2026-03-11", "2026-05-13", "cs.CV", ("cs.IT",)),
    Split("2026-05-13", "2026-01-21", "cs.CL", ("cs.IT",)),
    Split("2025-08-27", "2025-09-10", "cs.AI", ("cs.CL",)),
    Split("2026-01-02", "2026-01-01", "cs.LG", ("cs.AI", "cs.IR")),
    Split("2025-04-15", "2025-05-20", "cs.CV", ("cs.LG", "cs.AI")),
    Split("2026-05-13", "2026-03-11", "cs.CL", ("cs.AI", "cs.IT")),
    Split("2025-08-27", "2025-09-10", "cs.CV", ("cs.CL", "cs.AI")),
)


def heldout_splits(all_days: dict[str, tuple[str, Path]]) -> tuple[Split, ...]:
    daae = [d for d, (source, _) in sorted(all_days.items()) if source == "daae"]
    used = {(s.library_day, s.candidate_day) for s in SPLITS}
    out: list[Split] = []
    for a, b in zip(daae, daae[1:], strict=False):
        if (a, b) in used:
            continue
        count_a = Counter(r["cat"] for r in _rows(all_days[a][1]))
        count_b = Counter(r["cat"] for r in _rows(all_days[b][1]))
        major = count_a.most_common(1)[0][0]
        minors = [c for c, n in count_a.most_common() if c != major and min(n, count_b[c]) >= 5]
        out += [Split(a, b, major, (m,)) for m in minors]
        if len(minors) >= 2:
            out.append(Split(a, b, major, tuple(minors[:2])))
    return tuple(out)


def library_of(split: Split, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    chosen = [r for r in rows if r["cat"] == split.major][:MAJOR_CAP]
    for minor in split.minors:
        chosen += [r for r in rows if r["cat"] == minor][:MINOR]
    return chosen


def stored_days(split: Split, all_days: dict[str, tuple[str, Path]]) -> list[str]:
    source = all_days[split.library_day][0]
    same = [d for d, (s, _) in sorted(all_days.items()) if s == source]
    others = [d for d in same if d not in (split.library_day, split.candidate_day)]
    if UNKNOWN:  # the library's papers are not stored either: nothing says their categories
        return [split.candidate_day, *others[:3]]
    return [split.library_day, split.candidate_day, *others[:2]]


#: `--unknown`: the library as CSL-JSON of titles and abstracts alone, as a reader's BibTeX of
#: journal papers is: arXiv knows none of them, so no category says where each belongs
UNKNOWN = "--unknown" in sys.argv
OLD = "--old" in sys.argv


def ours(
    split: Split, all_days: dict[str, tuple[str, Path]], library: list[dict[str, str]]
) -> list[tuple[str, float, str]]:
    """(paper, score, interest) of the day ranked by the default configuration, best first;
    the interest as its category ("*" for every paper when the code has no interests)."""
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.db") as store:
        for day in stored_days(split, all_days):
            store_imported(store, read_digest_file(all_days[day][1], day))
        if UNKNOWN:
            path = Path(tmp) / "library.json"
            items = [{"title": r["title"], "abstract": r["abstract"]} for r in library]
            path.write_text(json.dumps(items), "utf-8")
        else:
            path = Path(tmp) / "library.txt"
            path.write_text("\n".join(r["id"] for r in library), "utf-8")
        started = time.perf_counter()
        # --old: the default before interests (one model, every stored paper a negative)
        rank_day(store, split.candidate_day, RankConfig(library=[path], auto_interests=not OLD))
        TIMES.append(time.perf_counter() - started)
        wanted = (split.major, *split.minors)  # a name ("Machine Learning") to its category
        names = {c.name: c.id for c in taxonomy().values() if c.id in wanted}
        got = [
            (r.paper_id, r.score or 0.0, names.get(getattr(r, "interest", None) or "", "*"))
            for r in store.digests.rows(split.candidate_day)
        ]
        return sorted(got, key=lambda g: -g[1])


def ndcg_of(order: list[str], relevant: set[str]) -> float:
    return ndcg_p10([int(i in relevant) for i in order])[0]


def main() -> None:
    if "--weights" in sys.argv:  # what else was tried: the unlabelled papers' weight
        import arxiv_digest.rank.interests as interests

        for weight in (1.0, 0.5, 0.2, 0.1, 0.05):
            interests.UNLABELLED_WEIGHT = weight
            print(f"unlabelled weight {weight}:")
            evaluate(quiet=True)
        return
    if "--self-train" in sys.argv:  # tried: each small interest's best candidates as positives
        self_train(int(sys.argv[sys.argv.index("--self-train") + 1]))
    if "--small" in sys.argv:  # and how much less a small interest weighs them
        import arxiv_digest.rank.interests as interests

        for full in (1, 10, 20, 50):
            interests.FULL_INTEREST = full
            print(
                f"full interest at {full} papers (a 5-paper interest: {0.2 * min(1, 5 / full):g}):"
            )
            evaluate(quiet=True)
        return
    evaluate()


def self_train(k: int) -> None:
    """Self-training, tried: each interest of fewer than FULL_INTEREST papers learns again with
    the k candidates it scored best (among those it holds) as positives."""
    import arxiv_digest.rank.interests as interests
    from arxiv_digest.rank.classifier import Classifier

    first = interests.score_interests

    def again(chosen, candidates, background, hidden, vectorize):  # type: ignore[no-untyped-def]
        scored = first(chosen, candidates, background, hidden, vectorize)
        home = [max(range(len(row)), key=row.__getitem__) for row in scored.decisions]
        step = max(1, -(-len(background) // interests.BACKGROUND_PER_INTEREST))
        models = list(scored.models)
        for j, interest in enumerate(chosen):
            size = len(interest.texts())
            if size >= interests.FULL_INTEREST:
                continue
            mine = [i for i in range(len(candidates)) if home[i] == j]
            best = sorted(mine, key=lambda i: -scored.decisions[i][j])[:k]
            models[j] = Classifier(
                interest.texts() + [candidates[i] for i in best],
                background[::step],
                hidden=hidden,
                others=[t for other in chosen if other is not interest for t in other.texts()],
                unlabelled_weight=interests.UNLABELLED_WEIGHT * size / interests.FULL_INTEREST,
                vectorize=vectorize,
            )
        decisions = interests.decide(models, scored.vectors)
        return interests.InterestScores(scored.names, decisions, models, scored.vectors)

    interests.score_interests = again


def evaluate(quiet: bool = False) -> None:
    all_days = days()
    splits = heldout_splits(all_days) if "--heldout" in sys.argv else SPLITS
    table: list[tuple[str, list[float], list[float], list[float], list[float] | None]] = []
    for split in splits:
        lib_rows = _rows(all_days[split.library_day][1])
        cands = _rows(all_days[split.candidate_day][1])
        library = library_of(split, lib_rows)
        interests = (split.major, *split.minors)
        relevant = {c: {r["id"] for r in cands if r["cat"] == c} for c in interests}
        lib_ids = {r["id"] for r in library}
        negatives = [r for r in lib_rows if r["id"] not in lib_ids]
        scores = textbook(library, negatives, cands)  # type: ignore[arg-type]
        base_order = [cands[i]["id"] for i in sorted(range(len(cands)), key=lambda i: -scores[i])]
        got = ours(split, all_days, library)
        # what the reader sees of each interest: its own list (the whole ranking without them)
        own = {c: [p for p, _s, i in got if i in (c, "*")] for c in interests}
        new = [ndcg_of(own[c], relevant[c]) for c in interests]
        base = [ndcg_of(base_order, relevant[c]) for c in interests]
        # what five papers can teach at best: an SVM on the minor's five papers against every
        # other paper of their day, each negative known by its category (no reader has that)
        informed = []
        for c in split.minors:
            mine = [r for r in library if r["cat"] == c]
            rest = [r for r in lib_rows if r not in mine]
            told = textbook(mine, rest, cands)  # type: ignore[arg-type]
            order = [cands[i]["id"] for i in sorted(range(len(cands)), key=lambda i: -told[i])]
            informed.append(ndcg_of(order, relevant[c]))
        # relevance as arXiv's own listing of a category has it: cross-lists count (the days
        # of daily-arXiv-ai-enhanced say them; the reference digests do not)
        listed = None
        if all_days[split.candidate_day][0] == "daae":
            listed = [
                ndcg_of(own[c], {r["id"] for r in cands if c in r["listed"].split()})
                for c in interests
            ]
        name = f"{split.library_day}->{split.candidate_day} {split.major} " + "+".join(
            f"{m}x{MINOR}" for m in split.minors
        )
        table.append((name, new, base, informed, listed))
        cells = " | ".join(
            f"{c} ({len(relevant[c])}) ours {n:.3f} textbook {b:.3f}"
            + (f" informed {informed[k - 1]:.3f}" if k else "")
            + (f" listed {listed[k]:.3f}" if listed else "")
            for k, (c, n, b) in enumerate(zip(interests, new, base, strict=True))
        )
        if not quiet:
            print(f"{name:55} {len(cands):4} cands | {cells}", flush=True)
    majors = [n[0] for _, n, *_ in table]
    minors = [x for _, n, *_ in table for x in n[1:]]
    print()
    print(f"major: mean {sum(majors) / len(majors):.3f}, min {min(majors):.3f}")
    print(f"minor: mean {sum(minors) / len(minors):.3f}, min {min(minors):.3f}")
    print(
        f"splits with every minor >= 0.5 and the major >= 0.7: "
        f"{sum(all(x >= 0.5 for x in n[1:]) and n[0] >= 0.7 for _, n, *_ in table)} of {len(table)}"
    )
    told = [x for *_, i, _l in table for x in i]
    near = sum(
        o >= i - 0.05 for _, n, _b, inf, _l in table for o, i in zip(n[1:], inf, strict=True)
    )
    print(
        f"informed (five papers against every library-day paper, each known by its category): "
        f"minor mean {sum(told) / len(told):.3f}, min {min(told):.3f}; ours within 0.05 of it "
        f"or above on {near}"
        f" of {len(told)} minors"
    )
    by_listing = [(n, lst) for _, n, _b, _i, lst in table if lst is not None]
    lmin = [x for _, lst in by_listing for x in lst[1:]]
    print(
        f"listed relevance (cross-lists count; the {len(by_listing)} daily-arXiv-ai-enhanced "
        f"splits): minor mean {sum(lmin) / len(lmin):.3f}, min {min(lmin):.3f}; splits with "
        f"every minor >= 0.5 and the major >= 0.7: "
        f"{sum(all(x >= 0.5 for x in lst[1:]) and lst[0] >= 0.7 for _, lst in by_listing)} of "
        f"{len(by_listing)}"
    )
    from bench.rank import speed

    for n in (2, 3):
        print(
            f"rank_day with {n} interests: {speed(mixed=n):.2f} ms a candidate (1,000 "
            "candidates, 3,180 stored papers)"
        )
    tb_major = [b[0] for _, _, b, *_ in table]
    tb_minor = [x for _, _, b, *_ in table for x in b[1:]]
    print(
        f"textbook: major mean {sum(tb_major) / len(tb_major):.3f}, minor mean "
        f"{sum(tb_minor) / len(tb_minor):.3f}"
    )


if __name__ == "__main__":
    main()
