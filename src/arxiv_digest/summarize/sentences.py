"""Sentence splitting for scientific abstracts.

Survives abbreviations (e.g., i.e., et al., Fig., Eq.), initials, decimals, version numbers and
inline LaTeX ($...$, \\(...\\)), which the naive split on ". " gets wrong.
"""

from __future__ import annotations

import re

# Tokens before a period that never end a sentence (lower-cased, without the final period).
_NEVER_END = frozenset(
    """e.g eg i.e ie cf vs v.s et fig figs eq eqs sec secs ref refs no nos approx resp
    dr mr mrs ms prof viz w.r.t wrt a.k.a i.i.d tab tabs thm lem def defn prop alg app appx
    ch chap vol pp cor ca incl st jr sr est eqn eqns sect""".split()
)
# Tokens that end a sentence only when a sentence opener follows ("... as Smith et al. We ...").
_MAYBE_END = frozenset({"etc", "al"})
_STARTERS = frozenset(
    """We Our This These That The In To However Moreover Furthermore Finally Experiments
    Experimental Results Extensive Additionally Specifically It Its Such Overall Code Further
    Unlike Despite While Although As For By On With A An Using Building Existing Recent""".split()
)
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)
_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*(?=\s+\S)")


def _masked(text: str) -> str:
    """Replace the inside of math spans with letters so their periods cannot split."""
    return _MATH.sub(lambda m: "x" * len(m.group(0)), text)


def _is_boundary(masked: str, end: int, stop: int) -> bool:
    """Is the punctuation run masked[end:stop] the end of a sentence?"""
    punct = masked[end:stop]
    rest = masked[stop:].lstrip()
    if "?" in punct or "!" in punct:
        return not rest[:1].islower()  # "a Hoi! gripper" is a name, not an exclamation
    if punct.startswith(".."):  # an ellipsis inside a sentence
        return False
    start = end
    while start > 0 and not masked[start - 1].isspace():
        start -= 1
    token = masked[start:end].lstrip("([{\"'").lower()
    next_word = rest.split(maxsplit=1)[0] if rest else ""
    next_char = rest[:1]
    if not next_char:
        return True
    if token in _NEVER_END:
        return False
    if token in _MAYBE_END:
        return next_char.isupper() and next_word.strip(",") in _STARTERS
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):  # U.S., e.g. written oddly
        return next_word in _STARTERS
    if re.fullmatch(r"[A-Z]", masked[start:end]) and next_word not in _STARTERS:
        return False  # an initial: "J. Smith"
    if next_char.islower():
        # "x. kooplearn can ..." or "y. dUltra improves": a lower-case name opens a sentence
        # after an ordinary word; after anything shorter it is likely an abbreviation ("approx.")
        return re.fullmatch(r"[a-z][a-z\-]{3,}", token) is not None
    return True


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, each with its whitespace collapsed to single spaces."""
    masked = _masked(text)
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(masked):
        if _is_boundary(masked, match.start(), match.end()):
            piece = " ".join(text[start : match.end()].split())
            if piece:
                sentences.append(piece)
            start = match.end()
    tail = " ".join(text[start:].split())
    if tail:
        sentences.append(tail)
    return _merge_fragments(sentences)


def _merge_fragments(sentences: list[str]) -> list[str]:
    """Glue pieces too short to be sentences (a stray "(2)" or "1.") onto their neighbour."""
    merged: list[str] = []
    for piece in sentences:
        if merged and len(re.findall(r"[A-Za-z]{2,}", piece)) < 2:
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    if len(merged) > 1 and len(re.findall(r"[A-Za-z]{2,}", merged[0])) < 2:
        merged[1] = f"{merged[0]} {merged[1]}"
        merged.pop(0)
    return merged


def split_clauses(sentence: str) -> list[str]:
    """Split one long sentence at semicolons (used when an abstract has too few sentences)."""
    parts = [p.strip() for p in re.split(r";\s+", _masked(sentence)) if p.strip()]
    if len(parts) < 2:
        return [sentence]
    # Map the masked pieces back onto the original text by position.
    out, pos = [], 0
    for part in parts:
        idx = _masked(sentence).find(part, pos)
        out.append(sentence[idx : idx + len(part)].strip())
        pos = idx + len(part)
    return [p for p in out if p]
