"""Train the sentence-role model the extractive summarizer ships (summarize/roles.json.gz).

python bench/train_roles.py [--check]

A multinomial logistic regression (scikit-learn, L2) over `arxiv_digest.summarize.roles.features`
fitted on CSAbstruct's train split, C chosen on the dev split by sentence accuracy; the role
chain's start and transition probabilities and the roles' prior are counted on the train split
(add-one). Weights below 0.02 for every role are dropped so the file stays small. The test split
is never read here (bench/extractive_roles.py reports on it).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from arxiv_digest.summarize.extractive import readable, sentence_cues
from arxiv_digest.summarize.roles import LABELS, features

ROOT = Path(__file__).resolve().parents[1]
CSABSTRUCT = ROOT.parent / "shared" / "corpus" / "csabstruct"
OUT = ROOT / "src" / "arxiv_digest" / "summarize" / "roles.json.gz"


def load(split: str) -> list[dict[str, list[str]]]:
    text = (CSABSTRUCT / f"{split}.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def rows(split: str) -> tuple[list[dict[str, int]], list[str]]:
    xs, ys = [], []
    for item in load(split):
        sentences = [readable(s) for s in item["sentences"]]
        for i, label in enumerate(item["labels"]):
            xs.append(dict.fromkeys(features(sentences, i, sentence_cues(sentences[i])), 1))
            ys.append(label)
    return xs, ys


def chain() -> tuple[list[float], list[list[float]], list[float]]:
    k = len(LABELS)
    start, prior = [1.0] * k, [1.0] * k
    moves = [[1.0] * k for _ in range(k)]
    for item in load("train"):
        labels = [LABELS.index(x) for x in item["labels"]]
        start[labels[0]] += 1
        for a, b in zip(labels, labels[1:], strict=False):
            moves[a][b] += 1
        for x in labels:
            prior[x] += 1
    return (
        [round(s / sum(start), 5) for s in start],
        [[round(m / sum(row), 5) for m in row] for row in moves],
        [round(p / sum(prior), 5) for p in prior],
    )


def main() -> None:
    train_x, train_y = rows("train")
    dev_x, dev_y = rows("dev")
    vec = DictVectorizer()
    xt, xd = vec.fit_transform(train_x), vec.transform(dev_x)
    best = None
    for c in (0.03, 0.1, 0.3):
        model = LogisticRegression(C=c, max_iter=3000).fit(xt, train_y)
        accuracy = float((model.predict(xd) == dev_y).mean())
        print(f"C={c}: dev sentence accuracy {accuracy:.3f}")
        if best is None or accuracy > best[0]:
            best = (accuracy, c, model)
    assert best is not None
    _, c, model = best
    order = [list(model.classes_).index(label) for label in LABELS]
    weights = {}
    for j, name in enumerate(vec.get_feature_names_out()):
        row = [float(model.coef_[k][j]) for k in order]
        if name == "bias":
            row = [r + float(model.intercept_[k]) for r, k in zip(row, order, strict=True)]
        if max(abs(r) for r in row) >= 0.02:
            weights[str(name)] = [round(r, 3) for r in row]
    start, transitions, prior = chain()
    data = {"C": c, "weights": weights, "start": start, "transitions": transitions, "prior": prior}
    blob = gzip.compress(json.dumps(data, sort_keys=True).encode(), mtime=0)
    if "--check" in sys.argv:
        same = OUT.exists() and OUT.read_bytes() == blob
        print("the shipped model is", "up to date" if same else "OUT OF DATE")
        sys.exit(0 if same else 1)
    OUT.write_bytes(blob)
    size = len(blob) / 1024
    print(f"C={c}, {len(weights)} weights kept, {size:.0f} KB -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
