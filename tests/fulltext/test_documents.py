"""Every source yields the same document: sections, numbers, tables and captions recovered from
arXiv's HTML (made by LaTeXML itself), the TeX source and the PDF; no reference-list text; and
each broken form ends with a named status."""

from __future__ import annotations

import re

import pytest

from arxiv_digest.fulltext.document import Document, cited_places
from arxiv_digest.fulltext.html import ConversionFailed, NoDocument, parse_html
from arxiv_digest.fulltext.pdf import UnusablePdf, parse_pdf
from arxiv_digest.fulltext.tex import NoSource, parse_tex
from tests.fulltext.papers import (
    BIB_MARK,
    STUB_PAGE,
    Built,
    encrypted_pdf,
    fatal_page,
    huge_pdf,
    scanned_pdf,
)

MB = 2**20


def _forms(b: Built) -> dict[str, Document]:
    pid = b.paper.paper_id
    return {
        "html": parse_html(b.html, pid, 1),
        "tar": parse_tex(b.tar_gz, pid, 1),
        "gz": parse_tex(b.tex_gz, pid, 1),
    }


def test_html_and_tex_recover_every_section_and_table_cell(built: list[Built]) -> None:
    for b in built:
        for form, doc in _forms(b).items():
            numbered = [(s.number, s.title) for s in doc.sections if s.number]
            assert numbered == list(b.paper.sections), form
            assert {t.number: t.rows for t in doc.tables} == b.paper.tables, form
            assert [f.caption for f in doc.figures] == ["Accuracy as the context grows."], form
            assert doc.title == b.paper.title, form
            assert b.paper.sentences[0] in doc.abstract, form
            text = doc.text()
            assert BIB_MARK not in text, form  # the reference list never reaches a document
            for sentence in b.paper.sentences:
                assert sentence in text, (form, sentence)
            assert "\\sum" in text and "\\lambda" in text, form  # math stays TeX
            assert "Section 4" in text, form  # \ref resolved to the section's number
            appendix = [s for s in doc.sections if s.appendix]
            assert [s.number for s in appendix] == ["A"], form


def test_the_html_keeps_latexml_anchors_for_links(built: list[Built]) -> None:
    doc = parse_html(built[0].html, built[0].paper.paper_id, 1)
    places = doc.places()
    assert places["§5.1"] == "S5.SS1" and places["§A"] == "A1"
    assert re.fullmatch(r"S\d+\.T\d+", places["Table 2"])


def test_pdf_recovers_section_numbers_and_captions(built: list[Built]) -> None:
    for b in built:
        doc = parse_pdf(b.pdf, b.paper.paper_id, 1, max_bytes=40 * MB)
        assert [(s.number, s.title) for s in doc.sections] == list(b.paper.sections)
        assert [t.number for t in doc.tables] == ["1", "2", "3"]
        assert "Main results on LongBench" in doc.tables[1].caption
        assert BIB_MARK not in doc.text()
        assert b.paper.sentences[1] in doc.text()


def test_a_document_survives_the_store_form(built: list[Built]) -> None:
    doc = parse_html(built[1].html, built[1].paper.paper_id, 1)
    again = Document.unpack(doc.pack())
    assert again == doc
    assert len(doc.pack()) < len(doc.text().encode()) / 2  # compressed


def test_broken_pages_say_why() -> None:
    with pytest.raises(NoDocument):
        parse_html(STUB_PAGE, "2601.29999", 1)
    with pytest.raises(NoDocument):
        parse_html(b"", "2601.29999", 1)
    with pytest.raises(NoSource, match="PDF"):
        parse_tex(b"%PDF-1.5 not a source", "2601.29999", 1)
    with pytest.raises(NoSource):
        parse_tex(b"\x1f\x8b\x08 damaged", "2601.29999", 1)


def test_fatal_conversion_and_unusable_pdfs_are_named(built: list[Built]) -> None:
    b = built[0]
    with pytest.raises(ConversionFailed):
        parse_html(fatal_page(b.html), b.paper.paper_id, 1)
    cases = {
        "pdf_encrypted": (encrypted_pdf(b.pdf), 40 * MB),
        "pdf_no_text": (scanned_pdf(), 40 * MB),
        "pdf_too_large": (huge_pdf(b.pdf, 2 * MB), 1 * MB),
        "not_pdf": (b"<html>error</html>", 40 * MB),
    }
    for status, (blob, cap) in cases.items():
        with pytest.raises(UnusablePdf) as caught:
            parse_pdf(blob, b.paper.paper_id, 1, max_bytes=cap)
        assert caught.value.status == status


def test_places_are_read_as_models_and_readers_write_them() -> None:
    assert cited_places("见 Section 4.2 与 Tab. 3，以及 §A.1 和 Fig. 2") == [
        "§4.2",
        "Table 3",
        "§A.1",
        "Figure 2",
    ]
    assert cited_places("摘要") == ["Abstract"]


def test_ask_retrieval_finds_the_passage_for_english_and_chinese_questions(
    built: list[Built],
) -> None:
    from arxiv_digest.fulltext.ask import retrieve

    for b in built:
        doc = parse_html(b.html, b.paper.paper_id, 1)
        for question, wanted in (
            ("How many steps do they train for, with which batch size?", b.paper.sentences[1]),
            ("训练多少步，batch size 多大？", b.paper.sentences[1]),
            ("评测有哪些局限？", b.paper.sentences[2]),  # no English word: 局限 -> limitation
        ):
            given = retrieve(doc, question, 8)
            assert any(wanted in p.text for p in given), (b.paper.paper_id, question)
            assert given[0].place == "Abstract" and len(given) <= 9
