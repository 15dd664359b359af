"""The passages a deep read is given: the abstract, the contributions from the introduction, the
method, the results tables and their text, the setup, the limitations and the conclusion, taken
in turns so each part gets its share, within a token budget, in the paper's order."""

from __future__ import annotations

import re
from dataclasses import dataclass

from arxiv_digest.fulltext.document import Document

#: The parts a deep read needs, each found by its section titles (and, for the introduction, by
#: the paragraphs that state the contributions).
ROLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        ("intro", r"introduc|overview|background"),
        ("method", r"method|approach|model|framework|architecture|algorithm|design|propos"),
        ("results", r"result|experiment|evaluat|benchmark|comparison|performance|analys|ablat"),
        ("setup", r"setup|set-up|setting|dataset|data\b|implementation|baseline|metric|training"),
        ("limitations", r"limitation|discussion|broader|failure|threat|future"),
        ("conclusion", r"conclu|summary|closing"),
    )
)
_CONTRIBUTION = re.compile(
    r"contribution|we propose|we present|we introduce|in this (?:paper|work)", re.I
)
_RESULT_TABLE = re.compile(r"result|comparison|performance|accuracy|main|benchmark|ablation", re.I)
#: One passage is cut to this many tokens (a long paragraph, a huge table).
PASSAGE_CAP = 900


def approx_tokens(text: str) -> int:
    """About four characters a token for Latin text, one a token for CJK characters (GPT-style
    tokenizers; bench/fulltext.py compares this with a real tokenizer)."""
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")
    return cjk + (len(text) - cjk + 3) // 4


@dataclass(frozen=True, slots=True)
class Passage:
    order: int  # position in the paper
    place: str  # "§4.2", "Table 3", "Abstract"
    text: str

    @property
    def tokens(self) -> int:
        return approx_tokens(self.text) + 4


def _cut(text: str, tokens: int) -> str:
    if approx_tokens(text) <= tokens:
        return text
    return text[: tokens * 4].rsplit(" ", 1)[0] + " …"


def select(document: Document, budget: int) -> list[Passage]:
    """Passages within `budget` tokens, in the paper's order."""
    everything = [
        Passage(i, place, _cut(text, PASSAGE_CAP))
        for i, (place, text) in enumerate(document.passages())
    ]
    titles = {s.place: f"{s.title}" for s in document.sections}
    parents = {s.place: s for s in document.sections}

    def role_of(passage: Passage) -> str | None:
        if passage.place == "Abstract":
            return "abstract"
        if passage.place.startswith("Table"):
            return "tables"
        if passage.place.startswith("Figure"):
            return None
        section = parents.get(passage.place)
        if section is None or section.appendix:
            return None
        title = titles.get(passage.place, "")
        head = section.number.split(".")[0]
        top = next((s.title for s in document.sections if s.number == head), title)
        for name, pattern in ROLES:
            if pattern.search(title) or pattern.search(top):
                return name
        return None

    queues: dict[str, list[Passage]] = {}
    for passage in everything:
        role = role_of(passage)
        if role is not None:
            queues.setdefault(role, []).append(passage)
    # contributions first in the introduction, results tables first among tables
    if "intro" in queues:
        queues["intro"].sort(key=lambda p: (not _CONTRIBUTION.search(p.text), p.order))
    if "tables" in queues:
        queues["tables"].sort(key=lambda p: (not _RESULT_TABLE.search(p.text), p.order))
    turns = ["abstract", "intro", "tables", "results", "method", "setup", "limitations"]
    turns.append("conclusion")
    chosen: list[Passage] = []
    used = 0
    progress = True
    while progress:
        progress = False
        for role in turns:
            queue = queues.get(role)
            while queue:
                passage = queue.pop(0)
                if used + passage.tokens <= budget:
                    chosen.append(passage)
                    used += passage.tokens
                    progress = True
                    break
    if not chosen:  # nothing matched a role: the paper's start
        for passage in everything:
            if used + passage.tokens > budget:
                break
            chosen.append(passage)
            used += passage.tokens
    return sorted(chosen, key=lambda p: p.order)


def render(passages: list[Passage]) -> str:
    """The passages as the model sees them: each under its place in brackets."""
    return "\n\n".join(f"[{p.place}] {p.text}" for p in passages)
