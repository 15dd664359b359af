"""Figures in a summary that the paper cannot account for (`number`), that it only implies
(`derived`, a hint), or that it pairs with other metrics (`swap`, a hint)."""

from __future__ import annotations

import re
from itertools import combinations

from arxiv_digest.check.counts import counted, derived
from arxiv_digest.check.numbers import Known, Mention, mentions
from arxiv_digest.check.warning import warn
from arxiv_digest.models import Paper, SummaryFields
from arxiv_digest.textutil import ENGLISH_FUNCTION_WORDS


def _context(text: str, mention: Mention) -> str:
    start = max(0, mention.start - 12)
    return text[start : mention.start + len(mention.text) + 12]


def invented_numbers(fields: SummaryFields, known: Known, source: str) -> list[str]:
    """One `number` warning per field for a figure the paper does not state under any reading;
    a figure that follows from two of the paper's is a `derived` hint instead."""
    warnings = []
    for name, text in fields.as_dict().items():
        hinted = False
        for mention in mentions(text):
            supported = (
                counted(text, mention, source) if mention.count else known.accounts_for(mention)
            )
            if supported:
                continue
            shown = mention.text.strip()
            how = derived(mention, known)
            if how is None:
                warnings.append(
                    warn(
                        "number",
                        name,
                        f"{shown} is not in the title or abstract",
                        _context(text, mention),
                    )
                )
                break  # one per field is enough to distrust it
            if not hinted:
                hinted = True
                warnings.append(
                    warn("derived", name, f"{shown} is not stated ({how})", _context(text, mention))
                )
    return warnings


_TERM = re.compile(r"[A-Za-z][A-Za-z0-9\-@+.]*[A-Za-z0-9]|[A-Za-z]{2,}")
_CLAUSE = re.compile(r"[;；。，,]|\band\b|\bwhile\b|\bwhereas\b|和|与|及|而")
#: "A and B improve by 3% and 5% respectively": pairs that clauses cannot tell apart
_RESPECTIVELY = re.compile(r"分别|依次|respectively", re.IGNORECASE)
_P_VALUE = re.compile(r"\bp\s*[<>=≤]\s*$", re.IGNORECASE)


def _pairs(text: str, liberal: bool) -> list[tuple[set[str], set[float]]]:
    """(terms, numbers) of each clause: which figure was said of which metric or dataset."""
    out = []
    for clause in _CLAUSE.split(text):
        terms = {
            t.lower()
            for t in _TERM.findall(clause)
            if t.lower() not in ENGLISH_FUNCTION_WORDS and len(t) > 1
        }
        values = {
            round(m.value, 6)
            for m in mentions(clause, liberal=liberal)
            if not _P_VALUE.search(clause[: m.start])
        }
        if terms and values:
            out.append((terms, values))
    return out


_LATIN_AND_DIGIT = re.compile(r"[A-Za-z].*\d|\d.*[A-Za-z]", re.DOTALL)


def swapped_numbers(fields: SummaryFields, paper: Paper) -> list[str]:
    """A figure said of term A in the summary that the abstract says of term B, and the other
    way round, while no clause of the abstract says it of A. Terms the abstract pairs with many
    figures (the paper's own system) and fields that say "respectively" prove nothing."""
    said_by_field = {
        name: [
            (term, value)
            for terms, values in _pairs(text, liberal=False)
            if len(values) == 1
            for term in terms
            for value in values
        ]
        for name, text in fields.as_dict().items()
        if _LATIN_AND_DIGIT.search(text) and not _RESPECTIVELY.search(text)
    }
    said_by_field = {n: s for n, s in said_by_field.items() if len({v for _, v in s}) >= 2}
    if not said_by_field:  # no field pairs two figures with names: nothing can be swapped
        return []
    source = _pairs(f"{paper.title}. {paper.abstract}", liberal=True)
    title = paper.title.lower()
    common = {t for terms, _ in source for t in terms if sum(t in s for s, _ in source) > 2}
    warnings = []
    for name, said in said_by_field.items():
        text = fields.as_dict()[name]
        for (t1, v1), (t2, v2) in combinations(said, 2):
            if t1 == t2 or v1 == v2 or {t1, t2} & common or t1 in title or t2 in title:
                continue

            def with_(term: str, value: float) -> bool:
                return any(term in terms and value in values for terms, values in source)

            if with_(t1, v2) and with_(t2, v1) and not with_(t1, v1) and not with_(t2, v2):
                warnings.append(warn("swap", name, f"{v1:g} and {v2:g} are exchanged", text))
                break
    return warnings
