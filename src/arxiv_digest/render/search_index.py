"""The archive's search: one Pagefind record per paper, with its day and category as filters.

Each paper is written as a small HTML file into a staging folder and Pagefind (the `search`
extra, run as `python -m pagefind`) indexes the folder into a static, chunked index that the
archive page reads in the browser. A record holds what a reader sees of the paper: the title,
authors, TL;DR, the four fields and the abstract (`glance.filter_parts`).

Chinese, Japanese and Korean text is indexed one character per word (`spaced`), and site.js
searches a word in those scripts as the phrase of its characters: a paper is found exactly when
the word stands in it, whatever a word segmenter would have made of the sentence around it.
Pagefind's own segmenter split 强化学习 into pieces it then matched anywhere, so a search for it
returned papers that hold only 学习 (89% precision; 大语言模型 70%, 知识图谱 10%).
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from arxiv_digest.errors import OutputError
from arxiv_digest.models import Digest
from arxiv_digest.render.formats import page_anchor
from arxiv_digest.render.glance import filter_parts
from arxiv_digest.render.i18n import ui

# the scripts written without spaces between words (site.js's CJK holds the same ranges)
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_SPACED = re.compile(rf"(?<=[{CJK}])(?=\S)|(?<=\S)(?=[{CJK}])")
PAGEFIND_TIMEOUT_S = 1800


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_JOINED = re.compile(r"(?<=\w)[-‐‑/](?=\w)", re.ASCII)


def spaced(text: str) -> str:
    """Text as the index holds it: a space on each side of every CJK character, and words
    joined by a hyphen or slash apart (`GPT-4o模型` -> `GPT 4o 模 型`), so a phrase finds
    `large-language-model` and never `large 3d-language model` (Pagefind would index the
    joined word and its parts, and match the parts as if they stood alone)."""
    return _SPACED.sub(" ", _JOINED.sub(" ", text))


def search_terms(query: str) -> list[str]:
    """The terms a search holds: quoted phrases whole, other words split at spaces."""
    terms = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        term = " ".join((phrase or word).strip('"').lower().split())
        if term:
            terms.append(term)
    return terms


def holds(text: str, query: str) -> bool:
    """The search's rule, for a reference: every term is in the text. A term in a CJK script is
    found wherever its characters stand in a row; a Latin word where a word starts with it
    (Pagefind matches word prefixes: `transformer` finds `transformers`); a phrase of Latin words
    where those whole words follow each other (`"knowledge graph"` does not find `knowledge
    graphs`: Pagefind's phrases match whole words)."""
    # Pagefind indexes a camel-case word whole and in its parts (ChatGPT: chatgpt, chat, gpt)
    hays = [" ".join(t.lower().split()) for t in (text, _CAMEL.sub(" ", text))]
    for term in search_terms(query):
        term = _JOINED.sub(" ", term)  # `text-to-sql` is the phrase "text to sql", as searched
        if re.search(f"[{CJK}]", term):
            pattern = re.escape(term)
        elif " " in term:
            words = r"[^a-z0-9]+".join(re.escape(w) for w in term.split())
            pattern = rf"(?<![a-z0-9]){words}(?![a-z0-9])"
        else:
            pattern = r"(?<![a-z0-9])" + re.escape(term)
        if not any(re.search(pattern, hay) for hay in hays):
            return False
    return True


def record(digest: Digest, entry_index: int, lang: str) -> str:
    """One paper as the page Pagefind indexes: its text, spaced, and what a result shows
    (title, day, link) as metadata; its day and category as filters."""
    entry = digest.entries[entry_index]
    t = ui(lang)
    esc = html.escape
    meta = {  # not `title`: Pagefind would index it again, hyphens and all
        "name": entry.paper.title,
        "day": digest.date,
        "href": f"{digest.date}.html#p{page_anchor(entry.paper.id)}",
    }
    filters = {t["day_filter"]: digest.date, t["categories"]: entry.section}
    lines = [
        f'<!doctype html><html lang="{esc(lang)}"><head><meta charset="utf-8">'
        f"<title>{esc(entry.paper.id)}</title></head><body><main data-pagefind-body>"
    ]
    lines += [
        f'<span data-pagefind-meta="{esc(k)}[data-v]" data-v="{esc(v)}"></span>'
        for k, v in meta.items()
    ]
    lines += [
        f'<span data-pagefind-filter="{esc(k)}[data-v]" data-v="{esc(v)}"></span>'
        for k, v in filters.items()
    ]
    lines += [f"<p>{esc(spaced(part))}</p>" for part in filter_parts(entry) if part.strip()]
    lines.append("</main></body></html>")
    return "\n".join(lines)


def build_index(digests: Iterable[Digest], out: Path, lang: str) -> int:
    """Index every paper of these days into `out` (Pagefind's bundle); the number of records.
    One index in the site's language: Pagefind keeps one per language and searches only the
    page's own, so a day in another language would be missed."""
    count = 0
    with tempfile.TemporaryDirectory(prefix="arxiv-digest-search-") as staging:
        for digest in digests:
            folder = Path(staging) / digest.date
            folder.mkdir()
            for i, entry in enumerate(digest.entries):
                name = f"{page_anchor(entry.paper.id)}.html"
                (folder / name).write_text(record(digest, i, lang), "utf-8")
                count += 1
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pagefind",
                "--site",
                staging,
                "--output-path",
                str(out.resolve()),
                "--force-language",
                lang,
                "--quiet",
            ],
            capture_output=True,
            text=True,
            timeout=PAGEFIND_TIMEOUT_S,
            check=False,
        )
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise OutputError(f"Pagefind could not index the site: {why[0]}")
    return count
