"""The digest as Markdown, byte for byte in the reference format (notes/design.md).

Text is written as it came: titles keep their LaTeX, abstracts keep their inner newlines. A paper
whose summary failed, or has none yet, shows the standard placeholders.
"""

from __future__ import annotations

from arxiv_digest.models import PLACEHOLDERS, Digest, abs_url


def render_markdown(digest: Digest) -> str:
    sections = digest.by_section()
    out: list[str] = ["<div id=toc></div>\n\n# Table of Contents\n\n"]
    out.extend(f"- [{name}](#{name}) [Total: {len(items)}]\n" for name, items in sections)
    out.append("\n\n")
    number = 0
    for name, items in sections:
        out.append(f"<div id='{name}'></div>\n\n# {name} [[Back]](#toc)\n\n")
        for entry in items:
            number += 1
            paper = entry.paper
            texts = entry.summary.shown_fields() if entry.summary else dict(PLACEHOLDERS)
            out.append(
                f"### [{number}] [{paper.title}]({abs_url(paper.id)})\n"
                f"*{','.join(paper.authors)}*\n\n"
                f"Main category: {paper.primary_category}\n\n"
                f"TL;DR: {texts['tldr']}\n\n\n"
                "<details>\n  <summary>Details</summary>\n"
                f"Motivation: {texts['motivation']}\n\n"
                f"Method: {texts['method']}\n\n"
                f"Result: {texts['result']}\n\n"
                f"Conclusion: {texts['conclusion']}\n\n"
                f"Abstract: {paper.abstract}\n\n"
                "</details>\n\n\n"
            )
    text = "".join(out)
    # The file ends with "</details>" and a single newline.
    return text[:-2] if sections else text.rstrip("\n") + "\n"
