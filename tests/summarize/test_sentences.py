from __future__ import annotations

import pytest

from arxiv_digest.summarize.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "We use large models, e.g. transformers. They work.",
            ["We use large models, e.g. transformers.", "They work."],
        ),
        (
            "As shown by Smith et al. in prior work, it fails. We fix it.",
            ["As shown by Smith et al. in prior work, it fails.", "We fix it."],
        ),
        (
            "The bound is due to Smith et al. We tighten it by half.",
            ["The bound is due to Smith et al.", "We tighten it by half."],
        ),
        (
            "Unlike Smith et al. (2020), we train end to end. It works.",
            ["Unlike Smith et al. (2020), we train end to end.", "It works."],
        ),
        (
            "Accuracy rises from 91.5% to 97.25% on v2.1 of the set. We release code.",
            ["Accuracy rises from 91.5% to 97.25% on v2.1 of the set.", "We release code."],
        ),
        (
            "The bound is $O(n^{1.5}). $ for all n. Next we prove it.",
            ["The bound is $O(n^{1.5}). $ for all n.", "Next we prove it."],
        ),
        (
            "Following J. Smith, we define a loss (i.e. the KL). See Fig. 2 for details. Done now.",
            [
                "Following J. Smith, we define a loss (i.e. the KL).",
                "See Fig. 2 for details.",
                "Done now.",
            ],
        ),
        ("Can models plan? We show they can.", ["Can models plan?", "We show they can."]),
        (
            "A line broken\nacross lines. Then another one.",
            ["A line broken across lines.", "Then another one."],
        ),
        (
            "We test a Hoi! gripper in the lab. It works well.",
            ["We test a Hoi! gripper in the lab.", "It works well."],
        ),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_empty() -> None:
    assert split_sentences("   ") == []


def test_lower_case_names_open_sentences() -> None:
    text = "It implements estimators. kooplearn can model operators. We test dUltra. dUltra wins."
    assert split_sentences(text) == [
        "It implements estimators.",
        "kooplearn can model operators.",
        "We test dUltra.",
        "dUltra wins.",
    ]
    assert split_sentences("Costs drop approx. ten times. We show it.") == [
        "Costs drop approx. ten times.",
        "We show it.",
    ]
