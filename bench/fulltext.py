"""Full text and deep reads, measured on LaTeX papers of real length made into arXiv's forms by
LaTeXML and pdflatex (tests/fulltext/papers.py), against the loopback arXiv and LLM:

- arXiv requests per deep read (the API for an unknown id, then the sources until one gives a
  document), for a mix of papers: HTML there, HTML failed (TeX read), PDF only;
- tokens a deep read is given: the estimate the budget uses and a real tokenizer's count
  (o200k_base, bpe-openai), mean and max, against `[fulltext] max_input_tokens`;
- the cost of a day's deep reads (`top = 5`) at named providers' list prices, the output at its
  cap (`max_output_tokens`, an upper bound);
- fabricated numbers, places and quotes caught (the loopback LLM's "fabricate" mode), and
  honest statements flagged;
- the tool's own time per paper: parsing each source, selecting, checking.

    python bench/fulltext.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arxiv_digest.check.numbers import _mentions  # noqa: E402
from arxiv_digest.config import Config  # noqa: E402
from arxiv_digest.fulltext.ask import answer, retrieve  # noqa: E402
from arxiv_digest.fulltext.deepread import build_messages, check_parts, deep_read  # noqa: E402
from arxiv_digest.fulltext.get import obtain  # noqa: E402
from arxiv_digest.fulltext.html import parse_html  # noqa: E402
from arxiv_digest.fulltext.pdf import parse_pdf  # noqa: E402
from arxiv_digest.fulltext.select import approx_tokens, select  # noqa: E402
from arxiv_digest.fulltext.tex import parse_tex  # noqa: E402
from arxiv_digest.sources.http import PoliteClient  # noqa: E402
from arxiv_digest.store import Store  # noqa: E402
from arxiv_digest.summarize.openai_backend import OpenAISummarizer  # noqa: E402
from tests.fakes.arxiv import FakeArxiv, SynthPaper  # noqa: E402
from tests.fakes.llm_server import LLMServer  # noqa: E402
from tests.fakes.paper_reader import FAKE_NUMBER, FAKE_PLACE  # noqa: E402
from tests.fulltext.papers import build, fatal_page, make_paper  # noqa: E402

#: list prices, US dollars per million tokens (input, output), as published in 2025
PRICES = {
    "OpenAI gpt-4o-mini": (0.15, 0.60),
    "DeepSeek deepseek-chat": (0.27, 1.10),
    "OpenAI gpt-4.1": (2.00, 8.00),
}
BUDGET = 12000
OUTPUT_CAP = 2500
TOP = 5


def main() -> None:
    import bpe_openai

    encoding = bpe_openai.get_encoding("o200k_base")
    work = Path(tempfile.mkdtemp())
    sizes = (4, 8, 12, 16, 24, 32, 40)
    started = time.monotonic()
    built = [build(make_paper(10 + i, paragraphs=n), work) for i, n in enumerate(sizes)]
    print(
        f"built {len(built)} papers with LaTeXML and pdflatex in {time.monotonic() - started:.0f} s"
    )

    # -- parsing time and paper size
    timings: dict[str, list[float]] = {"html": [], "tex": [], "pdf": []}
    docs = []
    for b in built:
        pid = b.paper.paper_id
        for name, parse in (
            ("html", partial(parse_html, b.html, pid, 1)),
            ("tex", partial(parse_tex, b.tar_gz, pid, 1)),
            ("pdf", partial(parse_pdf, b.pdf, pid, 1, max_bytes=40 * 2**20)),
        ):
            t0 = time.perf_counter()
            doc = parse()
            timings[name].append(time.perf_counter() - t0)
            if name == "html":
                docs.append(doc)
    whole = [len(encoding.encode(d.text())) for d in docs]
    print(f"papers: {min(whole)}-{max(whole)} tokens of text each (o200k_base)")
    for name, values in timings.items():
        print(
            f"parse {name}: mean {1000 * statistics.mean(values):.0f} ms, "
            f"max {1000 * max(values):.0f} ms"
        )

    # -- tokens given to a deep read
    estimated, real, select_ms = [], [], []
    for b, doc in zip(built, docs, strict=True):
        t0 = time.perf_counter()
        passages = select(doc, BUDGET)
        select_ms.append(1000 * (time.perf_counter() - t0))
        messages = build_messages(b.paper.title, passages, "Chinese")
        estimated.append(sum(approx_tokens(m["content"]) for m in messages))
        real.append(sum(len(encoding.encode(m["content"])) for m in messages))
    print(
        f"deep-read input (budget {BUDGET} for the passages): estimate mean "
        f"{statistics.mean(estimated):.0f}, max {max(estimated)}; o200k_base mean "
        f"{statistics.mean(real):.0f}, max {max(real)} (real/estimate "
        f"{statistics.mean(r / e for r, e in zip(real, estimated, strict=True)):.2f})"
    )
    print(f"select: mean {statistics.mean(select_ms):.1f} ms a paper")
    for provider, (p_in, p_out) in PRICES.items():
        per_read = (max(real) * p_in + OUTPUT_CAP * p_out) / 1e6
        print(
            f"cost of a day's deep reads (top {TOP}) at {provider}: at most ${TOP * per_read:.4f}"
        )

    # -- retrieval for `ask`: is the passage that answers among those given (8 and the abstract)?
    questions = (
        (
            "What accuracy does the method reach on LongBench?",
            "模型在 LongBench 上的准确率是多少？",
            0,
        ),
        (
            "How many steps do they train for, with which batch size?",
            "训练多少步，batch size 多大？",
            1,
        ),
        ("What are the limitations of the evaluation?", "评测有哪些局限？", 2),
    )
    hits = {"English": 0, "Chinese": 0}
    for b, doc in zip(built, docs, strict=True):
        for english, chinese, which in questions:
            wanted = b.paper.sentences[which]
            for language, question in (("English", english), ("Chinese", chinese)):
                given = retrieve(doc, question, 8)
                hits[language] += any(wanted in p.text for p in given)
    asked = len(built) * len(questions)
    print(
        f"ask retrieval (the answering passage among the 8 given + abstract): English "
        f"{hits['English']}/{asked}, Chinese {hits['Chinese']}/{asked}"
    )

    # -- requests per deep read, through the loopback arXiv
    fake = FakeArxiv(
        [
            SynthPaper(b.paper.paper_id, 1, b.paper.title, "abs", ["A"], "cs.CL", ["cs.CL"])
            for b in built
        ]
    )
    for i, b in enumerate(built):
        pid = b.paper.paper_id
        if i % 3 == 0:
            fake.fulltext[f"/html/{pid}v1"] = (200, "text/html", b.html)
        elif i % 3 == 1:  # LaTeXML failed: the TeX source is read
            fake.fulltext[f"/html/{pid}v1"] = (200, "text/html", fatal_page(b.html))
            fake.fulltext[f"/e-print/{pid}v1"] = (200, "application/gzip", b.tar_gz)
        else:  # a PDF-only submission
            fake.fulltext[f"/pdf/{pid}v1"] = (200, "application/pdf", b.pdf)
    with fake.running(), httpx.Client() as http, Store(work / "s.db") as store:
        config = Config.model_validate(
            {
                "arxiv": {
                    "html_url": f"{fake.url}/html",
                    "eprint_url": f"{fake.url}/e-print",
                    "pdf_url": f"{fake.url}/pdf",
                    "min_interval": 0,
                }
            }
        )
        client = PoliteClient(http, min_interval=0)
        counts = []
        for b in built:
            before = client.log.requests
            obtain(config, store, client, b.paper.paper_id, 1)
            counts.append(client.log.requests - before)
        print(
            f"arXiv requests per deep read (HTML, failed HTML, PDF only, in turn): mean "
            f"{statistics.mean(counts):.2f}, max {max(counts)} (+1 API request for an id not "
            "stored); 3 s apart on arxiv.org"
        )

    # -- fabrications caught, honest statements flagged, through the loopback LLM
    llm = LLMServer(mode="fabricate")
    with llm.running():
        backend = OpenAISummarizer(model="m", base_url=llm.url, max_tokens=OUTPUT_CAP)

        async def run() -> tuple[int, int, int, int, int, int, float]:
            made = caught = honest = flagged = quotes = quotes_caught = 0
            check_ms = 0.0
            for b, doc in zip(built, docs, strict=True):
                passages = select(doc, BUDGET)
                result = await deep_read(backend.ask, b.paper.title, doc, passages, "Chinese")
                assert result.parts is not None
                _mentions.cache_clear()  # timed from nothing, as a new paper is checked
                t0 = time.perf_counter()
                check_parts(result.parts, doc)
                check_ms += 1000 * (time.perf_counter() - t0)
                for items in result.parts.values():
                    for s in items:
                        fake_one = FAKE_NUMBER in s.text or FAKE_PLACE in s.where
                        made += fake_one
                        caught += fake_one and bool(s.warnings)
                        honest += not fake_one
                        flagged += (not fake_one) and bool(s.warnings)
                question = "How many steps do they train for, with which batch size?"
                got = await answer(
                    backend.ask, b.paper.title, doc, question, "Chinese", retrieve(doc, question, 8)
                )
                assert got.judged is not None
                quotes += len(got.judged.quotes)
                quotes_caught += sum(not q.found for q in got.judged.quotes)
            await backend.aclose()
            return made, caught, honest, flagged, quotes, quotes_caught, check_ms / len(built)

        made, caught, honest, flagged, quotes, quotes_caught, check = asyncio.run(run())
    print(f"fabricated numbers and places caught: {caught}/{made} ({100 * caught / made:.0f}%)")
    print(f"honest statements flagged: {flagged}/{honest}")
    print(
        f"fabricated quotes caught: {quotes_caught}/{quotes} ({100 * quotes_caught / quotes:.0f}%)"
    )
    print(f"checks against the full text: mean {check:.1f} ms a paper")


if __name__ == "__main__":
    main()
