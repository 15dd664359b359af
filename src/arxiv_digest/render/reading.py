"""What a researcher looks for on a paper, pulled out of arXiv's own text for the site:
code and project links, the venue, pages and figures a comment names, a short author list,
and LaTeX as MathML (rendered by the browser itself: no script, no font, nothing fetched).

Everything here reads untrusted text. Links are kept only when they are plain http(s) URLs;
MathML is rebuilt element by element from a short allow-list, so nothing a converter lets
through (a `<script>` inside `\\text{}`, an `href` from `\\href`) reaches the page.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from arxiv_digest.textutil import plain_latex

# -- links ------------------------------------------------------------------------------------

_URL = re.compile(
    r"(?:https?://|(?<![\w./@-])(?=(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co)/))"
    r"[^\s<>\"'`{}|\\^]+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"”’»"
#: Hosts that say "code" or "model/data", in the order a reader wants them.
_KINDS = (
    ("github.com", "GitHub"),
    ("gitlab.com", "GitLab"),
    ("huggingface.co", "Hugging Face"),
    ("codeberg.org", "Codeberg"),
    ("bitbucket.org", "Bitbucket"),
)
#: Links that are not a paper's code or project page.
_NOT_PROJECT = ("arxiv.org", "doi.org", "creativecommons.org", "orcid.org")
LINKS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Link:
    kind: str  # "GitHub", "GitLab", "Hugging Face", ..., or "project"
    url: str


def _clean_url(raw: str) -> str | None:
    url = raw.rstrip(_TRAILING)
    # a closing bracket that belongs to the URL (Wikipedia-style) is kept when balanced
    while url.count("(") > url.count(")") and raw[len(url) : len(url) + 1] == ")":
        url += ")"
    if not url.lower().startswith(("http://", "https://")):
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or "." not in host or parts.username:
        return None
    return url


_HREF = re.compile(r"\\href\{([^{}]*)\}\{[^{}]*\}")


def code_links(*texts: str | None) -> list[Link]:
    """Code, model and project links in an abstract and comment, first seen first, at most
    LINKS_SHOWN, one per URL (a repository named twice counts once). A `\\href{URL}{text}`
    links its URL, never its text."""
    seen: set[str] = set()
    links: list[Link] = []
    for text in texts:
        text = _HREF.sub(lambda m: f" {m.group(1)} ", text or "")
        for match in _URL.finditer(text):
            url = _clean_url(match.group(0))
            if url is None:
                continue
            host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
            key = host + url.lower().split(host, 1)[-1].rstrip("/").removesuffix(".git")
            if key in seen or any(host == h or host.endswith("." + h) for h in _NOT_PROJECT):
                continue
            seen.add(key)
            kind = next((name for h, name in _KINDS if host == h), "project")
            if kind != "project" and urlsplit(url).path.strip("/") == "":
                continue  # "github.com" alone is not this paper's code
            links.append(Link(kind, url))
    # code first, then models and data, then project pages; stable within a kind
    order = [name for _, name in _KINDS] + ["project"]
    links.sort(key=lambda link: order.index(link.kind))
    return links[:LINKS_SHOWN]


# -- the comment: venue, pages, figures ------------------------------------------------------

_COUNT = re.compile(r"\b(\d{1,4})\s*(?:\+\s*\d+\s*)?(pages?|figures?|figs?\.?|tables?)\b", re.I)
_ACCEPTED = re.compile(
    r"\b(?:accepted|to appear|published|presented|appears?|oral|spotlight|poster)\b"
    r"(?:\s+(?:as\s+an?\s+\w+(?:\s+paper)?|paper))?\s+(?:at|to|by|in|for)\s+(?:the\s+)?"
    r"(?P<venue>[^.;\n]+)",
    re.I,
)
_PROCEEDINGS = re.compile(r"\b(?:in\s+)?proceedings\s+of\s+(?:the\s+)?(?P<venue>[^.;\n]+)", re.I)
_ACRONYM_YEAR = re.compile(
    r"\b(?P<name>[A-Z][A-Za-z]*[A-Z][A-Za-z]*(?:[-/ ][A-Z][A-Za-z]*)?)"
    r"\s*'?\s*(?P<year>(?:19|20)\d{2}|'\d{2})\b"
)
_PAREN_VENUE = re.compile(
    r"\(([A-Z][\w'/-]*[A-Z][\w'/-]*)(?:\s*'?((?:19|20)\d{2}))?\)(?:\s*((?:19|20)\d{2}))?"
)
_NOT_VENUE = {"IEEE", "ACM", "LLM", "LLMS", "AI", "GPU", "COVID", "CC", "BY", "MIT", "USA"}
VENUE_MAX = 60


@dataclass(frozen=True, slots=True)
class CommentFacts:
    venue: str | None = None
    pages: int | None = None
    figures: int | None = None
    tables: int | None = None


_WORKSHOP = re.compile(r"\bworkshops?\b", re.I)


def _workshop(text: str, short: str) -> str:
    """A workshop stays a workshop: "Workshop on Foundation Models at ICML 2025" is not "ICML
    2025" (whole when it is short enough, else the conference's name and "Workshop")."""
    word = _WORKSHOP.search(text)
    if word is None or _WORKSHOP.search(short):
        return short
    whole = " ".join(text.split()).strip(" ,:-–—().")
    return whole if len(whole) <= VENUE_MAX else f"{short} {word.group(0)}"


def _short_venue(text: str) -> str:
    return _workshop(text, _venue_name(text))


def _venue_name(text: str) -> str:
    text = text.strip(" ,:-–—()")
    # "... Analysis (ISSTA 2020)" -> "ISSTA 2020"; "(ICST) 2023" -> "ICST 2023"
    paren = re.search(
        r"\(([A-Z][\w'/-]*[A-Z][\w'/-]*)(?:\s*'?((?:19|20)\d{2}))?\)(?:\s*((?:19|20)\d{2}))?", text
    )
    if paren:
        year = paren.group(2) or paren.group(3)
        return f"{paren.group(1)} {year}" if year else paren.group(1)
    named = _acronym_year(text)
    if named:
        return named
    text = re.split(r",\s*(?:\d|pages|vol)", text, maxsplit=1)[0]
    return text if len(text) <= VENUE_MAX else text[: VENUE_MAX - 1].rstrip() + "…"


def _acronym_year(text: str) -> str | None:
    for m in _ACRONYM_YEAR.finditer(text):
        name = m.group("name")
        if name.upper() in _NOT_VENUE or len(name) < 2:
            continue
        return f"{name} {m.group('year')}"
    return None


def comment_facts(comment: str | None, journal_ref: str | None = None) -> CommentFacts:
    """Venue, pages, figures and tables as an arXiv comment (or journal reference) states them;
    None for what it does not say. The venue is taken only from wording that names one
    ("accepted at", "to appear in", "proceedings of", "NeurIPS 2025"), never guessed."""
    text = " ".join((comment or "").split())
    counts: dict[str, int] = {}
    for number, unit in _COUNT.findall(text):
        key = {"p": "pages", "f": "figures", "t": "tables"}[unit[0].lower()]
        counts.setdefault(key, int(number))
    venue: str | None = None
    match = _ACCEPTED.search(text) or _PROCEEDINGS.search(text)
    if match:
        venue = _short_venue(match.group("venue"))
    elif journal_ref:
        venue = _short_venue(" ".join(journal_ref.split()))
    else:
        without_counts = _COUNT.sub("", text)
        venue = _acronym_year(without_counts)
        if venue is not None:
            venue = _workshop(without_counts, venue)
        if venue is None and re.search(r"\bworkshop\b", text, re.I) and len(text) <= VENUE_MAX:
            venue = text.strip(" .")
    return CommentFacts(
        venue=venue or None,
        pages=counts.get("pages"),
        figures=counts.get("figures"),
        tables=counts.get("tables"),
    )


# -- authors ----------------------------------------------------------------------------------

AUTHORS_SHOWN = 4


def short_authors(authors: tuple[str, ...], shown: int = AUTHORS_SHOWN) -> tuple[str, str, int]:
    """(the first authors, the rest, how many the rest are): a list of 359 names shows the
    first four and "+355", the rest one click away. A list one longer than `shown` is shown
    whole: "+1" saves nothing."""
    if len(authors) <= shown + 1:
        return ", ".join(authors), "", 0
    return ", ".join(authors[:shown]), ", ".join(authors[shown:]), len(authors) - shown


# -- LaTeX ------------------------------------------------------------------------------------

#: `$...$` (not `\$`, not `$$`), at most 300 characters, holding a TeX command, a script or
#: a brace (so "$5 and $10" stays text).
_INLINE_MATH = re.compile(
    r"(?<!\\)\$\$(?P<display>[^$]{1,500}?)\$\$"  # $$...$$, shown inline like the rest
    r"|(?<![\\$])\$(?!\$)(?P<tex>[^$]{1,300}?)(?<![\\\s])\$(?!\$)"
    r"|\\\((?P<paren>[^$]{1,300}?)\\\)"  # \(...\), LaTeX's own inline math
)
_TEX_SIGNAL = re.compile(r"[\\^_{}]")
_PROSE = re.compile(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}")
_MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"
_ELEMENTS = frozenset(
    "math mrow mi mn mo ms mtext mspace msup msub msubsup mfrac msqrt mroot munder mover "
    "munderover mtable mtr mtd mstyle mpadded mphantom menclose semantics annotation".split()
)
_ATTRIBUTES = frozenset(
    "display mathvariant stretchy fence separator lspace rspace accent accentunder "
    "movablelimits largeop symmetric columnalign rowspacing columnspacing minsize maxsize "
    "linethickness displaystyle scriptlevel notation width height depth form".split()
)
_ATTRIBUTE_VALUE = re.compile(r"^[\w.#%+ -]{0,40}$")


class _Unsafe(ValueError):
    pass


#: MathML as data: [tag, {attribute: value}, [child, ...]], a child being text or a node.
#: The day page's lazily loaded abstracts carry it as JSON and build it with createElementNS.
MathNode = list[Any]


def _tree(node: ET.Element, tex: str = "") -> MathNode:
    tag = node.tag.removeprefix(_MATHML_NS)
    if tag not in _ELEMENTS:
        raise _Unsafe(tag)
    attrs = {
        name: value
        for name, value in sorted(node.attrib.items())
        if name in _ATTRIBUTES and _ATTRIBUTE_VALUE.match(value)
    }
    if tag == "math":
        attrs = {"alttext": tex, "display": "inline"}
    children: list[Any] = [node.text] if node.text else []
    for child in node:
        children.append(_tree(child))
        if child.tail:
            children.append(child.tail)
    return [tag, attrs, children]


def _html(tree: MathNode | str) -> str:
    if isinstance(tree, str):
        return escape(tree, quote=False)
    tag, attrs, children = tree
    said = "".join(f' {name}="{escape(value)}"' for name, value in attrs.items())
    return f"<{tag}{said}>{''.join(_html(c) for c in children)}</{tag}>"


@functools.lru_cache(maxsize=4096)
def _tex_tree(tex: str) -> MathNode | None:
    from latex2mathml.converter import convert

    try:
        return _tree(ET.fromstring(convert(tex)), tex)
    except Exception:  # noqa: BLE001 - any failure of a third-party parser: show the TeX
        return None


def tex_to_mathml(tex: str) -> str | None:
    """Inline TeX as MathML built only from allowed elements and attributes; None when the
    converter cannot read it or gives anything else (the TeX is then shown as written)."""
    tree = _tex_tree(tex)
    return None if tree is None else _html(tree)


def math_segments(text: str | None) -> list[str | MathNode]:
    """`text` as plain strings and MathML trees, in order. Text-mode LaTeX outside math is made
    plain (`plain_latex`: \\textbf{X} reads X, an unknown \\macro{} its name), and math the
    converter cannot read is shown as its plain text, never as raw TeX between dollars."""
    out: list[str | MathNode] = []
    at = 0
    for match in _INLINE_MATH.finditer(text or ""):
        tex = (match.group("tex") or match.group("display") or match.group("paren")).strip()
        if (
            match.group("tex")
            and not _TEX_SIGNAL.search(tex)
            and (len(tex) > 30 or _PROSE.search(tex))
        ):
            continue  # "$5 and $10", not math
        tree = _tex_tree(tex)
        if match.start() > at:
            out += _bare_tex(text[at : match.start()])  # type: ignore[index]
        out.append(tree if tree is not None else _plain_math(tex))
        at = match.end()
    if text and at < len(text):
        out += _bare_tex(text[at:])
    return out


#: A run of ASCII math characters outside dollars, and what makes it TeX: a script on a
#: one-letter base (`V_T`, `H_{2,T}`, `x^2`), on a closing bracket, or a braced power of a
#: number (`10^{-15}`); `snake_case`, `function_graph` or `Qwen2.5_7B` stay text.
_BARE_RUN = re.compile(r"[A-Za-z0-9+\-*/=<>()\[\]{}_^,.|'\\]+")
_BARE_SCRIPT = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z][_^](?:\{|[A-Za-z0-9])|[)\]}][_^](?:\{|[A-Za-z0-9])|\d\^\{"
)


def _bare_tex(text: str) -> list[str | MathNode]:
    """Plain text with TeX-looking runs outside dollars (`O(1+V_T+H_{2,T})`, `p<10^{-15}`) as
    MathML; URLs and runs the converter cannot read stay text."""
    if "_" not in text and "^" not in text:
        return [_plain_text(text)]
    urls = [m.span() for m in _URL.finditer(text)]
    out: list[str | MathNode] = []
    at = 0
    for match in _BARE_RUN.finditer(text):
        start, end = match.span()
        run = match.group()
        while run and (run[-1] in ".,;:\\" or (run[-1] == ")" and run.count("(") < run.count(")"))):
            run, end = run[:-1], end - 1
        while run and (run[0] in "_^" or (run[0] == "(" and run.count("(") > run.count(")"))):
            run, start = run[1:], start + 1
        if (
            not _BARE_SCRIPT.search(run)
            or run.count("{") != run.count("}")
            or "__" in run
            or any(a < end and start < b for a, b in urls)
        ):
            continue
        tree = _tex_tree(run)
        if tree is None:
            continue
        if start > at:
            out.append(_plain_text(text[at:start]))
        out.append(tree)
        at = end
    if at < len(text):
        out.append(_plain_text(text[at:]))
    return out


#: "$\\textit{near} $": a word set in math only to be styled (the converter leaves it)
_STYLED_WORD = re.compile(r"\$\s*\\(?:text\w*|emph|mathrm|mathit|mathbf)\{([^{}$]*)\}\s*\$")


def _plain_text(text: str) -> str:
    return plain_latex(_STYLED_WORD.sub(r"\1", text))


def _plain_math(tex: str) -> str:
    """Math the converter cannot read, as plain text: "\\textit{near}" reads "near"."""
    return " ".join(plain_latex(tex).replace("{", "").replace("}", "").split())


def with_math(text: str | None) -> Markup:
    """`text` escaped for HTML, its inline `$...$` TeX rendered as MathML."""
    return Markup("".join(_html(part) for part in math_segments(text)))
