"""A paper version's full text: arXiv's HTML, else its TeX source, else its PDF, each through
the polite arXiv client, kept in the store and never fetched twice.

Each source that gives nothing says why (`detail`: "html: no LaTeXML document; tex: the source
is a PDF; pdf: ok"); when none gives a document the status names the last reason
(`no_fulltext`, `pdf_encrypted`, `pdf_no_text`, `pdf_too_large`, ...). A network failure that
outlasts the retries is raised (FetchError) and nothing is stored: the next run tries again.
"""

from __future__ import annotations

from dataclasses import dataclass

from arxiv_digest.config import Config
from arxiv_digest.errors import FetchError
from arxiv_digest.fulltext.document import Document
from arxiv_digest.fulltext.html import ConversionFailed, NoDocument, parse_html
from arxiv_digest.fulltext.pdf import UnusablePdf, parse_pdf
from arxiv_digest.fulltext.tex import NoSource, parse_tex
from arxiv_digest.sources.fulltext import download
from arxiv_digest.sources.http import PoliteClient
from arxiv_digest.store import Store
from arxiv_digest.store.fulltext import FullText

#: A document with less text than this is not one (a stub, an abstract page).
MIN_CHARS = 400


@dataclass(slots=True)
class Attempt:
    source: str
    status: str
    detail: str


def _from_html(config: Config, client: PoliteClient, pid: str, v: int) -> Document | Attempt:
    got = download(client, config.arxiv.html_url, pid, v)
    if not got.found:
        return Attempt("html", "no_html", f"HTTP {got.status}")
    try:
        return parse_html(got.body, pid, v)
    except ConversionFailed as exc:
        return Attempt("html", "html_fatal", str(exc))
    except NoDocument as exc:
        return Attempt("html", "no_html", str(exc))


def _from_tex(config: Config, client: PoliteClient, pid: str, v: int) -> Document | Attempt:
    got = download(client, config.arxiv.eprint_url, pid, v)
    if not got.found:
        return Attempt("tex", "no_source", f"HTTP {got.status}")
    try:
        return parse_tex(got.body, pid, v)
    except NoSource as exc:
        return Attempt("tex", "no_source", str(exc))
    except (ValueError, RecursionError) as exc:
        return Attempt("tex", "tex_unreadable", f"{type(exc).__name__}: {exc}")


def _from_pdf(config: Config, client: PoliteClient, pid: str, v: int) -> Document | Attempt:
    got = download(client, config.arxiv.pdf_url, pid, v)
    if not got.found:
        return Attempt("pdf", "no_pdf", f"HTTP {got.status}")
    try:
        return parse_pdf(got.body, pid, v, max_bytes=int(config.fulltext.max_pdf_mb * 2**20))
    except UnusablePdf as exc:
        return Attempt("pdf", exc.status, str(exc))


STEPS = (_from_html, _from_tex, _from_pdf)


def obtain(
    config: Config, store: Store, client: PoliteClient, paper_id: str, version: int
) -> FullText:
    """The full text of `paper_id` v`version`: from the store, else from arXiv (then stored)."""
    known = store.fulltexts.get(paper_id, version)
    if known is not None:
        return known
    before = client.log.requests
    # the requests are counted in the fetch record, as the feeds' are
    fetch_id = store.fetches.start("fulltext", {"paper": paper_id, "version": version})
    tried: list[Attempt] = []
    document: Document | None = None
    for step in STEPS:
        try:
            got = step(config, client, paper_id, version)
        except FetchError as exc:  # arXiv unreachable: nothing kept, the next run asks again
            store.fetches.finish(
                fetch_id, status="error", message=str(exc), requests=client.log.requests - before
            )
            raise
        if isinstance(got, Document):
            if got.chars >= MIN_CHARS and got.sections:
                document = got
                break
            got = Attempt(got.source, "too_short", f"{got.chars} characters, no body")
        tried.append(got)
    detail = "; ".join(f"{a.source}: {a.status} ({a.detail})" for a in tried)
    found = FullText(
        paper_id=paper_id,
        version=version,
        status="ok" if document is not None else (tried[-1].status if tried else "none"),
        source=document.source if document is not None else None,
        detail=detail,
        requests=client.log.requests - before,
        document=document,
    )
    store.fulltexts.save(found)
    store.fetches.finish(
        fetch_id,
        status="complete" if document is not None else found.status,
        items=1,
        stored=int(document is not None),
        requests=found.requests,
        message=detail or None,
    )
    return found
