"""The bundled offline sample: one real announcement day, shipped inside the package."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from arxiv_digest.models import Announcement, AnnounceType, Paper
from arxiv_digest.store import Store


@dataclass(frozen=True, slots=True)
class SampleDay:
    date: str
    categories: tuple[str, ...]
    papers: tuple[tuple[Paper, AnnounceType], ...]


def load_sample() -> SampleDay:
    raw = json.loads(
        resources.files("arxiv_digest.data").joinpath("sample-day.json").read_text("utf-8")
    )
    papers = tuple(
        (
            Paper(
                id=p["id"],
                title=p["title"],
                authors=tuple(p["authors"]),
                abstract=p["abstract"],
                primary_category=p["primary_category"],
                categories=tuple(p["categories"]),
            ),
            p["announce_type"],
        )
        for p in raw["papers"]
    )
    return SampleDay(raw["date"], tuple(raw["categories"]), papers)


def store_sample(store: Store, sample: SampleDay) -> None:
    with store.transaction():
        for paper, kind in sample.papers:
            store.papers.upsert(paper)
            store.papers.announce(Announcement(sample.date, paper.id, paper.version, kind))
