"""A loopback HTTP server that answers like rss.arxiv.org, the arXiv API and OAI-PMH.

It serves synthetic days in the exact shapes of the real recordings (tests/fixtures/arxiv), counts
every request, and injects faults chosen per test: HTTP errors with Retry-After, HTML error pages,
broken XML, dropped connections, ids the API "forgets".
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.fakes.loopback import serving

ET_OFFSET = timezone(timedelta(hours=-5))


@dataclass
class SynthPaper:
    id: str
    version: int
    title: str
    abstract: str
    authors: list[str]
    primary: str
    categories: list[str]
    announce_type: str = "new"
    comment: str | None = None


WORDS = (
    "graph neural diffusion transformer agent retrieval benchmark sparse robust causal "
    "kernel policy language vision alignment reward token memory latent"
).split()


def synthetic_day(
    n: int, categories: list[str], seed: int = 7, prefix: str = "2601"
) -> list[SynthPaper]:
    """`n` new papers spread over `categories`, some cross-listed into another one."""
    rng = random.Random(seed)
    papers = []
    for i in range(n):
        primary = categories[i % len(categories)]
        cats = [primary]
        if rng.random() < 0.3:
            cats.append(rng.choice([c for c in categories if c != primary] or [primary]))
        words = rng.sample(WORDS, 4)
        papers.append(
            SynthPaper(
                id=f"{prefix}.{10000 + i:05d}",
                version=1,
                title=f"{words[0].title()} {words[1]} for {words[2]} {words[3]}",
                abstract=(
                    f"Existing {words[0]} methods remain costly. We propose {words[1].title()}Net, "
                    f"a {words[2]} approach. Experiments show gains of {rng.randint(2, 30)}%. "
                    "Overall, this work opens a new direction."
                ),
                authors=[f"Author {i}-{k}" for k in range(rng.randint(1, 4))],
                primary=primary,
                categories=list(dict.fromkeys(cats)),
                comment=f"{rng.randint(5, 30)} pages",
            )
        )
    return papers


def rss_xml(spec: str, day: str, papers: list[SynthPaper]) -> bytes:
    pub = format_datetime(datetime.fromisoformat(day).replace(tzinfo=ET_OFFSET))
    items = []
    for p in papers:
        cats = "".join(f"<category>{escape(c)}</category>" for c in p.categories)
        items.append(
            f"<item><title>{escape(p.title)}</title>"
            f"<link>https://arxiv.org/abs/{p.id}</link>"
            f"<description>arXiv:{p.id}v{p.version} Announce Type: {p.announce_type} \n"
            f"Abstract: {escape(p.abstract)}</description>"
            f'<guid isPermaLink="false">oai:arXiv.org:{p.id}v{p.version}</guid>{cats}'
            f"<pubDate>{pub}</pubDate><arxiv:announce_type>{p.announce_type}"
            "</arxiv:announce_type><dc:rights>http://creativecommons.org/licenses/by/4.0/"
            f"</dc:rights><dc:creator>{escape(', '.join(p.authors))}</dc:creator></item>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'version="2.0"><channel>'
        f"<title>{escape(spec.replace('+', ', '))} updates on arXiv.org</title>"
        f"<link>http://rss.arxiv.org/rss/{escape(spec)}</link>"
        f"<description>{escape(spec)} updates on the arXiv.org e-print archive.</description>"
        "<language>en-us</language>"
        f"<lastBuildDate>{pub}</lastBuildDate><pubDate>{pub}</pubDate>"
        "<skipDays><day>Saturday</day><day>Sunday</day></skipDays>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def atom_xml(papers: list[SynthPaper]) -> bytes:
    entries = []
    for p in papers:
        authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in p.authors)
        cats = "".join(
            f'<category term="{escape(c)}" scheme="http://arxiv.org/schemas/atom"/>'
            for c in p.categories
        )
        comment = f"<arxiv:comment>{escape(p.comment)}</arxiv:comment>" if p.comment else ""
        entries.append(
            f"<entry><id>http://arxiv.org/abs/{p.id}v{p.version}</id>"
            f"<title>{escape(p.title)}</title><updated>2026-01-05T18:00:00Z</updated>"
            f"<summary>{escape(p.abstract)}</summary>{cats}"
            f"<published>2026-01-05T18:00:00Z</published>{comment}"
            f'<arxiv:primary_category term="{escape(p.primary)}"/>{authors}</entry>'
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">'
        "<id>https://arxiv.org/api/x</id><title>arXiv Query</title>"
        "<updated>2026-01-05T18:00:00Z</updated>"
        f"<opensearch:totalResults>{len(papers)}</opensearch:totalResults>"
        + "".join(entries)
        + "</feed>"
    ).encode()


@dataclass
class Fault:
    path: str  # "/rss", "/api" or "/oai"
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drop: bool = False  # close the connection without answering


class FakeArxiv:
    def __init__(self, papers: list[SynthPaper] | None = None, day: str = "2026-01-06") -> None:
        self.papers = papers or []
        self.day = day
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.faults: list[Fault] = []
        self.forget: set[str] = set()  # ids the API will not return
        self.rss_override: tuple[int, bytes] | None = None
        self.oai_pages: list[bytes] = []
        #: when set, the feed answers only once it is opened (a run can be held mid-fetch);
        #: `rss_asked` is set as each feed request arrives
        self.rss_gate: threading.Event | None = None
        self.rss_asked = threading.Event()
        #: full-text answers by path ("/html/2601.20000v1"): (status, content type, body)
        self.fulltext: dict[str, tuple[int, str, bytes]] = {}
        self._server: ThreadingHTTPServer | None = None

    # -- what tests look at
    def count(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p.startswith(path))

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- answering
    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/rss/"):
            if self.rss_override is not None:
                return self.rss_override[0], {}, self.rss_override[1]
            spec = path[len("/rss/") :]
            wanted = set(spec.split("+"))
            chosen = []
            for p in self.papers:
                if p.primary in wanted or set(p.categories) & wanted:
                    kind = p.announce_type
                    if kind == "new" and p.primary not in wanted:
                        kind = "cross"
                    chosen.append(SynthPaper(**{**p.__dict__, "announce_type": kind}))
            order = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}
            chosen.sort(key=lambda p: (order[p.announce_type], p.id))
            return (
                200,
                {"Content-Type": "application/rss+xml"},
                rss_xml(spec, self.day, chosen[:2000]),
            )
        if path.startswith("/api"):
            ids = [i.rsplit("v", 1)[0] for i in query.get("id_list", [""])[0].split(",") if i]
            by_id = {p.id: p for p in self.papers}
            found = [by_id[i] for i in ids if i in by_id and i not in self.forget]
            return 200, {"Content-Type": "application/atom+xml"}, atom_xml(found)
        if path.startswith("/oai"):
            if self.oai_pages:
                return 200, {"Content-Type": "text/xml"}, self.oai_pages.pop(0)
            return (
                200,
                {},
                b"<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'><error "
                b"code='noRecordsMatch'>empty</error></OAI-PMH>",
            )
        if path.startswith(("/html/", "/e-print/", "/pdf/")):
            status, kind, body = self.fulltext.get(path, (404, "text/html", b"<h1>Not found</h1>"))
            return status, {"Content-Type": kind}, body
        return 404, {}, b"not found"

    @contextmanager
    def running(self) -> Iterator[FakeArxiv]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                fake.requests.append((parts.path, query))
                if parts.path.startswith("/rss"):
                    fake.rss_asked.set()
                    if fake.rss_gate is not None and not fake.rss_gate.wait(timeout=120):
                        raise RuntimeError("the test never opened the feed")
                for fault in list(fake.faults):
                    if parts.path.startswith(fault.path):
                        fake.faults.remove(fault)
                        if fault.drop:
                            self.close_connection = True
                            self.connection.close()
                            return
                        self.send_response(fault.status)
                        for k, v in fault.headers.items():
                            self.send_header(k, v)
                        self.send_header("Content-Length", str(len(fault.body)))
                        self.end_headers()
                        self.wfile.write(fault.body)
                        return
                status, headers, body = fake.answer(parts.path, query)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        with serving(self._server):
            yield self
