""" "Today at a glance": the day's most frequent topics, computed offline from its titles.

A topic is a word or a two-word phrase that several titles of the day share, after words
that say nothing about a field ("towards", "via", "learning", "model") are set aside. Phrases
are preferred to their words ("language models" over "language"), and a word already inside a
chosen phrase is not listed again unless most of its papers are elsewhere. The archive's
calendar (`calendar_months`) is the other overview the index page gives.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from arxiv_digest.models import DigestEntry, Paper

#: Words that never start or end a topic.
FUNCTION_WORDS = frozenset(
    """a an and are as at be by can do does for from how in into is it its of on or our over
    the their this to toward towards under using via vs what when where which while with
    without we you your all any more most new not one two three beyond across between
    through within is are than""".split()
)
#: Words nearly every title of a machine-learning day uses: part of a phrase ("reinforcement
#: learning", "language models") but no topic alone.
GENERIC_WORDS = frozenset(
    """based driven aware guided free level scale scalable large small deep learning learn
    learned model modeling approach method framework study analysis system task data dataset
    efficient effective robust novel improved improving improve better use case result
    performance paper work evaluation evaluating evaluate benchmark benchmarking
    generalization general application problem perspective role fast simple unified
    rethinking understanding enhancing enhanced leveraging revisiting exploring first
    towards toward via network neural""".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]|[A-Z]")
TOPICS_SHOWN = 8
MIN_PAPERS = 2


def _words(title: str) -> list[str]:
    # "$\beta$-VAE" and the like: TeX is not a topic
    plain = re.sub(r"\$[^$]*\$", " ", title)
    return _WORD.findall(plain)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def topics(papers: Iterable[Paper], k: int = TOPICS_SHOWN) -> list[tuple[str, int]]:
    """The day's `k` most frequent topics with the number of titles that have each, most
    first; ties in first-seen order. Only topics at least MIN_PAPERS titles share."""
    words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    surface: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for paper in papers:
        tokens = _words(paper.title)
        keys = [_singular(t.lower()) for t in tokens]
        seen_words = {
            key for key in keys if key not in FUNCTION_WORDS | GENERIC_WORDS and len(key) > 2
        }
        seen_phrases = set()
        for i in range(len(keys) - 1):
            a, b = keys[i], keys[i + 1]
            if a in FUNCTION_WORDS or b in FUNCTION_WORDS or len(a) < 2 or len(b) < 2:
                continue
            if a in GENERIC_WORDS and b in GENERIC_WORDS:
                continue
            seen_phrases.add(f"{a} {b}")
            surface[f"{a} {b}"][f"{tokens[i]} {tokens[i + 1]}"] += 1
        for token, key in zip(tokens, keys, strict=True):
            surface[key][token] += 1
        words.update(seen_words)
        phrases.update(seen_phrases)
    candidates: list[tuple[str, int]] = [
        (p, n) for p, n in phrases.most_common() if n >= MIN_PAPERS
    ]
    chosen: list[tuple[str, int]] = []
    covered: Counter[str] = Counter()
    for phrase, n in candidates:
        if len(chosen) >= k:
            break
        chosen.append((phrase, n))
        for word in phrase.split(" "):
            covered[word] = max(covered[word], n)
    for word, n in words.most_common():
        if n < MIN_PAPERS:
            break
        # a word inside a chosen phrase is listed only when most of its titles are elsewhere
        if covered[word] and n < 2 * covered[word]:
            continue
        chosen.append((word, n))
    chosen.sort(key=lambda item: -item[1])  # stable: phrases before words on ties
    # each topic as the titles write it most often ("LLMs", "Diffusion Models")
    return [(surface[key].most_common(1)[0][0], n) for key, n in chosen[:k]]


def _segment_text(part: object) -> str:
    """A page segment's text as a browser reads it: a string, or a MathML tree's text."""
    if isinstance(part, str):
        return part
    if isinstance(part, list) and len(part) == 3:
        return "".join(_segment_text(child) for child in part[2])
    return ""


def filter_parts(entry: DigestEntry) -> list[str]:
    """What the day page's filter and the site search read of a paper, as the page shows it:
    the title, the authors, the TL;DR, the four fields and the abstract; never related titles,
    provenance or button text (site.js builds the same from the page)."""
    from arxiv_digest.render.reading import math_segments

    def shown(text: str | None) -> str:
        return "".join(_segment_text(part) for part in math_segments(text))

    paper, summary = entry.paper, entry.summary
    parts = [shown(paper.title), " ".join(paper.authors)]
    if summary is not None and summary.usable:
        texts = summary.shown_fields()
        parts += [
            shown(texts[name]) for name in ("tldr", "motivation", "method", "result", "conclusion")
        ]
    parts.append(shown(paper.abstract))
    return parts


def filter_text(entry: DigestEntry) -> str:
    """The filter's haystack: `filter_parts`, lower-cased (the abstract whether loaded or not)."""
    return "\n".join(filter_parts(entry)).lower()


def matches(text: str, query: str) -> bool:
    """The filter's rule: every word of the query (split at spaces, lower-cased) is in the
    text; words of one character are ignored, as site.js does."""
    words = [w for w in query.lower().split() if len(w) > 1]
    return all(w in text for w in words)


def topic_counts(
    entries: Iterable[DigestEntry], chosen: list[tuple[str, int]]
) -> list[tuple[str, int]]:
    """Each topic with the number of papers a click on it shows: the filter's matches."""
    texts = [filter_text(e) for e in entries]
    return [(topic, sum(matches(t, topic) for t in texts)) for topic, _ in chosen]


def calendar_months(
    days: dict[str, dict[str, Any]], month_names: list[str]
) -> list[dict[str, Any]]:
    """Each month that has a digest, newest first: its weeks (Monday first) of cells, None
    outside the month, a day's numbers where it has a digest."""
    by_month: dict[str, list[dict[str, Any]]] = {}
    for date in sorted(days, reverse=True):
        by_month.setdefault(date[:7], []).append(days[date])
    months = []
    for key, listed in by_month.items():
        year, month = int(key[:4]), int(key[5:])
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
            row: list[dict[str, Any] | None] = []
            for number in week:
                if number == 0:
                    row.append(None)
                    continue
                date = f"{key}-{number:02d}"
                row.append({"day": number, "date": date, **days.get(date, {"href": None})})
            weeks.append(row)
        title = (
            f"{year}年{month_names[month - 1]}"
            if month_names[0].endswith("月")
            else f"{month_names[month - 1]} {year}"
        )
        months.append(
            {
                "key": key,
                "title": title,
                "weeks": weeks,
                "list": listed,
                "days": len(listed),
                "total": sum(d["total"] for d in listed),
            }
        )
    return months
