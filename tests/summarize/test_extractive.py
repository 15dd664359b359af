from __future__ import annotations

import asyncio
import json

import pytest

from arxiv_digest.models import FIELDS
from arxiv_digest.summarize.extractive import (
    PROPOSAL,
    TLDR_LIMIT,
    ExtractiveSummarizer,
    extract_fields,
)
from arxiv_digest.summarize.sentences import split_sentences
from arxiv_digest.textutil import collapse_ws
from tests.helpers import REFERENCE_DIR, make_paper, reference_counts

ABSTRACTS = [
    (row["id"], row["title"], row["abstract"])
    for path in sorted(REFERENCE_DIR.glob("*.jsonl"))
    for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
]


def test_there_are_reference_abstracts() -> None:
    papers = sum(reference_counts(p).papers for p in REFERENCE_DIR.glob("*.md"))
    assert len(ABSTRACTS) == papers > 0


@pytest.mark.parametrize(
    ("paper_id", "title", "abstract"), ABSTRACTS, ids=[a[0] for a in ABSTRACTS]
)
def test_every_reference_abstract(paper_id: str, title: str, abstract: str) -> None:
    fields = extract_fields(title, abstract).as_dict()
    flat = collapse_ws(abstract)
    for name in FIELDS:
        assert fields[name].strip(), name
    assert len(fields["tldr"]) <= TLDR_LIMIT
    assert fields["tldr"].rstrip("…") in flat  # a (cut) sentence of the abstract
    for name in FIELDS[1:]:
        assert fields[name] in flat, name  # drawn from the abstract
    n = len(split_sentences(abstract))
    details = [fields[name] for name in FIELDS[1:]]
    if n >= 4:
        assert len(set(details)) == 4
    if n >= 5:
        tldr_source = fields["tldr"].rstrip("…")
        assert not any(d.startswith(tldr_source) for d in details)


def test_roles_on_a_textbook_abstract() -> None:
    paper = make_paper()
    fields = asyncio.run(ExtractiveSummarizer().summarize(paper, "Chinese")).fields
    assert fields is not None
    assert fields.tldr.startswith("We propose ThingNet")
    assert fields.motivation in (
        "Large models remain costly to train.",
        "However, existing methods fail to scale.",
    )
    assert fields.result.startswith("Experiments show")
    assert fields.conclusion.startswith("Overall")
    assert PROPOSAL.search(fields.tldr)


def test_deterministic_and_never_empty() -> None:
    assert extract_fields("T", "One sentence only.") == extract_fields("T", "One sentence only.")
    fields = extract_fields("Just a title", "")
    assert all(v == "Just a title" for v in fields.as_dict().values())


def test_tldr_cut_at_word_boundary() -> None:
    long = "We propose " + " ".join(f"word{i}" for i in range(80)) + "."
    tldr = extract_fields("T", long + " It works. It is good. It is new. It is fast.").tldr
    assert len(tldr) <= TLDR_LIMIT and tldr.endswith("…")
    assert tldr[:-1].split()[-1].startswith("word")
    assert tldr[:-1] in long
