"""Extractive summarizer over every reference abstract: field checks, cue shares, speed.

python bench/extractive.py [REFERENCE_DIR] [--show N]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from arxiv_digest.models import FIELDS
from arxiv_digest.summarize.extractive import PROPOSAL, extract_fields
from arxiv_digest.summarize.sentences import split_sentences
from arxiv_digest.textutil import collapse_ws

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"


def main() -> None:
    args = sys.argv[1:]
    show = 0
    if "--show" in args:
        at = args.index("--show")
        show = int(args[at + 1])
        del args[at : at + 2]
    directory = Path(args[0]) if args else DEFAULT_DIR
    rows = [
        json.loads(line)
        for path in sorted(directory.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    started = time.perf_counter()
    results = [extract_fields(r["title"], r["abstract"]).as_dict() for r in rows]
    took = time.perf_counter() - started
    nonempty = sum(all(f[n].strip() for n in FIELDS) for f in results)
    drawn = sum(
        all(f[n].rstrip("…") in collapse_ws(r["abstract"]) for n in FIELDS)
        for f, r in zip(results, rows, strict=True)
    )
    distinct = sum(len({f[n] for n in FIELDS[1:]}) == 4 for f in results)
    eligible = sum(len(split_sentences(r["abstract"])) >= 4 for r in rows)
    method_cue = sum(bool(PROPOSAL.search(f["method"])) for f in results)
    tldr_cue = sum(bool(PROPOSAL.search(f["tldr"])) for f in results)
    either = sum(bool(PROPOSAL.search(f["method"] + " " + f["tldr"])) for f in results)
    n = len(rows)
    print(f"papers: {n}")
    print(f"five non-empty fields: {nonempty}/{n}")
    print(f"every field drawn from the abstract: {drawn}/{n}")
    print(f"four detail fields distinct: {distinct}/{n} ({eligible} have >= 4 sentences)")
    print(f"Method holds a proposal cue: {method_cue}/{n} ({100 * method_cue / n:.1f}%)")
    print(f"TL;DR holds a proposal cue: {tldr_cue}/{n} ({100 * tldr_cue / n:.1f}%)")
    print(f"TL;DR or Method holds one: {either}/{n} ({100 * either / n:.1f}%)")
    print(f"time: {1000 * took / n:.2f} ms per paper")
    for row, fields in list(zip(rows, results, strict=True))[:show]:
        print(f"\n== {row['id']} {row['title']}")
        for name in FIELDS:
            print(f"  {name}: {fields[name]}")


if __name__ == "__main__":
    main()
