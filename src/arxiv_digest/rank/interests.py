"""A reader's interests: the library split into the topics it holds, each learned on its own.

Most readers follow a main field and a side interest or two with a few papers each. One model
over the whole library learns the main field and buries the side interest: the side topic's
other stored papers, which nobody starred because nobody stars everything, count as negatives.
So each interest gets a linear SVM of its own: its papers (and the stars that fall in it) as
positives, the reader's papers of the other interests as negatives, and the unlabelled stored
papers as negatives of small weight (`UNLABELLED_WEIGHT`: an unstarred paper is not an unwanted
one; only a hide says so). A candidate belongs to the interest that scores it best, and each
interest is sure of its share of the "For you" list (`rank.interest_quota`).

Interests come from `[[rank.interests]]` (named, each with its library, keywords and
categories), or else from the reader's papers themselves (library and stars): grouped by their
arXiv category, each category holding `rank.min_interest` papers or more an interest named
after it; the other papers join the interest they are closest to. So a star can start an
interest: two library papers and one star in a category make it one. bench/rank_interests.py
measures the choices.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from arxiv_digest.config import RankConfig
from arxiv_digest.models import Paper
from arxiv_digest.rank.classifier import BIAS, Classifier, Vectorizer
from arxiv_digest.rank.library import LibraryPaper
from arxiv_digest.taxonomy import categories as taxonomy

#: What an unlabelled stored paper weighs as a negative, against 1 for a paper of another
#: interest (measured: 0.2 lifts the side interests' nDCG@10 most without costing the main's).
UNLABELLED_WEIGHT = 0.2
#: A smaller interest weighs them in proportion to its size (five papers: a quarter of that):
#: against a thousand unlabelled papers its few own would learn "unlike arXiv at large" more
#: than "unlike my other interests" (bench/rank_interests.py: 10 of 14 splits meet the goals
#: against 8, the minors' mean nDCG@10 alike).
FULL_INTEREST = 20
#: Each interest's model learns against at most this many unlabelled papers (an even sample of
#: them): three interests then cost about what one model on the whole store does.
BACKGROUND_PER_INTEREST = 1000


@dataclass
class Interest:
    name: str
    categories: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()
    papers: list[LibraryPaper] = field(default_factory=list)
    starred: list[Paper] = field(default_factory=list)
    #: what names it in `rank.interest_names`: an automatic interest's category (its name for a
    #: named one)
    key: str = ""

    def texts(self) -> list[str]:
        return [p.text for p in self.papers] + [f"{p.title}. {p.abstract}" for p in self.starred]


def _name(category: str) -> str:
    known = taxonomy().get(category)
    return known.name if known is not None else category


def _centroid(vectors: Sequence[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for v in vectors:
        for k, x in v.items():
            total[k] = total.get(k, 0.0) + x
    norm = math.sqrt(sum(x * x for x in total.values())) or 1.0
    return {k: x / norm for k, x in total.items()}


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def find_interests(
    config: RankConfig,
    library: Sequence[LibraryPaper],
    starred: Sequence[Paper],
    vectorize: Vectorizer,
) -> list[Interest]:
    """The reader's interests (two or more), or [] when the library is one interest."""
    if config.interests:
        found = [
            Interest(i.name, frozenset(i.categories), tuple(i.keywords), key=i.name)
            for i in config.interests
        ]
    elif config.auto_interests:
        counts: dict[str, int] = {}  # the reader's papers: the library's and the stars
        for category in [p.category for p in library] + [s.primary_category for s in starred]:
            if category:
                counts[category] = counts.get(category, 0) + 1
        names = config.interest_names
        found = [
            Interest(names.get(c) or names.get(_name(c)) or _name(c), frozenset({c}), key=c)
            for c, n in sorted(counts.items(), key=lambda cn: -cn[1])
            if n >= config.min_interest
        ]
    else:
        found = []
    if len(found) < 2:
        return []
    by_name = {i.name: i for i in found}
    loose: list[LibraryPaper] = []
    for paper in library:
        home = by_name.get(paper.interest) or next(
            (i for i in found if paper.category and paper.category in i.categories), None
        )
        if home is None:
            loose.append(paper)
        else:
            home.papers.append(paper)
    centroids = {i.name: _centroid([vectorize(t) for t in i.texts()]) for i in found if i.texts()}

    def nearest(text: str, category: str) -> Interest:
        by_category = next((i for i in found if category and category in i.categories), None)
        if by_category is not None or not centroids:
            return by_category or found[0]
        vector = vectorize(text)
        best = max(centroids, key=lambda name: _dot(vector, centroids[name]))
        return by_name[best]

    for paper in loose:
        nearest(paper.text, paper.category).papers.append(paper)
    for star in starred:
        nearest(f"{star.title}. {star.abstract}", star.primary_category).starred.append(star)
    return [i for i in found if i.texts()] if sum(bool(i.texts()) for i in found) >= 2 else []


@dataclass(frozen=True)
class InterestScores:
    """Each candidate's decision under each interest's model, and the models."""

    names: list[str]
    decisions: list[list[float]]  # [candidate][interest]
    models: list[Classifier]
    vectors: list[dict[str, float]]  # each candidate's, for its reasons


def score_interests(
    interests: Sequence[Interest],
    candidates: Sequence[str],
    background: Sequence[str],
    hidden: Sequence[str],
    vectorize: Vectorizer,
) -> InterestScores:
    models = []
    step = max(1, -(-len(background) // BACKGROUND_PER_INTEREST))
    sampled = background[::step]
    for interest in interests:
        others = [t for other in interests if other is not interest for t in other.texts()]
        models.append(
            Classifier(
                interest.texts(),
                sampled,
                hidden=hidden,
                others=others,
                unlabelled_weight=UNLABELLED_WEIGHT
                * min(1.0, len(interest.texts()) / FULL_INTEREST),
                vectorize=vectorize,
            )
        )
    vectors = [vectorize(text) for text in candidates]
    return InterestScores([i.name for i in interests], decide(models, vectors), models, vectors)


def decide(models: Sequence[Classifier], vectors: Sequence[dict[str, float]]) -> list[list[float]]:
    """Each candidate's decision under each model, as z-scores over the day: a side interest's
    model, trained on a few papers, decides lower everywhere; a paper goes where it stands out
    most, and a score means the same under every interest (bench/rank_interests.py: calibrating
    each model on its own papers instead lost the side interests a third of their nDCG@10)."""
    decisions = [[_dot(m.w, x) + m.w.get(BIAS, 0.0) for m in models] for x in vectors]
    columns = list(zip(*decisions, strict=True))
    spread = []
    for column in columns:
        mean = sum(column) / len(column)
        sd = (sum((x - mean) ** 2 for x in column) / len(column)) ** 0.5 or 1.0
        spread.append((mean, sd))
    return [
        [(d - mean) / sd for d, (mean, sd) in zip(row, spread, strict=True)] for row in decisions
    ]


def characteristic_words(
    interests: Sequence[Interest], vectorize: Vectorizer, n: int = 6
) -> list[tuple[str, ...]]:
    """Each interest's words: those its papers share most and the other interests least
    (a centroid of TF-IDF vectors against the largest of the others' on each word)."""
    centroids = [_centroid([vectorize(t) for t in i.texts()]) for i in interests]
    out = []
    for i, mine in enumerate(centroids):
        others = [c for j, c in enumerate(centroids) if j != i]
        apart = {
            word: weight - max((c.get(word, 0.0) for c in others), default=0.0)
            for word, weight in mine.items()
        }
        best = sorted((w for w in apart if apart[w] > 0), key=lambda w: -apart[w])
        words: list[str] = []
        for word in best:  # a pair says more than its words alone: keep it, drop them
            if any(word in kept.split() for kept in words if " " in kept):
                continue
            words = [k for k in words if " " not in word or k not in word.split()] + [word]
            if len(words) == n:
                break
        out.append(tuple(words))
    return out
