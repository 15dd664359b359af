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
#: What the site, the feed and the email call the parts, in the reader's language (the
#: Markdown keeps the reference format's English labels).
LABELS: dict[str, dict[str, str]] = {
    "en": {"title": "Deep read", **PART_LABELS},
    "zh": {
        "title": "全文精读",
        "results": "主要结果",
        "setup": "实验设置",
        "method": "方法细节",
        "limitations": "局限",
        "faq": "常见问题",
    },
}
_WARNINGS = {
    "zh": (
        (re.compile(r"number: (.+) is not in the paper"), "数字 {} 在论文中找不到"),
        (re.compile(r"place: (.+) is not in the paper"), "论文中没有 {}"),
        (re.compile(r"unsourced: .*"), "未注明出处"),
    )
}


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


def warning_text(warning: str, lang: str) -> str:
    """A check's warning in the reader's language."""
    for pattern, said in _WARNINGS.get(lang, ()):
        match = pattern.fullmatch(warning)
        if match:
            return said.format(*match.groups())
    return warning


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


def lines(read: DeepRead, lang: str = "en", *, limit: int = 3) -> list[str]:
    """Plain lines for email and Slack: the key results and limitations, `limit` each."""
    found: list[str] = []
    said = labels(lang)
    for part in ("results", "limitations"):
        for s in (read.parts.get(part) or [])[:limit]:
            marks = "".join(f" (⚠ {warning_text(w, lang)})" for w in s.warnings)
            found.append(f"{said[part]}: {s.text}{_where(s)}{marks}")
    return found


def html(read: DeepRead, lang: str = "en") -> Markup:
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
                Markup(" <span class=dr-warn>⚠ {}</span>").format(warning_text(w, lang))
                for w in s.warnings
            )
            if s.question:
                body = Markup("<b>{}</b> {}").format(s.question, s.text)
            else:
                body = escape(s.text)
            rows.append(Markup("<li>{}{}{}</li>").format(body, where, warn))
        parts.append(
            Markup("<h4>{}</h4><ul>{}</ul>").format(labels(lang)[part], Markup("").join(rows))
        )
    return Markup('<section class="deep"><h3>{}</h3>{}</section>').format(
        labels(lang)["title"], Markup("").join(parts)
    )
