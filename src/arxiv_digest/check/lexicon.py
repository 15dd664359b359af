"""The words and patterns numbers are written with, in English, Chinese and LaTeX: the lexicon
`numbers.py` reads summaries and abstracts with (see there for the forms understood)."""

from __future__ import annotations

import re

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
