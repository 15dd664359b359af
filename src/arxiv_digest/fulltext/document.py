"""The typed document every full-text source yields, and the places a statement may cite.

Sections keep their numbers as the paper prints them ("4.2", "A.1"), tables and figures their
numbers and captions, and math its TeX. References, navigation and boilerplate are not part of
it. A place is written the way a reader cites it: "§4.2", "Table 3", "Figure 2", "Abstract".
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

#: How a document was obtained (the first source that gave one).
SOURCES = ("html", "tex", "pdf")


@dataclass(slots=True)
class Section:
    number: str  # as printed: "4", "4.2", "A"; "" when unnumbered
    title: str
    level: int = 1  # 1 section, 2 subsection, 3 subsubsection
    paragraphs: list[str] = field(default_factory=list)
    anchor: str = ""  # the id of the section in arXiv's HTML ("S4.SS2"), when known
    appendix: bool = False

    @property
    def place(self) -> str:
        return f"§{self.number}" if self.number else self.title


@dataclass(slots=True)
class Table:
    number: str
    caption: str
    rows: list[list[str]] = field(default_factory=list)
    section: str = ""  # the number of the section that holds it
    anchor: str = ""

    @property
    def place(self) -> str:
        return f"Table {self.number}"

    def text(self) -> str:
        """Caption and cells, one row a line, cells apart by " | "."""
        lines = [f"{self.place}: {self.caption}".strip()]
        lines += [" | ".join(cell for cell in row) for row in self.rows if any(row)]
        return "\n".join(lines)


@dataclass(slots=True)
class Figure:
    number: str
    caption: str
    section: str = ""
    anchor: str = ""

    @property
    def place(self) -> str:
        return f"Figure {self.number}"


@dataclass(slots=True)
class Document:
    paper_id: str
    version: int
    source: str  # one of SOURCES
    title: str = ""
    abstract: str = ""
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    # -- what it holds ---------------------------------------------------------------------

    def passages(self) -> Iterator[tuple[str, str]]:
        """(place, text) of every paragraph, table and figure caption, in reading order
        (the abstract first; tables and figures after the section that holds them)."""
        if self.abstract:
            yield "Abstract", self.abstract
        for section in self.sections:
            for paragraph in section.paragraphs:
                yield section.place, paragraph
            for table in self.tables:
                if table.section == section.number and section.number:
                    yield table.place, table.text()
            for figure in self.figures:
                if figure.section == section.number and section.number:
                    yield figure.place, f"{figure.place}: {figure.caption}"
        placed = {s.number for s in self.sections if s.number}
        for table in self.tables:
            if table.section not in placed:
                yield table.place, table.text()
        for figure in self.figures:
            if figure.section not in placed:
                yield figure.place, f"{figure.place}: {figure.caption}"

    def text(self) -> str:
        """Everything the document says, as one text (title first): what numbers and quotes are
        checked against."""
        return "\n".join([self.title, *(text for _place, text in self.passages())])

    def places(self) -> dict[str, str]:
        """Every place a statement may cite, to its anchor in arXiv's HTML ("" when unknown)."""
        found = {"Abstract": ""}
        for section in self.sections:
            if section.number:
                found[section.place] = section.anchor
        for table in self.tables:
            found[table.place] = table.anchor
        for figure in self.figures:
            found[figure.place] = figure.anchor
        return found

    @property
    def chars(self) -> int:
        return sum(len(text) for _place, text in self.passages())

    # -- storage ---------------------------------------------------------------------------

    def pack(self) -> bytes:
        """Compressed JSON, as the store keeps it."""
        raw = json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))
        return zlib.compress(raw.encode("utf-8"), 6)

    @classmethod
    def unpack(cls, blob: bytes) -> Document:
        data = json.loads(zlib.decompress(blob).decode("utf-8"))
        return cls(
            paper_id=data["paper_id"],
            version=data["version"],
            source=data["source"],
            title=data.get("title", ""),
            abstract=data.get("abstract", ""),
            sections=[Section(**s) for s in data.get("sections", [])],
            tables=[Table(**t) for t in data.get("tables", [])],
            figures=[Figure(**f) for f in data.get("figures", [])],
        )


# -- places as models and readers write them -------------------------------------------------

_PLACE = re.compile(
    r"(?:§\s*|\b(?:Sections?|Sec\.|Appendix|App\.)\s*)(?P<sec>[A-Z]?\d*(?:\.\d+)*[A-Z]?)"
    r"|\b(?P<kind>Table|Tab\.|Figure|Fig\.)\s*(?P<num>[A-Z]?\d+)"
    r"|(?P<abstract>\bAbstract\b|摘要)",
    re.IGNORECASE,
)


def cited_places(text: str) -> list[str]:
    """The places `text` cites, in the canonical form ("§4.2", "Table 3", "Abstract")."""
    found = []
    for match in _PLACE.finditer(text):
        if match.group("abstract"):
            found.append("Abstract")
        elif match.group("kind"):
            kind = "Table" if match.group("kind").lower().startswith("tab") else "Figure"
            found.append(f"{kind} {match.group('num').upper()}")
        elif match.group("sec"):
            found.append(f"§{match.group('sec').upper()}")
    return list(dict.fromkeys(found))


def strip_places(text: str) -> str:
    """`text` without its citations, so that "Table 3" is not read as a claimed number."""
    return _PLACE.sub(" ", text)
