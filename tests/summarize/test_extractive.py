from __future__ import annotations

import asyncio
import json

import pytest

from arxiv_digest.models import FIELDS, TLDR_LIMIT
from arxiv_digest.summarize.extractive import (
    AVAILABILITY,
    PROPOSAL,
    ExtractiveSummarizer,
    extract_fields,
    readable,
)
from arxiv_digest.summarize.sentences import split_sentences
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
    sentences = [readable(s) for s in split_sentences(abstract)]
    for name in FIELDS:
        assert fields[name].strip(), name
        # a whole sentence of the abstract (a clause of it when the abstract is short; the
        # title for a TL;DR that would repeat a field)
        assert any(fields[name] in s for s in sentences) or fields[name] == title, name
        assert not fields[name].endswith("…")  # never cut mid-sentence
    if len(sentences) >= 4:  # no field repeats another
        assert len(set(fields.values())) == len(FIELDS), fields
    assert not AVAILABILITY.search(fields["conclusion"]) or all(
        AVAILABILITY.search(s) for s in sentences[1:]
    )  # a code link is no conclusion
    if len(sentences) >= 4:  # the gap comes before how; what it means closes the abstract
        at = {n: next(i for i, s in enumerate(sentences) if fields[n] in s) for n in FIELDS[1:]}
        assert at["motivation"] <= at["method"], at


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


def test_the_tldr_is_a_whole_sentence_that_fits() -> None:
    long = "We propose " + " ".join(f"word{i}" for i in range(80)) + "."
    short = "We introduce ShortNet for fast training."
    abstract = f"{long} {short} It works. Experiments show it is good. Overall it is new."
    tldr = extract_fields("T", abstract).tldr
    assert tldr == short  # the contribution sentence that fits, not a cut one
    rest = "Experiments show it works. It is good. It is new. It is fast."
    alone = extract_fields("T", f"{long} {rest}").tldr
    assert alone in rest and len(alone) <= TLDR_LIMIT  # another whole sentence, never a cut one


def test_code_links_are_no_conclusion_and_latex_is_made_plain() -> None:
    abstract = (
        "Training is slow. We propose \\textbf{FastNet}, which is \\emph{fast}. "
        "It uses sparse kernels. Experiments show a 50\\% speedup, $\\sim$2x over baselines. "
        "FastNet makes training cheaper for everyone. "
        "Code is available at https://github.com/x/fastnet."
    )
    fields = extract_fields("FastNet", abstract)
    assert fields.conclusion == "FastNet makes training cheaper for everyone."
    assert fields.tldr == "We propose FastNet, which is fast."
    assert fields.result == "Experiments show a 50% speedup, ~2x over baselines."


def test_a_chinese_digest_says_the_fields_are_quoted() -> None:
    from arxiv_digest.models import Digest, DigestEntry, Summary
    from arxiv_digest.render.markdown import render_markdown

    paper = make_paper()
    fields = extract_fields(paper.title, paper.abstract)
    summary = Summary(
        paper.id, 1, "extractive", "extractive", "English", "extractive-3", "ok", fields
    )
    entry = DigestEntry(1, "cs.LG", paper, summary)
    chinese = render_markdown(Digest("2026-01-02", (entry,), language="Chinese"))
    english = render_markdown(Digest("2026-01-02", (entry,), language="English"))
    assert f"TL;DR: 【摘要原句】{fields.tldr}\n" in chinese
    assert f"TL;DR: {fields.tldr}\n" in english


def test_release_and_licence_sentences_fill_no_field_and_macros_are_plain() -> None:
    abstract = (
        "Retrieval is slow for long documents. However, existing indexes ignore structure. "
        "We propose \\methodname{}, which indexes \\textbf{sections} with \\emph{trees}. "
        "It routes each query through the tree in $O(\\log n)$ steps. "
        "Experiments on three benchmarks show a 2.1x speedup at equal recall. "
        "We release the model weights under the Apache 2.0 license. "
        "Code is available at \\href{https://github.com/x/tree}{our page}."
    )
    fields = extract_fields("TreeIndex", abstract).as_dict()
    assert len(set(fields.values())) == 5  # six sentences: no field repeats another
    for text in fields.values():
        assert "license" not in text and "available" not in text
        assert "\\" not in text.replace("$O(\\log n)$", "")  # math stays, macros go
    assert "methodname, which indexes sections with trees" in " ".join(fields.values())


def test_an_abstracts_only_finding_is_the_result() -> None:
    """One closing sentence holds the finding and says nothing of what it means: it is the
    Result (the Conclusion takes what is left); a closing "These results …" is the Conclusion."""
    abstract = (
        "Graph models are widely used for molecules. However, they scale poorly to large "
        "proteins. We propose FoldNet, a sparse message-passing network. FoldNet encodes "
        "residues as nodes and contacts as edges. Experiments on three benchmarks show that "
        "FoldNet improves accuracy by 4.2% over the best baseline."
    )
    fields = extract_fields("FoldNet", abstract)
    assert fields.result.startswith("Experiments on three benchmarks")
    assert fields.conclusion != fields.result
    closing = abstract + " These results suggest sparse graphs suffice for proteins."
    fields = extract_fields("FoldNet", closing)
    assert fields.result.startswith("Experiments on three benchmarks")
    assert fields.conclusion.startswith("These results suggest")


def test_backends_declare_what_they_can_and_stored_names_agree() -> None:
    """Each built-in backend declares its capabilities (offline, quotes, needs a key); the
    stored summaries' list of quoting backends agrees with what the backends declare."""
    from arxiv_digest.models import QUOTING_BACKENDS
    from arxiv_digest.summarize.batch_api import BatchSummarizer
    from arxiv_digest.summarize.local_backend import LocalSummarizer
    from arxiv_digest.summarize.openai_backend import OpenAISummarizer

    backends = (ExtractiveSummarizer, OpenAISummarizer, LocalSummarizer, BatchSummarizer)
    for backend in backends:
        assert backend.quotes == (backend.backend in QUOTING_BACKENDS), backend.backend
    assert [b.offline for b in backends] == [True, False, True, False]
    assert [b.needs_key for b in backends] == [False, True, False, True]
