"""Numbers as written in summaries and abstracts, read the same way on both sides.

A summary's number is checked against every number of the paper's title, abstract and comment.
The two sides are read differently on purpose: the paper's side is read liberally (every digit
run, with and without its scale, number words, 2D and GPT-4 included), the summary's side
conservatively (digits inside names such as GPT-4o, F1, 3D or Qwen2.5 are not claims; neither
are list markers or months). So a summary is only blamed for a number the paper cannot account
for under any reading.

Forms understood: 1,234 / 1 234 / 60{,}000 / 60\\,000; 1.5M, 7B, 10k; 48.9万, 3万亿, 70亿; English
number words (fourteen, one million, ninefold, twenty-five); Chinese numerals before a measure word
(三个, 十二种, 第三); percentages (12% = 0.12, but never 1200%); multipliers (3.5x, 3.5×, 3.5倍);
LaTeX around numbers ($\\approx 94$, \\pm3.5, 50\\%); rounding (96.62 may be written 96.6 or 97,
but 96.6 never 97.0).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

#: a number's value and whether it was written as a percentage
Value = tuple[float, bool]

_SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "m": 1e6,
    "B": 1e9,
    "b": 1e9,
    "T": 1e12,
    "bn": 1e9,
    "mn": 1e6,
    "千": 1e3,
    "万": 1e4,
    "十万": 1e5,
    "百万": 1e6,
    "千万": 1e7,
    "亿": 1e8,
    "十亿": 1e9,
    "百亿": 1e10,
    "千亿": 1e11,
    "万亿": 1e12,
}
_ATTACHED_SCALE = "万亿|十亿|百亿|千亿|十万|百万|千万|千|万|亿|(?:bn|mn|[kKMmBbT])(?![A-Za-z])"
_NUMBER = re.compile(
    r"(?P<pre>[A-Za-z][\w]*-|[A-Za-z_])?"  # part of a name: GPT-4, F1, x86
    r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[ \u2009\u202f\u00a0]\d{3})+(?!\d)"
    r"|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<scale>" + _ATTACHED_SCALE + r"|\s(?:thousand|million|billion|trillion)\b)?"
    r"(?P<after>\s?(?:%|％|percent\b|个?百分点|pp\b|percentage points?)|[A-Za-z]+)?"
)

_UNIT = re.compile(
    r"(?:[kmgt]?b|[mµn]?s|mb|gb|tb|ghz|mhz|hz|px|gpus?|hours?|h|km|cm|mm|nm|kg|w|kw|tokens?)"
)

_EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "twelfth": 12,
    "twentieth": 20,
    "hundredth": 100,
}
_EN_OTHER = {
    "single": 1,
    "double": 2,
    "twice": 2,
    "triple": 3,
    "quadruple": 4,
    "half": 0.5,
    "quarter": 0.25,
    "dozen": 12,
    "dozens": 12,
    "hundred": 100,
    "hundreds": 100,
    "thousand": 1e3,
    "thousands": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "pair": 2,
    "both": 2,
}
_EN_WORD = "|".join(sorted([*_EN_UNITS, *_EN_TENS], key=len, reverse=True))
_EN_PHRASE = re.compile(
    rf"\b(?P<words>(?:{_EN_WORD})(?:[\s-](?:{_EN_WORD}))*)"
    r"(?P<mult>(?:[\s-](?:hundred|thousand|million|billion|trillion))*)"
    r"(?P<fold>-?fold)?\b",
    re.IGNORECASE,
)
_EN_FOLD = re.compile(rf"\b({_EN_WORD}|hundred|thousand)fold\b", re.IGNORECASE)
_EN_SINGLE = re.compile(
    r"\b(" + "|".join([*_EN_ORDINALS, *_EN_OTHER]) + r")\b",
    re.IGNORECASE,
)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 1e4, "亿": 1e8}
_CN_MEASURE = (
    "个|种|项|类|倍|层|步|篇|名|位|组|条|轮|阶段|方面|部分|款|家|份|域|模块|大类|大|"
    "任务|数据集|基准|模型|方法|维度|场景|语言|领域|指标|变体|样本|家族|族|章|节|点|例|年|周|天|小时|分钟|秒"
)
_CN_NUMBER = re.compile(
    r"(?<![\d.])(?P<pre>第|[数几多若])?(?P<num>[零〇一二两三四五六七八九十百千万亿]+)(?P<post>余|多|几)?"
    rf"(?=(?:{_CN_MEASURE}))"
)

_LATEX_NUM = [
    (re.compile(r"\{,\}"), ","),
    (re.compile(r"(?<=\d)\\[,;!]\s?(?=\d{3})"), ""),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\\times|\\cdot"), "×"),
    (re.compile(r"\\[A-Za-z]+"), " "),  # \approx94, \pm3.5, \mathrm{...}
    (re.compile(r"[${}~]"), " "),
]
_LIST_MARKER = re.compile(
    r"(?:^|(?<=[\n;；:：。，,(（]))\s*\(?\d{1,2}(?:[)）、]|\.(?=\s))", re.MULTILINE
)
_MONTHS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s+(\d{4})\b"
)
_MONTH_NUMBER = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november "
        "december".split()
    )
}


_POWER = re.compile(r"\b(10)\s*\^\s*\{?\s*(-?\d{1,2})\s*\}?")  # 10^3, 10^{-4}
_INDEX = re.compile(r"[\u2070-\u209f\u00b2\u00b3\u00b9]")  # α₁, K²: indices, not numbers
_ROMAN = re.compile(r"\((i{1,3}|iv|v|vi{1,3}|ix|x)\)")
_ROMAN_VALUE = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8}
_ROMAN_VALUE.update({"ix": 9, "x": 10})


_WORD = re.compile(r"[a-z]+")
_EN_NUMBER_WORDS = frozenset([*_EN_UNITS, *_EN_TENS])
_EN_SINGLE_WORDS = frozenset([*_EN_ORDINALS, *_EN_OTHER])
_MONTH_WORDS = frozenset(
    [*_MONTH_NUMBER, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct"]
    + ["nov", "dec"]
)
_CN_CHARS = frozenset("零〇一二两三四五六七八九十百千万亿")
_LATEX_MARKS = frozenset("\\${}~")


def normalize(text: str) -> str:
    """Full-width forms folded (１２％ -> 12%) and LaTeX around numbers removed."""
    text = unicodedata.normalize("NFKC", _INDEX.sub(" ", text))
    if "^" in text:
        text = _POWER.sub(lambda m: f"{float(m.group(1)) ** int(m.group(2)):g}", text)
    if not _LATEX_MARKS.isdisjoint(text):  # each LaTeX pattern needs one of these characters
        for pattern, repl in _LATEX_NUM:
            text = pattern.sub(repl, text)
    return text


@dataclass(frozen=True, slots=True)
class Mention:
    """A number as written in the text: where it is, its readings, and its decimals."""

    text: str
    start: int
    readings: tuple[Value, ...]
    decimals: int


def _cn_value(run: str) -> float | None:
    total, section, digit = 0.0, 0.0, None
    for ch in run:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch in _CN_BIG:
            total = (total + section + (digit or 0)) * _CN_BIG[ch]
            section, digit = 0.0, None
        else:
            return None
    return total + section + (digit or 0)


def _en_phrase_value(words: str, mult: str) -> float:
    value, current = 0.0, 0.0
    for word in re.split(r"[\s-]+", words.lower()):
        current += _EN_UNITS.get(word, _EN_TENS.get(word, 0))
    for word in re.split(r"[\s-]+", mult.lower().strip(" -")):
        if word == "hundred":
            current *= 100
        elif word in ("thousand", "million", "billion", "trillion"):
            value += current * _SCALES[word]
            current = 0.0
    return value + current


_DIGIT = re.compile(r"\d")


def _number_matches(text: str) -> Iterator[re.Match[str]]:
    """`_NUMBER.finditer(text)`, the same matches, without trying the regex at every letter of
    the text: a match's head (its name part up to the first digit) holds only word characters,
    dots and hyphens, so the search for the next match may start at the head run of the next
    digit. A 1,500-character abstract takes a tenth of the time."""
    pos = 0
    while True:
        digit = _DIGIT.search(text, pos)
        if digit is None:
            return
        start = digit.start()
        while start > pos and (text[start - 1].isalnum() or text[start - 1] in "_.-"):
            start -= 1
        match = _NUMBER.search(text, start)
        if match is None:
            return
        yield match
        pos = match.end()


#: The letters other than A-Z that `re.IGNORECASE` matches to a-z, folded to them.
_ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _starts(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(sorted(words, key=len, reverse=True)))


_EN_STARTS = _starts([*_EN_UNITS, *_EN_TENS])
_FOLD_STARTS = _starts([*_EN_UNITS, *_EN_TENS, "hundred", "thousand"])
_SINGLE_STARTS = _starts([*_EN_ORDINALS, *_EN_OTHER])


def _word_matches(
    pattern: re.Pattern[str], text: str, folded: str, starts: re.Pattern[str]
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, the same matches, for a pattern that begins with `\b` and one
    of the words `starts` finds (case-insensitively): it is tried only where a run of word
    characters begins with one of them, found in `folded` (the text folded to lower case, of
    the same length), not at every word of the text. Several times faster on an abstract."""
    pos = 0
    for hit in starts.finditer(folded):
        at = hit.start()
        if at < pos or (at and (folded[at - 1].isalnum() or folded[at - 1] == "_")):
            continue  # inside a word, or inside the last match
        match = pattern.match(text, at)
        if match is not None:
            yield match
            pos = match.end()


def mentions(text: str, *, liberal: bool = False) -> list[Mention]:
    """The numbers written in `text`. `liberal` (the paper's side) also reads digits inside
    names, list markers and dates, and every partial reading of a grouped or scaled number."""
    return list(_mentions(text, liberal))


@lru_cache(maxsize=512)  # the checks read the same field or clause more than once
def _mentions(text: str, liberal: bool) -> tuple[Mention, ...]:
    text = normalize(text)
    if not liberal:
        text = _LIST_MARKER.sub(lambda m: " " * len(m.group(0)), text)
    found: list[Mention] = []
    for match in _number_matches(text):
        raw, scale, after, pre = (
            match.group("num"),
            match.group("scale"),
            match.group("after"),
            match.group("pre"),
        )
        after_text = (after or "").strip().lower()
        is_word_after = bool(after) and after_text.isalpha() and after_text.isascii()
        is_pct = bool(after) and not is_word_after
        unit_word = after_text if is_word_after else ""
        if unit_word in ("x", "fold") or unit_word.startswith("times"):
            unit_word = ""
        follows = text[match.end("num") : match.end("num") + 1]
        named = bool(pre) or bool(unit_word) or (bool(follows) and follows in "月日号")
        if named and not liberal and not _UNIT.fullmatch(unit_word):
            continue  # GPT-4, 3D, 4o, 5th, 5月: part of a name or a date, not a claim
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        readings: list[Value] = []
        joined = re.sub(r"[, \u2009\u202f\u00a0]", "", raw)
        try:
            base = float(joined)
        except ValueError:
            continue
        factor = _SCALES.get((scale or "").strip(), 1.0)
        readings.append((base * factor, is_pct))
        if liberal:
            readings.append((base, is_pct))
            if " " in raw or "\u2009" in raw or "\u202f" in raw or "\u00a0" in raw:
                for part in re.split(r"[ \u2009\u202f\u00a0]", raw):
                    readings.append((float(part), False))
            if is_pct and after_text.endswith(("百分点", "pp", "points", "point")):
                readings.append((base, False))
        elif scale and scale.strip() in ("m", "b"):
            readings.append((base, False))  # "958 m" may be metres
        found.append(Mention(match.group(0), match.start(), tuple(readings), decimals))
    # the word-based forms are looked for only when a word of theirs is there (one cheap pass)
    words = set(_WORD.findall(text.lower()))
    english = not words.isdisjoint(_EN_NUMBER_WORDS) or any(w.endswith("fold") for w in words)
    folded = text.translate(_ASCII_FOLD).lower()
    if len(folded) != len(text):  # a letter whose lower case is longer: no shortcut
        folded = "".join(ch.lower()[:1] for ch in text.translate(_ASCII_FOLD))
    for match in _word_matches(_EN_PHRASE, text, folded, _EN_STARTS) if english else ():
        value = _en_phrase_value(match.group("words"), match.group("mult") or "")
        if not liberal and value <= 1 and not match.group("mult"):
            continue  # "one of", "zero-shot": not claims
        found.append(Mention(match.group(0), match.start(), ((value, False),), 0))
    for match in _word_matches(_EN_FOLD, text, folded, _FOLD_STARTS) if english else ():
        word = match.group(1).lower()
        value = float(_EN_UNITS.get(word, _EN_TENS.get(word, _SCALES.get(word, 100))))
        found.append(Mention(match.group(0), match.start(), ((value, False),), 0))
    if liberal:
        singles = not words.isdisjoint(_EN_SINGLE_WORDS)
        for match in _word_matches(_EN_SINGLE, text, folded, _SINGLE_STARTS) if singles else ():
            word = match.group(1).lower()
            value = float(_EN_ORDINALS.get(word, _EN_OTHER.get(word, 0)))
            found.append(Mention(match.group(0), match.start(), ((value, False),), 0))
        for match in _ROMAN.finditer(text) if "(" in text else ():  # (iii): three things
            value = float(_ROMAN_VALUE[match.group(1)])
            found.append(Mention(match.group(0), match.start(), ((value, False),), 0))
        for match in _MONTHS.finditer(text) if not words.isdisjoint(_MONTH_WORDS) else ():
            month = _MONTH_NUMBER.get(match.group(1).lower().rstrip("."))
            if month is None:  # Jan, Sept
                short = match.group(1).lower()[:3]
                month = next(v for k, v in _MONTH_NUMBER.items() if k.startswith(short))
            found.append(Mention(match.group(0), match.start(), ((float(month), False),), 0))
    for match in _CN_NUMBER.finditer(text) if not _CN_CHARS.isdisjoint(text) else ():
        if match.group("pre") in ("数", "几", "多", "若") or match.group("post"):
            continue  # 数十, 十余, 几百: no exact claim
        run = match.group("num")
        if not liberal and run == "一":
            continue  # 一种, 一个: the article "a", not a count
        count = _cn_value(run)
        if count is not None:
            found.append(Mention(match.group(0), match.start(), ((count, False),), 0))
    return tuple(sorted(found, key=lambda m: m.start))


def numbers(text: str) -> set[float]:
    """Every number claimed in `text`, scaled (1.5M -> 1500000.0, 48.9万 -> 489000.0)."""
    return {round(m.readings[0][0], 6) for m in mentions(text)}


class Known:
    """The numbers a paper accounts for, with the readings the summary may use."""

    def __init__(self, source: str) -> None:
        self.values: list[Value] = [r for m in mentions(source, liberal=True) for r in m.readings]
        self.plain = {round(v, 6) for v, _ in self.values}
        self.pct = {round(v, 6) for v, p in self.values if p}
        self.fractions = [v for v, _ in self.values if v != int(v)]

    def _equal(self, value: float) -> bool:
        return round(value, 6) in self.plain

    def _rounded(self, value: float, decimals: int) -> bool:
        half = 0.5 * 10**-decimals + 1e-9
        return any(abs(s - value) <= half for s in self.fractions)

    def accounts_for(self, mention: Mention) -> bool:
        for value, is_pct in mention.readings:
            if self._equal(value) or self._rounded(value, mention.decimals):
                return True
            if is_pct:
                # 12% in the summary for 0.12 in the paper (never 1200% for 12%)
                if round(value / 100, 6) in self.plain - self.pct:
                    return True
            elif value < 1 and round(value * 100, 6) in self.pct:
                return True  # 0.12 for 12%
        return False
