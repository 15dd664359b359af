"""The extractive summarizer: no model, no network, deterministic.

Each field is filled with the abstract's own sentence whose rhetorical role fits best, by cue
phrases and position: problem and gap statements for Motivation; "we propose / introduce / present"
for Method; "experiments / results show, outperforms" for Result; "we conclude / overall / this
work" for Conclusion. The TL;DR is the sentence that best states the contribution, cut to 200
characters at a word boundary. With four or more sentences no sentence serves two fields.
"""

from __future__ import annotations

import itertools
import re

from arxiv_digest.config import SummarizerConfig
from arxiv_digest.models import TLDR_LIMIT, Paper, SummaryFields
from arxiv_digest.summarize.base import Summarizer, SummaryResult
from arxiv_digest.summarize.sentences import split_clauses, split_sentences
from arxiv_digest.textutil import cut_at_word

ROLES = ("motivation", "method", "result", "conclusion")


def _cues(*pairs: tuple[str, float]) -> list[tuple[re.Pattern[str], float]]:
    return [(re.compile(p, re.IGNORECASE), w) for p, w in pairs]


PROPOSAL = re.compile(
    r"\b(we|this (paper|work|study|article|thesis|letter|report|survey)|our (work|paper|study)|"
    r"here)\b[^.;]{0,80}?\b(propose[sd]?|introduce[sd]?|present(s|ed)?|develop(s|ed)?|"
    r"design(s|ed)?|formulate[sd]?|reformulate[sd]?|reframe[sd]?|frame[sd]?|cast(s)?|devise[sd]?|"
    r"construct(s|ed)?|build|builds|put forward|offer(s)?|describe[sd]?|establish(es|ed)?|"
    r"derive[sd]?|provide[sd]?|contribute[sd]?|investigate[sd]?|study|studies|explore[sd]?|"
    r"examine[sd]?|analy[sz]e[sd]?|extend(s|ed)?|adapt(s|ed)?|leverage[sd]?|tackle[sd]?|"
    r"address(es|ed)?|curate[sd]?|release[sd]?|collect(s|ed)?|train(s|ed)?|learn(s|ed)?|"
    r"model(s|ed)?|characteri[sz]e[sd]?|prove[sd]?|show(s|ed)? how)\b",
    re.IGNORECASE,
)

CUES: dict[str, list[tuple[re.Pattern[str], float]]] = {
    "motivation": _cues(
        (r"\b(however|yet|but|although|despite|whereas|nevertheless)\b", 1.5),
        (
            r"\b(challeng\w*|problems?|difficult\w*|limitations?|limited|lacks?|lacking|gaps?|"
            r"bottlenecks?|struggl\w+|suffers?|fails?|failing|costly|expensive|remains?|unclear|"
            r"unexplored|underexplored|open (question|problem)|issues?|hinder\w*|insufficient|"
            r"inefficien\w+|scarc\w+|prone|vulnerab\w+|brittle|poorly|rarely|neglect\w*|"
            r"overlook\w*|ignor\w+)\b",
            1.2,
        ),
        (
            r"\b(existing|current|prior|previous|conventional|traditional|standard|most)\s+"
            r"(\w+\s)?(methods?|approaches|works?|models?|systems?|techniques|solutions|studies)",
            1.5,
        ),
        (
            r"\b(important|crucial|critical|essential|fundamental|increasingly|growing|widely|"
            r"popular|emerging|ubiquitous|central|key challenge)\b",
            0.7,
        ),
    ),
    "method": _cues(
        (PROPOSAL.pattern, 3.0),
        (
            r"\b(our|the proposed|this|the)\s+(\w+\s)?(method|approach|framework|model|algorithm|"
            r"system|architecture|technique|pipeline|module|mechanism|scheme|strategy|objective)",
            1.2,
        ),
        (
            r"\b(specifically|concretely|to this end|to address|to tackle|to overcome|to solve|"
            r"to mitigate|to bridge|in particular|leverag\w+|consists? of|compris\w+|employ\w*|"
            r"utiliz\w+|incorporat\w+|integrat\w+|combin\w+|built on|relies on|uses|using)\b",
            1.0,
        ),
        (r"\b(called|dubbed|named|termed|coined)\b", 1.0),
        (
            r"\bwe (use|train|adopt|apply|model|formulate|leverage|extend|exploit|employ|learn|"
            r"encode|decompose|reformulate|cast|replace|augment|fine-tune)\b",
            1.5,
        ),
    ),
    "result": _cues(
        (
            r"\b(experiments?|experimental|empirical\w*|evaluations?|evaluat\w+|benchmarks?|"
            r"results?|simulations?|case stud\w+|ablations?)\b",
            1.0,
        ),
        (
            r"\b(shows?|showed|shown|demonstrat\w+|achiev\w+|outperform\w*|improv\w+|surpass\w*|"
            r"reduc\w+|exceed\w*|yield\w*|attain\w*|superior|state-of-the-art|sota|better|gains?|"
            r"boost\w*|accura\w+|speedups?|faster|competitive|consistently|significantly|"
            r"substantially|up to)\b",
            1.0,
        ),
        (r"\d+(\.\d+)?\s*(%|x\b|×|times|fold|points|pp\b)", 1.5),
        (r"\d", 0.4),
    ),
    "conclusion": _cues(
        (
            r"\b(we conclude|in conclusion|overall|in summary|to summarize|taken together|"
            r"these (results|findings)|our (results|findings|analysis|work)|this work|this study|"
            r"altogether|collectively)\b",
            2.0,
        ),
        (
            r"\b(suggests?|indicat\w+|highlight\w*|implications?|paves? the way|opens? (up|new)|"
            r"future|insights?|sheds? light|underscor\w+|potential|promising|broad\w*|"
            r"generaliz\w+|practical|valuable|enables?|offers? a)\b",
            1.0,
        ),
        (
            r"\b(code|data|dataset|models?|implementation|benchmark)\b[^.]{0,40}\b(available|"
            r"released|open-?sourced?|publicly)\b",
            1.0,
        ),
    ),
}


def _score(sentence: str, role: str, index: int, count: int) -> float:
    score = 0.0
    for pattern, weight in CUES[role]:
        if pattern.search(sentence):
            score += weight
    rel = index / max(count - 1, 1)  # 0 = first sentence, 1 = last
    if role == "motivation":
        score += 1.5 * (1 - rel) + (1.0 if index == 0 else 0.0)
        if PROPOSAL.search(sentence):
            score -= 2.0
    elif role == "method":
        score += 0.8 * (1 - abs(rel - 0.4))
    elif role == "result":
        score += 1.0 * rel
        if PROPOSAL.search(sentence):
            score -= 1.0
    elif role == "conclusion":
        score += 2.0 * rel + (1.0 if index == count - 1 else 0.0)
    return score


def _contribution(sentence: str, index: int, count: int) -> float:
    score = 4.0 if PROPOSAL.search(sentence) else 0.0
    if re.search(
        r"\b(novel|new|first|framework|method|approach|model|benchmark|dataset)\b",
        sentence,
        re.IGNORECASE,
    ):
        score += 1.0
    if re.search(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9\-]*\b", sentence):  # a named system
        score += 0.5
    score += 0.5 * (1 - index / max(count - 1, 1))
    return score


def _units(abstract: str) -> list[str]:
    sentences = split_sentences(abstract)
    if len(sentences) >= 5:
        return sentences
    units: list[str] = []
    for sentence in sentences:
        units.extend(split_clauses(sentence))
    return units if len(units) > len(sentences) else sentences


def extract_fields(title: str, abstract: str) -> SummaryFields:
    """The five fields from the abstract's own sentences (the title if there is no abstract)."""
    units = _units(abstract) or [" ".join(title.split())]
    n = len(units)
    tldr_at = max(range(n), key=lambda i: (_contribution(units[i], i, n), -i))
    tldr = cut_at_word(units[tldr_at], TLDR_LIMIT)
    scores = {role: [_score(u, role, i, n) for i, u in enumerate(units)] for role in ROLES}

    if n >= 5:
        pool = [i for i in range(n) if i != tldr_at]
    else:
        pool = list(range(n))
    if len(pool) >= 4:
        chosen = _assign(pool, scores)
    else:  # too few sentences to keep the fields apart: each takes its best fit
        chosen = {role: _best(pool, scores[role]) for role in ROLES}
    return SummaryFields(tldr=tldr, **{role: units[chosen[role]] for role in ROLES})


def _best(pool: list[int], role_scores: list[float]) -> int:
    return max(pool, key=lambda i: (role_scores[i], -i))


def _assign(pool: list[int], scores: dict[str, list[float]]) -> dict[str, int]:
    """Give each role a distinct sentence, maximizing fit, preferring the abstract's order."""
    candidates = {role: sorted(pool, key=lambda i: (-scores[role][i], i))[:6] for role in ROLES}
    best: tuple[float, tuple[int, ...]] | None = None
    for combo in itertools.product(*(candidates[role] for role in ROLES)):
        if len(set(combo)) < 4:
            continue
        total = sum(scores[role][i] for role, i in zip(ROLES, combo, strict=True))
        total += 0.5 * sum(1 for a, b in itertools.pairwise(combo) if a < b)
        if best is None or total > best[0]:
            best = (total, combo)
    if best is None:  # fewer than four usable candidates: fall back to a plain walk
        remaining = list(pool)
        picks = []
        for role in ROLES:
            pick = _best(remaining, scores[role])
            picks.append(pick)
            remaining.remove(pick)
        return dict(zip(ROLES, picks, strict=True))
    return dict(zip(ROLES, best[1], strict=True))


class ExtractiveSummarizer(Summarizer):
    """Fills the five fields from the abstract's sentences; the offline default."""

    backend = "extractive"
    model = "extractive"
    prompt_version = "extractive-1"

    def output_language(self, requested: str) -> str:
        return "English"  # it quotes the abstract, which arXiv serves in English

    async def summarize(self, paper: Paper, language: str) -> SummaryResult:
        return SummaryResult(fields=extract_fields(paper.title, paper.abstract))


def create(settings: SummarizerConfig) -> ExtractiveSummarizer:
    return ExtractiveSummarizer()
