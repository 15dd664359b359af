"""The import stage: digests read from files become stored papers, summaries and digests."""

from __future__ import annotations

from dataclasses import dataclass

from arxiv_digest.check import check_summary
from arxiv_digest.models import IMPORT_BACKEND, Announcement, AnnounceType, Summary, SummaryFields
from arxiv_digest.sources.importers import ImportedDigest
from arxiv_digest.store import DigestRow, Store


@dataclass(frozen=True, slots=True)
class ImportResult:
    date: str
    papers: int
    failed: int
    changed: bool


def store_imported(store: Store, digest: ImportedDigest) -> ImportResult:
    """Write one parsed digest in one transaction; writing the same file again changes nothing."""
    rows: list[DigestRow] = []
    with store.transaction():
        for item in digest.papers:
            paper = item.paper
            store.papers.upsert(paper)
            kind: AnnounceType = "new" if paper.primary_category == item.section else "cross"
            store.papers.announce(Announcement(digest.date, paper.id, paper.version, kind))
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
            )
            summary_id = store.summaries.save(summary)
            rows.append(DigestRow(item.section, paper.id, summary_id))
        changed = store.digests.plan(
            digest.date,
            rows,
            language=digest.language,
            sections=digest.sections,
            source=f"import:{digest.path.name}",
        )
    failed = sum(1 for item in digest.papers if item.failed)
    return ImportResult(digest.date, len(digest.papers), failed, changed)
