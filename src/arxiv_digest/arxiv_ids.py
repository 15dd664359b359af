"""arXiv identifiers (new and old style, with or without a version) and the addresses of a
paper's pages."""

from __future__ import annotations

import re

NEW_ID_PATTERN = r"\d{4}\.\d{4,5}"
OLD_ID_PATTERN = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID_PATTERN = f"{NEW_ID_PATTERN}|{OLD_ID_PATTERN}"
_NEW_ID = re.compile(rf"^({NEW_ID_PATTERN})(?:v(\d+))?$")
_OLD_ID = re.compile(rf"^({OLD_ID_PATTERN})(?:v(\d+))?$")


def split_arxiv_id(raw: str) -> tuple[str, int | None]:
    """Split `2512.21349v2` or `hep-th/9901001v1` into (id, version); version None if absent.

    Accepts an `arXiv:` prefix and `https://arxiv.org/abs/...` URLs. Raises ValueError otherwise.
    """
    text = raw.strip()
    for prefix in ("https://arxiv.org/abs/", "http://arxiv.org/abs/", "arXiv:", "arxiv:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    match = _NEW_ID.match(text) or _OLD_ID.match(text)
    if not match:
        raise ValueError(f"not an arXiv identifier: {raw!r}")
    return match.group(1), int(match.group(2)) if match.group(2) else None


def abs_url(paper_id: str) -> str:
    """The abstract page as the reference Markdown writes it (the id as stored)."""
    return f"https://arxiv.org/abs/{paper_id}"


def arxiv_url(paper_id: str, kind: str = "abs") -> str:
    """https://arxiv.org/abs/ID (or /pdf/ID) for a valid arXiv id; '#' for anything else, so an
    untrusted id can never become a link elsewhere (HTML, feeds, email, chat)."""
    try:
        clean, _ = split_arxiv_id(paper_id)
    except ValueError:
        return "#"
    if clean != paper_id:
        return "#"
    return f"https://arxiv.org/{kind}/{clean}"
