from __future__ import annotations

import json

import pytest

from arxiv_digest.check import check_summary, numbers
from arxiv_digest.models import FIELDS, Paper, SummaryFields
from tests.helpers import REFERENCE_DIR, reference_counts

PAPER = Paper(
    id="2501.00001",
    title="FastNet: 3.5x Faster Training",
    authors=(),
    abstract=(
        "Training large models is slow. We propose FastNet, which cuts memory by 48.9% and "
        "trains on 489,000 images across three datasets. Experiments show a 3.5x speedup "
        "over the baseline and 12.4 BLEU gains."
    ),
    primary_category="cs.LG",
)
FAITHFUL = SummaryFields(
    tldr="FastNet将训练速度提升3.5倍，内存减少48.9%。",
    motivation="大模型训练速度慢、成本高。",
    method="提出FastNet，在48.9万张图像和三个数据集上训练。",
    result="相比基线加速3.5倍，BLEU提升12.4。",
    conclusion="该方法为高效训练提供了新思路。",
)


def _with(**changes: str) -> SummaryFields:
    return SummaryFields(**{**FAITHFUL.as_dict(), **changes})


def test_a_faithful_summary_raises_nothing() -> None:
    assert check_summary(FAITHFUL, PAPER, "Chinese", "openai") == []


@pytest.mark.parametrize(
    ("fields", "language", "kind"),
    [
        (_with(result="相比基线加速7.2倍。"), "Chinese", "number: result has 7.2"),
        (_with(method="在120万张图像上训练。"), "Chinese", "number: method has 1.2e+06"),
        (
            _with(
                method="We propose FastNet, which cuts memory by 48.9% and trains on 489,000 "
                "images across three datasets."
            ),
            "Chinese",
            "copy: method",
        ),
        (_with(conclusion=FAITHFUL.tldr), "Chinese", "repeat: conclusion repeats tldr"),
        (
            _with(motivation="Training large models is slow and costly."),
            "Chinese",
            "language: field 'motivation' is not written in Chinese",
        ),
        (_with(tldr="FastNet" + "，速度更快" * 40), "Chinese", "tldr-length"),
    ],
    ids=[
        "invented-number",
        "invented-scaled-number",
        "verbatim-copy",
        "repeated-fields",
        "wrong-language",
        "long-tldr",
    ],
)
def test_each_planted_problem_is_caught(fields: SummaryFields, language: str, kind: str) -> None:
    warnings = check_summary(fields, PAPER, language, "openai")
    assert any(w.startswith(kind) for w in warnings), warnings


def test_number_forms_are_normalised() -> None:
    assert numbers("48.9万") == numbers("489K") == numbers("489,000") == {489000.0}
    assert numbers("3.5倍") == numbers("3.5x") == {3.5}
    assert numbers("1) 定义；2) 聚类；3. 提出") == set()  # list markers are not numbers


def test_extractive_quotes_are_not_copy_warnings() -> None:
    quote = _with(
        method="We propose FastNet, which cuts memory by 48.9% and trains on 489,000 "
        "images across three datasets."
    )
    assert not any(
        w.startswith("copy") for w in check_summary(quote, PAPER, "English", "extractive")
    )


def test_reference_summaries_are_mostly_clean() -> None:
    flagged = total = 0
    for path in sorted(REFERENCE_DIR.glob("*.jsonl")):
        for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
            if row["tldr"] == "Summary generation failed":
                continue
            total += 1
            paper = Paper(
                id=row["id"],
                title=row["title"],
                authors=(),
                abstract=row["abstract"],
                primary_category=row["main_category"],
            )
            fields = SummaryFields(*(row[name] for name in FIELDS))
            flagged += bool(check_summary(fields, paper, "Chinese", "import"))
    counts = [reference_counts(p) for p in REFERENCE_DIR.glob("*.md")]
    assert total == sum(c.papers - c.failed for c in counts) > 0  # every real summary was read
    assert flagged <= 5


def test_check_command_lists_warnings(tmp_path, runner) -> None:  # type: ignore[no-untyped-def]
    from arxiv_digest.cli import cli

    row = json.loads(
        (REFERENCE_DIR / "000_3473ecea28a495c2.jsonl").read_text("utf-8").splitlines()[0]
    )
    row["result"] = row["result"] + "准确率提高了97.3%。"
    path = tmp_path / "2026-01-02.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    db = ["--db", str(tmp_path / "c.db")]
    assert runner.invoke(cli, [*db, "import", str(path)]).exit_code == 0
    result = runner.invoke(cli, [*db, "check"])
    assert result.exit_code == 0
    assert "number: result has 97.3" in result.output
    assert "1 of 1 summaries have warnings (1 number)" in result.output
