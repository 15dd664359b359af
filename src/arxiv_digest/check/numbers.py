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

from arxiv_digest.check import lexicon as lx


def normalize(text: str) -> str:
    """Full-width forms folded (１２％ -> 12%), powers of ten read (10^3, 10³ -> 1000) and LaTeX
    around numbers removed."""
    if "10" in text:
        text = lx._SUPER_POWER.sub(lambda m: "10^" + m.group(1).translate(lx._SUPERSCRIPTS), text)
    text = unicodedata.normalize("NFKC", lx._INDEX.sub(" ", text))
    if "^" in text:
        text = lx._POWER.sub(lambda m: f"{float(m.group(1)) ** int(m.group(2)):g}", text)
    if not lx._LATEX_MARKS.isdisjoint(text):  # each LaTeX pattern needs one of these characters
        for pattern, repl in lx._LATEX_NUM:
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
    readings: tuple[lx.Value, ...]
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
        if ch in lx._CN_DIGITS:
            digit = lx._CN_DIGITS[ch]
        elif ch in lx._CN_UNITS:
            section += (1 if digit is None else digit) * lx._CN_UNITS[ch]
            digit = None
        elif ch in lx._CN_BIG:
            total = (total + section + (1 if digit is None and not section else digit or 0)) * (
                lx._CN_BIG[ch]
            )
            section, digit = 0.0, None
        else:
            return None
    return total + section + (digit or 0)


def _en_value(words: str) -> float:
    """'one thousand two hundred four' -> 1204; 'twenty-five' -> 25; 'a hundred' -> 100."""
    total, current = 0.0, 0.0
    for word in re.split(r"[\s-]+", words.lower()):
        if word in lx._EN_UNITS:
            current += lx._EN_UNITS[word]
        elif word in lx._EN_TENS:
            current += lx._EN_TENS[word]
        elif word == "hundred":
            current = max(current, 1.0) * 100
        elif word in lx._EN_MULT:
            total += max(current, 1.0) * lx._EN_MULT[word]
            current = 0.0
    return total + current


_DIGIT = re.compile(r"\d")


def _number_matches(text: str) -> Iterator[re.Match[str]]:
    """`lx._NUMBER.finditer(text)`, the same matches, without trying the regex at every letter of
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
        match = lx._NUMBER.search(text, start)
        if match is None:
            return
        yield match
        pos = match.end()


#: The letters other than A-Z that `re.IGNORECASE` matches to a-z, folded to them.
_ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _starts(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(sorted(words, key=len, reverse=True)))


_EN_STARTS = _starts([*lx._EN_UNITS, *lx._EN_TENS, *lx._EN_MULT])
_FRACTION_STARTS = _starts(["a", "an", "one", "two", "three", "four", "five", "six", "seven"])
_SINGLE_STARTS = _starts([*lx._EN_ORDINALS, *lx._EN_OTHER])


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
        lx._APPROX_BEFORE.search(text[max(0, start - 16) : start])
        or lx._APPROX_AFTER.match(text[end : end + 2])
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
            lx._CALENDAR.match(text[end:]) or (named and not lx._UNIT.fullmatch(unit_word))
        ):
            continue  # GPT-4, 3D, 4o, 5th, 5月, 19世纪: part of a name or a date, not a claim
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        joined = re.sub(r"[, \u2009\u202f\u00a0]", "", raw)
        try:
            base = float(joined)
        except ValueError:
            continue
        key = (scale or "").strip().strip("-")
        factor = lx._SCALES.get(key) or lx._SCALES.get(key.lower().removesuffix("s"), 1.0)
        readings: list[lx.Value] = [(base * factor, is_pct)]
        if liberal:
            readings.append((base, is_pct))
            if " " in raw or "\u2009" in raw or "\u202f" in raw or "\u00a0" in raw:
                for part in re.split(r"[ \u2009\u202f\u00a0]", raw):
                    readings.append((float(part), False))
            if lx._DOT_GROUPED.match(raw):  # 10.000 images: ten thousand
                readings.append((float(raw.replace(".", "")), False))
            if is_pct and after_text.endswith(("百分点", "pp", "points", "point")):
                readings.append((base, False))
            if factor == 1.0:
                spaced = lx._SPACED_SCALE.match(text, match.end("num"))
                if spaced:  # "124 M-parameter", "3 M"
                    readings.append((base * lx._SCALES[spaced.group(1)], False))
        elif scale and scale.strip() in ("m", "b"):
            readings.append((base, False))  # "958 m" may be metres
        rest = text[match.end() :]
        count = (
            not is_pct
            and not scale
            and decimals == 0
            and base <= 20
            and bool(lx._DIGIT_COUNT.match(rest))
        )
        yield Mention(
            match.group(0),
            match.start(),
            tuple(readings),
            decimals,
            unit=10.0**-decimals * factor,
            approx=bool(match.group("more")) or _approx(text, match.start(), match.end()),
            count=count,
            named=named and not lx._UNIT.fullmatch(unit_word),
        )


def _shared_scales(found: list[Mention], text: str) -> list[Mention]:
    """A range shares its scale: "9 to 14 million" says 9 million too, "70-80亿" says 70亿."""
    out = list(found)
    for i in range(len(found) - 1):
        first, second = found[i], found[i + 1]
        between = text[first.start + len(first.text) : second.start]
        if not lx._RANGE.match(between) or first.unit != 10.0**-first.decimals:
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
    for match in lx._CN_NUMBER.finditer(text):
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
            if not lx._MEASURES.fullmatch(rest):
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
    words = set(lx._WORD.findall(text.lower()))
    english = not words.isdisjoint(lx._EN_NUMBER_WORDS) or any(w.endswith("fold") for w in words)
    if not english and not liberal:
        return
    folded = text.translate(_ASCII_FOLD).lower()
    if len(folded) != len(text):  # a letter whose lower case is longer: no shortcut
        folded = "".join(ch.lower()[:1] for ch in text.translate(_ASCII_FOLD))
    for match in _word_matches(lx._EN_PHRASE, text, folded, _EN_STARTS) if english else ():
        value = _en_value(match.group("words"))
        if not liberal and value <= 1:
            continue  # "one of", "zero-shot": not claims
        yield Mention(match.group(0), match.start(), ((value, False),), 0)
    for match in _word_matches(lx._EN_FOLD, text, folded, _EN_STARTS) if english else ():
        yield Mention(match.group(0), match.start(), ((_en_value(match.group(1)), False),), 0)
    if not liberal:
        return
    for match in _word_matches(lx._EN_FRACTION, text, folded, _FRACTION_STARTS):
        num = match.group("num").lower()
        value = 1.0 if num in ("a", "an") else float(lx._EN_UNITS[num])
        den = lx._DENOMINATORS[match.group("den").lower()]
        yield Mention(match.group(0), match.start(), ((value / den, False),), 0)
    if not words.isdisjoint(lx._EN_SINGLE_WORDS) or "century" in folded:
        for match in _word_matches(lx._EN_SINGLE, text, folded, _SINGLE_STARTS):
            word = match.group(1).lower()
            value = float(lx._EN_ORDINALS.get(word, lx._EN_OTHER.get(word, 0)))
            yield Mention(match.group(0), match.start(), ((value, False),), 0)
    for match in lx._ROMAN.finditer(text) if "(" in text else ():  # (iii): three things
        value = float(lx._ROMAN_VALUE[match.group(1)])
        yield Mention(match.group(0), match.start(), ((value, False),), 0)
    for match in lx._MONTHS.finditer(text) if not words.isdisjoint(lx._MONTH_WORDS) else ():
        month = lx._MONTH_NUMBER.get(match.group(1).lower().rstrip("."))
        if month is None:  # Jan, Sept
            short = match.group(1).lower()[:3]
            month = next(v for k, v in lx._MONTH_NUMBER.items() if k.startswith(short))
        yield Mention(match.group(0), match.start(), ((float(month), False),), 0)


@lru_cache(maxsize=512)  # the checks read the same field or clause more than once
def _mentions(text: str, liberal: bool) -> tuple[Mention, ...]:
    text = normalize(text)
    if not liberal:
        text = lx._LIST_MARKER.sub(lambda m: " " * len(m.group(0)), text)
    found = _shared_scales(list(_digit_mentions(text, liberal)), text)
    found += _word_mentions(text, liberal)
    if not lx._CN_CHARS.isdisjoint(text):
        found += _cn_mentions(text, liberal)
    return tuple(sorted(found, key=lambda m: m.start))


def numbers(text: str) -> set[float]:
    """Every number claimed in `text`, scaled (1.5M -> 1500000.0, 48.9万 -> 489000.0)."""
    return {round(m.value, 6) for m in mentions(text)}


class Known:
    """The numbers a paper accounts for, with the readings the summary may use."""

    def __init__(self, source: str) -> None:
        self.mentions = mentions(source, liberal=True)
        self.values: list[lx.Value] = [r for m in self.mentions for r in m.readings]
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
