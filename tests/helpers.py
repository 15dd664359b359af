"""Small builders shared by tests."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arxiv_digest.fetch.ingest import store_imported
from arxiv_digest.models import Announcement, Paper, Summary, SummaryFields
from arxiv_digest.sources.importers import read_digest_file
from arxiv_digest.store import DigestRow, Store

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE_DIR = FIXTURES / "reference-digests"
ARXIV_DIR = FIXTURES / "arxiv"
SHARED_REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference-digests"


def make_paper(paper_id: str = "2501.00001", **overrides: Any) -> Paper:
    values: dict[str, Any] = {
        "id": paper_id,
        "title": f"A Study of Things {paper_id}",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "abstract": (
            "Large models remain costly to train. However, existing methods fail to scale. "
            "We propose ThingNet, a sparse mixture of experts. Specifically, it routes tokens "
            "with a learned gate. Experiments show that ThingNet outperforms baselines by 12%. "
            "Overall, this work suggests that sparsity is a promising direction."
        ),
        "primary_category": "cs.LG",
        "categories": ("cs.LG",),
    }
    values.update(overrides)
    return Paper(**values)


def announce_day(
    store: Any,
    date: str,
    papers: list[Paper],
    categories: tuple[str, ...] = ("cs.LG", "cs.AI", "cs.IR"),
    language: str = "Chinese",
) -> None:
    """Store `papers` as announced new on `date` and build the day's digest (again, if it had
    one: a day's papers may come in parts)."""
    from arxiv_digest.fetch.sections import build_digest

    with store.transaction():
        for paper in papers:
            store.papers.upsert(paper)
            store.papers.announce(Announcement(date, paper.id, 1, "new"))
    build_digest(store, date, list(categories), language=language, source="test")


def seed_day(store: Any, n: int, date: str = "2026-01-06", seed: int = 3) -> list[Paper]:
    """Store a synthetic announcement day of `n` papers and build its digest."""
    from tests.fakes.arxiv import synthetic_day

    papers = [
        Paper(
            id=synth.id,
            title=synth.title,
            authors=tuple(synth.authors),
            abstract=synth.abstract,
            primary_category=synth.primary,
            categories=tuple(synth.categories),
            comment=synth.comment,
        )
        for synth in synthetic_day(n, ["cs.LG", "cs.AI", "cs.IR"], seed=seed)
    ]
    announce_day(store, date, papers)
    return papers


@contextmanager
def llama_server() -> Iterator[str]:
    """The real `python -m llama_cpp.server` with the bundled SmolLM2 model on a free loopback
    port; yields its OpenAI-compatible base URL once uvicorn says it listens (no sleeping)."""
    import os
    import socket
    import subprocess
    import sys

    from arxiv_digest.summarize.local_backend import default_model_path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(default_model_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--model_alias",
            "smollm2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "Uvicorn running on" in line:
            break
    else:
        proc.wait()
        raise RuntimeError("llama_cpp.server did not start:\n" + "".join(lines[-20:]))
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


XSS = {
    "title": "<script>window.__pwned=1</script> Attention </details><img src=x "
    'onerror="window.__pwned=2"> {{ 7*7 }} {% if 1 %}yes{% endif %}',
    "author": "<img src=x onerror=window.__pwned=3>",
    "abstract": 'Click <a href="javascript:window.__pwned=4">here</a> </details></article>'
    "<script>window.__pwned=5</script> ${7*7} $x<y$",
    "tldr": "<svg onload=window.__pwned=6>TL;DR</svg> {{ config }}",
}


def reference_days() -> dict[str, Path]:
    """The reference digests in tests/fixtures, each given a day: 2026-01-01, -02, ..."""
    paths = sorted(REFERENCE_DIR.glob("*.md"))
    return {f"2026-01-{i:02d}": path for i, path in enumerate(paths, start=1)}


def reference_texts() -> dict[str, str]:
    """Each reference paper's searchable text (title, abstract, the five fields), read from the
    files themselves, not through the store."""
    texts: dict[str, str] = {}
    for path in sorted(REFERENCE_DIR.glob("*.jsonl")):
        for row in map(json.loads, path.read_text("utf-8").splitlines()):
            fields = " ".join(row[n] for n in ("tldr", "motivation", "method", "result"))
            texts[row["id"]] = f"{row['title']} {row['abstract']} {fields} {row['conclusion']}"
    return texts


def chinese_words(texts: dict[str, str], n: int = 60) -> list[str]:
    """Chinese words of 2-5 characters in `texts`, by jieba (each in at least two papers),
    spread over frequencies, plus the four the search issue named."""
    import rjieba

    counts: dict[str, int] = {}
    for text in texts.values():
        for word in set(rjieba.cut(text)):
            if 2 <= len(word) <= 5 and all("\u4e00" <= ch <= "\u9fff" for ch in word):
                counts[word] = counts.get(word, 0) + 1
    ranked = sorted((w for w, c in counts.items() if c >= 2), key=lambda w: (-counts[w], w))
    return ranked[:: max(1, len(ranked) // n)][:n] + ["模型", "检索", "强化学习", "大语言模型"]


def import_references(store: Store) -> list[str]:
    days = reference_days()
    for day, path in days.items():
        store_imported(store, read_digest_file(path, day))
    return list(days)


@dataclass(frozen=True)
class Counts:
    """What a reference digest holds, counted from its text (not through our importer), so
    tests compare against the files instead of numbers copied from them."""

    papers: int
    failed: int
    sections: dict[str, int]


def reference_counts(path: Path) -> Counts:
    text = path.read_text(encoding="utf-8")
    toc = re.findall(r"^- \[([^\]]+)\]\(#[^)]+\) \[Total: (\d+)\]$", text, re.MULTILINE)
    return Counts(
        papers=len(re.findall(r"^### \[\d+\] ", text, re.MULTILINE)),
        failed=text.count("\nTL;DR: Summary generation failed\n"),
        sections={name: int(n) for name, n in toc},
    )


def add_xss_day(store: Store, day: str = "2026-02-01") -> None:
    paper = make_paper(
        "2602.00001", title=XSS["title"], authors=(XSS["author"], "Ada"), abstract=XSS["abstract"]
    )
    other = make_paper(
        "2602.00002", title="A normal paper about diffusion models", primary_category="cs.AI"
    )
    with store.transaction():
        for p in (paper, other):
            store.papers.upsert(p)
            store.papers.announce(Announcement(day, p.id, 1, "new"))
        fields = SummaryFields(
            XSS["tldr"], "<b>bold</b> motivation", "method <i>x</i>", "result", "conclusion"
        )
        ok = store.summaries.save(
            Summary(
                paper.id,
                1,
                "openai",
                "m",
                "English",
                "p1",
                "ok",
                fields,
                warnings=(
                    "number: result: 99% is not in the title or abstract: “<img src=x>”",
                    "tldr-length: tldr: 300 characters (limit 250): “…”",
                ),
            )
        )
        failed = store.summaries.save(
            Summary(other.id, 1, "openai", "m", "English", "p1", "failed", None, error="timeout")
        )
        store.digests.plan(
            day,
            [DigestRow("cs.LG", paper.id, ok), DigestRow("cs.AI", other.id, failed)],
            language="English",
            sections=["cs.LG", "cs.AI"],
            source="test",
        )


def reference_markdown() -> list[Path]:
    """Every reference digest: the copies in tests/fixtures and, where present, ../shared."""
    seen: dict[bytes, Path] = {}
    for directory in (REFERENCE_DIR, SHARED_REFERENCE_DIR):
        for path in sorted(directory.glob("*.md")):
            seen.setdefault(path.read_bytes(), path)
    return list(seen.values())


def day_statuses(store: Store, day: str) -> dict[str, int]:
    """How many papers of a stored day have an ok, a failed, or no summary yet."""
    digest = store.digests.load(day)
    assert digest is not None
    counts = {"ok": 0, "failed": 0, "pending": 0}
    for entry in digest.entries:
        counts[entry.summary.status if entry.summary else "pending"] += 1
    return counts


def add_reading_day(store: Store, day: str = "2026-02-02") -> list[Paper]:
    """A day with what the site pulls out of arXiv's text: a comment naming a venue, pages,
    figures and a code link; 359 authors; LaTeX in a title, an abstract and a summary; a
    summary with a quality warning; and a paper whose summary is not written yet."""
    many = tuple(f"Author{i} Name{i}" for i in range(359))
    papers = [
        make_paper(
            "2602.10001",
            title=r"$\beta$-Sparse Mixtures: $O(n \log n)$ Routing for Experts",
            authors=many,
            abstract=(
                r"We route tokens in $O(n \log n)$ time with a $\beta$-sparse gate. "
                "Experiments show 12% lower cost. Code: https://github.com/example/beta-moe."
            ),
            comment="Accepted to NeurIPS 2025. 12 pages, 5 figures. "
            "Models: https://huggingface.co/example/beta-moe",
        ),
        make_paper("2602.10002", title="Retrieval for Long Contexts", primary_category="cs.IR"),
        make_paper("2602.10003", title="A Pending Paper on Graphs", primary_category="cs.AI"),
    ]
    fields = [
        SummaryFields(
            r"提出$\beta$-稀疏门控，以$O(n \log n)$复杂度路由。",
            "专家路由成本高。",
            r"使用$\beta$-稀疏门控。",
            "成本降低12%。",
            "稀疏路由有效。",
        ),
        SummaryFields(
            "检索长上下文。", "长上下文难。", "分块检索。", "准确率提升97.3%。", "有效。"
        ),
    ]
    with store.transaction():
        rows = []
        for i, paper in enumerate(papers):
            store.papers.upsert(paper)
            store.papers.announce(Announcement(day, paper.id, 1, "new"))
            summary_id = None
            if i < len(fields):
                warnings = (
                    ("number: result: 97.3% is not in the title or abstract: “准确率提升97.3%。”",)
                    if i == 1
                    else ()
                )
                summary_id = store.summaries.save(
                    Summary(
                        paper.id,
                        1,
                        "openai",
                        "gpt-4o-mini",
                        "Chinese",
                        "p3",
                        "ok",
                        fields[i],
                        warnings=warnings,
                    )
                )
            rows.append(DigestRow(paper.primary_category, paper.id, summary_id))
        store.digests.plan(
            day, rows, language="Chinese", sections=["cs.LG", "cs.IR", "cs.AI"], source="test"
        )
    return papers


def add_big_day(store: Store, day: str = "2026-03-02", n: int = 250) -> None:
    """A day of `n` papers, every one summarized: the reference papers that have a Chinese
    summary, repeated under new ids (the worst case for the page's size: summary and
    abstract for each)."""
    import dataclasses

    summarized = []
    for date in store.digests.dates():
        digest = store.digests.load(date)
        if digest is None:
            continue
        summarized += [e for e in digest.entries if e.summary is not None and e.summary.usable]
    assert summarized
    sections = ["cs.LG", "cs.AI", "cs.IR", "cs.CV"]
    with store.transaction():
        rows = []
        for i in range(n):
            entry = summarized[i % len(summarized)]
            assert entry.summary is not None
            paper = dataclasses.replace(entry.paper, id=f"2603.{i + 1:05d}")
            store.papers.upsert(paper)
            store.papers.announce(Announcement(day, paper.id, 1, "new"))
            summary = dataclasses.replace(entry.summary, paper_id=paper.id, id=None)
            rows.append(DigestRow(sections[i % 4], paper.id, store.summaries.save(summary)))
        store.digests.plan(day, rows, language="Chinese", sections=sections, source="test")


def search_every_result(page: Any, query: str) -> list[str]:
    """Every result of the archive page's search for `query` as `DAY.html#pID` links: site.js's
    own term handling over Pagefind's index (the page must be the built site's index.html),
    every result's fragment loaded and passed through site.js's result handling."""
    urls = page.evaluate(
        """async (q) => { const pf = await import('./pagefind/pagefind.js');
           const s = await pf.search(window.arxivDigestSearch.term(q));
           const all = await Promise.all(s.results.map((r) => r.data()));
           return all.map((d) => window.arxivDigestSearch.result(d).url); }""",
        query,
    )
    return [re.sub(r"\?hl=[^#]*", "", str(url)) for url in urls]


def search_texts(store: Store) -> dict[str, str]:
    """Each stored paper's searchable text (what a reader sees of it: `glance.filter_parts`)
    by its search-result link `DAY.html#pID`, for the site search's reference."""
    from arxiv_digest.render.formats import page_anchor
    from arxiv_digest.render.glance import filter_parts

    out: dict[str, str] = {}
    for day in store.digests.dates():
        digest = store.digests.load(day)
        for entry in digest.entries if digest else ():
            out[f"{day}.html#p{page_anchor(entry.paper.id)}"] = "\n".join(filter_parts(entry))
    return out
