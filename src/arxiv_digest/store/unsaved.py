"""Paid answers the store could not take (a full disk): kept in a small file beside it.

When saving a summary fails, the summarize stage hands it here: one JSON line appended to
`<store>.unsaved.jsonl` (an append of a few KB often succeeds where SQLite, which needs room
for its journal, cannot). The next run that opens the store saves those answers first, so
nothing paid for is asked again, then removes the file.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arxiv_digest.models import Summary, SummaryFields, Verdict

if TYPE_CHECKING:
    from arxiv_digest.store import Store


def unsaved_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".unsaved.jsonl")


def keep(store_path: Path, date: str, summary: Summary) -> bool:
    """Append one answer the store could not save; False when even that fails."""
    line = json.dumps({"date": date, "summary": dataclasses.asdict(summary)}, ensure_ascii=False)
    try:
        with unsaved_path(store_path).open("a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())
    except OSError:
        return False
    return True


def _summary(data: dict[str, Any]) -> Summary:
    fields = data.get("fields")
    data = {
        **data,
        "fields": SummaryFields(**fields) if isinstance(fields, dict) else None,
        "warnings": tuple(data.get("warnings") or ()),
        "verdicts": tuple(Verdict(**v) for v in data.get("verdicts") or ()),
        "id": None,
    }
    return Summary(**data)


def restore(store: Store) -> int:
    """Save the answers a previous run could not, then remove the file; how many were saved.
    A line that cannot be read is skipped (a torn last line after a crash)."""
    path = unsaved_path(store.path)
    if not path.is_file():
        return 0
    saved = 0
    with store.transaction():
        for raw in path.read_text("utf-8", errors="replace").splitlines():
            try:
                item = json.loads(raw)
                summary = _summary(item["summary"])
                date = str(item["date"])
            except (ValueError, KeyError, TypeError, RecursionError):
                continue
            summary_id = store.summaries.save(summary)
            store.digests.attach(date, summary.paper_id, summary_id)
            saved += 1
    path.unlink()
    return saved
