"""The default ranker: a linear SVM on TF-IDF of title + abstract, arxiv-sanity's classic.

The reader's papers (library, stars) are the positives; the other stored papers (and, weighted
more, the hidden ones) are the negatives, so the model learns what sets the reader's papers
apart rather than what they merely share with everything on arXiv. It is trained again from
the store at every ranking, so one star or hide moves the next day's order.

Plain Python, no numpy: features are sparse dicts, and the SVM is trained by dual coordinate
descent (Hsieh et al., ICML 2008; what liblinear's LinearSVC does) with the squared hinge loss,
L2 regularisation, balanced class weights and a bias feature.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

#: Common English words, which carry no topic (the words alone; bigrams are built after).
STOPWORDS = frozenset(
    """a about above after again against all also am among an and any are as at be because
    been before being below between both but by can could did do does doing down during each
    either few for from further had has have having he her here hers him his how however i if in
    into is it its itself just may me might more most much must my no nor not now of off on once
    one only or other our ours out over own per same she should since so some such than that the
    their theirs them then there these they this those through thus to too two under until up
    upon us very via was we were what when where whether which while who whom whose why will
    with within without would yet you your""".split()
)
_WORD = re.compile(r"[a-z0-9]{2,}")
BIAS = "\x00bias"


def features(text: str) -> list[str]:
    """Words of two letters or more (hyphens split), stopwords out, and adjacent pairs."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


class Vectorizer:
    """Sublinear TF-IDF (smooth idf), each vector scaled to length 1."""

    def __init__(self, corpus: Sequence[str]) -> None:
        df: Counter[str] = Counter()
        for text in corpus:
            df.update(set(features(text)))
        n = len(corpus)
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
        self.unseen = math.log(1 + n) + 1.0

    def __call__(self, text: str) -> dict[str, float]:
        counts = Counter(features(text))
        vec = {t: (1 + math.log(c)) * self.idf.get(t, self.unseen) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}


def _dot(w: dict[str, float], x: dict[str, float]) -> float:
    return sum(w.get(k, 0.0) * v for k, v in x.items())


def train_svm(
    xs: Sequence[dict[str, float]],
    ys: Sequence[int],
    weights: Sequence[float],
    *,
    c: float = 0.1,
    epochs: int = 60,
    tolerance: float = 1e-3,
    seed: int = 0,
) -> dict[str, float]:
    """A linear SVM (squared hinge, L2) by dual coordinate descent; `weights` scale each
    example's C (class balance, hidden papers counting double)."""
    rows = [{**x, BIAS: 1.0} for x in xs]
    d = [1.0 / (2.0 * c * w) for w in weights]
    q = [sum(v * v for v in x.values()) + d[i] for i, x in enumerate(rows)]
    alpha = [0.0] * len(rows)
    w: dict[str, float] = {}
    order = list(range(len(rows)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        largest = 0.0
        for i in order:
            x, y = rows[i], ys[i]
            g = y * _dot(w, x) - 1.0 + d[i] * alpha[i]
            pg = g if alpha[i] > 0 else min(g, 0.0)
            if abs(pg) <= 1e-12:
                continue
            largest = max(largest, abs(pg))
            old = alpha[i]
            alpha[i] = max(old - g / q[i], 0.0)
            step = (alpha[i] - old) * y
            for k, v in x.items():
                w[k] = w.get(k, 0.0) + step * v
        if largest < tolerance:
            break
    return w


@dataclass(frozen=True)
class Explained:
    score: float
    words: tuple[str, ...]  # the features that pushed the paper up most


class Classifier:
    """Trained on the reader's papers against the rest; scores and explains new papers."""

    #: Hidden papers count this much more than an ordinary negative.
    HIDDEN_WEIGHT = 2.0

    def __init__(
        self,
        positives: Sequence[str],
        negatives: Sequence[str],
        *,
        hidden: Sequence[str] = (),
        candidates: Sequence[str] = (),
        others: Sequence[str] = (),
        unlabelled_weight: float = 1.0,
        vectorize: Vectorizer | None = None,
    ) -> None:
        """`negatives` are the unlabelled stored papers, each weighing `unlabelled_weight` (an
        unstarred paper is not an unwanted one); `others` are the reader's papers of their other
        interests (what sets this interest apart), weighing as much as a positive; `hidden`
        papers weigh HIDDEN_WEIGHT. A shared `vectorize` saves building it again per interest."""
        self.vectorize = vectorize or Vectorizer([*positives, *negatives, *hidden, *candidates])
        xs = [self.vectorize(t) for t in (*positives, *negatives, *others, *hidden)]
        n_pos = len(positives)
        raw = (
            [unlabelled_weight] * len(negatives)
            + [1.0] * len(others)
            + [self.HIDDEN_WEIGHT] * len(hidden)
        )
        # the classes balance by count (a hidden paper counts once there, twice in its weight)
        counted = sum(raw) - (self.HIDDEN_WEIGHT - 1.0) * len(hidden)
        total = n_pos + counted
        pos_w = total / (2.0 * n_pos) if n_pos else 1.0
        neg_w = total / (2.0 * counted) if raw else 1.0
        ys = [1] * n_pos + [-1] * len(raw)
        weights = [pos_w] * n_pos + [neg_w * r for r in raw]
        self.w = train_svm(xs, ys, weights) if n_pos and raw else {}

    def explain(self, text: str, words: int = 3) -> Explained:
        x = self.vectorize(text)
        parts = sorted(((self.w.get(k, 0.0) * v, k) for k, v in x.items()), reverse=True)
        top = tuple(k for value, k in parts[:words] if value > 0)
        return Explained(_dot(self.w, x) + self.w.get(BIAS, 0.0), top)
