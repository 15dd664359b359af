"""Extractive summarizer over every reference abstract: role accuracy, field checks, speed.

python bench/extractive.py [REFERENCE_DIR] [--show N]

Role accuracy is measured on `extractive_labels.json`: 39 reference papers whose abstract
sentences were labelled by hand with the roles they play (motivation, method, result,
conclusion, or other such as a code link), reading the abstract beside the reference digest's own
Motivation/Method/Result/Conclusion text. A field is right when the sentence it quotes plays that
role. The positional baseline takes the first sentence as Motivation, the second as Method, the
next to last as Result and the last as Conclusion.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from arxiv_digest.models import FIELDS
from arxiv_digest.summarize.extractive import PROPOSAL, extract_fields, readable
from arxiv_digest.summarize.sentences import split_sentences
from arxiv_digest.textutil import collapse_ws

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"
LABELS = Path(__file__).with_name("extractive_labels.json")
#: labelled after the rules were written, from the reference day whose summaries all failed
HELDOUT = Path(__file__).with_name("extractive_heldout.json")
ROLES = ("motivation", "method", "result", "conclusion")


def _sentence_of(text: str, sentences: list[str]) -> int:
    """Which abstract sentence a field quotes (a clause of it, when the abstract is short)."""
    for i, sentence in enumerate(sentences):
        if text in readable(sentence):
            return i
    raise ValueError(f"not from the abstract: {text[:60]}")


def role_accuracy(rows: list[dict[str, str]]) -> None:
    labels = json.loads(LABELS.read_text("utf-8"))
    by_id = {r["id"]: r for r in rows}
    _accuracy("labelled set", labels, by_id)
    heldout = json.loads(HELDOUT.read_text("utf-8"))
    held = {
        pid: {"id": pid, "title": v["title"], "abstract": v["abstract"]}
        for pid, v in heldout.items()
    }
    sentences = {pid: split_sentences(v["abstract"]) for pid, v in heldout.items()}
    _accuracy(
        "held-out set",
        {
            pid: [[s[:48], r] for s, r in zip(sentences[pid], v["roles"], strict=True)]
            for pid, v in heldout.items()
        },
        held,
    )


def _accuracy(
    name: str, labels: dict[str, list[list[str]]], by_id: dict[str, dict[str, str]]
) -> None:
    ours: dict[str, int] = dict.fromkeys(ROLES, 0)
    base: dict[str, int] = dict.fromkeys(ROLES, 0)
    n = 0
    for pid, labelled in labels.items():
        row = by_id[pid]
        sentences = split_sentences(row["abstract"])
        assert [s[:48] for s in sentences] == [s for s, _ in labelled], f"{pid}: sentences moved"
        roles = [set(r.split()) for _, r in labelled]
        fields = extract_fields(row["title"], row["abstract"]).as_dict()
        last = len(sentences) - 1
        positional = {"motivation": 0, "method": 1, "result": max(last - 1, 0), "conclusion": last}
        n += 1
        for role in ROLES:
            ours[role] += role in roles[_sentence_of(fields[role], sentences)]
            base[role] += role in roles[positional[role]]
    total_ours, total_base = sum(ours.values()), sum(base.values())
    print(f"role accuracy, {name}: {n} papers ({4 * n} fields):")
    print(
        f"  extractive {total_ours / (4 * n):.0%}   positional baseline {total_base / (4 * n):.0%}"
    )
    for role in ROLES:
        print(f"    {role:11} {ours[role] / n:.0%} vs {base[role] / n:.0%}")


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
    role_accuracy(rows)
    started = time.perf_counter()
    results = [extract_fields(r["title"], r["abstract"]).as_dict() for r in rows]
    took = time.perf_counter() - started
    nonempty = sum(all(f[n].strip() for n in FIELDS) for f in results)
    drawn = sum(
        all(f[n] in readable(collapse_ws(r["abstract"])) for n in FIELDS)
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
