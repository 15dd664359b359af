"""How far the quality checks can be trusted, measured on real days.

python bench/quality.py [--corpus DIR] [--seed N] [--per-defect N] [--show]

1. Precision on real summaries: every warning the checks raise on the twelve current-schema days
   of daily-arXiv-ai-enhanced's published output in ../shared/corpus/daae/ (2,472 Chinese
   summaries written by a production LLM), judged by hand against the abstract in
   `bench/quality_judged.json` (true: a real problem; false: a false alarm; each with a one-line
   reason). A warning nobody has judged yet is printed and counts as not judged. Each kind's
   precision decides whether readers see it (>= 90%, `check/kinds.py`): the table says whether
   the code agrees.
2. How often real summaries carry a content warning (goal: at most 1 in 100).
3. Recall on planted defects: copies of real summaries from those days, each given one defect of
   one kind (seeded, so runs compare), and whether the check meant for that kind flags it; and
   the share of untouched summaries flagged at all (goal: at most 2%).

The planted set lives here only; the unit tests use their own examples, so the checks are not
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

from arxiv_digest.check import CONTENT_KINDS, KIND, check_summary, warning_kind
from arxiv_digest.models import FIELDS, Paper, SummaryFields
from arxiv_digest.summarize.sentences import split_sentences

try:
    from bench.train_endings import train_days
except ImportError:  # run as a script: bench/ is on the path
    from train_endings import train_days  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "daae"
JUDGED = Path(__file__).with_name("quality_judged.json")
PER_DEFECT = 100
SHOWN_PRECISION = 0.9

Row = dict[str, str]
Plant = Callable[[Row, random.Random, list[Row]], Row | None]


def load(directory: Path) -> list[Row]:
    """The summarized papers of the current-schema days (AI.tldr), one row each."""
    rows = []
    for path in sorted(directory.glob("*_AI_enhanced_*.jsonl")):
        seen: set[str] = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            value = json.loads(line)
            ai = value.get("AI", {})
            if value["id"] in seen or "tldr" not in ai:
                continue
            seen.add(value["id"])
            rows.append(
                {
                    "day": path.name[:10],
                    "id": value["id"],
                    "title": value["title"],
                    "abstract": value["summary"],
                    "comment": value.get("comment") or "",
                    "category": value["categories"][0],
                    **{name: ai[name] for name in FIELDS},
                }
            )
    return rows


def paper_of(row: Row) -> Paper:
    comment = row.get("comment") or None
    return Paper(row["id"], row["title"], (), row["abstract"], row["category"], comment=comment)


def fields_of(row: Row) -> SummaryFields:
    return SummaryFields(*(row[name] for name in FIELDS))


def warnings_of(row: Row) -> list[str]:
    return check_summary(fields_of(row), paper_of(row), "Chinese", "import")


def judged_key(row: Row, warning: str) -> str:
    """A warning's key in the judgements: the paper and the warning without its quote."""
    return f"{row['id']} {warning.rsplit(': “', 1)[0]}"


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


def english_tldr(row: Row, rng: random.Random, _: list[Row]) -> Row | None:
    sentences = [s for s in split_sentences(row["abstract"]) if 8 <= len(s.split()) <= 40]
    if not sentences:
        return None
    return {**row, "tldr": rng.choice(sentences)}


def contradiction(row: Row, rng: random.Random, _: list[Row]) -> Row | None:
    for name in ("result", "tldr", "conclusion"):
        for good, bad in (("优于", "不如"), ("超越", "落后于"), ("提升", "降低"), ("显著", "未能")):
            if good in row[name]:
                return {**row, name: row[name].replace(good, bad, 1)}
    return None


#: defect -> (how to plant it, the warning kinds that count as catching it, detectable)
DEFECTS: dict[str, tuple[Plant, set[str], bool]] = {
    "changed number": (changed_number, {"number", "swap", "mismatch"}, True),
    "Chinese numeral": (chinese_numeral, {"number"}, True),
    "subtle number (+0.4, x100)": (subtle_number, {"number", "swap"}, True),
    "copied English": (copied_sentence, {"copy", "language"}, True),
    "English sentence appended": (appended_english, {"english", "copy"}, True),
    "English TL;DR": (english_tldr, {"language", "copy"}, True),
    "truncated mid-phrase": (truncated, {"truncated"}, True),
    "placeholder or garbage": (placeholder, {"placeholder"}, True),
    "another paper's summary": (swapped_summary, {"mismatch"}, True),
    "swapped metrics": (swapped_metrics, {"number", "swap"}, False),
    "contradiction (verify pass)": (contradiction, set(), False),
}


def precision(rows: list[Row], judged: dict[str, dict[str, object]], show: bool) -> None:
    days = sorted({r["day"] for r in rows})
    print(f"real summaries: {len(rows)} on {len(days)} days ({days[0]} .. {days[-1]})\n")
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    flagged = 0
    unjudged = []
    for row in rows:
        warnings = warnings_of(row)
        flagged += any(warning_kind(w) in CONTENT_KINDS for w in warnings)
        for w in warnings:
            kind = warning_kind(w)
            if kind not in CONTENT_KINDS:
                per_kind[kind]["fired"] += 1
                continue
            verdict = judged.get(judged_key(row, w))
            per_kind[kind]["fired"] += 1
            per_kind[kind][
                "true" if verdict and verdict["true"] else "false" if verdict else "?"
            ] += 1
            if verdict is None:
                unjudged.append(f"{row['day']} {row['id']} {w}")
            elif show:
                print(f"   {'TRUE ' if verdict['true'] else 'false'} {row['id']} {w[:90]}")
                print(f"         {verdict['why']}")
    print("1. warnings on real summaries, judged against the abstract")
    print(f"   {'kind':12} {'fired':>5} {'true':>5} {'false':>5} {'?':>3}  precision  readers")
    agree = True
    for name, kind in KIND.items():
        c = per_kind.get(name, Counter())
        if not kind.content:
            print(f"   {name:12} {c['fired']:5}  (an editor's note: never shown to readers)")
            continue
        judged_n = c["true"] + c["false"]
        rate = c["true"] / judged_n if judged_n else None
        shown = "shown" if kind.shown else "hint"
        should = rate is not None and rate >= SHOWN_PRECISION
        if kind.shown and not should:
            shown += "  <- shown without the precision to be"
            agree = False
        text = f"{rate:.0%}" if rate is not None else "-"
        counts = f"{c['fired']:5} {c['true']:5} {c['false']:5} {c['?']:3}"
        print(f"   {name:12} {counts}  {text:>9}  {shown}")
    verdict = "yes" if agree else "NO"
    print(f"   readers are shown only kinds judged >= {SHOWN_PRECISION:.0%}: {verdict}")
    print(
        f"\n2. summaries with a content warning: {flagged}/{len(rows)} = "
        f"{100 * flagged / len(rows):.2f} in 100 (goal <= 1)"
    )
    for line in unjudged:
        print(f"   NOT JUDGED: {line}")


def recall(rows: list[Row], seed: int, per_defect: int, show: bool) -> None:
    trained = {p.name[:10] for p in train_days()}
    rows = [r for r in rows if r["day"] not in trained]  # the ending model never saw these
    days = sorted({r["day"] for r in rows})
    print(
        f"\n3. recall on planted defects ({per_defect} each, seed {seed}; goal >= 85%), in the "
        f"{len(rows)} summaries of {', '.join(days)}"
    )
    rng = random.Random(seed)
    for defect, (plant, catches, detectable) in DEFECTS.items():
        hits = planted = other = shown = 0
        for row in rng.sample(rows, len(rows)):
            bad = plant(row, rng, rows)
            if bad is None or bad == row:
                continue
            planted += 1
            kinds = {warning_kind(w) for w in warnings_of(bad)}
            if kinds & catches:
                hits += 1
            else:
                other += bool(kinds & CONTENT_KINDS)
                if show and shown < 3:
                    shown += 1
                    print(f"      missed {row['id']}: {[bad[n][:70] for n in FIELDS]}")
            if planted == per_defect:
                break
        rate = f"{hits / planted:.0%}" if planted else "n/a"
        note = f"  (+{other} flagged by another check)" if other else ""
        label = "" if detectable else "  (not expected of the checks)"
        print(f"   {defect:30} {hits}/{planted} = {rate}{note}{label}")
    untouched = sum(any(warning_kind(w) in CONTENT_KINDS for w in warnings_of(r)) for r in rows)
    print(
        f"   untouched summaries flagged: {untouched}/{len(rows)} = "
        f"{100 * untouched / len(rows):.1f}% (goal <= 2%)"
    )


def main() -> None:
    args = sys.argv[1:]

    def option(name: str, default: str) -> str:
        return args[args.index(name) + 1] if name in args else default

    corpus = Path(option("--corpus", str(CORPUS)))
    seed = int(option("--seed", "7"))
    per_defect = int(option("--per-defect", str(PER_DEFECT)))
    show = "--show" in args
    rows = load(corpus)
    judged = json.loads(JUDGED.read_text("utf-8"))
    precision(rows, judged, show)
    recall(rows, seed, per_defect, show)


if __name__ == "__main__":
    main()
