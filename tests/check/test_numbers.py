"""How Chinese summaries restate an abstract's numbers: each case is a sentence of a real
summary (daily-arXiv-ai-enhanced) beside the words of its real abstract, shortened. The first
group raised false alarms before; the second holds real errors that must still be caught."""

from __future__ import annotations

import pytest

from arxiv_digest.check import check_summary, numbers
from arxiv_digest.check.counts import paper_counts
from arxiv_digest.models import Paper, SummaryFields


def _number_warnings(abstract: str, text: str) -> list[str]:
    paper = Paper("2501.00001", "A Paper", (), abstract, "cs.LG")
    fields = SummaryFields(text, text, text, text, text)
    return [w for w in check_summary(fields, paper, "Chinese", "import") if w.startswith("number")]


ACCOUNTED = [
    # counts of listed things
    (
        "Through multi-task learning, SemiGTX concurrently maps GDP across primary, secondary, "
        "and tertiary sectors within a unified model.",
        "通过多任务学习统一映射GDP的三大部门。",
    ),
    (
        "This study evaluates different Vision Transformer architectures and pre-training "
        "strategies - ViT, DeiT, DINO, and Swin Transformer - using Grad-CAM.",
        "对四种视觉Transformer架构进行定量和定性分析。",
    ),
    (
        "It covers a diverse set of tasks, including Emotion Classification, Emotion Detection, "
        "Emotion QA, Emotion Conversation, Emotion Summary, and Emotion Expression.",
        "包含6类情感任务。",
    ),
    (
        "We then conduct experiments with GPT-4.1 and five other leading LLMs.",
        "在GPT-4.1等六种LLM上进行实验。",
    ),
    (
        "We first consider max-guarantee synthesis. We then introduce max-observation synthesis. "
        "Finally, we present incremental max-observation synthesis.",
        "实验结果表明，三种最优合成变体在扩展性上表现相当。",
    ),
    (
        "We benchmark blurring, noising, downsampling, rubber sheet model, and iris style "
        "transfer.",
        "论文评估了五种方法（模糊化、噪声化、降采样、橡皮筋模型和虹膜风格迁移）。",
    ),
    ("OmniEarth adopts a quintuple semantic consistency requirement.", "采用五元语义一致性要求。"),
    ("Our team placed 6th out of 8 participants.", "8支队伍中第6名。"),
    # scale conversions, ranges, rounding
    (
        "GlobalGeoTree comprises 6.3\nmillion geolocated tree occurrences.",
        "包含630万条地理标记数据。",
    ),
    ("Through experimental study on over 10 millions trips.", "在超过1000万次出行上验证。"),
    (
        "yielding 8830 RANS cases and 9 to 14 million cells per case.",
        "每个案例900-1400万网格单元。",
    ),
    ("comprising over 700,000 expert-curated tasks", "包含70多万个专家策划的任务。"),
    ("125 video sequences with over 488.8K annotations", "包含125个视频序列和48.8万+标注。"),
    ("across 14 days of Bluesky data ($1{,}671{,}587$ active users)", "在167万用户的数据上。"),
    ("using 9,970 API calls in three experimental phases", "通过近万次API调用实验验证。"),
    ("a Cognivolve, a 124 M-parameter GPT-2 model", "训练124M参数的GPT-2模型。"),
    ("with extremely low parameter counts (3 M)", "以极低的参数量（3M）达到最先进性能。"),
    ("a dataset of less than 10.000 images", "实验使用少于10,000张图像。"),
    ("reaches 96.76%, 96.78%, 96.79% and 96.79% in accuracy", "各指标均达到96.7%以上。"),
    # LaTeX powers and number words
    (
        "using a lightweight MLP encoder with about 10^5 parameters",
        "使用轻量级MLP编码器（约10^5参数）。",
    ),
    ("achieves a $10^{3}\\times$ speedup", "实现10³倍加速。"),
    ("in a deployment with one thousand two hundred four students", "在1204名学生的课程中部署。"),
    ("Three-fifths (191,263) of all buildings are damaged", "加沙60%的建筑被破坏或摧毁。"),
    ("a decade-long telemedicine program", "从十年远程医疗项目中收集数据。"),
    ("enabling decadal-scale global analysis", "支持十年尺度全球分析。"),
    ("the first large-scale resource for nineteenthcentury editions", "首个19世纪古希腊语资源。"),
    ("search time was reduced hundreds of times", "搜索时间减少百倍。"),
    # numerals that are not numbers, list markers
    ("eight zero-shot LLM-based generators", "重现了8个零样本LLM生成器的排名。"),
    ("a binomial model of counts", "采用二项式分布建模。"),
    ("we unify the three tasks", "统一三种任务。"),
    (
        "select samples, build a corpus, and learn in context",
        "1）选择样本 2）构建语料库 3）上下文学习",
    ),
]


@pytest.mark.parametrize(("abstract", "text"), ACCOUNTED)
def test_a_restated_number_is_accounted_for(abstract: str, text: str) -> None:
    assert _number_warnings(abstract, text) == []


CAUGHT = [
    # real errors of real summaries: a billion is 十亿, not 亿
    ("we introduce Tianyi with 7.6-billion-parameter LLM", "一个7.6亿参数大语言模型。", "7.6亿"),
    ("satisfactory results with only 1.8 billion parameters", "在1.8亿参数下实现了效果。", "1.8亿"),
    ("the open-source Llama-2 70 billion model", "开源Llama-2 70亿参数模型。", "70亿"),
    ("The largest variant comprises 24 billion parameters", "最大模型支持40亿参数。", "40亿"),
    ("A curated corpus of ~22M tokens from 6,636 PMC articles", "使用6366篇PMC文章。", "6366"),
    ("model scales from 4B to 30B", "4B/8B/30B模型规模分别平均提升。", "8B"),
    # planted kinds: a count the abstract does not make, a figure off by a little or by 100x
    ("three core modules: Runner, Ruminator, and Regulator", "包含七个模块。", "七"),
    ("reaches 96.76% accuracy", "准确率达到97.2%。", "97.2%"),
    ("improves accuracy by 12%", "准确率提升1200%。", "1200%"),
]


@pytest.mark.parametrize(("abstract", "text", "shown"), CAUGHT)
def test_a_wrong_number_is_caught(abstract: str, text: str, shown: str) -> None:
    warnings = _number_warnings(abstract, text)
    assert warnings and f"number: tldr: {shown} is not" in warnings[0], warnings


def test_a_figure_derived_from_two_of_the_abstract_is_a_hint() -> None:
    paper = Paper(
        "2501.00001",
        "A Paper",
        (),
        "results demonstrate 98.4% precision, 96.9% recall, and an overall accuracy of 98.3%.",
        "cs.LG",
    )
    text = "精确度98.4%、召回率96.9%、F1分数97.6%。"
    warnings = check_summary(SummaryFields(text, text, text, text, text), paper, "Chinese", "x")
    assert not [w for w in warnings if w.startswith("number")]
    assert [w for w in warnings if w.startswith("derived: tldr: 97.6% is not stated (the F1")]


def test_list_lengths_of_an_abstract() -> None:
    assert paper_counts("tasks, including A, B, C, and D. Then it ends.") >= {4}
    assert paper_counts("we benchmark A, B, C, D and E to hide identity, and compare") == {5}
    assert 3 in paper_counts("The framework comprises three core modules: R, S, and T.")


def test_number_readings() -> None:
    assert numbers("70多万") == {700000.0}
    assert numbers("万次") == {10000.0}
    assert numbers("约10^5参数") == {100000.0}
    assert numbers("10³倍") == {1000.0}
    assert numbers("二项式与零样本") == set()
    assert numbers("19世纪") == set()
