"""The kinds of warning the checks raise: one list, with what each says to a reader.

A warning is stored as one line, `kind: field: what is wrong: “the offending text”`. Each kind
says whether it is about content (the summary may be wrong) or an editor's note (style: a long
TL;DR, two fields alike, a figure the abstract only implies), and whether readers are shown it.

A kind is shown to readers (site, feeds, email, chat) only when its precision, judged by hand on
real summaries (`python bench/quality.py`: every warning raised on twelve days of
daily-arXiv-ai-enhanced's output, judged against the abstract in
`bench/quality_judged.json`), is at least 90%. The others stay in `arxiv-digest check`, marked
as hints. `tests/check/test_kinds.py` renders every kind in every language, in every output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The languages the reader's words exist in (the site's UI languages).
LANGUAGES = ("en", "zh")


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of warning: its name, whether it concerns content and whether readers see it,
    and its reader's sentence per language (`{field}` is the field's name, `{x}` the detail)."""

    name: str
    content: bool
    shown: bool
    texts: dict[str, str] = field(default_factory=dict)


_ALL = (
    Kind(
        "number",
        content=True,
        shown=True,
        texts={
            "en": "{field}: {x} does not appear in the title or abstract",
            "zh": "{field}：数字 {x} 在标题和摘要中找不到",
        },
    ),
    Kind(
        "swap",
        content=True,
        shown=False,
        texts={
            "en": "{field}: the figures {x} may be exchanged",
            "zh": "{field}：数字 {x} 可能互换了",
        },
    ),
    Kind(
        "copy",
        content=True,
        shown=False,
        texts={
            "en": "{field}: copied from the abstract, not summarized",
            "zh": "{field}：直接照抄了英文摘要",
        },
    ),
    Kind(
        "english",
        content=True,
        shown=False,
        texts={
            "en": "{field}: contains an untranslated English sentence",
            "zh": "{field}：夹有未翻译的英文句子",
        },
    ),
    Kind(
        "truncated",
        content=True,
        shown=False,
        texts={"en": "{field}: stops mid-sentence", "zh": "{field}：句子在中途断开"},
    ),
    Kind(
        "placeholder",
        content=True,
        shown=False,
        texts={"en": "{field}: holds no real content", "zh": "{field}：没有实际内容"},
    ),
    Kind(
        "mismatch",
        content=True,
        shown=False,
        texts={
            "en": "{field} may describe another paper",
            "zh": "{field}可能描述的是另一篇论文",
        },
    ),
    Kind(
        "language",
        content=True,
        shown=True,
        texts={
            "en": "{field}: not written in the summary's language",
            "zh": "{field}：不是用摘要语言写的",
        },
    ),
    Kind(
        "derived",
        content=False,
        shown=False,
        texts={
            "en": "{field}: {x} is not stated; it follows from the abstract's figures",
            "zh": "{field}：{x} 摘要中没有直接给出，由摘要中的数字推算而来",
        },
    ),
    Kind(
        "repeat",
        content=False,
        shown=False,
        texts={"en": "{field} repeats {x}", "zh": "{field}与{x}重复"},
    ),
    Kind(
        "tldr-length",
        content=False,
        shown=False,
        texts={"en": "{field}: longer than a TL;DR should be", "zh": "{field}：篇幅超出要点的长度"},
    ),
)

KIND: dict[str, Kind] = {kind.name: kind for kind in _ALL}
KINDS: tuple[str, ...] = tuple(KIND)
#: Kinds that say the summary may be wrong (the others are editor's notes).
CONTENT_KINDS = frozenset(k.name for k in _ALL if k.content)
#: Kinds a reader is shown; every other kind is a hint in `arxiv-digest check`.
READER_KINDS = frozenset(k.name for k in _ALL if k.shown)


def kind_of(warning: str) -> str:
    """The kind a stored warning line names."""
    return warning.split(":", 1)[0]
