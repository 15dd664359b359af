"""Quality checks on every summary, from any backend.

Each check returns warnings stored with the summary, so a reader is told which summaries not to
trust. A warning is one line, `kind: field: what is wrong: “the offending text”`; the kinds, and
which of them readers see, are listed in `kinds.py`:

- `number` (claims.py): a figure the title, abstract and comment cannot account for under any
  reading (numbers.py reads both sides; counts.py accepts counts of what the abstract lists);
- `derived` (a hint): a figure the abstract only implies (a sum, a ratio, an F1);
- `swap` (a hint): two figures whose metrics are exchanged relative to the abstract;
- `copy`, `english`, `language` (prose.py): an English sentence copied from the abstract (the
  extractive backend quotes by design and is exempt), an English sentence inside a CJK field,
  a whole field in another language;
- `truncated`, `placeholder` (prose.py): a field cut mid-phrase; a placeholder, template marker
  or garbage (also used to validate every model's answer);
- `mismatch` (names.py): names this paper never mentions: probably another paper's summary;
- `repeat`, `tldr-length` (editor's notes): two fields alike; a long TL;DR.

Precision and recall of every kind are measured by `bench/quality.py` on real days; the tests use
their own examples.
"""

from __future__ import annotations

from arxiv_digest.check.claims import invented_numbers, swapped_numbers
from arxiv_digest.check.kinds import CONTENT_KINDS, KIND, KINDS, READER_KINDS, kind_of
from arxiv_digest.check.names import another_papers
from arxiv_digest.check.numbers import Known, numbers
from arxiv_digest.check.prose import (
    copied_or_foreign,
    degenerate,
    placeholder_fields,
    repeated_fields,
    tldr_too_long,
    truncated_fields,
    wrong_language,
)
from arxiv_digest.models import QUOTING_BACKENDS, Paper, SummaryFields
from arxiv_digest.textutil import is_cjk_language

__all__ = [
    "CONTENT_KINDS",
    "KIND",
    "KINDS",
    "READER_KINDS",
    "check_summary",
    "degenerate",
    "warm_up",
    "numbers",
    "warning_kind",
]

warning_kind = kind_of


def check_summary(fields: SummaryFields, paper: Paper, language: str, backend: str) -> list[str]:
    """All warnings for one summary; an empty list means nothing looks wrong."""
    source = f"{paper.title}\n\n{paper.abstract}\n\n{paper.comment or ''}"
    known = Known(source)
    warnings = placeholder_fields(fields, paper, backend)
    warnings += invented_numbers(fields, known, source)
    warnings += swapped_numbers(fields, paper)
    warnings += copied_or_foreign(fields, paper, language, backend)
    if backend not in QUOTING_BACKENDS:  # quoted sentences end where the abstract's do
        warnings += truncated_fields(fields, paper)
    warnings += another_papers(fields, paper, known)
    warnings += repeated_fields(fields)
    warnings += wrong_language(fields, language)
    warnings += tldr_too_long(fields, language)
    return warnings


def warm_up(language: str) -> None:
    """Load what the checks load on their first summary (jieba's dictionary for Chinese, 0.15 s;
    their patterns), so that a run does it while its first requests are in flight rather than
    when their answers come back and the next requests wait."""
    paper = Paper(
        id="0000.00000",
        title="Warm-up",
        authors=(),
        abstract="We test 3 models on 2 tasks. It helps.",
        primary_category="cs.LG",
    )
    cjk = is_cjk_language(language)
    text = "我们在两个任务上测试了三个模型的鲁" if cjk else "We test three models on"
    check_summary(SummaryFields(text, text, text, text, text), paper, language, "warm-up")
