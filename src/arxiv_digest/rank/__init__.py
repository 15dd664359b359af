"""Ranking: put each reader's papers first, and always say why.

A paper's score adds up what it matched, each with a reason shown to the reader:
- keywords and phrases (case-insensitive, whole words; title counts more than abstract; a weight
  can be negative), and `exclude` keywords that drop a paper;
- followed authors (initials, accents and "Last, First" forms match);
- favoured categories;
- the reader's library and stars against everything else, by a linear SVM on TF-IDF of title
  and abstract (the default, `classifier.py`; hidden papers are its weighted negatives), or by
  similarity to the closest library paper (TF-IDF or sentence embeddings);
- starred papers pull similar ones up, hidden ones push similar ones down.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from arxiv_digest.config import RankConfig
from arxiv_digest.models import Paper
from arxiv_digest.rank.library import LibraryPaper

if TYPE_CHECKING:
    from arxiv_digest.rank.classifier import Vectorizer
    from arxiv_digest.rank.interests import Interest

W_TITLE, W_ABSTRACT = 1.0, 0.6
W_AUTHOR, W_CATEGORY, W_LIBRARY, W_FEEDBACK = 2.0, 0.5, 3.0, 2.0
CLOSE_ENOUGH = 0.1  # similarity below this gives no "close to" reason
#: With several interests a paper's SVM part is its z-score over the day under its interest,
#: divided by this: z = 3 scores as a clear positive of the single model (3.0); the "For you"
#: threshold of 1.0 asks z >= 1.
Z_UNIT = 3.0

_STOP = frozenset(
    """a an the and or of in on for to with by from as at is are was were be been being this
    that these those we our us it its their they which who whom whose what when where how than
    then there here such can could may might will would should also not no nor but if into over
    under between among via using use used based new show shows shown results result paper
    propose proposed approach method methods model models data study work task tasks""".split()
)
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*[a-z0-9]|[a-z]")


def tokenize(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP and not w.isdigit()]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


class TfidfIndex:
    """Sparse TF-IDF vectors with cosine similarity, in plain Python (no numpy needed)."""

    def __init__(self, corpus: Sequence[str]) -> None:
        counts = [Counter(tokenize(text)) for text in corpus]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        n = len(corpus)
        self.idf = {term: math.log((1 + n) / (1 + d)) + 1.0 for term, d in df.items()}
        self.vectors = [self._vector(c) for c in counts]

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        vec = {t: (1 + math.log(c)) * self.idf.get(t, 1.0) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def similarities(self, queries: Sequence[int], targets: Sequence[int]) -> list[list[float]]:
        """Cosine similarity of each query vector to each target vector (by corpus index)."""
        postings: dict[str, list[tuple[int, float]]] = {}
        for j, target in enumerate(targets):
            for term, weight in self.vectors[target].items():
                postings.setdefault(term, []).append((j, weight))
        out = []
        for q in queries:
            sims = [0.0] * len(targets)
            for term, weight in self.vectors[q].items():
                for j, other in postings.get(term, ()):
                    sims[j] += weight * other
            out.append(sims)
        return out


Similarity = Callable[[Sequence[str], Sequence[str]], list[list[float]]]


def tfidf_similarity(queries: Sequence[str], targets: Sequence[str]) -> list[list[float]]:
    index = TfidfIndex([*queries, *targets])
    return index.similarities(range(len(queries)), range(len(queries), len(queries) + len(targets)))


def name_key(name: str) -> tuple[str, str]:
    """('doe', 'j') for 'Jane Doe', 'J. Doe', 'Doe, Jane', 'Jane A. Doé'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    if "," in text:
        last, first = (part.strip() for part in text.split(",", 1))
    else:
        parts = text.replace(".", ". ").split()
        last, first = (parts[-1], parts[0]) if len(parts) > 1 else (text, "")
    last = re.sub(r"[^a-z\-']", "", last)
    first = re.sub(r"[^a-z]", "", first)
    return last, first[:1]


def _phrase(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.lower().split()]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)", re.IGNORECASE)


def excluded(config: RankConfig, papers: Sequence[Paper]) -> set[str]:
    """The ids of the papers an `exclude` keyword drops: they get no summary either, whether
    or not the day was ranked first."""
    patterns = [_phrase(term) for term in config.exclude if term.strip()]
    return {
        p.id
        for p in papers
        if any(pattern.search(p.title) or pattern.search(p.abstract) for pattern in patterns)
    }


@dataclass
class Scored:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    excluded: str | None = None
    #: the SVM's own decision value (0 is where it is least sure); None without the SVM
    decision: float | None = None
    #: the reader's interest it belongs to, when the library holds several
    interest: str | None = None


class Ranker:
    def __init__(
        self,
        config: RankConfig,
        library: Sequence[LibraryPaper] = (),
        *,
        starred: Sequence[Paper] = (),
        hidden: Sequence[Paper] = (),
        similarity: Similarity = tfidf_similarity,
        background: Sequence[Paper] = (),
        method: str = "tfidf",
    ) -> None:
        weights = (
            config.keywords
            if isinstance(config.keywords, dict)
            else dict.fromkeys(config.keywords, 1.0)
        )
        self.keywords = [(term, w, _phrase(term)) for term, w in weights.items() if term.strip()]
        self.exclude = [(term, _phrase(term)) for term in config.exclude if term.strip()]
        self.authors = {name_key(a): a for a in config.authors}
        self.categories = set(config.categories)
        self.library = [p for p in library if p.text.strip(". ")]
        self.starred = list(starred)
        self.hidden = list(hidden)
        self.similarity = similarity
        self.background = list(background)
        self.method = method
        self.config = config
        #: the interests the last scoring found, by name: the reader's papers in each
        self.interest_sizes: dict[str, int] = {}

    def score(self, papers: Sequence[Paper]) -> list[Scored]:
        results = [self._lexical(p) for p in papers]
        texts = [f"{p.title}. {p.abstract}" for p in papers]
        if self.method == "svm" and (self.library or self.starred):
            self._classify(papers, texts, results)
            for result in results:
                result.score = round(result.score, 4)
            return results
        groups: list[tuple[list[str], list[str], float, str]] = [
            (
                [p.title or p.arxiv_id or "" for p in self.library],
                [p.text for p in self.library],
                W_LIBRARY,
                "close to",
            ),
            (
                [p.title for p in self.starred],
                [f"{p.title}. {p.abstract}" for p in self.starred],
                W_FEEDBACK,
                "like starred",
            ),
            (
                [p.title for p in self.hidden],
                [f"{p.title}. {p.abstract}" for p in self.hidden],
                -W_FEEDBACK,
                "like hidden",
            ),
        ]
        for titles, targets, weight, label in groups:
            if not targets or not papers:
                continue
            sims = self.similarity(texts, targets)
            for result, row in zip(results, sims, strict=True):
                best = max(range(len(row)), key=row.__getitem__)
                result.score += weight * row[best]
                if row[best] >= CLOSE_ENOUGH:
                    result.reasons.append(f"{label}: {titles[best]}")
        for result in results:
            result.score = round(result.score, 4)
        return results

    def _classify(self, papers: Sequence[Paper], texts: list[str], results: list[Scored]) -> None:
        """The SVM's score for each paper, with the words that drove it and the library or
        starred paper it is closest to (or the hidden one it resembles) as reasons."""
        from arxiv_digest.rank.classifier import Classifier, Vectorizer
        from arxiv_digest.rank.interests import find_interests

        mine = {p.id for p in (*self.starred, *self.hidden)} | {
            p.arxiv_id for p in self.library if p.arxiv_id
        }
        candidates = {p.id for p in papers}
        positives = [p.text for p in self.library] + [
            f"{p.title}. {p.abstract}" for p in self.starred
        ]
        negatives = [
            f"{p.title}. {p.abstract}"
            for p in self.background
            if p.id not in mine and p.id not in candidates
        ]
        if not negatives:  # the store holds nothing else yet: the day's other papers stand in
            negatives = [t for p, t in zip(papers, texts, strict=True) if p.id not in mine]
        hidden = [f"{p.title}. {p.abstract}" for p in self.hidden]
        vectorize = Vectorizer([*positives, *negatives, *hidden, *texts])
        interests = find_interests(self.config, self.library, self.starred, vectorize)
        if interests:
            self.interest_sizes = {i.name: len(i.texts()) for i in interests}
            self._classify_interests(interests, papers, texts, results, negatives, vectorize)
            return
        model = Classifier(
            positives, negatives, hidden=hidden, candidates=texts, vectorize=vectorize
        )
        known = [
            *((p.title or p.arxiv_id or "", p.text, "close to") for p in self.library),
            *((p.title, f"{p.title}. {p.abstract}", "like starred") for p in self.starred),
            *((p.title, f"{p.title}. {p.abstract}", "like hidden") for p in self.hidden),
        ]
        known_vectors = [model.vectorize(text) for _, text, _ in known]
        starred = {p.id for p in self.starred}
        for paper, text, result in zip(papers, texts, results, strict=True):
            explained = model.explain(text)
            result.score += W_LIBRARY * explained.score
            result.decision = explained.score
            if paper.id in starred:
                result.reasons.append("starred")
            elif known:
                x = model.vectorize(text)
                sims = [sum(v * k.get(t, 0.0) for t, v in x.items()) for k in known_vectors]
                best = max(range(len(sims)), key=sims.__getitem__)
                if sims[best] >= CLOSE_ENOUGH and known[best][0] != paper.title:
                    result.reasons.append(f"{known[best][2]}: {known[best][0]}")
            if explained.words:
                result.reasons.append("words: " + ", ".join(explained.words))

    def _classify_interests(
        self,
        interests: Sequence[Interest],
        papers: Sequence[Paper],
        texts: list[str],
        results: list[Scored],
        background: list[str],
        vectorize: Vectorizer,
    ) -> None:
        """Each paper under each interest's own model: it belongs to the interest that scores
        it best (its keywords count there too), and its reasons name that interest."""
        from arxiv_digest.rank.interests import score_interests

        hidden = [f"{p.title}. {p.abstract}" for p in self.hidden]
        scored = score_interests(interests, texts, background, hidden, vectorize)
        words = [[(term, _phrase(term)) for term in interest.keywords] for interest in interests]
        known = [
            [
                *((p.title or p.arxiv_id or "", vectorize(p.text)) for p in i.papers),
                *((p.title, vectorize(f"{p.title}. {p.abstract}")) for p in i.starred),
            ]
            for i in interests
        ]
        starred = {p.id for p in self.starred}
        rows = zip(papers, texts, results, scored.decisions, scored.vectors, strict=True)
        for paper, text, result, row, x in rows:
            hits = [
                [t for t, pattern in kws if pattern.search(paper.title or "")]
                + [t for t, pattern in kws if pattern.search(paper.abstract or "")]
                for kws in words
            ]
            # z-scores: Z_UNIT of them count as one decision unit of the single model
            value = [
                z / Z_UNIT + W_TITLE * len(set(h)) / W_LIBRARY
                for z, h in zip(row, hits, strict=True)
            ]
            best = max(range(len(value)), key=value.__getitem__)
            name = scored.names[best]
            result.score += W_LIBRARY * row[best] / Z_UNIT + W_TITLE * len(set(hits[best]))
            result.decision = row[best] / Z_UNIT
            result.interest = name
            result.reasons += [f"{name}: keyword: {t}" for t in dict.fromkeys(hits[best])]
            if paper.id in starred:
                result.reasons.append("starred")
                continue
            near = [
                (sum(v * k.get(t, 0.0) for t, v in x.items()), title) for title, k in known[best]
            ]
            if near:
                sim, title = max(near)
                if sim >= CLOSE_ENOUGH and title != paper.title:
                    result.reasons.append(f"{name}: close to {title}")
            explained = scored.models[best].explain(text)
            if explained.words:
                result.reasons.append(f"{name}: words: " + ", ".join(explained.words))

    def _lexical(self, paper: Paper) -> Scored:
        result = Scored()
        title, abstract = paper.title, paper.abstract
        for term, pattern in self.exclude:
            if pattern.search(title) or pattern.search(abstract):
                result.excluded = term
                result.reasons.append(f"excluded: {term}")
        for term, weight, pattern in self.keywords:
            if pattern.search(title):
                result.score += weight * W_TITLE
            elif pattern.search(abstract):
                result.score += weight * W_ABSTRACT
            else:
                continue
            result.reasons.append(f"keyword: {term}" if weight >= 0 else f"keyword: -{term}")
        for author in paper.authors:
            followed = self.authors.get(name_key(author))
            if followed is None:
                last = name_key(author)[0]
                followed = next(
                    (
                        v
                        for (surname, first), v in self.authors.items()
                        if surname == last and not first
                    ),
                    None,
                )
            if followed is not None:
                result.score += W_AUTHOR
                result.reasons.append(f"author: {author}")
        if paper.primary_category in self.categories:
            result.score += W_CATEGORY
            result.reasons.append(f"category: {paper.primary_category}")
        return result
