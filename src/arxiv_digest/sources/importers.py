"""Read digests written by this tool or by daily-arXiv-ai-enhanced back into records.

Three shapes are read:
- the reference Markdown digest (`*.md`, notes/design.md),
- the reference JSONL (one paper a line: section, index, id, url, title, authors, main_category,
  the five fields, abstract),
- daily-arXiv-ai-enhanced's `YYYY-MM-DD_AI_enhanced_LANG.jsonl` (id, categories, authors, title,
  comment, summary, AI{...}).

Parsing is strict and complete before anything is written: any defect is an `ImportFormatError`
naming the file and line. Placeholder summaries become `failed` summaries, never content. Files
are read as streams, a line or a paper at a time, twice (to check, then to store): memory stays
bounded and time linear whatever the size.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date as Date
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from arxiv_digest.errors import ImportFormatError
from arxiv_digest.models import (
    FIELDS,
    LEGACY_FAILURE_TEXT,
    PLACEHOLDERS,
    Paper,
    abs_url,
    split_arxiv_id,
)
from arxiv_digest.textutil import guess_language, unescape_tags

_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_ANCHOR_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})_AI_enhanced_([A-Za-z\-]+)\.jsonl$")


@dataclass(frozen=True, slots=True)
class ImportedPaper:
    section: str
    paper: Paper
    texts: dict[str, str | None]  # the five fields; None where the source had a placeholder
    failed: bool
    #: False for a paper of a raw day (no summary at all): it is stored without one, and the
    #: next `summarize` or `run` writes it
    summarized: bool = True


@dataclass(frozen=True, slots=True)
class ImportedDigest:
    """A checked digest file: what it holds, and its papers read again from the file on demand
    (a 100,000-paper file is never held in memory)."""

    path: Path
    date: str
    language: str
    sections: tuple[str, ...]
    count: int
    failed: int
    reader: Callable[[_Meta], Iterator[ImportedPaper]]
    #: papers with a summary (the others come from a raw day and wait for `summarize`)
    summarized: int = 0

    @property
    def papers(self) -> Iterator[ImportedPaper]:
        """The papers in file order, parsed again as they are read."""
        return self.reader(_Meta())


@dataclass
class _Meta:
    """What a pass over a file learns besides its papers."""

    sections: list[str] = field(default_factory=list)
    language: str | None = None


def _texts(raw: dict[str, str]) -> tuple[dict[str, str | None], bool]:
    texts: dict[str, str | None] = {}
    failed = False
    for name in FIELDS:
        value = raw[name]
        if value in (PLACEHOLDERS[name], LEGACY_FAILURE_TEXT):
            texts[name] = None
            failed = True
        else:
            texts[name] = value
    return texts, failed


def digest_date(path: Path, given: str | None) -> str:
    """The day a file's digest belongs to: `--date`, else a YYYY-MM-DD in its name."""
    text = given
    if text is None:
        match = _DATE_IN_NAME.search(path.name)
        if not match:
            raise ImportFormatError(
                f"{path}: cannot tell which day this digest is for; its name holds no "
                "YYYY-MM-DD, so pass --date YYYY-MM-DD"
            )
        text = match.group(1)
    try:
        return Date.fromisoformat(text).isoformat()
    except ValueError:
        raise ImportFormatError(f"{path}: {text!r} is not a date (expected YYYY-MM-DD)") from None


#: Characters of summary text read to tell the language of a digest that does not say it.
LANGUAGE_SAMPLE = 20_000


def read_digest_file(path: Path, date: str | None = None) -> ImportedDigest:
    """Read and check one file completely, streaming; raise ImportFormatError on any defect.
    Nothing of its papers is kept: `ImportedDigest.papers` reads them again."""
    day = digest_date(path, date)
    suffix = path.suffix.lower()
    reader: Callable[[_Meta], Iterator[ImportedPaper]]
    if suffix == ".md":
        reader = partial(_markdown_items, path)
    elif suffix in (".jsonl", ".json"):
        reader = partial(_jsonl_items, path)
    else:
        raise ImportFormatError(
            f"{path}: unknown file type {path.suffix!r} (expected .md or .jsonl)"
        )
    meta = _Meta()
    count = failed = summarized = 0
    sample: list[str] = []
    size = 0
    for item in reader(meta):
        count += 1
        failed += item.failed
        summarized += item.summarized
        if size < LANGUAGE_SAMPLE:
            text = "".join(v or "" for v in item.texts.values())
            sample.append(text)
            size += len(text)
    said = "".join(sample)
    # a day without any summary text (raw, or every summary failed) says nothing of its language:
    # "" lets the importer give it the configured one
    language = meta.language or (guess_language(said) if said.strip() else "")
    return ImportedDigest(
        path, day, language, tuple(meta.sections), count, failed, reader, summarized
    )


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """The file's lines (with their newline), numbered from 1, decoded one by one: a byte that
    is not UTF-8 is reported with its line and offset, and the file is never read whole."""
    offset = 0
    any_text = False
    try:
        with path.open("rb") as f:
            for number, raw in enumerate(f, start=1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    at = offset + exc.start
                    raise ImportFormatError(
                        f"{path}:{number}: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {at})"
                    ) from None
                offset += len(raw)
                any_text = any_text or bool(line.strip())
                yield number, line
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror}") from exc
    if not any_text:
        raise ImportFormatError(f"{path}:1: the file is empty")


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
    for number, line in _lines(path):
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


# -- JSONL ---------------------------------------------------------------------------------


class _ReferenceRow(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    section: str
    index: int
    id: str
    url: str
    title: str
    authors: list[str]
    main_category: str
    tldr: str
    motivation: str
    method: str
    result: str
    conclusion: str
    abstract: str


class _AnchorAI(BaseModel):
    model_config = ConfigDict(extra="ignore")
    #: the TL;DR: `task` in the project's first weeks, `tldr` since
    tldr: str = Field(validation_alias=AliasChoices("tldr", "task"))
    motivation: str
    method: str
    result: str
    conclusion: str


class _AnchorRow(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    categories: list[str]
    authors: list[str]
    title: str
    summary: str
    comment: str | None = None
    #: absent from a raw day (`YYYY-MM-DD.jsonl`, written before summarizing)
    AI: _AnchorAI | None = None

    @field_validator("categories")
    @classmethod
    def _nonempty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must list at least the primary category")
        return value


def _describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "record"
    return f"field {where!r}: {err['msg'].lower()}"


def _jsonl_items(path: Path, meta: _Meta) -> Iterator[ImportedPaper]:
    anchor_name = _ANCHOR_NAME.search(path.name)
    anchor: bool | None = None if anchor_name is None else True
    if anchor_name is not None:
        meta.language = anchor_name.group(2)
    seen: dict[str, int] = {}
    sections = meta.sections
    index = 0
    for number, line in _lines(path):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            truncated = not line.endswith("\n")
            why = "truncated record" if truncated else f"invalid JSON ({exc.msg})"
            raise ImportFormatError(f"{path}:{number}: {why}") from None
        if not isinstance(value, dict):
            raise ImportFormatError(f"{path}:{number}: expected a JSON object per line")
        if anchor is None:  # the anchor's files, summarized or raw, have no `section`
            anchor = "AI" in value or ("section" not in value and "summary" in value)
        try:
            item = _anchor_item(value) if anchor else _reference_item(value, index + 1)
        except ValidationError as exc:
            raise ImportFormatError(f"{path}:{number}: {_describe(exc)}") from None
        except ValueError as exc:
            raise ImportFormatError(f"{path}:{number}: {exc}") from None
        if item.paper.id in seen:
            if anchor:  # the anchor's raw files repeat a paper listed under several categories
                continue
            raise ImportFormatError(
                f"{path}:{number}: paper {item.paper.id} appears twice (first at line "
                f"{seen[item.paper.id]})"
            )
        seen[item.paper.id] = number
        if item.section not in sections:
            sections.append(item.section)
        elif item.section != sections[-1] and not anchor:
            raise ImportFormatError(
                f"{path}:{number}: section {item.section!r} resumes after {sections[-1]!r}; "
                "a section's papers must be together"
            )
        index += 1
        yield item


def _reference_item(value: dict[str, Any], number: int) -> ImportedPaper:
    row = _ReferenceRow.model_validate(value)
    if row.index != number:
        raise ValueError(f"index {row.index} out of sequence (expected {number})")
    paper_id, version = split_arxiv_id(row.id)
    if version is not None or row.url != abs_url(paper_id):
        raise ValueError(f"url {row.url!r} does not match id {row.id!r}")
    texts, failed = _texts(row.model_dump())
    paper = Paper(
        id=paper_id,
        title=row.title,
        authors=tuple(row.authors),
        abstract=row.abstract,
        primary_category=row.main_category,
        categories=(row.main_category,),
    )
    return ImportedPaper(row.section, paper, texts, failed)


def _anchor_item(value: dict[str, Any]) -> ImportedPaper:
    row = _AnchorRow.model_validate(value)
    paper_id, version = split_arxiv_id(row.id)
    if row.AI is None:
        texts: dict[str, str | None] = dict.fromkeys(FIELDS)
        failed, summarized = False, False
    else:
        texts, failed = _texts(row.AI.model_dump())
        summarized = True
    paper = Paper(
        id=paper_id,
        version=version or 1,
        title=row.title,
        authors=tuple(row.authors),
        abstract=row.summary,
        primary_category=row.categories[0],
        categories=tuple(row.categories),
        comment=row.comment or None,
    )
    return ImportedPaper(row.categories[0], paper, texts, failed, summarized)
