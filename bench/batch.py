"""The batch backend at scale: one day of 20,000 papers through a loopback Batch API.

The papers are the reference digests' real papers under new ids. The Batch API (Files and
Batches endpoints, tests/fakes/batch_api.py) runs in this process and answers every line with
the test chat server's logic, 10% of lines going to the error file; the tool runs as a child
process, `arxiv-digest summarize --backend batch`, exactly as a user runs it. Printed: lines and
bytes of each batch uploaded, the child's peak memory (its maxrss), its own CPU time per 1,000
papers (the server's work is in this process, not counted), the wall time, and the requests a
second run makes once everything is collected.

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
from tests.helpers import day_statuses  # noqa: E402

REF = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"
DAY = "2026-03-02"


def real_papers() -> list[Paper]:
    papers = []
    for path in sorted(REF.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            row = json.loads(line)
            papers.append(
                Paper(
                    id=str(row["id"]),
                    title=str(row["title"]),
                    authors=tuple(row["authors"]),
                    abstract=str(row["abstract"]),
                    primary_category=str(row["main_category"]),
                    categories=tuple(row.get("categories") or [row["main_category"]]),
                )
            )
    return papers


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


def child(args: list[str], env: dict[str, str]) -> tuple[int, float, float, float, str]:
    """Run the tool; (exit code, wall s, CPU s, peak RSS MB, output)."""
    with tempfile.TemporaryFile("w+") as out:
        began = time.monotonic()
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    cpu = usage.ru_utime + usage.ru_stime
    return proc.returncode, wall, cpu, usage.ru_maxrss / 1024, text


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    api = BatchAPI(error_every=10, fast=True)
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
        args = [sys.executable, "-m", "arxiv_digest", "--config", str(toml), "--db", str(db)]
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


if __name__ == "__main__":
    main()
