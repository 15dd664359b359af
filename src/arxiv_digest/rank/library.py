"""The reader's library: papers they care about, from BibTeX, CSL-JSON (Zotero exports) or a
list of arXiv ids. A malformed file is a `LibraryError` naming the file and line."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from arxiv_digest.errors import ConfigError
from arxiv_digest.models import ARXIV_ID_PATTERN, split_arxiv_id


class LibraryError(ConfigError):
    pass


@dataclass(frozen=True, slots=True)
class LibraryPaper:
    title: str
    abstract: str = ""
    arxiv_id: str | None = None
    #: its primary arXiv category, when the store knows the paper ("" otherwise)
    category: str = ""
    #: the interest it was given to ([[rank.interests]]), when one names it
    interest: str = ""

    @property
    def text(self) -> str:
        return f"{self.title}. {self.abstract}".strip()


_ARXIV_IN_TEXT = re.compile(rf"arxiv(?:\.org)?(?:/abs/|/pdf/|:\s*|\s+)({ARXIV_ID_PATTERN})", re.I)


def parse_bibtex(path: Path, text: str) -> list[LibraryPaper]:
    """Entries with a title, read by bibtexparser; a block it cannot parse names its line."""
    from bibtexparser.entrypoint import parse_string as parse_bibtex_string  # only for .bib files

    quiet = logging.getLogger("bibtexparser")
    level, quiet.level = quiet.level, logging.CRITICAL  # its failures are reported below
    try:
        library = parse_bibtex_string(text)
    finally:
        quiet.setLevel(level)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        closed = (block.raw or "").rstrip().endswith(("}", ")"))
        reason = "cannot parse this entry" if closed else "unbalanced braces (it never closes)"
        raise LibraryError(f"{path}:{(block.start_line or 0) + 1}: {reason}")
    papers: list[LibraryPaper] = []
    for entry in library.entries:
        fields = {key.lower(): str(field.value) for key, field in entry.fields_dict.items()}
        if "title" not in fields:
            continue
        prefix = (fields.get("archiveprefix") or "arxiv").lower()
        arxiv = fields.get("eprint") if "arxiv" in prefix else None
        if not arxiv:
            found = _ARXIV_IN_TEXT.search(
                " ".join(fields.get(k, "") for k in ("url", "journal", "note"))
            )
            arxiv = found.group(1) if found else None
        papers.append(
            LibraryPaper(
                _clean(fields["title"]), _clean(fields.get("abstract", "")), _valid_id(arxiv)
            )
        )
    if not papers and text.strip():
        raise LibraryError(f"{path}:1: no BibTeX entry with a title found")
    return papers


def _clean(text: str) -> str:
    return " ".join(text.replace("{", "").replace("}", "").split())


def _valid_id(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return split_arxiv_id(raw)[0]
    except ValueError:
        return None


def parse_csl_json(path: Path, text: str) -> list[LibraryPaper]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LibraryError(f"{path}:{exc.lineno}: not valid CSL-JSON ({exc.msg})") from None
    items = data.get("items", data) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise LibraryError(f"{path}:1: expected a list of CSL-JSON items")
    papers = []
    for item in items:
        if not isinstance(item, dict) or not item.get("title"):
            continue
        text_ids = " ".join(str(item.get(k, "")) for k in ("URL", "id", "number", "note"))
        found = _ARXIV_IN_TEXT.search(text_ids)
        papers.append(
            LibraryPaper(
                _clean(str(item["title"])),
                _clean(str(item.get("abstract", ""))),
                _valid_id(found.group(1) if found else None),
            )
        )
    return papers


def parse_id_list(path: Path, text: str) -> list[LibraryPaper]:
    papers = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            paper_id, _ = split_arxiv_id(entry)
        except ValueError:
            raise LibraryError(f"{path}:{number}: {entry!r} is not an arXiv id") from None
        papers.append(LibraryPaper(title="", arxiv_id=paper_id))
    return papers


def load_library(paths: list[Path]) -> list[LibraryPaper]:
    papers: list[LibraryPaper] = []
    for path in paths:
        path = path.expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise LibraryError(f"{path}: library file not found") from None
        except UnicodeDecodeError:
            raise LibraryError(f"{path}: not UTF-8 text") from None
        suffix = path.suffix.lower()
        if suffix in (".bib", ".bibtex"):
            papers.extend(parse_bibtex(path, text))
        elif suffix in (".json", ".csljson"):
            papers.extend(parse_csl_json(path, text))
        elif suffix in (".txt", ".ids", ""):
            papers.extend(parse_id_list(path, text))
        else:
            raise LibraryError(f"{path}: unknown library format (use .bib, .json or .txt)")
    return papers
