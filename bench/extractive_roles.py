"""The extractive summarizer's choice of sentences, measured on CSAbstruct (crowd-labelled
sentence roles of 2,189 computer-science abstracts; Cohan et al. 2019, Apache-2.0).

python bench/extractive_roles.py [--split test|dev|train]

A field is right when the sentence it quotes carries a role that fits it:

    motivation  background or objective (the gap, and what the paper sets out to do)
    method      method
    result      result
    conclusion  result or other (CSAbstruct has no conclusion role: closing sentences are
                labelled result, or other)
    tldr        objective or method (the contribution)

A field is counted in the abstracts that hold a sentence fitting it (31% of the test split holds
no result sentence, 18% no method sentence: no choice is right or wrong there). The positional
baseline takes the first sentence as Motivation and TL;DR, the second as Method, the next-to-last
as Result and the last as Conclusion. The role model is trained on the train split and tuned on
dev (bench/train_roles.py); the figures to quote are the test split's.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from arxiv_digest.summarize.extractive import assign_roles, readable

CSABSTRUCT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "csabstruct"
FITS = {
    "motivation": {"background", "objective"},
    "method": {"method"},
    "result": {"result"},
    "conclusion": {"result", "other"},
    "tldr": {"objective", "method"},
}
ORDER = ("motivation", "method", "result", "conclusion", "tldr")


def load(split: str) -> list[dict[str, list[str]]]:
    path = CSABSTRUCT / f"{split}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def positional(n: int) -> dict[str, int]:
    last = n - 1
    return {
        "motivation": 0,
        "tldr": 0,
        "method": min(1, last),
        "result": max(last - 1, 0),
        "conclusion": last,
    }


def measure(abstracts: list[dict[str, list[str]]]) -> tuple[dict[str, float], dict[str, float]]:
    """Per field, the share of abstracts holding a sentence that fits it whose chosen sentence
    fits it (an abstract with no result sentence cannot be got right or wrong: 31% of the test
    split has none, 18% no method sentence)."""
    ours = dict.fromkeys(ORDER, 0)
    base = dict.fromkeys(ORDER, 0)
    has = dict.fromkeys(ORDER, 0)
    repeats = eligible = 0
    for item in abstracts:
        units = [readable(s) for s in item["sentences"]]
        labels = item["labels"]
        tldr, roles = assign_roles(units)
        chosen = {**roles, "tldr": tldr}
        if len(units) >= 4:
            eligible += 1
            texts = [units[i] for i in roles.values()]
            if tldr not in roles.values():  # else extract_fields gives the TL;DR the title
                texts.append(units[tldr])
            repeats += len(set(texts)) < len(texts)
        fits = {name for name in ORDER if set(labels) & FITS[name]}
        for name in fits:
            has[name] += 1
            ours[name] += labels[chosen[name]] in FITS[name]
            base[name] += labels[positional(len(units))[name]] in FITS[name]
    print(f"  fields repeating another word for word: {repeats} of {eligible} abstracts (>= 4)")
    return {k: v / has[k] for k, v in ours.items()}, {k: v / has[k] for k, v in base.items()}


def ceiling(abstracts: list[dict[str, list[str]]]) -> dict[str, float]:
    """The best any choice of distinct sentences (repeats only below 5 sentences) can score
    with the true labels: per abstract, the assignment fitting the most fields."""
    right = dict.fromkeys(ORDER, 0)
    has = dict.fromkeys(ORDER, 0)
    for item in abstracts:
        labels = item["labels"]
        n = len(labels)
        wanted = [name for name in ORDER if set(labels) & FITS[name]]
        picks = (
            itertools.permutations(range(n), 5) if n >= 5 else itertools.product(range(n), repeat=5)
        )
        best: tuple[int, tuple[int, ...]] = (-1, ())
        for pick in picks:
            score = sum(
                labels[i] in FITS[name]
                for name, i in zip(ORDER, pick, strict=True)
                if name in wanted
            )
            if score > best[0]:
                best = (score, pick)
            if score == len(wanted):
                break
        for name, i in zip(ORDER, best[1], strict=True):
            if name in wanted:
                has[name] += 1
                right[name] += labels[i] in FITS[name]
    return {k: right[k] / has[k] for k in ORDER}


def main() -> None:
    split = sys.argv[sys.argv.index("--split") + 1] if "--split" in sys.argv else "test"
    abstracts = load(split)
    print(f"CSAbstruct {split}: {len(abstracts)} abstracts")
    ours, base = measure(abstracts)
    print(f"  {'field':11} {'extractive':>10} {'positional':>10}")
    for name in ORDER:
        print(f"  {name:11} {ours[name]:10.1%} {base[name]:10.1%}")
    mean = sum(ours.values()) / len(ours)
    print(f"  {'overall':11} {mean:10.1%} {sum(base.values()) / len(base):10.1%}")
    best = ceiling(abstracts)
    fields = " ".join(f"{k} {v:.1%}" for k, v in best.items())
    print(f"  ceiling, distinct sentences: overall {sum(best.values()) / len(best):.1%} ({fields})")


if __name__ == "__main__":
    main()
