"""The digest as Markdown, byte for byte in the reference format (docs/reference/format.md).

Text is written as it came: titles keep their LaTeX, abstracts keep their inner newlines. A paper
whose summary failed, or has none yet, shows the standard placeholders. Text from arXiv or a
model is untrusted: a `<` that could open an HTML tag is written `&lt;`, so nothing but the
format's own tags (`<div>`, `<details>`) reaches a Markdown renderer as HTML. Quoted
(extractive) fields in a digest whose language is not English open their TL;DR with a marker in
that language (【摘要原句】), so no reader takes the abstract's sentences for a summary.
"""

from __future__ import annotations

from collections.abc import Mapping

from arxiv_digest.fulltext.records import DeepRead
from arxiv_digest.models import PLACEHOLDERS, Digest, abs_url, quoted_marker
from arxiv_digest.render.deepread import markdown as deep_markdown
from arxiv_digest.render.formats import DayRenderer, RenderOptions
from arxiv_digest.textutil import escape_tags

FOR_YOU = "For you"
FOR_YOU_ANCHOR = "for-you"


def render_markdown(
    digest: Digest,
    *,
    for_you: int = 0,
    threshold: float = 0.0,
    deep_reads: Mapping[str, DeepRead] | None = None,
) -> str:
    """The digest in the reference format. With ranking on, a "For you" list of the top papers
    and their reasons opens it (without ranking the output is exactly the reference format). A
    paper with a deep read gets it in its own block after its details (without deep reads the
    output is exactly the reference format)."""
    deep_reads = deep_reads or {}
    sections = digest.by_section()
    top = digest.for_you(for_you, threshold)
    out: list[str] = ["<div id=toc></div>\n\n# Table of Contents\n\n"]
    if top:
        out.append(f"- [{FOR_YOU}](#{FOR_YOU_ANCHOR}) [Total: {len(top)}]\n")
    out.extend(f"- [{name}](#{name}) [Total: {len(items)}]\n" for name, items in sections)
    out.append("\n\n")
    if top:
        out.append(f"<div id='{FOR_YOU_ANCHOR}'></div>\n\n# {FOR_YOU} [[Back]](#toc)\n\n")
        counts = digest.interest_counts(top)
        if counts:  # several interests: how many papers each brought
            out.append(escape_tags(" · ".join(f"{name} {n}" for name, n in counts)) + "\n\n")
        for entry in top:
            label = f"[{entry.interest}] " if counts and entry.interest else ""
            reasons = escape_tags("; ".join(entry.reasons) or "score")
            out.append(
                f"- {escape_tags(label)}[{escape_tags(entry.paper.title)}]"
                f"({abs_url(entry.paper.id)}) "
                f"({entry.paper.primary_category}, score {entry.score:.2f}): {reasons}\n"
            )
        out.append("\n\n")
    number = 0
    for name, items in sections:
        out.append(f"<div id='{name}'></div>\n\n# {name} [[Back]](#toc)\n\n")
        for entry in items:
            number += 1
            paper = entry.paper
            shown = entry.summary.shown_fields() if entry.summary else dict(PLACEHOLDERS)
            texts = {name: escape_tags(text) for name, text in shown.items()}
            if entry.summary is not None and entry.summary.usable and entry.summary.quoted:
                texts["tldr"] = quoted_marker(digest.language) + texts["tldr"]
            out.append(
                f"### [{number}] [{escape_tags(paper.title)}]({abs_url(paper.id)})\n"
                f"*{escape_tags(','.join(paper.authors))}*\n\n"
                f"Main category: {paper.primary_category}\n\n"
                f"TL;DR: {texts['tldr']}\n\n\n"
                "<details>\n  <summary>Details</summary>\n"
                f"Motivation: {texts['motivation']}\n\n"
                f"Method: {texts['method']}\n\n"
                f"Result: {texts['result']}\n\n"
                f"Conclusion: {texts['conclusion']}\n\n"
                f"Abstract: {escape_tags(paper.abstract)}\n\n"
                "</details>\n\n\n"
            )
            if paper.id in deep_reads:
                out.append(deep_markdown(deep_reads[paper.id]))
    text = "".join(out)
    # The file ends with "</details>" and a single newline.
    return text[:-2] if sections else text.rstrip("\n") + "\n"


class MarkdownRenderer(DayRenderer):
    """One day, byte-exact reference format: OUTPUT_DIR/DATE.md."""

    name = "markdown"

    def text(self, digest: Digest, options: RenderOptions) -> str:
        return render_markdown(
            digest,
            for_you=options.for_you,
            threshold=options.threshold,
            deep_reads=options.deep_reads,
        )

    def filename(self, digest: Digest) -> str:
        return f"{digest.date}.md"
