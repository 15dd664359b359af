"""Typed records passed between pipeline stages (the digest they make: docs/reference/format.md),
and the domain facts every stage shares: the five field names, the texts shown for a missing
summary, the length limits, and which papers the "For you" list holds. Change one here and every
stage follows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from arxiv_digest.textutil import canonical_language, clean_text, is_cjk_language

AnnounceType = Literal["new", "cross", "replace", "replace-cross"]
SummaryStatus = Literal["ok", "failed"]

FIELDS: tuple[str, ...] = ("tldr", "motivation", "method", "result", "conclusion")

#: What the reference format shows for a summary that failed. Stored summaries never hold these
#: strings as content: a failed summary has status "failed" and the renderer writes them.
PLACEHOLDERS: dict[str, str] = {
    "tldr": "Summary generation failed",
    "motivation": "Motivation analysis unavailable",
    "method": "Method extraction failed",
    "result": "Result analysis unavailable",
    "conclusion": "Conclusion extraction failed",
}
#: How each field is labelled for a reader.
FIELD_LABELS: dict[str, str] = {
    "tldr": "TL;DR",
    "motivation": "Motivation",
    "method": "Method",
    "result": "Result",
    "conclusion": "Conclusion",
}
#: What a model writes in a field the abstract says nothing about (no results reported, say),
#: instead of inventing it; readers see `not_reported_text(language)`.
NOT_REPORTED = "NOT_REPORTED"
#: The backend name of summaries read from imported digests.
IMPORT_BACKEND = "import"
#: Backends whose fields are the abstract's own sentences (their Summarizer says `quotes`): the
#: copy check exempts them, a model's summary is never replaced by theirs, nothing is verified.
QUOTING_BACKENDS = frozenset({"extractive"})
#: daily-arXiv-ai-enhanced writes this in all five fields when a worker crashed.
LEGACY_FAILURE_TEXT = "Processing failed"
#: What the site, the feed and the email show instead of a summary (one line each).
FAILED_NOTICE = "Summary failed; the abstract is below."
RETRY_NOTICE = (
    "Summary not available yet: the model could not be reached; the next run tries again."
)
PENDING_NOTICE = "Summary not written yet; the next run writes it."

#: Said before quoted (extractive) fields when the digest's language is not English: the reader
#: must know these are the abstract's own sentences, not a summary in their language.
QUOTED_MARKERS = {
    "Chinese": "【摘要原句】",
    "Traditional Chinese": "【摘要原句】",
    "Japanese": "【要旨の原文】",
    "Korean": "【초록 원문】",
    "German": "[Sätze aus dem Abstract] ",
    "French": "[Phrases du résumé] ",
    "Spanish": "[Frases del resumen] ",
    "Russian": "[Предложения из аннотации] ",
}
#: What a NOT_REPORTED field reads as.
NOT_REPORTED_TEXTS = {
    "Chinese": "摘要未报告。",
    "Traditional Chinese": "摘要未報告。",
    "Japanese": "要旨に記載なし。",
    "Korean": "초록에 보고되지 않음.",
    "English": "Not reported in the abstract.",
}


def quoted_marker(language: str) -> str:
    """The marker for quoted fields in `language`; none for English."""
    name = canonical_language(language)
    if name == "English":
        return ""
    return QUOTED_MARKERS.get(name, "[The abstract's own sentences] ")


def not_reported_text(language: str) -> str:
    return NOT_REPORTED_TEXTS.get(canonical_language(language), NOT_REPORTED_TEXTS["English"])


#: The TL;DR a reader should get, in characters: the quality check warns above it and the
#: extractive backend cuts there. CJK text packs more per character.
TLDR_LIMIT_CJK = 150
TLDR_LIMIT = 250
#: Past these a model's answer is malformed (rambling, a loop) and is sent back for repair.
ANSWER_MAX = {"tldr": 400, "other": 1500}
#: Grammar-constrained decoding (llama.cpp) bounds each string so that a small model cannot
#: ramble past its token budget and leave an unterminated string.
GRAMMAR_MAX = {"tldr": TLDR_LIMIT, "other": 400}


def tldr_limit(language: str) -> int:
    return TLDR_LIMIT_CJK if is_cjk_language(language) else TLDR_LIMIT


def answer_max(field_name: str) -> int:
    return ANSWER_MAX["tldr" if field_name == "tldr" else "other"]


#: An arXiv identifier without its version, new style (2512.21349) or old (hep-th/9901001,
#: math.GT/0309136): the one pattern every reader of ids builds on.
# arXiv identifiers and addresses live in `arxiv_ids.py`; every stage reads them from here
from arxiv_digest.arxiv_ids import ARXIV_ID_PATTERN as ARXIV_ID_PATTERN  # noqa: E402
from arxiv_digest.arxiv_ids import abs_url as abs_url  # noqa: E402
from arxiv_digest.arxiv_ids import arxiv_url as arxiv_url  # noqa: E402
from arxiv_digest.arxiv_ids import split_arxiv_id as split_arxiv_id  # noqa: E402


@dataclass(frozen=True, slots=True)
class Paper:
    id: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    primary_category: str
    categories: tuple[str, ...] = ()
    version: int = 1
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    published: str | None = None  # ISO 8601, first version
    updated: str | None = None  # ISO 8601, this version

    def __post_init__(self) -> None:
        # arXiv's text is untrusted: no record holds a control character, wherever it came from
        for name in ("title", "abstract", "comment", "journal_ref"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, clean_text(value))
        object.__setattr__(self, "authors", tuple(clean_text(a) for a in self.authors))


@dataclass(frozen=True, slots=True)
class Announcement:
    date: str  # YYYY-MM-DD, arXiv's announcement day (the feed's pubDate)
    paper_id: str
    version: int
    announce_type: AnnounceType = "new"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of arXiv's announcement feed, as received (kept so a partial day can be
    completed after the feed has moved on)."""

    id: str
    version: int
    announce_type: AnnounceType
    title: str
    abstract: str
    categories: tuple[str, ...]
    creators: str  # the feed's one-string author list
    doi: str | None = None
    journal_ref: str | None = None


@dataclass(frozen=True, slots=True)
class SummaryFields:
    tldr: str
    motivation: str
    method: str
    result: str
    conclusion: str

    def __post_init__(self) -> None:
        for name in FIELDS:  # a model's text is untrusted too
            object.__setattr__(self, name, clean_text(getattr(self, name)))

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}


@dataclass(frozen=True, slots=True)
class SummaryKey:
    """A summary is cached under this key: asking again for the same key costs nothing."""

    paper_id: str
    version: int
    model: str
    language: str
    prompt_version: str


#: What the verify pass may say of a field's claims, checked against the abstract.
VERDICTS = ("supported", "unsupported", "contradicted")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verify pass's judgement of one field: `verdict` is one of VERDICTS."""

    field: str
    verdict: str
    reason: str = ""

    @property
    def trusted(self) -> bool:
        return self.verdict == "supported"


@dataclass(frozen=True, slots=True)
class Summary:
    paper_id: str
    version: int
    backend: str
    model: str
    language: str
    prompt_version: str
    status: SummaryStatus
    fields: SummaryFields | None = None
    error: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = None
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    id: int | None = None  # set by the store
    #: a failure that may heal by itself (timeouts, 5xx): retried by the next ordinary run once
    #: `retry_at` (ISO time, UTC) has passed; `attempts` counts the calls that failed so far
    transient: bool = False
    attempts: int = 1
    retry_at: str | None = None
    #: provenance: when it was written (ISO time, UTC; set by the store)
    created_at: str | None = None
    #: the verify pass's verdicts, one per field checked (empty until verified)
    verdicts: tuple[Verdict, ...] = ()

    @property
    def provenance(self) -> str:
        """Who wrote it, with what and when: "openai · gpt-4o-mini · p3 · 2026-11-28"; an
        imported one says where from and the day of its source: "imported from FILE ·
        2025-03-27"."""
        if self.backend == IMPORT_BACKEND:
            source = self.model.removeprefix(f"{IMPORT_BACKEND}:")
            day = (self.created_at or "")[:10]
            return f"imported from {source} · {day}" if day else f"imported from {source}"
        parts = [self.backend]
        if self.model != self.backend:
            parts.append(self.model)
        parts.append(self.prompt_version)
        if self.created_at:
            parts.append(self.created_at[:10])
        return " · ".join(parts)

    def doubts(self) -> dict[str, Verdict]:
        """The fields the verify pass did not find supported by the abstract."""
        return {v.field: v for v in self.verdicts if not v.trusted}

    @property
    def quoted(self) -> bool:
        """The fields are the abstract's own sentences (the extractive backend), not a summary
        written in the reader's language."""
        return self.backend in QUOTING_BACKENDS

    @property
    def key(self) -> SummaryKey:
        return SummaryKey(
            self.paper_id, self.version, self.model, self.language, self.prompt_version
        )

    @property
    def usable(self) -> bool:
        """Has content a reader can be shown as the summary."""
        return self.status == "ok" and self.fields is not None

    def shown_fields(self) -> dict[str, str]:
        """The five texts a reader sees: the content when ok (a NOT_REPORTED field reads "not
        reported in the abstract" in the summary's language), the standard placeholders if not.

        A failed summary may keep the fields that did come back (an imported digest whose source
        failed on some fields only); the rest show their placeholder.
        """
        if self.fields is None:
            return dict(PLACEHOLDERS)
        if self.usable:
            return {
                name: not_reported_text(self.language) if text == NOT_REPORTED else text
                for name, text in self.fields.as_dict().items()
            }
        return {name: text or PLACEHOLDERS[name] for name, text in self.fields.as_dict().items()}


@dataclass(frozen=True, slots=True)
class DigestEntry:
    position: int  # 1-based, counts across the whole digest
    section: str
    paper: Paper
    summary: Summary | None = None
    score: float | None = None
    reasons: tuple[str, ...] = ()
    interest: str | None = None  # the reader's interest it belongs to (None: one interest)

    @property
    def notice(self) -> str | None:
        """What a reader is told instead of the summary; None when there is one to show."""
        if self.summary is None:
            return PENDING_NOTICE
        if self.summary.usable:
            return None
        return RETRY_NOTICE if self.summary.transient else FAILED_NOTICE

    @property
    def tldr(self) -> str:
        """The TL;DR, or the notice that stands in for it."""
        fields = self.summary.fields if self.summary is not None else None
        return fields.tldr if fields is not None and self.notice is None else str(self.notice)


@dataclass(frozen=True, slots=True)
class Digest:
    date: str
    entries: tuple[DigestEntry, ...]
    language: str = "Chinese"
    sections: tuple[str, ...] = field(default=())
    #: with several interests, the For-you places each is sure of (its best papers first)
    interest_quota: int = 0
    #: each interest's size (the reader's papers in it): its share of the For-you places
    interest_sizes: dict[str, int] = field(default_factory=dict)

    def for_you(self, k: int, threshold: float) -> list[DigestEntry]:
        """The "For you" list: the top K ranked papers scoring at least `threshold`, best first
        (stable: equal scores keep digest order). With several interests the places are shared
        by the interests' sizes, each sure of `interest_quota` (a side interest of five library
        papers still shows its best), each filled with its own best papers."""
        if k <= 0:
            return []
        ranked = sorted(
            (e for e in self.entries if e.score is not None and e.score >= threshold),
            key=lambda e: -float(e.score or 0.0),
        )
        names = list(dict.fromkeys(e.interest for e in ranked if e.interest))
        if len(names) < 2 or not self.interest_quota:
            return ranked[:k]
        size = {n: max(1, self.interest_sizes.get(n, 1)) for n in names}
        slots = {
            n: max(self.interest_quota, round(k * size[n] / sum(size.values()))) for n in names
        }
        while sum(slots.values()) > k and max(slots.values()) > self.interest_quota:
            slots[max(slots, key=slots.__getitem__)] -= 1
        chosen = [e for n in names for e in [x for x in ranked if x.interest == n][: slots[n]]]
        chosen += [e for e in ranked if e not in chosen][: max(0, k - len(chosen))]
        return sorted(chosen, key=lambda e: -float(e.score or 0.0))[:k]

    def interest_counts(self, entries: Sequence[DigestEntry]) -> list[tuple[str, int]]:
        """How many of `entries` each interest has, in the order of its first paper; [] when
        they hold fewer than two interests (one interest is no news to the reader)."""
        counts = list(Counter(e.interest for e in entries if e.interest).items())
        return counts if len(counts) >= 2 else []

    def top(self, k: int) -> list[DigestEntry]:
        """The best K papers: by score when ranked, else the first K in digest order."""
        if any(e.score is not None for e in self.entries):
            return self.for_you(k, float("-inf"))
        return list(self.entries[:k])

    def section_order(self) -> list[str]:
        if self.sections:
            return list(self.sections)
        order: list[str] = []
        for entry in self.entries:
            if entry.section not in order:
                order.append(entry.section)
        return order

    def by_section(self) -> list[tuple[str, list[DigestEntry]]]:
        groups: dict[str, list[DigestEntry]] = {name: [] for name in self.section_order()}
        for entry in self.entries:
            groups.setdefault(entry.section, []).append(entry)
        return [(name, items) for name, items in groups.items() if items]
