"""How a deep read shows in each output: the Markdown block after a paper's details, the site's
section, and the lines of the feed, the email and Slack. Every statement keeps its places, and
on the site and in the feed each place links to arXiv's HTML at that section or table. A
statement the checks doubt carries its warning; nothing is shown as fact that failed a check
without saying so."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from arxiv_digest.fulltext.records import PART_LABELS, PARTS, DeepRead, Statement
from arxiv_digest.textutil import escape_tags

if TYPE_CHECKING:
    from arxiv_digest.models import Digest
    from arxiv_digest.store import Store

HTML_BASE = "https://arxiv.org/html"
_SECTION = re.compile(r"§([A-Z]|\d+)((?:\.\d+)*)$")


def for_digest(store: Store, digest: Digest) -> dict[str, DeepRead]:
    """The deep reads of a day's papers, in the digest's language."""
    pairs = [(e.paper.id, e.paper.version) for e in digest.entries]
    return store.deep_reads.latest(pairs, digest.language)


def anchor_of(place: str, read: DeepRead) -> str:
    """The id of `place` in arXiv's HTML: as the source said, else as LaTeXML names sections
    (§4.2 -> S4.SS2, §A.1 -> A1.SS1); "" when it cannot be known (a table from a PDF)."""
    if place in read.anchors:
        return read.anchors[place]
    match = _SECTION.match(place)
    if not match:
        return ""
    head, rest = match.group(1), [n for n in match.group(2).split(".") if n]
    top = f"A{ord(head) - 64}" if head.isalpha() else f"S{head}"
    return ".".join([top, *(f"{'S' * (i + 2)}{n}" for i, n in enumerate(rest))])


def place_url(read: DeepRead, place: str) -> str:
    anchor = anchor_of(place, read)
    base = f"{HTML_BASE}/{read.paper_id}v{read.version}"
    return f"{base}#{anchor}" if anchor else base


def _where(s: Statement) -> str:
    return f" ({', '.join(s.where)})" if s.where else ""


def markdown(read: DeepRead) -> str:
    """The Markdown block that follows a paper's details."""
    out = ["<details>\n  <summary>Deep read</summary>\n"]
    for part in (*PARTS, "faq"):
        items = read.parts.get(part) or []
        if not items:
            continue
        out.append(f"{PART_LABELS[part]}:\n")
        for s in items:
            text = escape_tags(s.text)
            line = f"- Q: {escape_tags(s.question)} A: {text}" if s.question else f"- {text}"
            out.append(f"{line}{escape_tags(_where(s))}\n")
            out.extend(f"  - ⚠ {escape_tags(w)}\n" for w in s.warnings)
        out.append("\n")
    out.append("</details>\n\n\n")
    return "".join(out)


def lines(read: DeepRead, *, limit: int = 3) -> list[str]:
    """Plain lines for email and Slack: the key results and limitations, `limit` each."""
    found: list[str] = []
    for part in ("results", "limitations"):
        for s in (read.parts.get(part) or [])[:limit]:
            mark = " (⚠ unchecked)" if s.warnings else ""
            found.append(f"{PART_LABELS[part]}: {s.text}{_where(s)}{mark}")
    return found


def html(read: DeepRead) -> Markup:
    """The deep read as HTML (every text escaped), for the site, the feed and the email."""
    parts = []
    for part in (*PARTS, "faq"):
        items = read.parts.get(part) or []
        if not items:
            continue
        rows = []
        for s in items:
            links = Markup(", ").join(
                Markup('<a href="{}">{}</a>').format(place_url(read, p), p) for p in s.where
            )
            where = Markup(" <span class=dr-where>({})</span>").format(links) if s.where else ""
            warn = Markup("").join(
                Markup(" <span class=dr-warn>⚠ {}</span>").format(w) for w in s.warnings
            )
            if s.question:
                body = Markup("<b>{}</b> {}").format(s.question, s.text)
            else:
                body = escape(s.text)
            rows.append(Markup("<li>{}{}{}</li>").format(body, where, warn))
        parts.append(
            Markup("<h4>{}</h4><ul>{}</ul>").format(PART_LABELS[part], Markup("").join(rows))
        )
    return Markup('<section class="deep"><h3>Deep read</h3>{}</section>').format(
        Markup("").join(parts)
    )
