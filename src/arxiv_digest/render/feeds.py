"""Machine-readable outputs: the Atom feed, the day's digest as JSON, and the JSONL shape of
daily-arXiv-ai-enhanced (`YYYY-MM-DD_AI_enhanced_LANG.jsonl`) for people who move from it.

JSON schema (`"schema": "arxiv-digest/digest-1"`):

    {"schema", "date", "language",
     "sections": [{"name", "papers": [
        {"number", "id", "version", "url", "pdf_url", "title", "authors": [..],
         "primary_category", "categories": [..], "comment", "abstract",
         "score" (null when ranking is off), "reasons": [..],
         "summary": null | {"status": "ok" | "failed", "backend", "model", "language",
                            "tldr", "motivation", "method", "result", "conclusion"
                            (null when failed), "error", "warnings": [..]}}]}]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from arxiv_digest import __version__
from arxiv_digest.fulltext.records import DeepRead
from arxiv_digest.models import (
    FIELDS,
    PLACEHOLDERS,
    Digest,
    DigestEntry,
    arxiv_url,
)
from arxiv_digest.render.deepread import for_digest
from arxiv_digest.render.deepread import html as deep_html
from arxiv_digest.render.formats import (
    DayRenderer,
    Rendered,
    Renderer,
    RenderOptions,
    page_anchor,
)
from arxiv_digest.render.i18n import FIELD_NAMES, day_lang, notice, reader_warnings, ui
from arxiv_digest.textutil import lang_code

if TYPE_CHECKING:
    from arxiv_digest.store import Store

SCHEMA = "arxiv-digest/digest-1"


def _paper(number: int, entry: DigestEntry) -> dict[str, Any]:
    p, s = entry.paper, entry.summary
    summary: dict[str, Any] | None = None
    if s is not None:
        texts = s.fields.as_dict() if (s.fields and s.status == "ok") else dict.fromkeys(FIELDS)
        summary = {
            "status": s.status,
            "backend": s.backend,
            "model": s.model,
            "language": s.language,
            "prompt_version": s.prompt_version,
            "written": s.created_at,
            "quoted": s.quoted,
            **texts,
            "error": s.error,
            "warnings": list(s.warnings),
            "verdicts": [
                {"field": v.field, "verdict": v.verdict, "reason": v.reason} for v in s.verdicts
            ],
        }
    return {
        "number": number,
        "id": p.id,
        "version": p.version,
        "url": arxiv_url(p.id, "abs"),
        "pdf_url": arxiv_url(p.id, "pdf"),
        "title": p.title,
        "authors": list(p.authors),
        "primary_category": p.primary_category,
        "categories": list(p.categories),
        "comment": p.comment,
        "abstract": p.abstract,
        "score": entry.score,
        "reasons": list(entry.reasons),
        "summary": summary,
    }


def digest_dict(digest: Digest) -> dict[str, Any]:
    sections, number = [], 0
    for name, items in digest.by_section():
        papers = []
        for entry in items:
            number += 1
            papers.append(_paper(number, entry))
        sections.append({"name": name, "papers": papers})
    return {
        "schema": SCHEMA,
        "date": digest.date,
        "language": digest.language,
        "sections": sections,
    }


def render_json(digest: Digest) -> str:
    return json.dumps(digest_dict(digest), ensure_ascii=False, indent=1) + "\n"


def render_anchor_jsonl(digest: Digest) -> str:
    """daily-arXiv-ai-enhanced's enhanced JSONL; `import` reads it back."""
    lines = []
    for entry in digest.entries:
        p = entry.paper
        texts = entry.summary.shown_fields() if entry.summary else None
        row = {
            "id": p.id,
            "categories": [entry.section] + [c for c in p.categories if c != entry.section],
            "pdf": arxiv_url(p.id, "pdf"),
            "abs": arxiv_url(p.id, "abs"),
            "authors": list(p.authors),
            "title": p.title,
            "comment": p.comment or "",
            "summary": p.abstract,
            "AI": texts or dict(PLACEHOLDERS),
        }
        lines.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(lines) + "\n"


#: Authors named in a feed entry; longer lists end "et al.".
FEED_AUTHORS = 10


def _entry_html(entry: DigestEntry, lang: str = "en", read: DeepRead | None = None) -> str:
    """A feed entry's content: the summary when there is one (the abstract is a click away),
    the abstract when there is none. Bounded: a 359-author paper names ten."""
    s, paper = entry.summary, entry.paper
    more = f" +{len(paper.authors) - FEED_AUTHORS}" if len(paper.authors) > FEED_AUTHORS else ""
    named = ", ".join(paper.authors[:FEED_AUTHORS]) + more
    abs_url = escape(arxiv_url(paper.id, "abs"))
    parts = [
        f'<p>{escape(named)} · {escape(paper.primary_category)} · <a href="{abs_url}">arXiv</a></p>'
    ]
    if s is not None and s.status == "ok" and s.fields:
        shown, doubts, t = s.shown_fields(), s.doubts(), ui(lang)
        for name in FIELDS:
            said = t.get(doubts[name].verdict, doubts[name].verdict) if name in doubts else ""
            doubt = f" <i>({escape(said)})</i>" if said else ""
            label = FIELD_NAMES.get(lang, FIELD_NAMES["en"])[name]
            parts.append(f"<p><b>{escape(label)}:</b> {escape(shown[name])}{doubt}</p>")
        parts.append(f"<p><small>{escape(s.provenance)}</small></p>")
        # the checks' warnings as sentences in the reader's language, as on the site
        warnings = reader_warnings(s.warnings, lang)
        if warnings:
            parts.append(
                f"<p><i>{escape(t['warnings'])}: " + escape("; ".join(warnings)) + "</i></p>"
            )
    else:
        said = notice(entry, lang) or ui(lang)["pending_notice"]
        parts.append(f"<p><i>{escape(said)}</i></p>")
        abstract = escape(entry.paper.abstract)
        parts.append(f"<p><b>{escape(ui(lang)['abstract'])}:</b> {abstract}</p>")
    if read is not None:
        parts.append(str(deep_html(read, lang)))
    return "\n".join(parts)


def render_atom(
    digests: Sequence[Digest],
    *,
    site_url: str | None = None,
    category: str | None = None,
    path: str = "feed.xml",
    deep_reads: Mapping[str, DeepRead] | None = None,
) -> str:
    """An Atom feed with one entry per paper of the given days (newest first): every
    category's, or one `category`'s. With `site_url` the feed names its own address
    (rel=self) and each entry links its paper's place on the site."""
    fg = FeedGenerator()
    base = (site_url or "https://arxiv.org/").rstrip("/") + "/"
    title = f"arxiv-digest: {category}" if category else "arxiv-digest"
    fg.id(f"{base}{path}" if site_url else f"urn:arxiv-digest:{path}")
    fg.title(title)
    fg.subtitle("Daily arXiv papers with structured summaries")
    if site_url:
        fg.link(href=f"{base}{path}", rel="self", type="application/atom+xml")
        fg.link(href=f"{base}index.html", rel="alternate", type="text/html")
    else:
        fg.link(href="https://arxiv.org/", rel="alternate")
    fg.generator("arxiv-digest", __version__)
    # the language the summaries are in (xml:lang), as most of the days say it
    languages = [d.language for d in digests] or ["English"]
    main = max(set(languages), key=languages.count)
    fg.language(lang_code(main))
    newest = max((d.date for d in digests), default="1970-01-01")
    fg.updated(datetime.combine(datetime.fromisoformat(newest).date(), time(0), tzinfo=UTC))
    entries = []
    languages_by_date = {d.date: day_lang(d, lang_code(main)) for d in digests}
    for digest in digests:
        day = datetime.combine(datetime.fromisoformat(digest.date).date(), time(0), tzinfo=UTC)
        for i, entry in enumerate(digest.entries):
            if category is None or entry.section == category:
                entries.append((day - timedelta(seconds=i), digest.date, entry))
    for stamp, date, entry in sorted(entries, key=lambda x: x[0]):
        fe = fg.add_entry()
        fe.id(f"urn:arxiv-digest:{date}:{entry.paper.id}")
        fe.title(entry.paper.title)
        # one link: the paper's place on the site when its address is known (the content links
        # arXiv), else arXiv's page
        if site_url:
            fe.link(href=f"{base}{date}.html#p{page_anchor(entry.paper.id)}", rel="alternate")
        else:
            fe.link(href=arxiv_url(entry.paper.id, "abs"), rel="alternate")
        read = (deep_reads or {}).get(entry.paper.id)
        fe.content(_entry_html(entry, languages_by_date[date], read), type="html")
        fe.updated(stamp)
        fe.published(stamp)
        for author in entry.paper.authors[:FEED_AUTHORS]:
            fe.author({"name": author})
        fe.category(term=entry.section)
    return str(fg.atom_str(pretty=False).decode("utf-8"))


def render_search_atom(
    query: str,
    hits: Sequence[dict[str, Any]],
    *,
    filters: dict[str, str | None] | None = None,
    site_url: str | None = None,
) -> str:
    """A saved search as an Atom feed: one entry per match, best first, so a reader can follow
    a topic across days (run the same search after each day's run and publish the file)."""
    wanted = {k: v for k, v in (filters or {}).items() if v}
    said = " ".join([query, *(f"{k}={v}" for k, v in sorted(wanted.items()))])
    fg = FeedGenerator()
    fg.id("urn:arxiv-digest:search:" + quote(said, safe=""))
    fg.title(f"arxiv-digest: {said}")
    fg.subtitle("Papers in the archive that match a saved search")
    fg.link(href=(site_url or "https://arxiv.org/").rstrip("/") + "/", rel="alternate")
    fg.generator("arxiv-digest", __version__)
    newest = max((h["day"] or "1970-01-01" for h in hits), default="1970-01-01")
    fg.updated(datetime.combine(datetime.fromisoformat(newest).date(), time(0), tzinfo=UTC))
    for hit in reversed(hits):  # feedgen lists the last added first
        day = datetime.combine(
            datetime.fromisoformat(hit["day"] or "1970-01-01").date(), time(0), tzinfo=UTC
        )
        fe = fg.add_entry()
        fe.id(f"urn:arxiv-digest:paper:{hit['id']}")
        fe.title(hit["title"])
        fe.link(href=arxiv_url(hit["id"], "abs"))
        fe.summary(hit["snippet"])
        fe.updated(day)
        fe.published(day)
        for author in hit["authors"][:20]:
            fe.author({"name": author})
        fe.category(term=hit["category"])
    return str(fg.atom_str(pretty=True).decode("utf-8"))


class JsonRenderer(DayRenderer):
    """One day as JSON (its schema is in the reference docs): OUTPUT_DIR/DATE.json."""

    name = "json"

    def text(self, digest: Digest, options: RenderOptions) -> str:
        return render_json(digest)

    def filename(self, digest: Digest) -> str:
        return f"{digest.date}.json"


class JsonlRenderer(DayRenderer):
    """One day as daily-arXiv-ai-enhanced's JSONL: OUTPUT_DIR/DATE_AI_enhanced_LANG.jsonl."""

    name = "jsonl"

    def text(self, digest: Digest, options: RenderOptions) -> str:
        return render_anchor_jsonl(digest)

    def filename(self, digest: Digest) -> str:
        return f"{digest.date}_AI_enhanced_{digest.language}.jsonl"


class AtomRenderer(Renderer):
    """An Atom feed of the latest `feed_days` days: OUTPUT_DIR/feed.xml."""

    name = "atom"

    def render(self, store: Store, options: RenderOptions) -> Rendered:
        store.digests.latest()  # NotFoundError on an empty store
        dates = store.digests.dates()[: options.feed_days]
        digests = [d for d in (store.digests.load(x) for x in dates) if d is not None]
        deep = {k: v for d in digests for k, v in for_digest(store, d).items()}
        text = render_atom(digests, site_url=options.site_url, deep_reads=deep)
        return Rendered(text, options.out_dir / "feed.xml")
