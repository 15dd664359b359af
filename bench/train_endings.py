"""Train the sentence-ending model the truncation check uses on Chinese fields.

python bench/train_endings.py [--check]

A field that lacks its final full stop while the summary's other fields end with one is cut
short only if it stops where Chinese sentences do not end ("…的建模和利", "…同时分析"); a missing
full stop alone proves nothing. The model is the share of times each ending (the last 1-4
characters, Latin words read as "A" and figures as "0") closes a sentence in real summaries,
backed off from longer endings to shorter ones. It is learnt from summaries the benchmark never
plants defects in: the reference digests, the first-weeks day of the corpus (2025-03-27) and the
six even-numbered current-schema days (`TRAIN_DAYS`); `bench/quality.py` plants its defects in
the six other days. The threshold is chosen here by cross-validation over the training days,
for 95% of cut fields caught.

Writes src/arxiv_digest/check/endings.json.gz (contexts seen at least MIN_COUNT times).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from arxiv_digest.check.prose import ending_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "daae"
REFERENCE = ROOT / "tests" / "fixtures" / "reference-digests"
OUT = ROOT / "src" / "arxiv_digest" / "check" / "endings.json.gz"
FIELDS = ("tldr", "motivation", "method", "result", "conclusion")
ORDER = 4
MIN_COUNT = 10
TARGET_RECALL = 0.95


def corpus_days() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*_AI_enhanced_*.jsonl") if p.name >= "2025-04")


def train_days() -> list[Path]:
    """The even-numbered current-schema days (0, 2, 4, ...): the other six are the bench's."""
    return corpus_days()[0::2]


def texts() -> list[list[str]]:
    """Each training summary's five fields."""
    out = []
    for path in sorted(REFERENCE.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            row = json.loads(line)
            if row["tldr"] != "Summary generation failed":
                out.append([row[f] for f in FIELDS])
    for path in [CORPUS / "2025-03-27_AI_enhanced_Chinese.jsonl", *train_days()]:
        seen: set[str] = set()
        for line in path.read_text("utf-8").splitlines():
            row = json.loads(line)
            ai = row.get("AI", {})
            if row["id"] in seen or not ai:
                continue
            seen.add(row["id"])
            out.append([ai.get(f) or ai.get("task", "") for f in FIELDS])
    return out


def count(summaries: list[list[str]]) -> tuple[Counter[str], Counter[str]]:
    total: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    for fields in summaries:
        for field in fields:
            for sentence in re.split(r"(?<=[。！？；])", ending_text(field.strip())):
                s = sentence.rstrip("。！？；")
                for i in range(1, len(s) + 1):
                    for k in range(1, ORDER + 1):
                        if i - k < 0:
                            break
                        total[s[i - k : i]] += 1
                        if i == len(s):
                            ends[s[i - k : i]] += 1
    return total, ends


def p_end(text: str, total: Counter[str], ends: Counter[str]) -> float:
    text = ending_text(text)
    p = 0.1
    for k in range(1, ORDER + 1):
        tail = text[-k:]
        if len(tail) < k or not total[tail]:
            break
        p = (ends[tail] + 2 * p) / (total[tail] + 2)
    return p


def cut(fields: list[str], rng: random.Random) -> str | None:
    text = fields[rng.randrange(1, 5)]
    for _ in range(20):
        at = rng.randint(len(text) // 3, 3 * len(text) // 4)
        if text[:at] and text[:at][-1] not in "。，；、.,;:：":
            return text[:at]
    return None


def choose_threshold(summaries: list[list[str]]) -> float:
    """The threshold that catches TARGET_RECALL of cut fields, by 3-fold cross-validation."""
    rng = random.Random(1)
    order = rng.sample(summaries, len(summaries))
    scores: list[float] = []
    for fold in range(3):
        held = order[fold::3]
        rest = [s for i, s in enumerate(order) if i % 3 != fold]
        total, ends = count(rest)
        for fields in held:
            piece = cut(fields, rng)
            if piece:
                scores.append(p_end(piece, total, ends))
    scores.sort()
    return scores[int(TARGET_RECALL * len(scores))]


def main() -> None:
    summaries = texts()
    threshold = choose_threshold(summaries)
    total, ends = count(summaries)
    contexts = {c: [n, ends[c]] for c, n in total.items() if n >= MIN_COUNT}
    model = {"order": ORDER, "threshold": round(threshold, 4), "contexts": contexts}
    data = gzip.compress(json.dumps(model, ensure_ascii=False, sort_keys=True).encode(), mtime=0)
    if "--check" in sys.argv:
        same = OUT.exists() and OUT.read_bytes() == data
        print("the shipped model is", "up to date" if same else "OUT OF DATE")
        sys.exit(0 if same else 1)
    OUT.write_bytes(data)
    print(
        f"{len(summaries)} summaries, {len(contexts)} endings kept, threshold {threshold:.4f}, "
        f"{len(data) / 1024:.0f} KB -> {OUT.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
