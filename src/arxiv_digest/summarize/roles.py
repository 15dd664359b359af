"""The role each sentence of an abstract plays: background, objective, method, result or other.

A logistic regression over each sentence's words, word pairs, opening words, position and the
extractive summarizer's cue phrases gives each sentence's roles; the order abstracts keep
(background, then objective, method, result) is added by forward-backward over a five-state
chain whose transitions were counted in the same data. Both were learnt from CSAbstruct's train
split, the regularization chosen on its dev split (`bench/train_roles.py`); the weights ship in
`roles.json.gz` (about 150 KB: nothing is downloaded, no library is needed to use them).
`bench/extractive_roles.py` measures the fields chosen with them on the test split.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

LABELS = ("background", "objective", "method", "result", "other")
_WORD = re.compile(r"[a-z][a-z\-]+|\d+")


def features(sentences: list[str], i: int, cues: list[str]) -> Iterator[str]:
    """The features of sentence `i` of `sentences`; `cues` names the cue phrases it holds."""
    n = len(sentences)
    words = _WORD.findall(sentences[i].lower())
    yield "bias"
    yield from (f"w:{w}" for w in set(words))
    yield from (f"b:{a}_{b}" for a, b in set(zip(words, words[1:], strict=False)))
    yield from (f"start:{w}" for w in words[:3])
    yield f"pos:{min(int(10 * i / max(n - 1, 1)), 9)}"
    if i == 0:
        yield "first"
    if i == n - 1:
        yield "last"
    yield from (f"c:{c}" for c in cues)


@dataclass(frozen=True)
class RoleModel:
    weights: dict[str, list[float]]
    start: list[float]
    transitions: list[list[float]]
    prior: list[float]

    def emissions(self, feature_sets: list[list[str]]) -> list[list[float]]:
        """Each sentence's role probabilities from its own features (softmax), divided by the
        roles' prior: the chain wants likelihoods, not posteriors."""
        out = []
        for feats in feature_sets:
            scores = [0.0] * len(LABELS)
            for name in feats:
                row = self.weights.get(name)
                if row is not None:
                    scores = [s + w for s, w in zip(scores, row, strict=True)]
            top = max(scores)
            exps = [pow(2.718281828459045, s - top) for s in scores]
            total = sum(exps)
            out.append([e / total / p for e, p in zip(exps, self.prior, strict=True)])
        return out

    def posteriors(self, feature_sets: list[list[str]]) -> list[dict[str, float]]:
        """Each sentence's role probabilities given the whole abstract (forward-backward)."""
        emit = self.emissions(feature_sets)
        n, k = len(emit), len(LABELS)
        if n == 0:
            return []
        forward = [[0.0] * k for _ in range(n)]
        backward = [[1.0] * k for _ in range(n)]
        row = [self.start[j] * emit[0][j] for j in range(k)]
        forward[0] = _normal(row)
        for t in range(1, n):
            row = [
                sum(forward[t - 1][i] * self.transitions[i][j] for i in range(k)) * emit[t][j]
                for j in range(k)
            ]
            forward[t] = _normal(row)
        for t in range(n - 2, -1, -1):
            row = [
                sum(self.transitions[i][j] * emit[t + 1][j] * backward[t + 1][j] for j in range(k))
                for i in range(k)
            ]
            backward[t] = _normal(row)
        out = []
        for t in range(n):
            joint = _normal([forward[t][j] * backward[t][j] for j in range(k)])
            out.append(dict(zip(LABELS, joint, strict=True)))
        return out


def _normal(row: list[float]) -> list[float]:
    total = sum(row) or 1.0
    return [x / total for x in row]


@lru_cache(maxsize=1)
def role_model() -> RoleModel:
    raw = files("arxiv_digest.summarize").joinpath("roles.json.gz").read_bytes()
    data = json.loads(gzip.decompress(raw))
    return RoleModel(data["weights"], data["start"], data["transitions"], data["prior"])
