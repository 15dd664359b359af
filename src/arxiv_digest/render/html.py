"""The static web site: an index of all days, one page per day, the Atom feed and JSON data.

Everything from arXiv or an LLM goes through Jinja2 autoescaping; links are built only from
validated arXiv ids. The pages need nothing from elsewhere (no CDN, fonts or remote scripts), so
they work from file:// and from any static host. A rebuild renders only the days whose digest
changed (a fingerprint per day is kept in `.arxiv-digest-site.json`), plus the index and feeds.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from arxiv_digest import __version__
from arxiv_digest.files import write_atomic
from arxiv_digest.models import Digest, DigestEntry, arxiv_url, quoted_marker
from arxiv_digest.render.deepread import for_digest
from arxiv_digest.render.deepread import html as deep_html
from arxiv_digest.render.feeds import render_atom, render_json
from arxiv_digest.render.formats import Rendered, Renderer, RenderOptions, page_anchor
from arxiv_digest.render.glance import calendar_months, topic_counts, topics
from arxiv_digest.render.i18n import (
    FIELD_NAMES,
    day_lang,
    failure_banner,
    reader_warnings,
    ui,
)
from arxiv_digest.render.reading import (
    CommentFacts,
    Link,
    code_links,
    comment_facts,
    math_segments,
    short_authors,
    with_math,
)
from arxiv_digest.render.search_index import build_index
from arxiv_digest.store import Store
from arxiv_digest.textutil import lang_code

SITE_VERSION = f"{__version__}-site-6"
MANIFEST = ".arxiv-digest-site.json"
ASSETS = ("boot.js", "site.css", "site.js", "favicon.svg")


anchor = page_anchor


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("arxiv_digest.render", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["abs_url"] = lambda pid: arxiv_url(pid, "abs")
    env.filters["pdf_url"] = lambda pid: arxiv_url(pid, "pdf")
    env.filters["anchor"] = anchor
    env.filters["math"] = with_math
    return env


@dataclass(frozen=True)
class NumberedEntry:
    number: int
    entry: DigestEntry

    def __getattr__(self, name: str) -> Any:
        return getattr(self.entry, name)


def day_sections(digest: Digest) -> list[tuple[str, list[NumberedEntry]]]:
    out: list[tuple[str, list[NumberedEntry]]] = []
    number = 0
    for name, items in digest.by_section():
        numbered = []
        for entry in items:
            number += 1
            numbered.append(NumberedEntry(number, entry))
        out.append((name, numbered))
    return out


@dataclass(frozen=True)
class Extras:
    """What the day page shows of a paper beyond the record: its links, the comment's facts,
    the short author list and the checks' warnings in the reader's language."""

    links: list[Link]
    facts: CommentFacts
    authors: tuple[str, str, int]
    warnings: list[str]


def extras(entry: DigestEntry, lang: str) -> Extras:
    p, s = entry.paper, entry.summary
    shown = s is not None and s.usable
    return Extras(
        links=code_links(p.abstract, p.comment),
        facts=comment_facts(p.comment, p.journal_ref),
        authors=short_authors(p.authors),
        warnings=reader_warnings(s.warnings, lang) if shown and s is not None else [],
    )


@dataclass
class BuildReport:
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    days_rendered: int = 0
    days_skipped: int = 0
    seconds: float = 0.0


#: "More like this" papers listed under each paper of a day's page.
RELATED_SHOWN = 3


class SiteBuilder:
    def __init__(
        self,
        store: Store,
        out: Path,
        *,
        feed_days: int = 3,
        site_url: str | None = None,
        for_you: int = 0,
        threshold: float = 0.0,
    ) -> None:
        self.store = store
        self.out = out
        self.feed_days = feed_days
        self.site_url = site_url
        self.for_you = for_you
        self.threshold = threshold
        self.env = _environment()
        self.asset_version = SITE_VERSION

    def url(self, path: str) -> str | None:
        """The absolute address of a page of the site, when `site_url` says where it lives."""
        return f"{self.site_url.rstrip('/')}/{path}" if self.site_url else None

    def _common(self, lang: str, page: str | None = None) -> dict[str, Any]:
        return {
            "version": __version__,
            "asset_version": self.asset_version,
            "root": "",
            # feeds and canonical links are absolute wherever the site's address is known
            "base": (self.site_url.rstrip("/") + "/") if self.site_url else "",
            "canonical": self.url(page) if page else None,
            "lang": lang,
            "t": ui(lang),
        }

    def render_day(
        self,
        digest: Digest,
        *,
        prev: str | None = None,
        next: str | None = None,
        abstracts: str | None = None,
    ) -> str:
        """A day's page; `abstracts`: its DATE.abs.js when the caller has written it already."""
        lang = day_lang(digest, self._site_lang())
        script = abstracts if abstracts is not None else abstracts_script(digest)
        sections = day_sections(digest)
        numbered = {e.paper.id: e for _, items in sections for e in items}
        chosen = digest.for_you(self.for_you, self.threshold)
        for_you = [numbered[e.paper.id] for e in chosen]
        related = {
            e.paper.id: self.store.search.related(e.paper.id, RELATED_SHOWN) for e in digest.entries
        }
        reads = for_digest(self.store, digest)
        deep = {pid: deep_html(read, lang) for pid, read in reads.items()}
        return self.env.get_template("day.html").render(
            **self._common(lang, f"{digest.date}.html"),
            deep=deep,
            related=related,
            extras={e.paper.id: extras(e, lang) for e in digest.entries},
            fields=FIELD_NAMES.get(lang, FIELD_NAMES["en"]),
            banner=failure_banner(digest.entries, lang),
            topics=topic_counts(digest.entries, topics(e.paper for e in digest.entries)),
            quoted=quoted_marker(digest.language).strip(),
            date=digest.date,
            prev=prev,
            next=next,
            total=len(digest.entries),
            sections=sections,
            for_you=[e for e in for_you if e.reasons],
            interest_counts=digest.interest_counts(chosen),
            abstracts_src=f"{digest.date}.abs.js?v={fingerprint(script)}",
        )

    def _site_lang(self) -> str:
        """The language most of the site's days are in, as the pages' `lang` says it."""
        counts: dict[str, int] = {}
        for language in self.store.digests.languages():
            code = lang_code(language)
            counts[code] = counts.get(code, 0) + 1
        return max(counts, key=lambda c: counts[c]) if counts else "en"

    def _index_search(self, report: BuildReport, dates: list[str], *, changed: bool) -> bool:
        """Build the site-wide search index with Pagefind (the `search` extra): one record per
        paper, read in the browser (`search_index`). False when Pagefind is not installed."""
        if importlib.util.find_spec("pagefind") is None:
            report.notes.append("site search needs Pagefind: pip install 'arxiv-digest[search]'")
            return False
        if not changed and (self.out / "pagefind" / "pagefind-ui.js").is_file():
            return True
        digests = (self.store.digests.load(date) for date in dates)
        build_index((d for d in digests if d is not None), self.out / "pagefind", self._site_lang())
        report.written.append("pagefind/")
        return True

    def render_index(
        self,
        overview: Iterable[tuple[str, str, int, int]],
        *,
        search: bool = False,
        feeds: Iterable[str] = (),
    ) -> str:
        """The archive: the latest day, the search box, and every month as a calendar whose
        days link to their page with their count, then as a list with the categories."""
        days: dict[str, dict[str, Any]] = {}
        for date, section, count, failed in overview:
            day = days.setdefault(
                date,
                {"date": date, "href": f"{date}.html", "total": 0, "sections": [], "failed": 0},
            )
            day["total"] += count
            day["failed"] += failed
            day["sections"].append((section, count))
        lang = self._site_lang()
        t = ui(lang)
        return self.env.get_template("index.html").render(
            **self._common(lang, "index.html"),
            latest=max(days.values(), key=lambda d: d["date"]) if days else None,
            months=calendar_months(days, t["months"].split()),
            weekdays=t["weekdays"].split(),
            search=search,
            feeds=sorted(feeds),
        )

    def render_starred(self) -> str:
        """The starred papers of this browser (kept in its local storage), across days."""
        lang = self._site_lang()
        return self.env.get_template("starred.html").render(**self._common(lang, "starred.html"))

    def _write(self, report: BuildReport, name: str, data: str | bytes) -> None:
        if write_atomic(self.out / name, data):
            report.written.append(name)

    def build(self, *, force: bool = False) -> BuildReport:
        started = time.monotonic()
        report = BuildReport()
        manifest_path = self.out / MANIFEST
        try:
            manifest = json.loads(manifest_path.read_text("utf-8"))
        except (OSError, ValueError):
            manifest = {}
        if manifest.get("version") != SITE_VERSION:
            manifest, force = {"version": SITE_VERSION, "days": {}}, True
        known: dict[str, str] = manifest.get("days", {})
        for asset in ASSETS:
            data = resources.files("arxiv_digest.render").joinpath("static", asset).read_bytes()
            self._write(report, f"static/{asset}", data)
        signatures = self.store.digests.signatures()
        deep_signatures = self.store.deep_reads.signatures()
        dates = sorted(signatures, reverse=True)
        for i, date in enumerate(dates):
            # a page links its neighbours: a new day re-renders the one before it
            newer = dates[i - 1] if i > 0 else None
            older = dates[i + 1] if i + 1 < len(dates) else None
            signature = f"{signatures[date]}:{older}:{newer}:{deep_signatures.get(date, '')}"
            page = self.out / f"{date}.html"
            if not force and known.get(date) == signature and page.is_file():
                report.days_skipped += 1
                continue
            digest = self.store.digests.load(date)
            if digest is None:
                continue
            script = abstracts_script(digest)
            page_text = self.render_day(digest, prev=older, next=newer, abstracts=script)
            self._write(report, f"{date}.html", page_text)
            self._write(report, f"{date}.json", render_json(digest))
            self._write(report, f"{date}.abs.js", script)
            known[date] = signature
            report.days_rendered += 1
        search = self._index_search(report, dates, changed=report.days_rendered > 0 or force)
        recent = [d for d in (self.store.digests.load(x) for x in dates[: self.feed_days]) if d]
        deep = {k: v for d in recent for k, v in for_digest(self.store, d).items()}
        self._write(
            report, "feed.xml", render_atom(recent, site_url=self.site_url, deep_reads=deep)
        )
        # one feed per category, beside the one of all categories
        categories = sorted({e.section for d in recent for e in d.entries})
        for category in categories:
            name = f"feeds/{anchor(category)}.xml"
            text = render_atom(
                recent, site_url=self.site_url, category=category, path=name, deep_reads=deep
            )
            self._write(report, name, text)
        overview = self.store.digests.overview()
        self._write(
            report, "index.html", self.render_index(overview, search=search, feeds=categories)
        )
        self._write(report, "starred.html", self.render_starred())
        manifest["days"] = known
        write_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True))
        report.seconds = time.monotonic() - started
        return report


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def abstracts_script(digest: Digest) -> str:
    """The abstracts of a day's summarized papers, which its page loads when a reader first
    opens one: text and MathML trees (site.js builds them with DOM calls, never as HTML)."""
    abstracts = {
        e.paper.id: math_segments(e.paper.abstract)
        for e in digest.entries
        if e.summary is not None and e.summary.usable
    }
    data = json.dumps(abstracts, ensure_ascii=False, separators=(",", ":"))
    return (
        "(window.ARXIV_DIGEST_ABSTRACTS = window.ARXIV_DIGEST_ABSTRACTS || {})"
        f"[{json.dumps(digest.date)}] = {data};\n"
    )


class SiteRenderer(Renderer):
    """The whole site in OUTPUT_DIR/site: index, a page per day, feed.xml and DATE.json; only
    changed days are rewritten."""

    name = "html"

    def render(self, store: Store, options: RenderOptions) -> Rendered:
        target = options.site_dir or options.out_dir / "site"
        report = SiteBuilder(
            store,
            target,
            feed_days=options.feed_days,
            site_url=options.site_url,
            for_you=options.for_you,
            threshold=options.threshold,
        ).build(force=options.force)
        return Rendered(
            target=target,
            lines=[
                f"site {target}: {report.days_rendered} day pages rendered, "
                f"{report.days_skipped} unchanged, {len(report.written)} files written "
                f"in {report.seconds:.2f} s"
            ],
            notes=[f"note: {n}" for n in report.notes],
        )
