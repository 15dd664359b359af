"""Small text helpers shared by importers, summarizers and checks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from arxiv_digest.models import SummaryFields

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

#: Languages whose text is written mainly in CJK characters.
CJK_LANGUAGES = frozenset({"chinese", "japanese", "korean", "中文", "zh", "ja", "ko"})


def cjk_share(text: str) -> float:
    """Share of letters in `text` that are CJK (0.0 when there are no letters)."""
    letters = _LETTER.findall(text)
    if not letters:
        return 0.0
    return sum(1 for ch in letters if _CJK.match(ch)) / len(letters)


def guess_language(text: str) -> str:
    """A coarse guess, enough to label imported summaries: Chinese when mostly CJK, else English."""
    return "Chinese" if cjk_share(text) >= 0.3 else "English"


def is_cjk_language(language: str) -> bool:
    return language.strip().lower() in CJK_LANGUAGES or language.strip().lower().startswith(
        ("chinese", "japanese", "korean")
    )


def collapse_ws(text: str) -> str:
    return " ".join(text.split())


def cut_at_word(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters at a word boundary, marking the cut with '…'."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:-–—(") + "…"


def language_problem(fields: SummaryFields, language: str) -> str | None:
    """Why the fields are not in `language`, or None when they plausibly are."""
    cjk = is_cjk_language(language)
    for name, text in fields.as_dict().items():
        share = cjk_share(text)
        if (cjk and share < 0.25) or (not cjk and share > 0.05):
            return f"field {name!r} is not written in {language}"
    return None
