"""The rank stage: score a stored day against the reader's profile, order and filter it."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

from arxiv_digest.config import RankConfig
from arxiv_digest.rank import Ranker, Similarity, tfidf_similarity
from arxiv_digest.rank.library import LibraryError, LibraryPaper, load_library
from arxiv_digest.store import DigestRow, Store

#: The most recent stored papers the SVM learns the reader's papers against.
BACKGROUND = 3000


@dataclass
class RankReport:
    ranked: int = 0
    excluded: int = 0
    below: int = 0
    top: list[tuple[str, float, tuple[str, ...]]] = field(default_factory=list)
    #: (id, title, decision): the papers the SVM is least sure of, for `rank --ask`
    uncertain: list[tuple[str, str, float]] = field(default_factory=list)
    #: per interest, when the library holds several: its name, papers, and best titles
    interests: list[tuple[str, int, list[tuple[str, float]]]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"ranked {self.ranked} papers"]
        if self.excluded or self.below:
            out.append(
                f"filtered out {self.excluded + self.below} papers "
                f"({self.excluded} by a negative keyword, {self.below} below the "
                "minimum score)"
            )
        if self.interests:
            out.append(" · ".join(f"{name} {n}" for name, n, _ in self.interests))
            for name, _n, best in self.interests:
                out.append(f"{name}:")
                out += [f"  {score:5.2f}  {title[:70]}" for title, score in best[:3]]
            return out
        for title, score, reasons in self.top[:5]:
            out.append(f"  {score:5.2f}  {title[:70]}  ({'; '.join(reasons[:3])})")
        return out


def _paper_key(paper: LibraryPaper) -> str:
    return paper.arxiv_id or " ".join(paper.title.lower().split())


def _zotero(
    config: RankConfig,
    collection: str | None,
    read: dict[str | None, list[LibraryPaper]],
    interest: str = "",
) -> list[LibraryPaper]:
    from arxiv_digest.rank.zotero import fetch_zotero

    if collection in read:
        return read[collection]

    z = config.zotero
    if z is None:
        raise LibraryError(
            f"interest {interest!r} names a Zotero collection: set the library in [rank.zotero]"
        )
    library_id = z.library_id or os.environ.get(z.library_id_env, "").strip()
    if not library_id:
        raise LibraryError(
            f"Zotero: set library_id in [rank.zotero] or the variable {z.library_id_env}"
        )
    read[collection] = fetch_zotero(
        library_id,
        z.library_type,
        api_key_env=z.api_key_env,
        collection=collection,
        base_url=z.base_url,
    )
    return read[collection]


def library_papers(store: Store, config: RankConfig) -> list[LibraryPaper]:
    """The library files and Zotero library, with the text of arXiv-id-only entries filled
    from the store."""
    papers = load_library(list(config.library))
    read: dict[str | None, list[LibraryPaper]] = {}  # each Zotero collection read once
    if config.zotero is not None:
        papers += _zotero(config, config.zotero.collection, read)
    own: list[LibraryPaper] = []
    for interest in config.interests:  # each named interest's own papers
        mine = load_library(interest.library)
        if interest.zotero_collection:
            mine += _zotero(config, interest.zotero_collection, read, interest.name)
        own += [dataclasses.replace(p, interest=interest.name) for p in mine]
    # a paper an interest holds is that interest's, not also the main library's (a Zotero
    # library read whole holds its collections' papers too)
    taken = {_paper_key(p) for p in own}
    papers = [p for p in papers if _paper_key(p) not in taken] + own
    # the store fills in what an arXiv id alone does not say: text, and the primary category
    # (which automatic interests group by)
    known = store.papers.by_id(p.arxiv_id for p in papers if p.arxiv_id)
    filled = []
    for paper in papers:
        stored = known.get(paper.arxiv_id or "")
        if stored is not None:
            paper = dataclasses.replace(
                paper,
                title=paper.title or stored.title,
                abstract=paper.abstract if paper.title else stored.abstract,
                category=stored.primary_category,
            )
        filled.append(paper)
    return filled


@dataclass(frozen=True)
class InterestSummary:
    """One of the reader's interests as `arxiv-digest interests` lists it."""

    key: str  # what `rank.interest_names` names it by
    name: str
    papers: int  # library papers and stars
    words: tuple[str, ...]
    titles: tuple[str, ...]


def describe_interests(store: Store, config: RankConfig) -> list[InterestSummary]:
    """The interests the library and stars split into (none when they are one)."""
    from arxiv_digest.rank.classifier import Vectorizer
    from arxiv_digest.rank.interests import characteristic_words, find_interests

    library = library_papers(store, config)
    starred = [p for p, kind in store.feedback.all() if kind == "star"]
    texts = [p.text for p in library] + [f"{p.title}. {p.abstract}" for p in starred]
    background = [f"{p.title}. {p.abstract}" for p in store.papers.recent(BACKGROUND)]
    vectorize = Vectorizer([*texts, *background])
    interests = find_interests(config, library, starred, vectorize)
    words = characteristic_words(interests, vectorize)
    return [
        InterestSummary(
            i.key,
            i.name,
            len(i.texts()),
            w,
            tuple(t for t in [*(p.title for p in i.papers), *(p.title for p in i.starred)] if t)[
                :3
            ],
        )
        for i, w in zip(interests, words, strict=True)
    ]


def rank_day(
    store: Store,
    date: str,
    config: RankConfig,
    *,
    similarity: Similarity | None = None,
    ask: int = 0,
) -> RankReport:
    """Score, order and filter a stored day; with `ask`, also name the `ask` papers the SVM
    is least sure of (a star or hide on those teaches it most)."""
    digest = store.digests.require(date, include_dropped=True)
    feedback = store.feedback.all()
    candidates = [e.paper.id for e in digest.entries]
    ranker = Ranker(
        config,
        library_papers(store, config),
        starred=[p for p, kind in feedback if kind == "star"],
        hidden=[p for p, kind in feedback if kind == "hide"],
        similarity=similarity or tfidf_similarity,
        # the SVM's negatives: what else the store holds (not the day being ranked)
        background=store.papers.recent(BACKGROUND, besides=candidates)
        if config.method == "svm"
        else (),
        method=config.method,
    )
    scored = ranker.score([e.paper for e in digest.entries])
    report = RankReport(ranked=len(scored))
    rows: list[DigestRow] = []
    for entry, result in zip(digest.entries, scored, strict=True):
        dropped = None
        if result.excluded:
            dropped = f"excluded: {result.excluded}"
            report.excluded += 1
        elif config.min_score is not None and result.score < config.min_score:
            dropped = f"below {config.min_score:g}"
            report.below += 1
        summary_id = entry.summary.id if entry.summary else None
        rows.append(
            DigestRow(
                entry.section,
                entry.paper.id,
                summary_id,
                result.score,
                tuple(result.reasons),
                dropped,
                result.interest,
            )
        )
    if config.order == "score":
        order = {name: i for i, name in enumerate(digest.section_order())}
        rows.sort(key=lambda r: (order.get(r.section, len(order)), -(r.score or 0.0)))
    several = len(ranker.interest_sizes) >= 2
    store.digests.rank(
        date,
        rows,
        interest_quota=config.interest_quota if several else 0,
        interest_sizes=ranker.interest_sizes if several else {},
    )
    titles = {e.paper.id: e.paper.title for e in digest.entries}
    report.interests = _interest_lines(rows, titles)
    best = sorted((r for r in rows if not r.dropped), key=lambda r: -(r.score or 0.0))
    report.top = [(titles[r.paper_id], r.score or 0.0, r.reasons) for r in best[:10]]
    if ask:
        feedback_ids = {p.id for p, _ in feedback}
        unsure = [
            (entry.paper.id, entry.paper.title, result.decision, result.interest or "")
            for entry, result in zip(digest.entries, scored, strict=True)
            if result.decision is not None
            and not result.excluded
            and entry.paper.id not in feedback_ids
        ]
        unsure.sort(key=lambda item: abs(item[2]))
        # the questions go round the interests: a side interest is asked about too
        queues: dict[str, list[tuple[str, str, float, str]]] = {}
        for item in unsure:
            queues.setdefault(item[3], []).append(item)
        spread: list[tuple[str, str, float, str]] = []
        while len(spread) < ask and any(queues.values()):
            for queue in queues.values():
                if queue and len(spread) < ask:
                    spread.append(queue.pop(0))
        report.uncertain = [(pid, title, float(d)) for pid, title, d, _i in spread]
    return report


def _interest_lines(
    rows: list[DigestRow], titles: dict[str, str]
) -> list[tuple[str, int, list[tuple[str, float]]]]:
    """Per interest (largest first): how many of the day's papers it holds, and its best."""
    groups: dict[str, list[DigestRow]] = {}
    for row in rows:
        if row.interest and not row.dropped:
            groups.setdefault(row.interest, []).append(row)
    if len(groups) < 2:
        return []
    return [
        (
            name,
            len(items),
            [
                (titles[r.paper_id], r.score or 0.0)
                for r in sorted(items, key=lambda r: -(r.score or 0.0))
            ],
        )
        for name, items in sorted(groups.items(), key=lambda g: -len(g[1]))
    ]
