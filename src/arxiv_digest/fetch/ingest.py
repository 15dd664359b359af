"""The import stage: digests read from files become stored papers, summaries and digests."""

from __future__ import annotations

from dataclasses import dataclass

from arxiv_digest.check import check_summary
from arxiv_digest.models import IMPORT_BACKEND, Announcement, AnnounceType, Summary, SummaryFields
from arxiv_digest.sources.imported import ImportedDigest
from arxiv_digest.store import DigestRow, Store


@dataclass(frozen=True, slots=True)
class ImportResult:
    date: str
    papers: int
    failed: int
    changed: bool
    summaries: int = 0


def store_imported(store: Store, digest: ImportedDigest) -> ImportResult:
    """Write one checked digest in one transaction, reading its papers as a stream; writing the
    same file again changes nothing."""
    by_section: dict[str, list[DigestRow]] = {name: [] for name in digest.sections}
    papers = summaries = 0
    # a raw day's papers keep the summaries later runs gave them when the day is imported again
    written = {row.paper_id: row.summary_id for row in store.digests.rows(digest.date)}
    with store.transaction():
        for item in digest.papers:
            papers += 1
            paper = item.paper
            store.papers.upsert(paper)
            kind: AnnounceType = "new" if paper.primary_category == item.section else "cross"
            store.papers.announce(Announcement(digest.date, paper.id, paper.version, kind))
            if not item.summarized:  # a raw day's paper: the next summarize writes it
                row = DigestRow(item.section, paper.id, written.get(paper.id))
                by_section.setdefault(item.section, []).append(row)
                continue
            has_text = any(item.texts.values())
            fields = (
                SummaryFields(**{k: v or "" for k, v in item.texts.items()}) if has_text else None
            )
            warnings = (
                check_summary(fields, paper, digest.language, IMPORT_BACKEND)
                if fields is not None and not item.failed
                else []
            )
            summary = Summary(
                paper_id=paper.id,
                version=paper.version,
                backend=IMPORT_BACKEND,
                model=f"import:{digest.path.name}",
                language=digest.language,
                prompt_version=IMPORT_BACKEND,
                status="failed" if item.failed else "ok",
                fields=fields,
                error="the imported digest shows placeholders" if item.failed else None,
                warnings=tuple(warnings),
                created_at=f"{digest.date}T00:00:00+00:00",  # the source day, not the import's
            )
            summary_id = store.summaries.save(summary)
            summaries += 1
            by_section.setdefault(item.section, []).append(
                DigestRow(item.section, paper.id, summary_id)
            )
        # a section's papers together, in the order of the sections (daily-arXiv-ai-enhanced's
        # files interleave them)
        rows = [row for name in by_section for row in by_section[name]]
        changed = store.digests.plan(
            digest.date,
            rows,
            language=digest.language,
            sections=digest.sections,
            source=f"import:{digest.path.name}",
        )
    return ImportResult(digest.date, papers, digest.failed, changed, summaries)
