"""arXiv's HTML (made by LaTeXML) into a `Document`.

A page without a LaTeXML document (arXiv's "no HTML for this paper" page, an error page, a
login wall) is `NoDocument`; a page that says LaTeXML stopped with a fatal error is
`ConversionFailed`: either way the next source is tried, and no summary is ever made from such
a page. Math is kept as its TeX (LaTeXML's `alttext`); the bibliography, navigation, author
block, footnotes and LaTeXML's red error marks are dropped.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from arxiv_digest.fulltext.document import Document, Figure, Section, Table

#: What arXiv writes above a document LaTeXML could not finish.
FATAL_MARKERS = ("had a fatal error", "conversion to html had a fatal error")

_DROP = (
    "ltx_bibliography",
    "ltx_page_navbar",
    "ltx_page_header",
    "ltx_page_footer",
    "ltx_authors",
    "ltx_dates",
    "ltx_note",
    "ltx_ERROR",
    "ltx_TOC",
    "ltx_acknowledgement",
    "ltx_acknowledgements",
    "package-alerts",
    "ltx_tag_item",
)
_SECTION_CLASSES = {
    "ltx_section": 1,
    "ltx_appendix": 1,
    "ltx_subsection": 2,
    "ltx_subsubsection": 3,
}
_NUMBER = re.compile(r"(?:Appendix\s+)?([A-Z]?\d*(?:\.\d+)*[A-Z]?)\s*$")
_TAG_NUMBER = re.compile(r"(?:Table|Figure|Fig\.|Tab\.)?\s*([A-Z]?\d+(?:\.\d+)*)\s*:?\s*$", re.I)


class NoDocument(ValueError):
    """The page holds no LaTeXML document."""


class ConversionFailed(ValueError):
    """arXiv says LaTeXML stopped with a fatal error: the page may be truncated or damaged."""


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _text(el: etree._Element) -> str:
    return " ".join(el.text_content().split())


def _xpath_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _clean(article: etree._Element) -> None:
    """Math as TeX, and everything that is not the paper's own text removed."""
    for math in list(article.iter("math")):
        alt = math.get("alttext") or _text(math)
        span = etree.Element("span")
        span.text = f"${alt}$" if alt else ""
        span.tail = math.tail
        parent = math.getparent()
        if parent is not None:
            parent.replace(math, span)
    for name in _DROP:
        for el in article.xpath(f".//*[{_xpath_class(name)}]"):
            if el.getparent() is not None:
                el.drop_tree()
    for el in article.xpath(".//script | .//style | .//nav | .//button"):
        el.drop_tree()


def _heading(section: etree._Element) -> tuple[str, str]:
    """(number, title) of a LaTeXML section."""
    heading = next(
        (h for h in section if h.tag in ("h1", "h2", "h3", "h4", "h5", "h6")),
        None,
    )
    if heading is None:
        return "", ""
    number = ""
    tags = heading.xpath(f".//span[{_xpath_class('ltx_tag')}]")
    if tags:
        tag_text = _text(tags[0])
        match = _NUMBER.search(tag_text)
        number = match.group(1) if match else ""
        for tag in tags:
            tag.drop_tree()
    return number, _text(heading)


def _owner(el: etree._Element) -> etree._Element | None:
    """The nearest section (of the kinds we number) that holds `el`."""
    parent = el.getparent()
    while parent is not None:
        if parent.tag == "section" and _classes(parent) & _SECTION_CLASSES.keys():
            return parent
        parent = parent.getparent()
    return None


def _in_float(el: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag == "figure" or parent.tag == "figcaption":
            return True
        parent = parent.getparent()
    return False


def _caption(fig: etree._Element) -> tuple[str, str]:
    caption = next(iter(fig.xpath("./figcaption | ./*/figcaption")), None)
    if caption is None:
        return "", ""
    number = ""
    tags = caption.xpath(f".//span[{_xpath_class('ltx_tag')}]")
    if tags:
        match = _TAG_NUMBER.search(_text(tags[0]))
        number = match.group(1) if match else ""
        for tag in tags:
            tag.drop_tree()
    return number, _text(caption).strip(" :")


def parse_html(body: bytes, paper_id: str, version: int) -> Document:
    """The document on a LaTeXML page; NoDocument or ConversionFailed when there is none."""
    if not body.strip():
        raise NoDocument("the page is empty")
    try:
        page = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError) as exc:
        raise NoDocument(f"the page is not HTML ({exc})") from None
    articles = page.xpath(f"//article[{_xpath_class('ltx_document')}]") or page.xpath(
        f"//*[{_xpath_class('ltx_document')}]"
    )
    if not articles:
        raise NoDocument("the page holds no LaTeXML document")
    head = " ".join(page.text_content()[:20000].lower().split())
    if any(marker in head for marker in FATAL_MARKERS):
        raise ConversionFailed("arXiv says LaTeXML stopped with a fatal error")
    article = articles[0]
    title_el = next(iter(article.xpath(f".//*[{_xpath_class('ltx_title_document')}]")), None)
    title = _text(title_el) if title_el is not None else ""
    _clean(article)

    abstract_el = next(iter(article.xpath(f".//*[{_xpath_class('ltx_abstract')}]")), None)
    abstract = ""
    if abstract_el is not None:
        abstract = " ".join(_text(p) for p in abstract_el.xpath(".//p"))
        abstract_el.drop_tree()

    sections: list[Section] = []
    by_element: dict[etree._Element, Section] = {}
    for el in article.iter("section"):
        kinds = _classes(el) & _SECTION_CLASSES.keys()
        if not kinds:
            continue
        kind = next(iter(kinds))
        number, heading = _heading(el)
        section = Section(
            number=number,
            title=heading,
            level=_SECTION_CLASSES[kind],
            anchor=el.get("id") or "",
            appendix=kind == "ltx_appendix" or bool(number[:1].isalpha()),
        )
        sections.append(section)
        by_element[el] = section
    lead = Section(number="", title="", level=1)  # text before the first section

    tables: list[Table] = []
    figures: list[Figure] = []
    for fig in article.iter("figure"):
        classes = _classes(fig)
        holder = by_element.get(_owner(fig))
        where = holder.number if holder is not None else ""
        number, caption = _caption(fig)
        if "ltx_table" in classes:
            rows = [
                [_text(cell) for cell in tr if cell.tag in ("td", "th")]
                for tr in fig.iter("tr")
                if not _classes(tr) & {"ltx_equation", "ltx_eqn_row"}
            ]
            if number or caption or rows:
                tables.append(Table(number, caption, rows, where, fig.get("id") or ""))
        elif "ltx_figure" in classes and (number or caption):
            if _in_float(fig):  # a sub-figure: its parent's caption speaks for it
                continue
            figures.append(Figure(number, caption, where, fig.get("id") or ""))

    for para in article.xpath(f".//*[{_xpath_class('ltx_para')}]"):
        if _in_float(para) or any(
            _classes(a) & {"ltx_para"} for a in para.iterancestors() if a is not None
        ):
            continue
        text = _text(para)
        if not text:
            continue
        holder = by_element.get(_owner(para))
        (holder or lead).paragraphs.append(text)
    if lead.paragraphs:
        sections.insert(0, lead)
    return Document(
        paper_id=paper_id,
        version=version,
        source="html",
        title=title,
        abstract=abstract,
        sections=sections,
        tables=tables,
        figures=figures,
    )
