"""The static web site: an index of all days, one page per day, the Atom feed and JSON data.

Everything from arXiv or an LLM goes through Jinja2 autoescaping; links are built only from
validated arXiv ids. The pages need nothing from elsewhere (no CDN, fonts or remote scripts), so
they work from file:// and from any static host. A rebuild renders only the days whose digest
changed (a fingerprint per day is kept in `.arxiv-digest-site.json`), plus the index and feeds.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from arxiv_digest import __version__
from arxiv_digest.errors import OutputError
from arxiv_digest.files import write_atomic
from arxiv_digest.models import Digest, DigestEntry, arxiv_url, quoted_marker
from arxiv_digest.render.feeds import render_atom, render_json
from arxiv_digest.render.formats import Rendered, Renderer, RenderOptions
from arxiv_digest.store import Store
from arxiv_digest.textutil import lang_code

SITE_VERSION = f"{__version__}-site-3"
MANIFEST = ".arxiv-digest-site.json"
ASSETS = ("site.css", "site.js", "favicon.svg")


def anchor(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", text)


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

    def _common(self) -> dict[str, Any]:
        return {"version": __version__, "asset_version": self.asset_version, "root": ""}

    def render_day(self, digest: Digest) -> str:
        sections = day_sections(digest)
        numbered = {e.paper.id: e for _, items in sections for e in items}
        for_you = [numbered[e.paper.id] for e in digest.for_you(self.for_you, self.threshold)]
        related = {
            e.paper.id: self.store.search.related(e.paper.id, RELATED_SHOWN) for e in digest.entries
        }
        return self.env.get_template("day.html").render(
            **self._common(),
            related=related,
            lang=lang_code(digest.language),
            quoted=quoted_marker(digest.language).strip(),
            date=digest.date,
            total=len(digest.entries),
            sections=sections,
            for_you=[e for e in for_you if e.reasons],
        )

    def _site_lang(self) -> str:
        """The language most of the site's days are in, as the pages' `lang` says it."""
        counts: dict[str, int] = {}
        for language in self.store.digests.languages():
            code = lang_code(language)
            counts[code] = counts.get(code, 0) + 1
        return max(counts, key=lambda c: counts[c]) if counts else "en"

    def _index_search(self, report: BuildReport, *, changed: bool) -> bool:
        """Build the site-wide search index with Pagefind (the `search` extra): a static index
        read in the browser, Chinese segmented. False when Pagefind is not installed."""
        if importlib.util.find_spec("pagefind") is None:
            report.notes.append("site search needs Pagefind: pip install 'arxiv-digest[search]'")
            return False
        if not changed and (self.out / "pagefind" / "pagefind-ui.js").is_file():
            return True
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pagefind",
                "--site",
                str(self.out),
                "--output-subdir",
                "pagefind",
                "--glob",
                "????-??-??.html",
                # one index for the whole site, in its main language: Pagefind keeps one per
                # language and searches only the page's own, so a day would be missed
                "--force-language",
                self._site_lang(),
                "--quiet",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            why = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise OutputError(f"Pagefind could not index the site: {why[0]}")
        report.written.append("pagefind/")
        return True

    def render_index(
        self, overview: Iterable[tuple[str, str, int, int]], *, search: bool = False
    ) -> str:
        days: dict[str, dict[str, Any]] = {}
        for date, section, count, failed in overview:
            day = days.setdefault(
                date,
                {"date": date, "href": f"{date}.html", "total": 0, "sections": [], "failed": 0},
            )
            day["total"] += count
            day["failed"] += failed
            day["sections"].append((section, count))
        return self.env.get_template("index.html").render(
            **self._common(), lang=self._site_lang(), days=list(days.values()), search=search
        )

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
        dates = sorted(signatures, reverse=True)
        for date in dates:
            page = self.out / f"{date}.html"
            if not force and known.get(date) == signatures[date] and page.is_file():
                report.days_skipped += 1
                continue
            digest = self.store.digests.load(date)
            if digest is None:
                continue
            self._write(report, f"{date}.html", self.render_day(digest))
            self._write(report, f"{date}.json", render_json(digest))
            known[date] = signatures[date]
            report.days_rendered += 1
        search = self._index_search(report, changed=report.days_rendered > 0 or force)
        self._write(
            report, "index.html", self.render_index(self.store.digests.overview(), search=search)
        )
        self._write(
            report, "days.js", "window.ARXIV_DIGEST_DAYS = " + json.dumps(sorted(dates)) + ";\n"
        )
        recent = [d for d in (self.store.digests.load(x) for x in dates[: self.feed_days]) if d]
        self._write(report, "feed.xml", render_atom(recent, site_url=self.site_url))
        manifest["days"] = known
        write_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True))
        report.seconds = time.monotonic() - started
        return report


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
