"""The reference Markdown digest (`*.md`, docs/reference/format.md) read back into records, a
paper at a time (`importers.py` dispatches to it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from arxiv_digest.errors import ImportFormatError
from arxiv_digest.models import (
    Paper,
    abs_url,
    split_arxiv_id,
)
from arxiv_digest.sources.imported import ImportedPaper, _Meta, _texts, lines_of
from arxiv_digest.textutil import unescape_tags

# -- Markdown ------------------------------------------------------------------------------

_TOC_HEAD = "<div id=toc></div>\n\n# Table of Contents\n\n"
_TOC_LINE = re.compile(r"- \[([^\]\n]+)\]\(#([^)\n]+)\) \[Total: (\d+)\]\n")
_HEADING = re.compile(r"### \[(\d+)\] \[(.*)\]\(([^()\s]+)\)\n")
_DETAILS = "\n\n\n<details>\n  <summary>Details</summary>\nMotivation: "
_END = "\n\n</details>\n"
_FIELD_MARKS = (
    ("method", "\n\nMethod: "),
    ("result", "\n\nResult: "),
    ("conclusion", "\n\nConclusion: "),
    ("abstract", "\n\nAbstract: "),
)


class _Cursor:
    """A position in one block of a file (its header, or one paper), `first` its first line."""

    def __init__(self, path: Path, text: str, first: int = 1) -> None:
        self.path, self.text, self.pos, self.first = path, text, 0, first

    def line(self, pos: int | None = None) -> int:
        return self.text.count("\n", 0, self.pos if pos is None else pos) + self.first

    def fail(self, message: str, pos: int | None = None) -> ImportFormatError:
        return ImportFormatError(f"{self.path}:{self.line(pos)}: {message}")

    def expect(self, literal: str, what: str) -> None:
        if not self.text.startswith(literal, self.pos):
            if self.pos >= len(self.text):
                raise self.fail(f"the file is truncated: expected {what}")
            raise self.fail(f"expected {what}")
        self.pos += len(literal)

    def at_end(self) -> bool:
        return self.pos >= len(self.text)


_SECTION_START = re.compile(r"<div id='([^'\n]+)'></div>\n")


def _blocks(path: Path) -> Iterator[tuple[int, str]]:
    """The file cut into blocks, each with its first line: the header (table of contents), then
    one block per section start and one per paper (a paper runs to the next heading)."""
    first, lines = 1, list[str]()
    for number, line in lines_of(path):
        if (line.startswith("### [") or _SECTION_START.fullmatch(line)) and lines:
            yield first, "".join(lines)
            first, lines = number, []
        lines.append(line)
    if lines:
        yield first, "".join(lines)


def _markdown_items(path: Path, meta: _Meta) -> Iterator[ImportedPaper]:
    blocks = _blocks(path)
    first, head = next(blocks)
    cur = _Cursor(path, head, first)
    cur.expect(_TOC_HEAD, "the table of contents header '<div id=toc></div>'")
    toc: list[tuple[str, int, int]] = []  # (name, count, line)
    for_you = False
    while (match := _TOC_LINE.match(head, cur.pos)) is not None:
        name, anchor, count = match.group(1), match.group(2), int(match.group(3))
        if anchor == "for-you" and not toc and not for_you:  # a ranked digest's list
            for_you = True
            cur.pos = match.end()
            continue
        if name != anchor:
            raise cur.fail(f"table of contents entry {name!r} links to #{anchor}")
        if any(name == seen for seen, _, _ in toc):
            raise cur.fail(f"section {name!r} is listed twice in the table of contents")
        toc.append((name, count, cur.line()))
        cur.pos = match.end()
    if not toc:
        raise cur.fail("the table of contents lists no section")
    cur.expect("\n\n", "a blank line after the table of contents")
    if not cur.at_end():
        raise cur.fail("unexpected text after the table of contents")
    meta.sections = [name for name, _, _ in toc]
    block = next(blocks, None)
    if for_you:  # skip the "For you" list: its papers are in their sections below
        if block is None or not block[1].startswith("<div id='for-you'></div>"):
            raise cur.fail("expected the 'For you' section", len(head))
        block = next(blocks, None)
        if block is None:
            raise cur.fail("the file is truncated after the 'For you' section", len(head))

    seen_ids: dict[str, int] = {}
    number = 0
    last = (cur.line(len(head)), head)
    for name, count, toc_line in toc:
        if block is None:
            first, text = last
            raise _Cursor(path, text, first).fail(
                f"the file is truncated: section {name!r} is missing", len(text)
            )
        first, text = block
        sec = _Cursor(path, text, first)
        sec.expect(
            f"<div id='{name}'></div>\n\n# {name} [[Back]](#toc)\n\n",
            f"the start of section {name!r} (as listed in the table of contents)",
        )
        if not sec.at_end():
            raise sec.fail("expected a paper heading '### [K] [TITLE](https://arxiv.org/abs/ID)'")
        last = block
        block = next(blocks, None)
        found = 0
        while block is not None and block[1].startswith("### ["):
            first, text = block
            pcur = _Cursor(path, text, first)
            number += 1
            item = _parse_paper(pcur, name, number)
            if item.paper.id in seen_ids:
                raise pcur.fail(
                    f"paper {item.paper.id} appears twice (first at line "
                    f"{seen_ids[item.paper.id]})",
                    pcur.pos - 1,
                )
            seen_ids[item.paper.id] = first
            found += 1
            last = block
            block = next(blocks, None)
            if pcur.at_end() and block is None:
                yield item
                break
            pcur.expect("\n\n", "two blank lines after '</details>'")
            if not pcur.at_end():
                raise pcur.fail("unexpected text after the paper")
            yield item
        if found != count:
            raise ImportFormatError(
                f"{path}:{toc_line}: the table of contents says section {name!r} has "
                f"{count} papers but the section holds {found}"
            )
    if block is not None:
        raise _Cursor(path, block[1], block[0]).fail("unexpected text after the last section")


def _parse_paper(cur: _Cursor, section: str, number: int) -> ImportedPaper:
    text = cur.text
    head = _HEADING.match(text, cur.pos)
    if head is None:
        raise cur.fail("expected a paper heading '### [K] [TITLE](https://arxiv.org/abs/ID)'")
    if int(head.group(1)) != number:
        raise cur.fail(f"paper number [{head.group(1)}] out of sequence (expected [{number}])")
    title, url = unescape_tags(head.group(2)), head.group(3)
    try:
        paper_id, version = split_arxiv_id(url)
    except ValueError:
        raise cur.fail(f"the link {url!r} is not an arXiv abstract page") from None
    if version is not None or abs_url(paper_id) != url:
        raise cur.fail(f"the link {url!r} is not of the form https://arxiv.org/abs/ID")
    block_start = cur.pos
    cur.pos = head.end()
    end = text.find(_END, cur.pos)
    next_head = text.find("\n### [", cur.pos)
    if end < 0 or (0 <= next_head < end):
        raise cur.fail(
            f"the file is truncated: paper [{number}] has no closing '</details>'", block_start
        )

    line_end = text.find("\n", cur.pos)
    authors_line = text[cur.pos : line_end]
    if len(authors_line) < 2 or authors_line[0] != "*" or authors_line[-1] != "*":
        raise cur.fail(f"paper [{number}] has no author line '*A1,A2*'")
    authors = tuple(unescape_tags(authors_line[1:-1]).split(",")) if authors_line != "**" else ()
    cur.pos = line_end + 1
    cur.expect("\nMain category: ", f"'Main category:' in paper [{number}]")
    line_end = text.find("\n", cur.pos)
    primary = text[cur.pos : line_end]
    cur.pos = line_end
    cur.expect("\n\nTL;DR: ", f"'TL;DR:' in paper [{number}]")

    raw: dict[str, str] = {}
    details = text.find(_DETAILS, cur.pos, end)
    if details < 0:
        raise cur.fail(f"paper [{number}] has no '<details>' block with 'Motivation:'")
    raw["tldr"] = text[cur.pos : details]
    cur.pos = details + len(_DETAILS)
    current = "motivation"
    for name, mark in _FIELD_MARKS:
        found = text.find(mark, cur.pos, end)
        if found < 0:
            raise cur.fail(f"paper [{number}] is missing its '{mark.strip()}' field")
        raw[current] = text[cur.pos : found]
        cur.pos = found + len(mark)
        current = name
    abstract = unescape_tags(text[cur.pos : end])
    cur.pos = end + len(_END)
    texts, failed = _texts({name: unescape_tags(value) for name, value in raw.items()})
    paper = Paper(
        id=paper_id,
        title=title,
        authors=authors,
        abstract=abstract,
        primary_category=primary,
        categories=(primary,),
    )
    return ImportedPaper(section, paper, texts, failed)
