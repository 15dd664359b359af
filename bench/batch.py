"""The batch backend at scale: one day of 20,000 papers through a loopback Batch API.

The papers are the reference digests' real papers under new ids. The Batch API (Files and
Batches endpoints, tests/fakes/batch_api.py) runs in this process and answers every line with
that paper's real Chinese summary from the reference digests (so the validation and quality
checks do their real work), 10% of lines going to the error file; the tool runs as a child
process, `arxiv-digest summarize --backend batch`, exactly as a user runs it. Printed: lines and
bytes of each batch uploaded, the child's peak memory (its maxrss), its own CPU time per 1,000
papers (the server's work is in this process, not counted), the wall time, and the requests a
second run makes once everything is collected. Then the offline engines' round trip on a fresh
copy of the day: `batch export` writes the requests, a stand-in for `vllm run-batch` answers
them in vLLM's output format (the same answer logic, 1% engine errors), `batch import` reads
them; each command's peak memory and CPU time.

    python bench/batch.py [PAPERS]
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arxiv_digest.models import Announcement, Paper  # noqa: E402
from arxiv_digest.store import DigestRow, Store  # noqa: E402
from tests.fakes.batch_api import BatchAPI  # noqa: E402
from tests.fakes.llm_server import LLMServer  # noqa: E402
from tests.helpers import day_statuses  # noqa: E402

REF = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"
DAY = "2026-03-02"


FIELDS = ("tldr", "motivation", "method", "result", "conclusion")


def reference_rows() -> list[dict[str, object]]:
    """The reference papers that have a real summary."""
    rows = []
    for path in sorted(REF.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            row = json.loads(line)
            if row["tldr"] != "Summary generation failed":
                rows.append(row)
    return rows


class RealAnswers(LLMServer):
    """Answers each paper with its summary in the reference digests."""

    def __init__(self) -> None:
        super().__init__()
        self.by_title = {
            str(r["title"]): {name: str(r[name]) for name in FIELDS} for r in reference_rows()
        }

    def fields_for(self, title: str, language: str) -> dict[str, str]:  # type: ignore[override]
        return dict(self.by_title[title])


def real_papers() -> list[Paper]:
    return [
        Paper(
            id=str(row["id"]),
            title=str(row["title"]),
            authors=tuple(row["authors"]),  # type: ignore[arg-type]
            abstract=str(row["abstract"]),
            primary_category=str(row["main_category"]),
        )
        for row in reference_rows()
    ]


def seed(store: Store, n: int) -> None:
    source = real_papers()
    sections = ["cs.LG", "cs.AI", "cs.IR", "cs.CV"]
    with store.transaction():
        rows = []
        for i in range(n):
            paper = dataclasses.replace(source[i % len(source)], id=f"2603.{i + 1:05d}")
            store.papers.upsert(paper)
            store.papers.announce(Announcement(DAY, paper.id, 1, "new"))
            rows.append(DigestRow(sections[i % 4], paper.id, None))
        store.digests.plan(DAY, rows, language="Chinese", sections=sections, source="bench")


#: Runs the tool and, as it exits, writes its own peak memory (VmHWM): the child's maxrss would
#: count this process's memory too, inherited at the fork before the exec.
PEAK = """
import atexit, re, runpy, sys
def peak():
    status = open("/proc/self/status").read()
    open(path, "w").write(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
atexit.register(peak)
path = sys.argv.pop(1)
sys.argv[0] = "arxiv-digest"
runpy.run_module("arxiv_digest", run_name="__main__")
"""


def child(args: list[str], env: dict[str, str]) -> tuple[int, float, float, float, str]:
    """Run the tool (`args` after `python -m arxiv_digest`); (exit code, wall s, CPU s, peak
    memory MB, output)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryDirectory() as tmp:
        hwm = Path(tmp) / "peak"
        command = [sys.executable, "-c", PEAK, str(hwm), *args]
        began = time.monotonic()
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
        peak = int(hwm.read_text()) / 1024
    cpu = usage.ru_utime + usage.ru_stime
    return proc.returncode, wall, cpu, peak, text


def vllm_run_batch(requests: Path, results: Path, api: BatchAPI) -> None:
    """What `vllm run-batch -i requests.jsonl -o results.jsonl` writes, line by line."""
    with requests.open(encoding="utf-8") as src, results.open("w", encoding="utf-8") as out:
        for i, raw in enumerate(src):
            line = json.loads(raw)
            row: dict[str, object] = {"id": f"vllm-{i}", "custom_id": line["custom_id"]}
            if i % 100 == 99:
                row |= {"response": None, "error": {"code": "500", "message": "CUDA OOM"}}
            else:
                status, _, body, _ = api.engine.answer(line["body"])
                response = {"status_code": status, "request_id": f"vllm-batch-{i}"}
                row |= {"response": response | {"body": json.loads(body or b"null")}}
                row["error"] = None
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def offline(n: int, api: BatchAPI, env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "s.db"
        with Store(db) as store:
            seed(store, n)
        toml = Path(tmp) / "c.toml"
        toml.write_text('[summarizer]\nbackend = "openai"\nmodel = "qwen2.5-7b"\n', "utf-8")
        args = ["--config", str(toml), "--db", str(db)]
        requests, results = Path(tmp) / "requests.jsonl", Path(tmp) / "results.jsonl"
        print(f"\noffline round trip (vLLM's file format), {n} papers")
        code, wall, cpu, rss, text = child([*args, "batch", "export", "-o", str(requests)], env)
        assert code == 0, text
        print(f"  batch export: {text.strip().splitlines()[0]}")
        print(f"    {cpu:.1f} s CPU ({cpu / n * 1000:.2f} s per 1,000), peak {rss:.0f} MB")
        vllm_run_batch(requests, results, api)
        size = results.stat().st_size / 1e6
        code, wall, cpu, rss, text = child([*args, "batch", "import", str(results)], env)
        assert code == 0, text
        print(f"  batch import of {size:.1f} MB: {text.strip().splitlines()[0]}")
        print(f"    {cpu:.1f} s CPU ({cpu / n * 1000:.2f} s per 1,000), peak {rss:.0f} MB")
        with Store(db) as store:
            print(f"  the day: {day_statuses(store, DAY)}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    api = BatchAPI(engine=RealAnswers(), error_every=10, fast=True)
    with tempfile.TemporaryDirectory() as tmp, api.running():
        db = Path(tmp) / "s.db"
        with Store(db) as store:
            seed(store, n)
        toml = Path(tmp) / "c.toml"
        toml.write_text(
            f'[summarizer]\nbackend = "batch"\nmodel = "qwen-plus"\nbase_url = "{api.url}"\n'
            "[summarizer.prices.qwen-plus]\ninput = 0.4\noutput = 1.2\n",
            "utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_DIGEST_")}
        env["OPENAI_API_KEY"] = "sk-bench"
        args = ["--config", str(toml), "--db", str(db)]
        command = [*args, "summarize", "--date", DAY]
        code, wall, cpu, rss, text = child(command, env)
        assert code == 0, text
        print(text.rstrip())
        print(f"\n{n} papers, one day")
        for number, (batch_id, batch) in enumerate(sorted(api.batches.items()), 1):
            size = len(api.files[batch["input_file_id"]])
            lines = len(api.asked[number - 1])
            print(f"  batch {number} ({batch_id}): {lines} lines, {size / 1e6:.1f} MB")
        print(f"  peak memory of the tool: {rss:.0f} MB (goal <= 300)")
        print(
            f"  the tool's own CPU time: {cpu:.1f} s = {cpu / n * 1000:.2f} s per 1,000 papers "
            f"(goal <= 2); wall {wall:.1f} s with the server's work"
        )
        with Store(db) as store:
            print(f"  the day: {day_statuses(store, DAY)}")
        before = api.requests
        code, wall, cpu, rss, text = child(command, env)
        assert code == 0, text
        print(
            f"  a second run after completion: {api.requests - before} requests, "
            f"{wall:.1f} s, exit {code}"
        )
        offline(n, api, env)


if __name__ == "__main__":
    main()
