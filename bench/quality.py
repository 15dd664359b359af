"""How far the quality checks can be trusted, measured on real summaries.

python bench/quality.py [REFERENCE_DIR] [--seed N] [--show]

1. Precision on real summaries: every warning the checks raise on the untouched Chinese summaries
   of the reference digests, judged by hand in `bench/quality_labels.json` (true: a real problem;
   false: a false alarm). A warning nobody has judged yet counts as false and is printed.
2. Recall on planted defects: copies of real summaries, each given one defect of one kind (seeded,
   so runs compare), and whether the check meant for that kind flags it.
3. The false-positive rate: untouched papers with any warning.

This planted set lives here only; the unit tests use their own examples, so the checks are not
tuned to their own exam.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from arxiv_digest.check import check_summary, warning_kind
from arxiv_digest.models import FIELDS, Paper, SummaryFields
from arxiv_digest.summarize.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "tests" / "fixtures" / "reference-digests"
LABELS = Path(__file__).with_name("quality_labels.json")
PER_KIND = 40  # planted papers per defect

Row = dict[str, str]
Plant = Callable[[Row, random.Random, list[Row]], Row | None]


def load(directory: Path) -> list[Row]:
    rows = [
        json.loads(line)
        for path in sorted(directory.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    return [r for r in rows if r["tldr"] != "Summary generation failed"]


def paper_of(row: Row) -> Paper:
    return Paper(row["id"], row["title"], (), row["abstract"], row["main_category"])


def fields_of(row: Row) -> SummaryFields:
    return SummaryFields(*(row[name] for name in FIELDS))


def kinds_of(row: Row) -> list[str]:
    return check_summary(fields_of(row), paper_of(row), "Chinese", "import")


# ------------------------------------------------------------------ defects

#: a figure, not a list marker ("2）"), an index or part of a name ("GPT-4", "3D")
_DIGITS = re.compile(r"(?<![A-Za-z\-.\d])\d+(?:\.\d+)?(?![\d.]*[A-Za-z)）、])(?!\.\s)")
_CN = "一二三四五六七八九十"
_CN_COUNT = re.compile(rf"([{_CN[1:]}两])(个|种|项|类|大|步|层|阶段|方面|任务|模块|数据集)")


def changed_number(row: Row, rng: random.Random, _: list[Row]) -> Row | None:
    for name in rng.sample(["result", "tldr", "method"], 3):
        found = list(_DIGITS.finditer(row[name]))
        if found:
            m = rng.choice(found)
            old = m.group(0)
            new = str(int(float(old) * 2 + 3)) if "." not in old else f"{float(old) + 7.3:.1f}"
            return {**row, name: row[name][: m.start()] + new + row[name][m.end() :]}
    return None


def chinese_numeral(row: Row, rng: random.Random, _: list[Row]) -> Row | None:
    for name in FIELDS:
        m = _CN_COUNT.search(row[name])
        if m:
            choices = [c for c in "三四五六七八九" if c != m.group(1)]
            text = row[name][: m.start(1)] + rng.choice(choices) + row[name][m.end(1) :]
            return {**row, name: text}
    # no count in the summary: claim one that the abstract does not make
    return {**row, "method": row["method"].rstrip("。") + "，包含七个模块。"}


def subtle_number(row: Row, rng: random.Random, _: list[Row]) -> Row | None:
    pcts = [m for m in re.finditer(r"(\d+(?:\.\d+)?)\s?%", row["result"])]
    if not pcts:
        return None
    m = rng.choice(pcts)
    value = float(m.group(1))
    if rng.random() < 0.5 and value < 20:
        new = f"{value * 100:g}%"  # 12% -> 1200%
    else:
        new = f"{value + 0.4:.1f}%"  # one decimal: a real change, not a rounding
    return {**row, "result": row["result"][: m.start()] + new + row["result"][m.end() :]}


def swapped_metrics(row: Row, rng: random.Random, _: list[Row]) -> Row | None:
    for name in ("result", "tldr"):
        found = list(_DIGITS.finditer(row[name]))
        values = [m for m in found if float(m.group(0)) >= 1]
        distinct = {m.group(0) for m in values}
        if len(distinct) >= 2:
            a, b = values[0], next(m for m in values if m.group(0) != values[0].group(0))
            text = row[name]
            text = text[: a.start()] + "\x00" + text[a.end() : b.start()] + "\x01" + text[b.end() :]
            text = text.replace("\x00", b.group(0)).replace("\x01", a.group(0))
            return {**row, name: text}
    return None


def copied_sentence(row: Row, rng: random.Random, _: list[Row]) -> Row | None:
    sentences = [s for s in split_sentences(row["abstract"]) if len(s.split()) >= 10]
    if not sentences:
        return None
    name = rng.choice(["method", "result", "conclusion"])
    return {**row, name: rng.choice(sentences)}


def appended_english(row: Row, rng: random.Random, others: list[Row]) -> Row | None:
    other = rng.choice([o for o in others if o["id"] != row["id"]])
    sentences = [s for s in split_sentences(other["abstract"]) if 8 <= len(s.split()) <= 30]
    if not sentences:
        return None
    name = rng.choice(["motivation", "method", "result", "conclusion"])
    return {**row, name: row[name] + " " + rng.choice(sentences)}


def truncated(row: Row, rng: random.Random, _: list[Row]) -> Row | None:
    name = rng.choice(["motivation", "method", "result", "conclusion"])
    text = row[name]
    for _try in range(20):
        cut = rng.randint(len(text) // 3, 3 * len(text) // 4)
        head = text[:cut]
        if head and head[-1] not in "。，；、.,;:：":  # mid-phrase, not at a clause end
            return {**row, name: head}
    return None


GARBAGE = ["N/A", "{ { {", "暂无", "待补充", "{{result}}", "TBD", "无", "...", "null", "见上文"]


def placeholder(row: Row, rng: random.Random, _: list[Row]) -> Row | None:
    return {**row, rng.choice(["result", "conclusion", "method"]): rng.choice(GARBAGE)}


def swapped_summary(row: Row, rng: random.Random, others: list[Row]) -> Row | None:
    other = rng.choice([o for o in others if o["id"] != row["id"]])
    return {**row, **{name: other[name] for name in FIELDS}}


def contradiction(row: Row, rng: random.Random, _: list[Row]) -> Row | None:
    for name in ("result", "tldr", "conclusion"):
        for good, bad in (("优于", "不如"), ("超越", "落后于"), ("提升", "降低"), ("显著", "未能")):
            if good in row[name]:
                return {**row, name: row[name].replace(good, bad, 1)}
    return None


#: defect -> (how to plant it, the warning kinds that count as catching it)
DEFECTS: dict[str, tuple[Plant, set[str]]] = {
    "changed number": (changed_number, {"number", "swap", "mismatch"}),
    "Chinese numeral": (chinese_numeral, {"number"}),
    "subtle number (+0.4, x100)": (subtle_number, {"number", "swap"}),
    "swapped metrics": (swapped_metrics, {"number", "swap"}),
    "copied English": (copied_sentence, {"copy"}),
    "English sentence appended": (appended_english, {"english", "copy"}),
    "truncated mid-phrase": (truncated, {"truncated"}),
    "placeholder or garbage": (placeholder, {"placeholder"}),
    "another paper's summary": (swapped_summary, {"mismatch"}),
    "contradiction (verify pass)": (contradiction, set()),
}


def main() -> None:
    args = sys.argv[1:]
    seed = 7
    show = "--show" in args
    if "--seed" in args:
        seed = int(args[args.index("--seed") + 1])
    paths = [a for a in args if not a.startswith("--") and not a.isdigit()]
    rows = load(Path(paths[0]) if paths else DEFAULT_DIR)
    labels: dict[str, bool] = json.loads(LABELS.read_text("utf-8")) if LABELS.exists() else {}

    print(f"real summaries: {len(rows)} (reference digests, Chinese)\n")
    per_kind: dict[str, Counter[bool | None]] = defaultdict(Counter)
    flagged_papers = 0
    unjudged = []
    for row in rows:
        warnings = kinds_of(row)
        flagged_papers += bool(warnings)
        for w in warnings:
            key = f"{row['id']} {w}"
            verdict = labels.get(key)
            per_kind[warning_kind(w)][verdict] += 1
            if verdict is None:
                unjudged.append(key)
    print("1. precision on real summaries (judged true / warnings)")
    for kind, counts in sorted(per_kind.items()):
        total = sum(counts.values())
        print(
            f"   {kind:12} {counts[True]}/{total} = {counts[True] / total:.0%}"
            f"  (false alarms {counts[False]}, not judged {counts[None]})"
        )
    if not per_kind:
        print("   no warnings at all")
    print(
        f"   untouched papers flagged: {flagged_papers}/{len(rows)} "
        f"({flagged_papers / len(rows):.1%})"
    )
    for key in unjudged:
        print(f"   NOT JUDGED: {key}")

    print("\n2. recall on planted defects (papers flagged by the right check / planted)")
    rng = random.Random(seed)
    for defect, (plant, catches) in DEFECTS.items():
        hits = planted = other = 0
        shown = 0
        for row in rng.sample(rows, len(rows)):
            bad = plant(row, rng, rows)
            if bad is None or bad == row:
                continue
            planted += 1
            kinds = {warning_kind(w) for w in kinds_of(bad)}
            if kinds & catches:
                hits += 1
            else:
                other += bool(kinds)
                if show and shown < 3:
                    shown += 1
                    print(f"      missed {row['id']}: {[bad[n][:80] for n in FIELDS]}")
            if planted == PER_KIND:
                break
        rate = f"{hits / planted:.0%}" if planted else "n/a"
        note = f"  (+{other} flagged by another check)" if other else ""
        print(f"   {defect:30} {hits}/{planted} = {rate}{note}")


if __name__ == "__main__":
    main()
