"""Numbers as written in summaries and abstracts, read the same way on both sides.

A summary's number is checked against every number of the paper's title, abstract and comment.
The two sides are read differently on purpose: the paper's side is read liberally (every digit
run, with and without its scale, number words, 2D and GPT-4 included), the summary's side
conservatively (digits inside names such as GPT-4o, F1, 3D or Qwen2.5 are not claims; neither
are list markers, months or centuries). So a summary is only blamed for a number the paper
cannot account for under any reading.

Forms understood, each tested with sentences from real summaries (tests/check/test_numbers.py):
- grouping: 1,234 / 1 234 / 60{,}000 / 60\\,000, and on the paper's side 10.000 (a European
  thousands separator);
- scales, attached or not: 1.5M, 7B, 10k, 124 M, 7.6-billion, 10 millions; 48.9万, 3万亿, 70亿,
  70多万; a range shares its scale (9 to 14 million = 900-1400万, 7-8B = 70-80亿);
- rounding to the written precision, scale included: 96.62 may be 96.6 or 97 (never 97.0),
  1{,}671{,}587 may be 167万; a number written with 约, 多, 以上, 超过, + or ~ may be one unit off
  (96.76 is "96.7%以上", 488.8K is "48.8万+");
- English number words (one thousand two hundred four, twenty-five, ninefold, three-fifths,
  twice, triples, a decade, decadal, nineteenth); Chinese numerals where they are numbers
  (三个, 十二种, 第三, 十年), never inside a word (二项式, 零样本, 统一三种 reads 三 only: words are
  found by jieba);
- percentages (12% = 0.12, never 1200%); multipliers (3.5x, 3.5×, 3.5倍); LaTeX (\\approx94,
  \\pm3.5, 50\\%, 10^{3}, 10^5, 10³).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
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
_CJK_SCALE = "万亿|十亿|百亿|千亿|十万|百万|千万|千|万|亿"
_NUMBER = re.compile(
    r"(?P<pre>[A-Za-z][\w]*-|[A-Za-z_])?"  # part of a name: GPT-4, F1, x86
    r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[ \u2009\u202f\u00a0]\d{3})+(?!\d)"
    r"|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<more>多|余)?"
    r"(?P<scale>(?:" + _CJK_SCALE + r")|(?:bn|mn|[kKMmBbT])(?![A-Za-z])"
    r"|[\s-](?:thousand|million|billion|trillion)s?\b)?"
    r"(?P<after>\s?(?:%|％|percent\b|个?百分点|pp\b|percentage points?)|[A-Za-z]+)?"
)
#: a scale letter after a space ("124 M-parameter", "3 M"): read on the paper's side only
_SPACED_SCALE = re.compile(r"\s([KMBT])(?![A-Za-z])")

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
_EN_MULT = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
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
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "hundredth": 100,
    "thousandth": 1000,
}
#: words that say a number without digits (the paper's side only)
_EN_OTHER = {
    "single": 1,
    "double": 2,
    "doubles": 2,
    "doubled": 2,
    "doubling": 2,
    "twice": 2,
    "dual": 2,
    "twin": 2,
    "pair": 2,
    "pairs": 2,
    "both": 2,
    "triple": 3,
    "triples": 3,
    "tripled": 3,
    "tripling": 3,
    "thrice": 3,
    "triplet": 3,
    "triplets": 3,
    "triadic": 3,
    "ternary": 3,
    "tripartite": 3,
    "quadruplet": 4,
    "quintuple": 5,
    "quintuplet": 5,
    "sextuple": 6,
    "binary": 2,
    "dyadic": 2,
    "pairwise": 2,
    "bipartite": 2,
    "quadruple": 4,
    "quadruples": 4,
    "quadrupled": 4,
    "half": 0.5,
    "halves": 0.5,
    "halved": 0.5,
    "halving": 0.5,
    "quarter": 0.25,
    "dozen": 12,
    "dozens": 12,
    "decade": 10,
    "decades": 10,
    "decadal": 10,
    "century": 100,
    "hundred": 100,
    "hundreds": 100,
    "thousand": 1e3,
    "thousands": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "billion": 1e9,
    "billions": 1e9,
}
_EN_CARDINAL = "|".join(sorted([*_EN_UNITS, *_EN_TENS, *_EN_MULT], key=len, reverse=True))
#: a run of number words: "one thousand two hundred four", "twenty-five", "a hundred"
_EN_PHRASE = re.compile(
    rf"\b(?P<words>(?:{_EN_CARDINAL})(?:[\s-]+(?:{_EN_CARDINAL}))*)"
    r"(?P<fold>-?fold)?\b",
    re.IGNORECASE,
)
_EN_FOLD = re.compile(rf"\b({_EN_CARDINAL})fold\b", re.IGNORECASE)
_DENOMINATORS = {"half": 2, "halves": 2, "quarter": 4, "quarters": 4}
_DENOMINATORS.update({f"{w}s": v for w, v in _EN_ORDINALS.items() if v > 2})
_DENOMINATORS.update({w: v for w, v in _EN_ORDINALS.items() if v > 2})
_EN_FRACTION = re.compile(
    r"\b(?P<num>a|an|one|two|three|four|five|six|seven|eight|nine)[\s-]+"
    r"(?P<den>" + "|".join(sorted(_DENOMINATORS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_EN_SINGLE = re.compile(
    r"\b(" + "|".join(sorted([*_EN_ORDINALS, *_EN_OTHER], key=len, reverse=True)) + r")"
    r"(?:\b|(?=century|centuries))",
    re.IGNORECASE,
)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 1e4, "亿": 1e8}
#: what a Chinese numeral counts: after one of these it is a number, not part of a word
CN_MEASURE = (
    "个|种|项|类|倍|层|步|篇|名|位|组|条|轮|阶段|方面|部分|款|家|份|域|模块|大类|大|"
    "任务|数据集|基准|模型|方法|维度|场景|语言|领域|指标|变体|样本|家族|族|章|节|点|例|年|周|天|"
    "小时|分钟|秒|次|件|项|套|级|期|道|遍|所|座|台|张|幅|段|句|行|列|人|国|城|省"
)
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
_CN_NUMBER = re.compile(
    rf"(?<![\d.])(?P<pre>第|[数几多若])?(?P<num>[{_CN_NUMERAL}]+)(?P<post>余|多|几)?"
    rf"(?=(?:{CN_MEASURE}))"
)
#: a digit count of things: "6类任务", "3个模块"
_DIGIT_COUNT = re.compile(rf"^\s?(?:余|多)?(?:{CN_MEASURE})")
_MEASURES = re.compile(rf"(?:余|多)?(?:{CN_MEASURE})*")

_LATEX_NUM = [
    (re.compile(r"\{,\}"), ","),
    (re.compile(r"(?<=\d)\\[,;!]\s?(?=\d{3})"), ""),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\\times|\\cdot"), "×"),
    (re.compile(r"\\[A-Za-z]+"), " "),  # \approx94, \pm3.5, \mathrm{...}
    (re.compile(r"[${}~]"), " "),
]
_LIST_MARKER = re.compile(
    r"(?:^|(?<=[\n;；:：。，,(（\s]))\s*\(?\d{1,2}(?:[)）、]|\.(?=\s))", re.MULTILINE
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

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
#: 10³, 10⁻⁴ (a power written with superscripts, before they are read as indices)
_SUPER_POWER = re.compile(r"(?<![\d.])10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})")
_POWER = re.compile(r"(?<![\d.])(10)\s*\^\s*\{?\s*(-?\d{1,2})\s*\}?")  # 10^3, 10^{-4}
_INDEX = re.compile(r"[\u2070-\u209f\u00b2\u00b3\u00b9]")  # α₁, K²: indices, not numbers
_ROMAN = re.compile(r"\((i{1,3}|iv|v|vi{1,3}|ix|x)\)")
_ROMAN_VALUE = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8}
_ROMAN_VALUE.update({"ix": 9, "x": 10})
#: 3-digit groups after a dot: 10.000 is ten thousand in much of Europe (the paper's side)
_DOT_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
#: the words around a number that make it approximate: within one unit of its last digit
_APPROX_BEFORE = re.compile(
    r"(?:约|近|超过|超|逾|大约|接近|高达|多达|将近|不到|不足|低于|小于|大于|~|～|≈|"
    r"(?:about|approximately|around|nearly|over|more than|roughly|almost|below|under)\s)$"
)
_APPROX_AFTER = re.compile(r"^(?:多|余|以上|以下|左右|上下|\+|＋|余)")
_RANGE = re.compile(r"^\s*(?:-{1,2}|–|—|~|～|to|至|到|and)\s*$")
#: centuries and decades of the calendar: "19世纪", "90年代" are not claims about the paper
_CALENDAR = re.compile(r"^\s?(?:世纪|年代)")

_WORD = re.compile(r"[a-z]+")
_EN_NUMBER_WORDS = frozenset([*_EN_UNITS, *_EN_TENS, *_EN_MULT])
_EN_SINGLE_WORDS = frozenset([*_EN_ORDINALS, *_EN_OTHER])
_MONTH_WORDS = frozenset(
    [*_MONTH_NUMBER, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct"]
    + ["nov", "dec"]
)
_CN_CHARS = frozenset(_CN_NUMERAL)
_LATEX_MARKS = frozenset("\\${}~")


def normalize(text: str) -> str:
    """Full-width forms folded (１２％ -> 12%), powers of ten read (10^3, 10³ -> 1000) and LaTeX
    around numbers removed."""
    if "10" in text:
        text = _SUPER_POWER.sub(lambda m: "10^" + m.group(1).translate(_SUPERSCRIPTS), text)
    text = unicodedata.normalize("NFKC", _INDEX.sub(" ", text))
    if "^" in text:
        text = _POWER.sub(lambda m: f"{float(m.group(1)) ** int(m.group(2)):g}", text)
    if not _LATEX_MARKS.isdisjoint(text):  # each LaTeX pattern needs one of these characters
        for pattern, repl in _LATEX_NUM:
            text = pattern.sub(repl, text)
    return text


@dataclass(frozen=True, slots=True)
class Mention:
    """A number as written in the text: where it is, its readings, and how precisely it was
    written. `unit` is the value of one step in its last written digit, scale included (1.8亿:
    1e7, 96.7: 0.1); `approx` is set when words around it (约, 多, 以上, +) make it a bound or an
    estimate; `count` when it counts things (三个, 五种, 6类); `named` when it is part of a name
    or a date (GPT-4, 3D, May 2023), read on the paper's side only."""

    text: str
    start: int
    readings: tuple[Value, ...]
    decimals: int
    unit: float = 1.0
    approx: bool = False
    count: bool = False
    named: bool = False

    @property
    def value(self) -> float:
        return self.readings[0][0]


def _cn_value(run: str) -> float | None:
    total, section, digit = 0.0, 0.0, None
    for ch in run:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch in _CN_BIG:
            total = (total + section + (1 if digit is None and not section else digit or 0)) * (
                _CN_BIG[ch]
            )
            section, digit = 0.0, None
        else:
            return None
    return total + section + (digit or 0)


def _en_value(words: str) -> float:
    """'one thousand two hundred four' -> 1204; 'twenty-five' -> 25; 'a hundred' -> 100."""
    total, current = 0.0, 0.0
    for word in re.split(r"[\s-]+", words.lower()):
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word == "hundred":
            current = max(current, 1.0) * 100
        elif word in _EN_MULT:
            total += max(current, 1.0) * _EN_MULT[word]
            current = 0.0
    return total + current


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


_EN_STARTS = _starts([*_EN_UNITS, *_EN_TENS, *_EN_MULT])
_FRACTION_STARTS = _starts(["a", "an", "one", "two", "three", "four", "five", "six", "seven"])
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


def _approx(text: str, start: int, end: int) -> bool:
    return bool(
        _APPROX_BEFORE.search(text[max(0, start - 16) : start])
        or _APPROX_AFTER.match(text[end : end + 2])
    )


def _digit_mentions(text: str, liberal: bool) -> Iterator[Mention]:
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
        end = match.end("num")
        follows = text[end : end + 1]
        ordinal = unit_word in ("st", "nd", "rd", "th")
        named = (
            bool(pre)
            or (bool(unit_word) and not ordinal)
            or (bool(follows) and follows in "月日号")
        )
        if not liberal and (
            _CALENDAR.match(text[end:]) or (named and not _UNIT.fullmatch(unit_word))
        ):
            continue  # GPT-4, 3D, 4o, 5th, 5月, 19世纪: part of a name or a date, not a claim
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        joined = re.sub(r"[, \u2009\u202f\u00a0]", "", raw)
        try:
            base = float(joined)
        except ValueError:
            continue
        key = (scale or "").strip().strip("-")
        factor = _SCALES.get(key) or _SCALES.get(key.lower().removesuffix("s"), 1.0)
        readings: list[Value] = [(base * factor, is_pct)]
        if liberal:
            readings.append((base, is_pct))
            if " " in raw or "\u2009" in raw or "\u202f" in raw or "\u00a0" in raw:
                for part in re.split(r"[ \u2009\u202f\u00a0]", raw):
                    readings.append((float(part), False))
            if _DOT_GROUPED.match(raw):  # 10.000 images: ten thousand
                readings.append((float(raw.replace(".", "")), False))
            if is_pct and after_text.endswith(("百分点", "pp", "points", "point")):
                readings.append((base, False))
            if factor == 1.0:
                spaced = _SPACED_SCALE.match(text, match.end("num"))
                if spaced:  # "124 M-parameter", "3 M"
                    readings.append((base * _SCALES[spaced.group(1)], False))
        elif scale and scale.strip() in ("m", "b"):
            readings.append((base, False))  # "958 m" may be metres
        rest = text[match.end() :]
        count = (
            not is_pct
            and not scale
            and decimals == 0
            and base <= 20
            and bool(_DIGIT_COUNT.match(rest))
        )
        yield Mention(
            match.group(0),
            match.start(),
            tuple(readings),
            decimals,
            unit=10.0**-decimals * factor,
            approx=bool(match.group("more")) or _approx(text, match.start(), match.end()),
            count=count,
            named=named and not _UNIT.fullmatch(unit_word),
        )


def _shared_scales(found: list[Mention], text: str) -> list[Mention]:
    """A range shares its scale: "9 to 14 million" says 9 million too, "70-80亿" says 70亿."""
    out = list(found)
    for i in range(len(found) - 1):
        first, second = found[i], found[i + 1]
        between = text[first.start + len(first.text) : second.start]
        if not _RANGE.match(between) or first.unit != 10.0**-first.decimals:
            continue
        factor = second.unit / 10.0**-second.decimals
        pct = second.readings[0][1] and not first.readings[0][1]
        if factor == 1.0 and not pct:
            continue
        value = first.readings[0][0] * factor
        shared = ((value, pct or first.readings[0][1]),)
        out[i] = replace(first, readings=shared + first.readings, unit=first.unit * factor)
    return out


def _cn_mentions(text: str, liberal: bool) -> Iterator[Mention]:
    """Chinese numerals that are numbers: a word of their own (jieba's segmentation), followed
    by what they count. 二项式 (binomial), 零样本 (zero-shot) and 统一 (unify) hold numerals that
    are not numbers."""
    import rjieba  # loaded on first use: most texts hold no Chinese numeral

    tokens = list(rjieba.tokenize(text)) if not liberal else []
    starts = {start: (word, end) for word, start, end in tokens}
    for match in _CN_NUMBER.finditer(text):
        if match.group("pre") in ("数", "几", "多", "若") or match.group("post"):
            continue  # 数十, 十余, 几百: no exact claim
        run = match.group("num")
        at = match.start("num")
        if not liberal:
            if run in ("一", "零", "〇"):
                continue  # 一种, 零样本: the article "a" or a word, not a count
            head = at if match.group("pre") is None else match.start()
            token = starts.get(head)
            if token is None:
                continue  # the numeral begins inside a word: 统一, 唯一
            word, _ = token
            rest = word[match.end("num") - head :]
            if not _MEASURES.fullmatch(rest):
                continue  # 二项式: a word that holds a numeral
        value = _cn_value(run)
        if value is None:
            continue
        unit = 1.0
        while value >= 10 * unit and value % (10 * unit) == 0:
            unit *= 10  # 三百: to the hundred; 万: to the ten thousand
        multiplier = text[match.end() : match.end() + 1] == "倍"
        yield Mention(
            match.group(0),
            match.start(),
            ((value, False),),
            0,
            unit=unit,
            approx=_approx(text, match.start(), match.end()),
            count=not multiplier and value <= 20,
        )


def _word_mentions(text: str, liberal: bool) -> Iterator[Mention]:
    # the word-based forms are looked for only when a word of theirs is there (one cheap pass)
    words = set(_WORD.findall(text.lower()))
    english = not words.isdisjoint(_EN_NUMBER_WORDS) or any(w.endswith("fold") for w in words)
    if not english and not liberal:
        return
    folded = text.translate(_ASCII_FOLD).lower()
    if len(folded) != len(text):  # a letter whose lower case is longer: no shortcut
        folded = "".join(ch.lower()[:1] for ch in text.translate(_ASCII_FOLD))
    for match in _word_matches(_EN_PHRASE, text, folded, _EN_STARTS) if english else ():
        value = _en_value(match.group("words"))
        if not liberal and value <= 1:
            continue  # "one of", "zero-shot": not claims
        yield Mention(match.group(0), match.start(), ((value, False),), 0)
    for match in _word_matches(_EN_FOLD, text, folded, _EN_STARTS) if english else ():
        yield Mention(match.group(0), match.start(), ((_en_value(match.group(1)), False),), 0)
    if not liberal:
        return
    for match in _word_matches(_EN_FRACTION, text, folded, _FRACTION_STARTS):
        num = match.group("num").lower()
        value = 1.0 if num in ("a", "an") else float(_EN_UNITS[num])
        den = _DENOMINATORS[match.group("den").lower()]
        yield Mention(match.group(0), match.start(), ((value / den, False),), 0)
    if not words.isdisjoint(_EN_SINGLE_WORDS) or "century" in folded:
        for match in _word_matches(_EN_SINGLE, text, folded, _SINGLE_STARTS):
            word = match.group(1).lower()
            value = float(_EN_ORDINALS.get(word, _EN_OTHER.get(word, 0)))
            yield Mention(match.group(0), match.start(), ((value, False),), 0)
    for match in _ROMAN.finditer(text) if "(" in text else ():  # (iii): three things
        value = float(_ROMAN_VALUE[match.group(1)])
        yield Mention(match.group(0), match.start(), ((value, False),), 0)
    for match in _MONTHS.finditer(text) if not words.isdisjoint(_MONTH_WORDS) else ():
        month = _MONTH_NUMBER.get(match.group(1).lower().rstrip("."))
        if month is None:  # Jan, Sept
            short = match.group(1).lower()[:3]
            month = next(v for k, v in _MONTH_NUMBER.items() if k.startswith(short))
        yield Mention(match.group(0), match.start(), ((float(month), False),), 0)


@lru_cache(maxsize=512)  # the checks read the same field or clause more than once
def _mentions(text: str, liberal: bool) -> tuple[Mention, ...]:
    text = normalize(text)
    if not liberal:
        text = _LIST_MARKER.sub(lambda m: " " * len(m.group(0)), text)
    found = _shared_scales(list(_digit_mentions(text, liberal)), text)
    found += _word_mentions(text, liberal)
    if not _CN_CHARS.isdisjoint(text):
        found += _cn_mentions(text, liberal)
    return tuple(sorted(found, key=lambda m: m.start))


def numbers(text: str) -> set[float]:
    """Every number claimed in `text`, scaled (1.5M -> 1500000.0, 48.9万 -> 489000.0)."""
    return {round(m.value, 6) for m in mentions(text)}


class Known:
    """The numbers a paper accounts for, with the readings the summary may use."""

    def __init__(self, source: str) -> None:
        self.mentions = mentions(source, liberal=True)
        self.values: list[Value] = [r for m in self.mentions for r in m.readings]
        self.plain = sorted({round(v, 6) for v, _ in self.values})
        self.pct = sorted({round(v, 6) for v, p in self.values if p})
        self.not_pct = sorted(set(self.plain) - set(self.pct))

    @staticmethod
    def _near(values: list[float], value: float, tolerance: float) -> bool:
        return any(abs(v - value) <= tolerance for v in values)

    def accounts_for(self, mention: Mention) -> bool:
        """Is the mention one of the paper's numbers, as written or rounded to the precision it
        was written with (one unit either way when it is marked approximate)?"""
        tolerance = mention.unit * (1.0 if mention.approx else 0.5) + 1e-9
        for value, is_pct in mention.readings:
            if self._near(self.plain, value, tolerance):
                return True
            if is_pct:
                # 12% in the summary for 0.12 in the paper (never 1200% for 12%)
                if self._near(self.not_pct, value / 100, tolerance / 100):
                    return True
            elif value < 1 and self._near(self.pct, value * 100, tolerance * 100):
                return True  # 0.12 for 12%
        return False
