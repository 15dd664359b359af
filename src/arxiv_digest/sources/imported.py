"""What an imported digest file holds, as records, and the line reader every shape of file is
read with (`importers.py` reads the files)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from arxiv_digest.errors import ImportFormatError
from arxiv_digest.models import (
    FIELDS,
    LEGACY_FAILURE_TEXT,
    PLACEHOLDERS,
    Paper,
)

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


def lines_of(path: Path) -> Iterator[tuple[int, str]]:
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
