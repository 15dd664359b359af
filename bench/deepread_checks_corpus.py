"""The deep read's checks on real text: every field of the 2,641 LLM-written Chinese summaries
of ../shared/corpus/daae/ taken as a deep-read statement and checked against its paper's title,
abstract and comment (the full text is not in the corpus). Real summaries hold a real error
about once in 400, so what the check flags is mostly false alarms unless it is precise; every
flag it raises here is listed, to be judged (bench/quality_judged.json judges the same
sentences for the summaries' check).

    python bench/deepread_checks_corpus.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arxiv_digest.check.numbers import Known  # noqa: E402
from arxiv_digest.fulltext.deepread import check_statement  # noqa: E402
from arxiv_digest.fulltext.records import Statement  # noqa: E402

DAAE = ROOT.parent / "shared" / "corpus" / "daae"
FIELDS = ("tldr", "motivation", "method", "result", "conclusion")


def main() -> None:
    rows: dict[str, dict[str, object]] = {}
    for path in sorted(DAAE.glob("*AI_enhanced*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            ai = row.get("AI") or {}
            if isinstance(ai, dict) and "result" in ai and row.get("summary"):
                rows[str(row["id"])] = row
    judged = json.loads((ROOT / "bench" / "quality_judged.json").read_text("utf-8"))
    statements = flagged = true = 0
    for pid, row in rows.items():
        source = f"{row['title']}\n{row['summary']}\n{row.get('comment') or ''}"
        known = Known(source)
        for name in FIELDS:
            text = str(row["AI"].get(name) or "")  # type: ignore[union-attr]
            checked = check_statement(
                Statement(text, ("Abstract",)), known, {"Abstract": ""}, source
            )
            statements += 1
            for warning in checked.warnings:
                flagged += 1
                figure = warning.split(": ", 1)[1].split(" is not")[0]
                key = f"{pid} number: {name}: {figure} is not in the title or abstract"
                verdict = judged.get(key, {}).get("true")
                true += verdict is True
                print(f"{pid} {name}: {warning}  judged: {verdict}")
    print(
        f"{len(rows)} papers, {statements} statements: {flagged} flagged "
        f"({100 * flagged / statements:.2f}%), {true} judged true by hand"
    )


if __name__ == "__main__":
    main()
