"""Counts of things, and the numbers a summary may derive from the paper's.

A Chinese summary often counts what the abstract lists without a number: "primary, secondary,
and tertiary sectors" becomes 三大部门, "ViT, DeiT, DINO, and Swin Transformer" becomes 四种架构,
"we first ..., then ..., finally ..." becomes 三种变体, "GPT-4.1 and five other LLMs" becomes
六种LLM. Such a count is no invention. It is accepted when the summary itself lists that many
things beside it, or when the paper holds a list, an enumeration or a sequence of that length.
A count of two is always accepted: two of something (X and Y, dual, both) is in nearly every
abstract, and no reader is misled by it.

A figure the abstract does not state but that follows from two of its figures (a sum, a
difference, a ratio, an F1 from a precision and a recall) is a derivation, not an invention:
it earns an editor's hint, never a reader's warning.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations

from arxiv_digest.check.numbers import Known, Mention, mentions

#: a list's separators in Chinese: 、 ， ； and the words for "and"
_CN_ITEM_SEP = re.compile(r"[、，,；;]|以及|及|和|与|或")
_CN_MARKERS = re.compile(
    r"(?:^|[\s；;：:。，,(（])\(?(\d{1,2})[)）、.]|[（(]([1-9])[)）]|([一二三四五六七八九])是"
)
_CLAUSE_END = re.compile(r"[。；;]")


def _items(text: str) -> int:
    parts = [p for p in _CN_ITEM_SEP.split(text) if p.strip(" ：:（）()")]
    return len(parts)


def listed_in_summary(text: str, mention: Mention) -> bool:
    """Does the summary show the count by listing: "三个阶段：1）… 2）… 3）…", "无、低、高三种",
    "五种方法（模糊化、噪声化、降采样、橡皮筋模型和虹膜风格迁移）", "三个关键限制：A，B，以及C"?"""
    value = int(mention.value)
    if mention.value != value or not 2 <= value <= 12:
        return False
    markers = {int(m) for group in _CN_MARKERS.findall(text) for m in group if m.isdigit()}
    markers |= {"一二三四五六七八九".index(m) + 1 for _, _, m in _CN_MARKERS.findall(text) if m}
    if set(range(1, value + 1)) <= markers:
        return True
    before = re.split(r"[，。；：,;:（(]", text[: mention.start])[-1]
    if _items(before) == value:
        return True
    after = text[mention.start + len(mention.text) :]
    opened = re.match(r"[^：:（(，,。]{0,16}[：:（(]", after)
    if opened:
        inner = after[opened.end() :]
        closing = re.search(r"[)）]" if opened.group(0)[-1] in "（(" else r"[。；;]", inner)
        span = inner[: closing.start()] if closing else inner
        span = re.sub(r"[（(][^）)]*[）)]", "", span)  # glosses: 前提（prerequisite）
        if _items(span) == value:
            return True
    return False


# -- the paper's side ----------------------------------------------------------------------

#: where a list cannot run on: a sentence's end, a colon, a semicolon, a spaced dash
_PIECE = re.compile(r"\n\s*\n|(?<=[.!?])\s+|[;:]\s+|\s+[-–—]{1,2}\s+|—")
#: an introductory phrase set off by a comma before the sentence (and its list) begins
_INTRODUCTORY = re.compile(
    r"\s*(?:through|in|with|by|for|to|using|based on|unlike|moreover|furthermore|additionally|"
    r"however|specifically|finally|first(?:ly)?|second(?:ly)?|then|here|thus|therefore|overall|"
    r"notably|importantly|meanwhile|besides|also|instead|consequently|hence|on|at|from|under|"
    r"across|via|beyond|despite|while|although|when|given|compared|inspired|motivated|"
    r"building|leveraging|as a result|in addition|to this end)\b",
    re.IGNORECASE,
)
_PARENTHESES = re.compile(r"\([^()]*\)")
#: the words that open a list inside a longer first piece ("tasks, including A, B, and C")
_LEAD_IN = re.compile(
    r"\b(?:including|includes|include|such as|namely|e\.g\.|i\.e\.|like|spanning|covering|"
    r"comprising|consisting of)\b",
    re.IGNORECASE,
)
#: an enumeration: (i) (ii) (iii), (1) (2) (3), 1) 2) 3)
_ENUM = re.compile(r"\((i{1,3}|iv|vi{0,3}|ix|x|[1-9])\)|(?<![\w.])([1-9])\)")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}
_SEQUENCE = re.compile(
    r"\b(first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|then|next|finally|lastly|"
    r"subsequently|afterwards|followed by)\b",
    re.IGNORECASE,
)
_OTHERS = re.compile(
    r"\band\s+(one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?:other|more|"
    r"additional|further)\b",
    re.IGNORECASE,
)
_SMALL = {
    w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())
}
#: an item of a list: a few words, no clause of its own
_ITEM = r"(?!\s*(?:and|or)\s)[^,;:.()]{1,60}?"
_LIST = re.compile(
    rf"(?:{_ITEM},\s+)+{_ITEM},?\s+(?:and|or|as well as|and/or)\s+{_ITEM}"
    r"(?=[,;:.()]|\s+(?:to|for|in|on|with|that|which|across|from|as|into|by|are|is|were|was|"
    r"within|while|under|at)\b|$)",
    re.IGNORECASE,
)


def _list_sizes(piece: str) -> set[int]:
    sizes = set()
    for match in _LIST.finditer(" ".join(_PARENTHESES.sub("", piece).split())):
        parts = match.group(0).split(",")
        last = re.search(r"\s(?:and|or|as well as|and/or)\s", parts[-1], re.IGNORECASE)
        count = len(parts) + (
            1
            if last
            and not parts[-1].lstrip().lower().startswith(("and ", "or ", "as well as ", "and/or "))
            else 0
        )
        lead = [i for i, part in enumerate(parts[:-1]) if _LEAD_IN.search(part)]
        if lead:
            count -= lead[-1]
        elif _INTRODUCTORY.match(parts[0]):  # "Through multi-task learning, ..., A, B, and C"
            count -= 1
        sizes.add(count)
    return sizes


@lru_cache(maxsize=256)  # every count of a summary asks about the same paper
def paper_counts(source: str) -> frozenset[int]:
    """The counts the paper supports: the whole numbers it states as such (not inside a name,
    a scale or a percentage: "7B" says nothing of seven modules) and the lengths of the lists,
    enumerations and sequences it holds."""
    sizes = {
        int(m.value)
        for m in mentions(source, liberal=True)
        if m.unit == 1.0 and not m.named and not m.readings[0][1] and m.value == int(m.value)
    }
    for piece in _PIECE.split(source):
        sizes |= _list_sizes(piece)
    enum = [m.group(1) or m.group(2) for m in _ENUM.finditer(source)]
    values = [int(e) if e.isdigit() else _ROMAN.get(e, 0) for e in enum]
    if values:
        sizes.add(max(values))
    sequence = _SEQUENCE.findall(source)
    if sequence and sequence[0].lower().startswith("first"):
        sizes.add(len(sequence))
    for match in _OTHERS.finditer(source):
        word = match.group(1).lower()
        sizes.add((int(word) if word.isdigit() else _SMALL[word]) + 1)
    return frozenset(sizes)


def counted(text: str, mention: Mention, source: str) -> bool:
    """Is this count of things one the paper states, or one the summary or the paper shows by
    listing? (A count is judged by these alone, not by every reading of the paper's figures.)"""
    value = mention.value
    if value == 2:
        return True
    if listed_in_summary(text, mention):
        return True
    return value == int(value) and int(value) in paper_counts(source)


def derived(mention: Mention, known: Known) -> str | None:
    """How a figure follows from two of the paper's (a sum, a difference, an F1), or
    None. Only for figures written with decimals, percentages and values of 100 or more: small
    whole numbers can be made from almost any two. A figure that is a paper's figure times a
    power of ten is a scale mistake (7.6 billion written 7.6亿), never a derivation."""
    value, is_pct = mention.readings[0]
    if mention.count or not (mention.decimals or is_pct or value >= 100):
        return None
    tolerance = mention.unit * (1.0 if mention.approx else 0.5) + 1e-9
    values = sorted({round(v, 6) for v, _ in known.values if v > 0})[:60]
    for v in values:
        for k in (-4, -3, -2, -1, 1, 2, 3, 4):
            if abs(v * 10.0**k - value) <= tolerance:
                return None
    for a, b in combinations(values, 2):
        if max(a, b) > 100 * min(a, b):
            continue  # figures of different things: 3 datasets and 20,000 images
        options = [(a + b, f"{a:g} + {b:g}"), (abs(a - b), f"{max(a, b):g} - {min(a, b):g}")]
        if is_pct or max(a, b) <= 100:
            options.append((2 * a * b / (a + b), f"the F1 of {a:g} and {b:g}"))
        for result, how in options:
            if abs(result - value) <= tolerance or (
                is_pct and abs(result - value / 100) <= tolerance / 100
            ):
                return how
    return None
