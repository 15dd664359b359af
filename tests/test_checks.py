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
        (_with(result="相比基线加速7.2倍。"), "Chinese", "number: result: 7.2"),
        (_with(method="在120万张图像上训练。"), "Chinese", "number: method: 120万"),
        (_with(method="在七个数据集上训练。"), "Chinese", "number: method: 七"),
        (_with(result="内存减少4890%。"), "Chinese", "number: result: 4890%"),
        (
            _with(
                method="We propose FastNet, which cuts memory by 48.9% and trains on 489,000 "
                "images across three datasets."
            ),
            "Chinese",
            "copy: method",
        ),
        (
            _with(result="相比基线加速3.5倍。 The model is also robust to noise in the labels."),
            "Chinese",
            "english: result",
        ),
        (
            _with(conclusion="该方法为高效训练提供了新思路，并且可以通过"),
            "Chinese",
            "truncated: conclusion",
        ),
        (_with(result="待补充"), "Chinese", "placeholder: result"),
        (_with(result="{{result}}"), "Chinese", "placeholder: result"),
        (
            _with(
                tldr="SimRPD将检索延迟降低，优于ColBERTv2。",
                method="提出SimRPD，结合ColBERTv2与蒸馏。",
            ),
            "Chinese",
            "mismatch: all",
        ),
        (_with(conclusion=FAITHFUL.tldr), "Chinese", "repeat: conclusion: repeats tldr"),
        (
            _with(motivation="Training large models is slow and costly for most of the labs."),
            "Chinese",
            "language: motivation",
        ),
        (_with(tldr="FastNet" + "，速度更快" * 40), "Chinese", "tldr-length"),
    ],
    ids=[
        "invented-number",
        "invented-scaled-number",
        "chinese-numeral",
        "percent-times-100",
        "verbatim-copy",
        "english-sentence-appended",
        "truncated",
        "placeholder-zh",
        "template-marker",
        "another-papers-names",
        "repeated-fields",
        "wrong-language",
        "long-tldr",
    ],
)
def test_each_planted_problem_is_caught(fields: SummaryFields, language: str, kind: str) -> None:
    warnings = check_summary(fields, PAPER, language, "openai")
    assert any(w.startswith(kind) for w in warnings), warnings


def test_a_warning_names_the_field_and_quotes_the_text() -> None:
    warnings = check_summary(_with(result="相比基线加速7.2倍。"), PAPER, "Chinese", "openai")
    assert warnings == [
        "number: result: 7.2 is not in the title or abstract: “相比基线加速7.2倍。”"
    ]


NUMBER_PAPER = Paper(
    id="2501.00002",
    title="Fourteen Tasks, One Million Images",
    authors=(),
    abstract=(
        "We train on one million images over fourteen tasks, zero-shot, with a ninefold speedup. "
        "Accuracy is $\\approx94$% with 60{,}000 steps and error $\\pm3.5$. The array spans "
        "958 m and 1 130 sensors in 2D and 3D, collected in May 2023. It reaches 96.62 F1 on a "
        "3 trillion token corpus. Two steps: 0. warm up; 64. decay. Quality is 0.12."
    ),
    primary_category="cs.LG",
)


@pytest.mark.parametrize(
    "text",
    [
        "在一百万张图像、十四个任务上训练，零样本，加速9倍。",  # number words
        "准确率约94%，训练60,000步，误差±3.5。",  # LaTeX around numbers
        "阵列跨度958米，包含1130个传感器，覆盖2D和3D，数据采集于2023年5月。",  # units, formats
        "F1达到96.6，语料规模3万亿token，质量为12%。",  # rounding, 万亿, 0.12 = 12%
        "两个步骤，学习率衰减64步。",  # "0." and "64." in the abstract are numbers too
    ],
)
def test_number_forms_that_used_to_be_false_alarms(text: str) -> None:
    fields = SummaryFields(tldr=text, motivation=text, method=text, result=text, conclusion=text)
    assert not [
        w
        for w in check_summary(fields, NUMBER_PAPER, "Chinese", "import")
        if w.startswith("number")
    ]


def test_a_field_of_metric_names_is_chinese_enough() -> None:
    fields = _with(result="BLEU 12.4，FastNet 3.5x，memory 48.9%。")
    assert not [
        w
        for w in check_summary(fields, PAPER, "Chinese", "openai")
        if w.startswith(("language", "english"))
    ]


def test_number_forms_are_normalised() -> None:
    assert numbers("48.9万") == numbers("489K") == numbers("489,000") == {489000.0}
    assert numbers("3.5倍") == numbers("3.5x") == {3.5}
    assert numbers("1) 定义；2) 聚类；3. 提出") == set()  # list markers are not numbers
    assert numbers("三个家族与十二种方法") == {3.0, 12.0}
    assert numbers("GPT-4o、Qwen2.5和3D") == set()  # digits inside names are not claims


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
    assert "number: result: 97.3% is not in the title or abstract" in result.output
    assert "1 of 1 summaries have warnings (1 number)" in result.output


def test_a_chinese_field_cut_inside_a_word_is_truncated() -> None:
    headline = {  # a model that writes no full stops: only the cut itself can tell
        "tldr": "FastNet将训练速度提升3.5倍",
        "motivation": "大模型训练速度慢且成本高",
        "method": "提出FastNet并在三个数据集上训练",
        "result": "相比基线加速3.5倍，BLEU提升12.4",
        "conclusion": "该方法为高效训练提供了新思路",
    }
    assert check_summary(SummaryFields(**headline), PAPER, "Chinese", "openai") == []
    cut = SummaryFields(**{**headline, "conclusion": "该方法提高了训练的鲁"})  # 鲁棒性, cut
    warnings = check_summary(cut, PAPER, "Chinese", "openai")
    assert [w for w in warnings if w.startswith("truncated: conclusion")], warnings
