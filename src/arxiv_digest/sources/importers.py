"""Read digests written by this tool or by daily-arXiv-ai-enhanced back into records.

Three shapes are read:
- the reference Markdown digest (`*.md`, notes/design.md),
- the reference JSONL (one paper a line: section, index, id, url, title, authors, main_category,
  the five fields, abstract),
- daily-arXiv-ai-enhanced's `YYYY-MM-DD_AI_enhanced_LANG.jsonl` (id, categories, authors, title,
  comment, summary, AI{...}).

Parsing is strict and complete before anything is written: any defect is an `ImportFormatError`
naming the file and line. Placeholder summaries become `failed` summaries, never content.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

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


@dataclass(frozen=True, slots=True)
class ImportedDigest:
    path: Path
    date: str
    language: str
    sections: tuple[str, ...]
    papers: tuple[ImportedPaper, ...]


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


def read_digest_file(path: Path, date: str | None = None) -> ImportedDigest:
    """Parse one file completely; raise ImportFormatError on any defect."""
    day = digest_date(path, date)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFormatError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not text.strip():
        raise ImportFormatError(f"{path}:1: the file is empty")
    if path.suffix.lower() == ".md":
        return _parse_markdown(path, day, text)
    if path.suffix.lower() in (".jsonl", ".json"):
        return _parse_jsonl(path, day, text)
    raise ImportFormatError(f"{path}: unknown file type {path.suffix!r} (expected .md or .jsonl)")


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
    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text, self.pos = path, text, 0

    def line(self, pos: int | None = None) -> int:
        return self.text.count("\n", 0, self.pos if pos is None else pos) + 1

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


def _parse_markdown(path: Path, day: str, text: str) -> ImportedDigest:
    cur = _Cursor(path, text)
    cur.expect(_TOC_HEAD, "the table of contents header '<div id=toc></div>'")
    toc: list[tuple[str, int, int]] = []  # (name, count, line)
    for_you = False
    while (match := _TOC_LINE.match(text, cur.pos)) is not None:
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
    if for_you:  # skip the "For you" list: its papers are in their sections below
        cur.expect("<div id='for-you'></div>", "the 'For you' section")
        nxt = text.find("\n<div id='", cur.pos)
        if nxt < 0:
            raise cur.fail("the file is truncated after the 'For you' section")
        cur.pos = nxt + 1

    papers: list[ImportedPaper] = []
    seen_ids: dict[str, int] = {}
    for index, (name, count, toc_line) in enumerate(toc):
        cur.expect(
            f"<div id='{name}'></div>\n\n# {name} [[Back]](#toc)\n\n",
            f"the start of section {name!r} (as listed in the table of contents)",
        )
        found = 0
        while text.startswith("### [", cur.pos):
            start_line = cur.line()
            item = _parse_paper(cur, name, len(papers) + 1)
            if item.paper.id in seen_ids:
                raise cur.fail(
                    f"paper {item.paper.id} appears twice (first at line "
                    f"{seen_ids[item.paper.id]})",
                    cur.pos - 1,
                )
            seen_ids[item.paper.id] = start_line
            papers.append(item)
            found += 1
            if cur.at_end():
                break
            cur.expect("\n\n", "two blank lines after '</details>'")
        if found != count:
            raise ImportFormatError(
                f"{path}:{toc_line}: the table of contents says section {name!r} has "
                f"{count} papers but the section holds {found}"
            )
        if cur.at_end() and index < len(toc) - 1:
            missing = toc[index + 1][0]
            raise cur.fail(f"the file is truncated: section {missing!r} is missing")
    if not cur.at_end():
        raise cur.fail("unexpected text after the last section")
    all_text = "".join(v or "" for p in papers for v in p.texts.values())
    return ImportedDigest(
        path, day, guess_language(all_text), tuple(n for n, _, _ in toc), tuple(papers)
    )


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
    tldr: str
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
    AI: _AnchorAI

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


def _parse_jsonl(path: Path, day: str, text: str) -> ImportedDigest:
    rows: list[tuple[int, dict[str, Any]]] = []
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            truncated = number == len(lines) and not text.endswith("\n")
            why = "truncated record" if truncated else f"invalid JSON ({exc.msg})"
            raise ImportFormatError(f"{path}:{number}: {why}") from None
        if not isinstance(value, dict):
            raise ImportFormatError(f"{path}:{number}: expected a JSON object per line")
        rows.append((number, value))
    anchor = "AI" in rows[0][1] or _ANCHOR_NAME.search(path.name) is not None
    papers: list[ImportedPaper] = []
    seen: dict[str, int] = {}
    sections: list[str] = []
    for number, value in rows:
        try:
            item = _anchor_item(value) if anchor else _reference_item(value, len(papers) + 1)
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
        papers.append(item)
    if anchor:  # group by section, keeping the file's order inside each
        papers.sort(key=lambda p: sections.index(p.section))
        match = _ANCHOR_NAME.search(path.name)
        language = (
            match.group(2)
            if match
            else guess_language("".join(v or "" for p in papers for v in p.texts.values()))
        )
    else:
        language = guess_language("".join(v or "" for p in papers for v in p.texts.values()))
    return ImportedDigest(path, day, language, tuple(sections), tuple(papers))


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
    texts, failed = _texts(row.AI.model_dump())
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
    return ImportedPaper(row.categories[0], paper, texts, failed)
