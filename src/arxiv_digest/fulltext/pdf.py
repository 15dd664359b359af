"""A paper's PDF into a `Document` through its text layer (pypdf): the last resort.

Headings are found by their printed numbers ("4.2 Results"), in order; the text stops at the
references. Tables keep their captions and the lines under them. A PDF over the size cap, one
that cannot be opened without a password, or one without a text layer (a scan) is
`UnusablePdf`, with its status: the paper then has no full text, never a made-up one.
"""

from __future__ import annotations

import io
import logging
import re

from arxiv_digest.fulltext.document import Document, Figure, Section, Table

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: Fewer characters a page than this: a scan without a text layer.
MIN_CHARS_PER_PAGE = 200
MAX_PAGES = 120


class UnusablePdf(ValueError):
    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status


_HEADING = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,2}|[A-H](?:\.\d{1,2}){0,2})\.?\s+"
    r"(?P<title>[A-Z][^\n]{1,80})$"
)
_END = re.compile(r"^(?:\d+\.?\s+)?(?:References|Bibliography|REFERENCES)\s*$")
_CAPTION = re.compile(r"^(?P<kind>Table|Figure|Fig\.)\s+(?P<num>\d+)\s*[:.]\s*(?P<text>.*)$")


def _next(a: str, b: str) -> bool:
    if a.isdigit() and b.isdigit():
        return int(b) == int(a) + 1
    return len(a) == len(b) == 1 and ord(b) == ord(a) + 1


def _follows(previous: str, number: str) -> bool:
    """Does `number` plausibly come after `previous` (1 -> 2, 2 -> 2.1, 2.1 -> 3, 3 -> A)?"""
    if not previous:
        return number == "1"
    old, new = previous.split("."), number.split(".")
    if new[0].isalpha() != old[0].isalpha():
        return number == "A"
    if len(new) == len(old) + 1:
        return new[:-1] == old and new[-1] == "1"
    if len(new) <= len(old):
        return new[:-1] == old[: len(new) - 1] and _next(old[len(new) - 1], new[-1])
    return False


def _lines(reader: object, pages: int) -> list[str]:
    lines: list[str] = []
    for page in reader.pages[:pages]:  # type: ignore[attr-defined]
        text = page.extract_text() or ""
        for line in text.splitlines():
            line = " ".join(_CONTROL.sub(" ", line).split())
            if line and not line.isdigit():
                lines.append(line)
    return lines


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined into paragraphs: a line that ends a sentence well short of the usual
    width ends its paragraph; a hyphen at a line's end joins the word."""
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}".strip()
        if line.endswith((".", ":")) and len(line) < 0.8 * width:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def parse_pdf(blob: bytes, paper_id: str, version: int, *, max_bytes: int) -> Document:
    if len(blob) > max_bytes:
        raise UnusablePdf("pdf_too_large", f"the PDF is over {max_bytes // 2**20} MB")
    if blob[:5] != b"%PDF-":
        raise UnusablePdf("not_pdf", "the answer is not a PDF")
    import pypdf
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged-file warnings are ours to say
    try:
        reader = pypdf.PdfReader(io.BytesIO(blob))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnusablePdf("pdf_encrypted", "the PDF is encrypted with a password")
        pages = min(len(reader.pages), MAX_PAGES)
        lines = _lines(reader, pages)
    except UnusablePdf:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        if "decrypt" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise UnusablePdf("pdf_encrypted", f"the PDF cannot be decrypted ({exc})") from None
        raise UnusablePdf("pdf_damaged", f"pypdf cannot read the PDF ({exc})") from None
    if sum(len(line) for line in lines) < MIN_CHARS_PER_PAGE * max(pages, 1) / 4:
        raise UnusablePdf("pdf_no_text", "the PDF has no text layer (a scan)")
    return _structure(lines, paper_id, version)


def _structure(lines: list[str], paper_id: str, version: int) -> Document:
    title = lines[0] if lines else ""
    sections: list[Section] = []
    tables: list[Table] = []
    figures: list[Figure] = []
    abstract_lines: list[str] = []
    body: list[str] = []
    current: Section | None = None
    last = ""
    in_abstract = False
    table: Table | None = None

    def close() -> None:
        if current is not None:
            current.paragraphs = _paragraphs(body)
        body.clear()

    for line in lines[1:]:
        if _END.match(line):
            break
        if line.lower() == "abstract":
            in_abstract = True
            continue
        heading = _HEADING.match(line)
        if heading and _follows(last, heading.group("num")):
            number = heading.group("num")
            close()
            in_abstract = False
            table = None
            current = Section(
                number=number,
                title=heading.group("title").strip(),
                level=number.count(".") + 1,
                appendix=number[0].isalpha(),
            )
            sections.append(current)
            last = number
            continue
        caption = _CAPTION.match(line)
        where = current.number if current is not None else ""
        if caption:
            if caption.group("kind") == "Table":
                table = Table(caption.group("num"), caption.group("text"), [], where)
                tables.append(table)
            else:
                table = None
                figures.append(Figure(caption.group("num"), caption.group("text"), where))
            continue
        if table is not None and len(line) < 80 and re.search(r"\d", line):
            table.rows.append([line])
            continue
        table = None
        if in_abstract:
            abstract_lines.append(line)
        elif current is not None:
            body.append(line)
    close()
    return Document(
        paper_id=paper_id,
        version=version,
        source="pdf",
        title=title,
        abstract=" ".join(_paragraphs(abstract_lines)),
        sections=sections,
        tables=tables,
        figures=figures,
    )
