"""Read digests written by this tool or by daily-arXiv-ai-enhanced back into records.

Three shapes are read:
- the reference Markdown digest (`*.md`, docs/reference/format.md),
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
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from arxiv_digest.errors import ImportFormatError
from arxiv_digest.models import (
    FIELDS,
    Paper,
    abs_url,
    split_arxiv_id,
)
from arxiv_digest.sources.import_markdown import _markdown_items
from arxiv_digest.sources.imported import (
    _ANCHOR_NAME,
    ImportedDigest,
    ImportedPaper,
    _Meta,
    _texts,
    digest_date,
    lines_of,
)
from arxiv_digest.textutil import guess_language

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
    for number, line in lines_of(path):
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
