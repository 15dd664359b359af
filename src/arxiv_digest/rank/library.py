"""The reader's library: papers they care about, from BibTeX, CSL-JSON (Zotero exports) or a
list of arXiv ids. A malformed file is a `LibraryError` naming the file and line."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from arxiv_digest.errors import ConfigError
from arxiv_digest.models import split_arxiv_id


class LibraryError(ConfigError):
    pass


@dataclass(frozen=True, slots=True)
class LibraryPaper:
    title: str
    abstract: str = ""
    arxiv_id: str | None = None

    @property
    def text(self) -> str:
        return f"{self.title}. {self.abstract}".strip()


_ARXIV_IN_TEXT = re.compile(
    r"arxiv(?:\.org)?(?:/abs/|/pdf/|:\s*|\s+)(\d{4}\.\d{4,5}|[a-z\-]+/\d{7})", re.I
)


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def parse_bibtex(path: Path, text: str) -> list[LibraryPaper]:
    papers: list[LibraryPaper] = []
    pos = 0
    while (at := text.find("@", pos)) >= 0:
        match = re.compile(r"@(\w+)\s*([{(])", re.A).match(text, at)
        if not match:
            pos = at + 1
            continue
        kind = match.group(1).lower()
        opener = match.group(2)
        closer = "}" if opener == "{" else ")"
        depth, i = 1, match.end()
        while i < len(text) and depth:
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == opener:
                depth += 1
            elif ch == closer:
                depth -= 1
            i += 1
        if depth:
            raise LibraryError(f"{path}:{_line(text, at)}: unbalanced braces in the @{kind} entry")
        body = text[match.end() : i - 1]
        pos = i
        if kind in ("comment", "preamble", "string"):
            continue
        fields = _bib_fields(body)
        if "title" not in fields:
            continue
        arxiv = (
            fields.get("eprint")
            if "arxiv" in (fields.get("archiveprefix") or "arxiv").lower()
            else None
        )
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


def _bib_fields(body: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for match in re.finditer(r"(\w[\w-]*)\s*=\s*", body):
        name = match.group(1).lower()
        i = match.end()
        if i >= len(body):
            break
        if body[i] == "{":
            depth, j = 0, i
            while j < len(body):
                if body[j] == "{":
                    depth += 1
                elif body[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            fields.setdefault(name, body[i + 1 : j])
        elif body[i] == '"':
            j = body.find('"', i + 1)
            fields.setdefault(name, body[i + 1 : j if j > 0 else len(body)])
        else:
            fields.setdefault(name, re.split(r"[,\s]", body[i:], maxsplit=1)[0])
    return fields


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
