from __future__ import annotations

import re
from pathlib import Path

import pytest

from arxiv_digest.fetch.ingest import store_imported
from arxiv_digest.models import Digest, DigestEntry, Summary, SummaryFields
from arxiv_digest.render.markdown import render_markdown
from arxiv_digest.sources.importers import read_digest_file
from arxiv_digest.store import Store
from tests.helpers import REFERENCE_DIR, make_paper, reference_markdown


@pytest.mark.parametrize("path", reference_markdown(), ids=lambda p: p.name)
def test_import_then_render_is_byte_identical(path: Path, store: Store) -> None:
    digest = read_digest_file(path, "2026-01-05")
    store_imported(store, digest)
    stored = store.digests.load("2026-01-05")
    assert stored is not None
    assert render_markdown(stored).encode("utf-8") == path.read_bytes()


@pytest.mark.parametrize("path", sorted(REFERENCE_DIR.glob("*.jsonl")), ids=lambda p: p.name)
def test_reference_jsonl_renders_to_its_markdown(path: Path, store: Store) -> None:
    store_imported(store, read_digest_file(path, "2026-01-05"))
    stored = store.digests.load("2026-01-05")
    assert stored is not None
    assert render_markdown(stored).encode("utf-8") == path.with_suffix(".md").read_bytes()


def _summary(paper_id: str, status: str = "ok", fields: SummaryFields | None = None) -> Summary:
    return Summary(
        paper_id=paper_id,
        version=1,
        backend="test",
        model="m",
        language="English",
        prompt_version="1",
        status=status,
        fields=fields,
    )  # type: ignore[arg-type]


def test_round_trip_of_an_awkward_digest(tmp_path: Path, store: Store) -> None:
    """Any digest in the format survives render -> import -> render, not only the references."""
    odd = make_paper(
        "hep-th/9901001",
        title="On $\\mathcal{N}=4$ [SYM] and *stars* ](x)",
        authors=(),
        abstract="First line.\nSecond line with <think>tags</think>.\n\nA paragraph.",
        primary_category="hep-th",
    )
    partial = SummaryFields("only the TL;DR came back", "", "m", "", "")
    entries = (
        DigestEntry(1, "hep-th", odd, _summary(odd.id, "ok", SummaryFields(*"abcde"))),
        DigestEntry(2, "cs.LG", make_paper("2501.00002"), _summary("2501.00002", "failed")),
        DigestEntry(
            3, "cs.LG", make_paper("2501.00003"), _summary("2501.00003", "failed", partial)
        ),
        DigestEntry(4, "cs.LG", make_paper("2501.00004"), None),
    )
    first = render_markdown(Digest("2026-01-05", entries))
    path = tmp_path / "2026-01-05.md"
    path.write_text(first, encoding="utf-8")
    store_imported(store, read_digest_file(path))
    again = store.digests.load("2026-01-05")
    assert again is not None
    assert render_markdown(again) == first
    assert [e.summary.status for e in again.entries if e.summary] == [
        "ok",
        "failed",
        "failed",
        "failed",
    ]


def test_failed_summary_shows_the_standard_placeholders() -> None:
    paper = make_paper()
    text = render_markdown(
        Digest("2026-01-05", (DigestEntry(1, "cs.LG", paper, _summary(paper.id, "failed")),))
    )
    for line in (
        "TL;DR: Summary generation failed",
        "Motivation: Motivation analysis unavailable",
        "Method: Method extraction failed",
        "Result: Result analysis unavailable",
        "Conclusion: Conclusion extraction failed",
    ):
        assert line + "\n" in text
    assert text.endswith("</details>\n") and not text.endswith("\n\n")


def test_numbering_counts_across_sections() -> None:
    entries = tuple(
        DigestEntry(i, section, make_paper(f"2501.0000{i}"), None)
        for i, section in enumerate(["cs.AI", "cs.AI", "cs.LG"], start=1)
    )
    text = render_markdown(Digest("2026-01-05", entries))
    assert "### [3] [" in text and text.index("# cs.AI") < text.index("# cs.LG")
    assert "- [cs.AI](#cs.AI) [Total: 2]\n- [cs.LG](#cs.LG) [Total: 1]\n\n\n" in text


def test_html_in_untrusted_text_is_written_as_text(tmp_path: Path, store: Store) -> None:
    from tests.helpers import XSS

    paper = make_paper(
        "2602.00001", title=XSS["title"], authors=(XSS["author"], "Ada"), abstract=XSS["abstract"]
    )
    fields = SummaryFields(XSS["tldr"], "a </details> b", "m <!-- c", "$<$5%", "K << D, p <0.01")
    text = render_markdown(
        Digest("2026-02-01", (DigestEntry(1, "cs.LG", paper, _summary(paper.id, "ok", fields)),))
    )
    tags = re.findall(r"<[A-Za-z/!][^>]*>", text)
    assert set(tags) <= {
        "<div id=toc>",
        "</div>",
        "<div id='cs.LG'>",
        "<details>",
        "</details>",
        "<summary>",
        "</summary>",
    }
    assert text.count("</details>") == 1 and "&lt;script>" in text
    assert "$<$5%" in text and "K << D, p <0.01" in text  # math is not touched
    path = tmp_path / "2026-02-01.md"
    path.write_text(text, encoding="utf-8")
    store_imported(store, read_digest_file(path))  # and it reads back as it was
    again = store.digests.load("2026-02-01")
    assert again is not None and again.entries[0].paper.title == XSS["title"]
    assert again.entries[0].summary and again.entries[0].summary.fields == fields
    assert render_markdown(again) == text
