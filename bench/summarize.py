"""Summarize throughput against the loopback test LLM server, and recovery from faults.

1000 papers, a fixed 200 ms latency per request, concurrency 16: prints wall time, the ideal time
(N x latency / concurrency) and their ratio; the server runs in a process of its own, as a real
endpoint would, and input/output tokens per paper. Then the same with
20% of requests faulted: how many papers ended ok after the run, and after one --retry-failed
with faults off.

    python bench/summarize.py [N] [LATENCY_S] [CONCURRENCY]
    python bench/summarize.py --cli | --floor | --timeline
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arxiv_digest.store import Store  # noqa: E402
from arxiv_digest.summarize.openai_backend import OpenAISummarizer  # noqa: E402
from arxiv_digest.summarize.report import SummarizeOptions
from arxiv_digest.summarize.stage import summarize_day  # noqa: E402
from tests.fakes.llm_server import LLMServer  # noqa: E402
from tests.helpers import day_statuses, seed_day  # noqa: E402

DAY = "2026-01-06"


def _backend(url: str) -> OpenAISummarizer:
    return OpenAISummarizer(
        model="bench-model", base_url=url, timeout=1.0, max_attempts=5, backoff=0.2
    )


@contextmanager
def server_process(latency: float) -> Iterator[str]:
    """The test LLM server in a process of its own, as a real endpoint is: its threads do not
    compete with the measured client for the interpreter lock. Yields its base URL."""
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.llm_server", str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def prompt_size() -> None:
    """Input tokens per paper of our prompt on the reference papers, counted with a real
    tokenizer (o200k, through bpe-openai, offline): the chat messages as the model reads them
    (title and abstract included, with the chat format's few tokens per message), and what the
    JSON schema adds where a server puts it in the prompt (OpenAI's `json_schema`; as a
    decoding grammar, the default, it costs nothing). The anchor tool's prompt beside it."""
    import json
    import warnings

    from arxiv_digest.models import Paper
    from arxiv_digest.summarize.prompt import SCHEMA, build_messages

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import bpe_openai

        encoding = bpe_openai.get_encoding("o200k_base")

    def tokens(text: str) -> int:
        return len(encoding.encode(text))

    ref = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"
    rows = [
        json.loads(line)
        for p in sorted(ref.glob("*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
    ]
    schema = tokens(
        json.dumps(
            {
                "type": "json_schema",
                "json_schema": {"name": "paper_summary", "strict": True, "schema": SCHEMA},
            },
            separators=(",", ":"),
        )
    )
    per_paper, instructions = [], []
    for r in rows:
        paper = Paper(
            id=r["id"],
            title=r["title"],
            authors=(),
            abstract=r["abstract"],
            primary_category=r["main_category"],
        )
        messages = build_messages(paper, "Chinese")
        n = sum(tokens(m["content"]) + 4 for m in messages) + 3  # 4 a message, 3 to prime
        per_paper.append(n)
        instructions.append(n - tokens(r["abstract"]) - tokens(r["title"]))
    mean = sum(per_paper) / len(per_paper)
    print(
        f"prompt on {len(rows)} reference papers (o200k tokens): {mean:.0f} input tokens per "
        f"paper, title and abstract included (max {max(per_paper)}); instructions and fences "
        f"{sum(instructions) / len(instructions):.0f}; the schema adds {schema} where the server "
        "puts it in the prompt (json_schema)"
    )
    # daily-arXiv-ai-enhanced, from notes/anchor-daily-arxiv-ai-enhanced.md: a 569-character
    # system prompt, a 69-character template around the abstract (no title), and the five-field
    # function schema with its field descriptions, sent as a tool. Its prompt text is not
    # reproduced here; its size is estimated from the characters at this tokenizer's average.
    descriptions = {
        "tldr": "generate a too long; didn't read summary",
        "motivation": "describe the motivation in this paper",
        "method": "method of this paper",
        "result": "result of this paper",
        "conclusion": "conclusion of this paper",
    }
    tool = {
        "type": "function",
        "function": {
            "name": "Structure",
            "description": "",
            "parameters": {
                "type": "object",
                "properties": {
                    k: {"description": v, "type": "string"} for k, v in descriptions.items()
                },
                "required": list(descriptions),
            },
        },
    }
    english = sum(tokens(r["abstract"]) for r in rows) / sum(len(r["abstract"]) for r in rows)
    anchor = [
        (569 + 69) * english + tokens(json.dumps(tool)) + tokens(r["abstract"]) + 11 for r in rows
    ]
    print(
        f"daily-arXiv-ai-enhanced's prompt on the same papers (no title): "
        f"~{sum(anchor) / len(anchor):.0f} tokens"
    )


def _summarize_in_a_new_process(
    n: int, latency: float, concurrency: int, *, timed: bool = False
) -> tuple[subprocess.CompletedProcess[str], float]:
    """`arxiv-digest summarize` in a new process on a seeded day of `n` papers against the test
    server: its result and wall time (`timed`: through `_TIMED_CLI`, which notes its moments)."""
    import time

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.db"
        with Store(db) as store:
            seed_day(store, n, DAY)
        with server_process(latency) as url:
            env = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_DIGEST_")}
            started = time.time()
            launch = ["-c", _TIMED_CLI, str(started)] if timed else ["-m", "arxiv_digest"]
            done = subprocess.run(
                [sys.executable, *launch, "--db", str(db), "summarize"]
                + ["--backend", "openai", "--model", "bench-model", "--base-url", url]
                + ["--concurrency", str(concurrency)],
                env={**env, "OPENAI_API_KEY": "sk-bench"},
                capture_output=True,
                text=True,
                check=True,
            )
            return done, time.time() - started


def from_the_command_line(n: int = 237, latency: float = 0.5, concurrency: int = 16) -> None:
    """The same work as a user starts it: `arxiv-digest summarize` in a new process, start-up,
    imports and the final report included."""
    import time

    done, wall = _summarize_in_a_new_process(n, latency, concurrency)
    started = time.monotonic()
    version = [sys.executable, "-m", "arxiv_digest", "--version"]
    subprocess.run(version, check=True, capture_output=True)
    startup = time.monotonic() - started
    ideal = n * latency / concurrency
    print(f"command line: {n} papers, latency {latency * 1000:.0f} ms, concurrency {concurrency}")
    print(
        f"  wall {wall:.2f} s (start-up {startup:.2f} s), ideal {ideal:.2f} s, "
        f"ratio {wall / ideal:.3f}; {done.stdout.splitlines()[0]}"
    )


#: Run in the measured process instead of `python -m arxiv_digest`: the CLI itself, with the
#: moments it reaches noted (seconds since the parent started it) and printed at the end.
_TIMED_CLI = r"""
import sys, time
T0 = float(sys.argv.pop(1))
marks = {}
def mark(name, last=False):
    if last or name not in marks:
        marks[name] = time.time() - T0
mark("python started")
import httpx2._transports.default as transport
send = transport.AsyncHTTPTransport.handle_async_request
async def noted(self, request):
    mark("first request sent")
    answer = await send(self, request)
    mark("last answer in", last=True)
    return answer
transport.AsyncHTTPTransport.handle_async_request = noted
import openai
mark("openai SDK imported")
from arxiv_digest import cli
mark("arxiv_digest imported")
try:
    cli.main()
finally:
    mark("command done")
    print("MARKS", marks, file=sys.stderr)
"""


def timeline(n: int = 237, latency: float = 0.5, concurrency: int = 16) -> None:
    """Where the command line's time goes: the moments `arxiv-digest summarize` reaches in a new
    process, from its start to its exit."""
    import ast

    done, wall = _summarize_in_a_new_process(n, latency, concurrency, timed=True)
    marks = ast.literal_eval(done.stderr.split("MARKS ", 1)[1].strip())
    marks["process ended"] = wall
    ideal = n * latency / concurrency
    print(f"timeline of `arxiv-digest summarize` ({n} papers, ideal {ideal:.2f} s):")
    before = 0.0
    for name, at in marks.items():
        print(f"  {at:6.2f} s  {name:22} (+{at - before:.2f} s)")
        before = at
    network = marks["last answer in"] - marks["first request sent"]
    print(
        f"  requests: {network:.2f} s ({network / ideal:.3f} of the ideal); before them "
        f"{marks['first request sent']:.2f} s, after them {wall - marks['last answer in']:.2f} s"
    )


FLOOR_MESSAGES = [
    {"role": "system", "content": "Summarize the paper: tldr, motivation, method, result."},
    {"role": "user", "content": "Title: A paper\n\nAbstract: We propose a method. It helps."},
]


def floor(n: int = 237, latency: float = 0.5, concurrency: int = 16) -> None:
    """What this server allows before any work of ours: the same requests from a bare httpx
    client and from the openai SDK alone (no store, no prompt, no checks), and what starting
    Python and importing the SDK cost a new process."""
    import time

    import httpx
    import openai

    async def bare(url: str) -> float:
        gate = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=url, timeout=5.0, limits=limits) as client:

            async def one() -> None:
                async with gate:
                    body = {"model": "m", "messages": FLOOR_MESSAGES}
                    answer = await client.post("/chat/completions", json=body)
                    answer.raise_for_status()

            started = time.monotonic()
            await asyncio.gather(*(one() for _ in range(n)))
            return time.monotonic() - started

    async def sdk(url: str) -> float:
        gate = asyncio.Semaphore(concurrency)
        client = openai.AsyncOpenAI(base_url=url, api_key="sk-bench", max_retries=0)

        async def one() -> None:
            async with gate:
                await client.chat.completions.create(model="m", messages=FLOOR_MESSAGES)  # type: ignore[arg-type]

        started = time.monotonic()
        await asyncio.gather(*(one() for _ in range(n)))
        await client.close()
        return time.monotonic() - started

    ideal = n * latency / concurrency
    print(f"floor: {n} requests, latency {latency * 1000:.0f} ms, concurrency {concurrency}")
    print(f"  waves alone: {-(-n // concurrency) * latency / ideal:.3f} of the ideal")
    with server_process(latency) as url:
        for name, how in (("bare httpx", bare), ("openai SDK", sdk)) * 2:
            wall = asyncio.run(how(url))
            print(f"  {name}: {wall:.2f} s, ratio {wall / ideal:.3f}")
    for name, code in (("python", "pass"), ("python + import openai", "import openai")):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", code], check=True)
        took = time.monotonic() - started
        print(f"  a new process, {name}: {took:.2f} s ({took / ideal:.3f} of the ideal)")


def main() -> None:
    prompt_size()
    if "--cli" in sys.argv:
        from_the_command_line()
        return
    if "--floor" in sys.argv:
        floor()
        return
    if "--timeline" in sys.argv:
        timeline()
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    os.environ.pop("OPENAI_API_KEY", None)
    with tempfile.TemporaryDirectory() as tmp:
        with server_process(latency) as url, Store(Path(tmp) / "a.db") as store:
            seed_day(store, n, DAY)
            report = asyncio.run(
                summarize_day(store, DAY, _backend(url), "Chinese", concurrency=concurrency)
            )
        ideal = n * latency / concurrency
        print(f"no faults: {n} papers, latency {latency * 1000:.0f} ms, concurrency {concurrency}")
        print(
            f"  wall {report.seconds:.2f} s, ideal {ideal:.2f} s, "
            f"ratio {report.seconds / ideal:.3f}"
        )
        print(
            f"  ok {report.ok}, failed {report.failed}; tokens per paper: "
            f"{report.tokens_in / n:.0f} in, {report.tokens_out / n:.0f} out "
            f"(test server: about 4 characters a token)"
        )

        server = LLMServer(latency=latency, fault_rate=0.2, slow_seconds=1.5, seed=5)
        with server.running(), Store(Path(tmp) / "b.db") as store:
            seed_day(store, n, DAY)
            first = asyncio.run(
                summarize_day(store, DAY, _backend(server.url), "Chinese", concurrency=concurrency)
            )
            after_run = day_statuses(store, DAY)
            server.fault_rate = 0.0
            asyncio.run(
                summarize_day(
                    store,
                    DAY,
                    _backend(server.url),
                    "Chinese",
                    concurrency=concurrency,
                    options=SummarizeOptions(retry_failed=True),
                )
            )
            after_retry = day_statuses(store, DAY)
        print(f"20% faults: {server.calls} requests; {dict(server.statuses)} by status")
        print(f"  after the run: {after_run} in {first.seconds:.1f} s")
        print(f"  after --retry-failed with faults off: {after_retry}")


if __name__ == "__main__":
    main()
