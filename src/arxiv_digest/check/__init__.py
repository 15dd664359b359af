"""Quality checks on every summary, from any backend.

Each check returns warnings (short strings) stored with the summary, so a reader is told when a
summary cannot be trusted:

- `number`: a number (figure, percentage, multiplier) in the summary that appears nowhere in the
  title, abstract or comment; forms are normalised (48.9万 = 489K = 489,000, 3.5倍 = 3.5x);
- `copy`: a field that mostly copies the abstract word for word (the extractive backend quotes
  by design, so it is exempt);
- `repeat`: two fields that say the same thing;
- `language`: a field not in the requested language;
- `tldr-length`: a TL;DR over the length limit.
"""

from __future__ import annotations

import re
from itertools import combinations

from arxiv_digest.models import FIELDS, Paper, SummaryFields, tldr_limit
from arxiv_digest.textutil import language_problem

COPY_SHARE = 0.6  # share of a field's 6-word runs found verbatim in the abstract
REPEAT_RATIO = 0.8

_SCALE = {
    "k": 1e3,
    "K": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "M": 1e6,
    "million": 1e6,
    "mn": 1e6,
    "b": 1e9,
    "B": 1e9,
    "billion": 1e9,
    "bn": 1e9,
    "t": 1e12,
    "T": 1e12,
    "trillion": 1e12,
    "千": 1e3,
    "万": 1e4,
    "亿": 1e8,
    "百万": 1e6,
    "千万": 1e7,
}
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(thousand|million|billion|trillion|百万|千万|[kKmMbBtT](?![a-zA-Z])|bn|mn|千|万|亿))?"
)
_WORDS = {
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
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
    "thousand": 1000,
    "single": 1,
    "double": 2,
    "twice": 2,
    "triple": 3,
    "half": 0.5,
    "dozen": 12,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "百": 100,
}


_LIST_MARKER = re.compile(r"(?:^|(?<=[\s;；:：,，。(（]))\(?\d{1,2}(?:[)）、]|\.\s)", re.MULTILINE)


def numbers(text: str) -> set[float]:
    """Every number in `text` with its scale applied (1.5M -> 1500000.0, 48.9万 -> 489000.0).

    List markers such as "1)" or "2）" are not numbers of the paper and are skipped.
    """
    found: set[float] = set()
    text = _LIST_MARKER.sub(" ", text)
    for match in _NUMBER.finditer(text):
        raw, unit = match.group(1), match.group(2)
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            continue
        found.add(round(value * _SCALE.get(unit or "", 1.0), 6))
    return found


def _word_numbers(text: str) -> set[float]:
    low = text.lower()
    return {
        float(v)
        for w, v in _WORDS.items()
        if (re.search(rf"\b{w}\b", low) if w.isascii() else w in text)
    }


def _close(value: float, known: set[float]) -> bool:
    if value in known:
        return True
    for other in known:
        if other and abs(value - other) / abs(other) < 0.005:  # 48.9% vs 48.92%
            return True
        if other and value and (abs(value * 100 - other) < 1e-6 or abs(value - other * 100) < 1e-6):
            return True  # 0.12 vs 12%
    return False


def invented_numbers(fields: SummaryFields, paper: Paper) -> list[str]:
    source = f"{paper.title}\n{paper.abstract}\n{paper.comment or ''}"
    known = numbers(source) | _word_numbers(source)
    warnings = []
    for name, text in fields.as_dict().items():
        bad = sorted(v for v in numbers(text) if not _close(v, known))
        if bad:
            shown = ", ".join(f"{v:g}" for v in bad[:3])
            warnings.append(f"number: {name} has {shown}, not in the title or abstract")
    return warnings


def _shingles(text: str, n: int = 6) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def copied_fields(fields: SummaryFields, paper: Paper) -> list[str]:
    source = _shingles(paper.abstract)
    warnings = []
    for name, text in fields.as_dict().items():
        own = _shingles(text)
        if len(own) >= 3 and len(own & source) / len(own) >= COPY_SHARE:
            warnings.append(f"copy: {name} mostly copies the abstract")
    return warnings


def _norm(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())


def _grams(text: str, n: int = 4) -> set[str]:
    norm = _norm(text)
    return {norm[i : i + n] for i in range(max(1, len(norm) - n + 1))}


def repeated_fields(fields: SummaryFields) -> list[str]:
    """Pairs of fields that share most of their character 4-grams (the shorter one's view)."""
    texts = fields.as_dict()
    grams = {name: _grams(texts[name]) for name in FIELDS}
    warnings = []
    for a, b in combinations(FIELDS, 2):
        x, y = grams[a], grams[b]
        if x and y and len(x & y) / min(len(x), len(y)) >= REPEAT_RATIO:
            warnings.append(f"repeat: {b} repeats {a}")
    return warnings


def tldr_too_long(fields: SummaryFields, language: str) -> list[str]:
    limit = tldr_limit(language)
    if len(fields.tldr) > limit:
        return [f"tldr-length: the TL;DR has {len(fields.tldr)} characters (limit {limit})"]
    return []


def check_summary(fields: SummaryFields, paper: Paper, language: str, backend: str) -> list[str]:
    """All warnings for one summary; an empty list means nothing looks wrong."""
    warnings = invented_numbers(fields, paper)
    if backend != "extractive":
        warnings += copied_fields(fields, paper)
    warnings += repeated_fields(fields)
    problem = language_problem(fields, language)
    if problem:
        warnings.append(f"language: {problem}")
    warnings += tldr_too_long(fields, language)
    return warnings
