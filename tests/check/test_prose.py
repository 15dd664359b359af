"""The checks other than numbers, on sentences of real summaries (shortened): what used to raise
false alarms, and what must still be caught."""

from __future__ import annotations

import json

import pytest

from arxiv_digest.check import check_summary, degenerate
from arxiv_digest.models import Paper, SummaryFields
from arxiv_digest.summarize.prompt import parse_answer

FIELDS = {
    "tldr": "提出了一个多模态偏差感知框架(MDP)，仅使用视频级标注就能识别伪造片段的精确时间戳",
    "motivation": "现有方法受限于数据稀缺，难以扩展。",
    "method": "编码器为紧凑U-Net；训练采用感知重建目标。",
    "result": "在多个基准上取得了最先进的结果。",
    "conclusion": "该方法为相关领域提供了新思路。",
}
PAPER = Paper("2501.00001", "A Paper", (), "We propose MDP, a U-Net. It works well.", "cs.LG")


def _kinds(paper: Paper = PAPER, **changes: str) -> set[str]:
    fields = SummaryFields(**{**FIELDS, **changes})
    return {w.split(":", 1)[0] for w in check_summary(fields, paper, "Chinese", "openai")}


def test_a_whole_sentence_without_its_full_stop_is_not_truncated() -> None:
    assert _kinds() == set()  # the TL;DR has no full stop, the others have one
    whole = "编码器为紧凑U-Net；训练采用感知重建目标，并添加防止不必要染色混合的损失项"
    assert "truncated" not in _kinds(method=whole)
    listed = "1）将权重转换为概率 2）采用课程学习 3）构建并开源了包含术语的语音数据集"
    assert "truncated" not in _kinds(method=listed)


@pytest.mark.parametrize(
    "cut",
    [
        "通过判别区域的建模和利",  # inside a word
        "现有方法只关注行人之间的社交互动，而忽略",  # a verb waiting for its object
        "该方法在复杂场景中仍与领域专家存在性能",  # a clause cut after its subject
    ],
)
def test_a_field_cut_mid_phrase_is_truncated(cut: str) -> None:
    assert "truncated" in _kinds(conclusion=cut)


def test_names_are_not_english_sentences() -> None:
    named = "论文提出了一个Hand Geometry and Interactivity Refinement (HGIR)方案，利用手部姿态。"
    spelled = (
        "提出了一种名为Gaussian Splatting for Virtual Environment Rendering and Scene Editing "
        "(G-SVERS)的新方法。"
    )
    assert not _kinds(method=named) & {"english", "language"}
    assert not _kinds(tldr=spelled) & {"english", "language"}
    sentence = "在多个基准上取得了最先进的结果。 The model is also robust to noise in the labels."
    assert "english" in _kinds(result=sentence)


def test_a_chinese_field_with_english_terms_is_chinese() -> None:
    text = "URM显著提升推理性能，在ARC-AGI 1上达到53.8% pass@1，均达到state-of-the-art水平。"
    assert "language" not in _kinds(result=text)
    english = "LLMs struggle with numeral systems, unlike humans, due to their lack of rules."
    assert "language" in _kinds(tldr=english)


@pytest.mark.parametrize(
    ("name", "abstract"),
    [
        ("NeRF", "integrating diffusion models with Neural Radiance Field-based meshing"),
        ("HIPAA", "on Health Insurance Portability and Accountability Act (HIPPA)-compliant"),
        ("SpeechNr3D", "Extensive experiments on the SpeechRefer and peechNr3D datasets"),
        ("VAE", "we train a variational model of the scenes"),
    ],
)
def test_standard_spelled_out_or_misspelt_names_are_this_papers(name: str, abstract: str) -> None:
    paper = Paper("2501.00001", "A Paper", (), abstract, "cs.LG")
    assert "mismatch" not in _kinds(paper, method=f"结合{name}技术生成高质量3D对象。")


def test_another_papers_coined_names_are_a_mismatch() -> None:
    assert "mismatch" in _kinds(method="提出SimRPD，结合ColBERTv2与GTL-CIRL蒸馏。")


def test_latex_and_the_abstracts_own_tokens_are_not_template_markers() -> None:
    abstract = "Each part is written <part_k>; the loss is $\\mathcal{L}_{total}$ with $h_{max}$."
    source = f"A Paper\n{abstract}"
    for text in ("损失为$\\mathcal{L}_{total}$，高度上限$h_{max}$。", "每个部分记为<part_k>。"):
        assert degenerate(text, "A Paper", source) is None
    assert degenerate("{{result}}", "A Paper", source) == "a template marker"
    assert degenerate("<tldr>摘要</tldr>", "A Paper", source) == "a template marker"
    answer = json.dumps(
        {**FIELDS, "method": "每个部分记为<part_k>，损失为$\\mathcal{L}_{total}$。"}
    )
    assert parse_answer(answer, "Chinese", "A Paper", abstract=abstract).method.startswith("每个")
