"""Which papers a day's digest holds, in which sections and order (docs/reference/format.md)."""

from __future__ import annotations

from collections.abc import Sequence

from arxiv_digest.models import Announcement, Paper
from arxiv_digest.store import DigestRow, Store
from arxiv_digest.taxonomy import canonical


def plan_sections(
    announced: Sequence[tuple[Announcement, Paper]],
    categories: Sequence[str],
    *,
    include_cross: bool = False,
    include_replacements: bool = False,
) -> list[tuple[str, list[Paper]]]:
    """Group a day's announcements into sections in the configured category order.

    A `new` paper goes in the section of its primary category when that is configured. With
    `include_cross`, a paper listed in a configured category only as a secondary one goes in the
    first configured category it is listed in (and keeps its own main category). Replacements are
    left out unless asked for. Within a section papers keep announcement order (ascending id).
    """
    order = list(categories)
    sections: dict[str, list[Paper]] = {name: [] for name in order}
    section_of = {canonical(name): name for name in order}  # cs.SY and eess.SY are one
    for ann, paper in sorted(announced, key=lambda pair: _id_key(pair[1].id)):
        kind = ann.announce_type
        if kind.startswith("replace") and not include_replacements:
            continue
        home = section_of.get(canonical(paper.primary_category))
        if kind in ("new", "replace") and home is not None:
            sections[home].append(paper)
        elif include_cross:
            listed = {canonical(c) for c in paper.categories}
            matches = [name for name in order if canonical(name) in listed]
            if matches:
                sections[matches[0]].append(paper)
    return [(name, papers) for name, papers in sections.items() if papers]


def _id_key(paper_id: str) -> tuple[int, str]:
    # New-style ids sort after old-style ones; each sorts as text within its kind.
    return (0 if "/" in paper_id else 1, paper_id)


def build_digest(
    store: Store,
    date: str,
    categories: Sequence[str],
    *,
    language: str,
    source: str,
    include_cross: bool = False,
    include_replacements: bool = False,
) -> int:
    """(Re)build the stored digest of `date` from its announcements; returns its paper count.

    Summaries (and ranking results) already attached to a paper of the day stay attached.
    """
    planned = plan_sections(
        store.papers.announced(date),
        categories,
        include_cross=include_cross,
        include_replacements=include_replacements,
    )
    kept = {row.paper_id: row for row in store.digests.rows(date)}
    rows = []
    for section, papers in planned:
        for paper in papers:
            old = kept.get(paper.id)
            if old is not None:  # keep its summary and, until the next ranking, its score
                rows.append(
                    DigestRow(
                        section, paper.id, old.summary_id, old.score, old.reasons, old.dropped
                    )
                )
            else:
                rows.append(DigestRow(section, paper.id))
    if rows:
        store.digests.plan(
            date, rows, language=language, sections=[name for name, _ in planned], source=source
        )
    return len(rows)
