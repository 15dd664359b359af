"""A migrating user's whole history: import it, then build its site.

python bench/history.py [DAYS] [PAPERS_PER_DAY]

1. The 14 shared days of daily-arXiv-ai-enhanced (../shared/corpus/daae/: both summary schemas
   and a raw day) imported by `arxiv-digest import DIR` in a child process, as a user runs it.
2. A synthetic history of DAYS days (default 400, 190 papers a day, as the real data branch
   holds) in the same three shapes, made from the shared days' real papers and summaries under new
   ids: one day in 15 in the early `AI.task` schema, one in 20 a raw day, every line written
   twice on one day in 10. Imported the same way: time per 10,000 papers and peak memory.
3. The site of that whole history (`arxiv-digest render --format html`): the full build, then the
   incremental build after one more day is imported.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "daae"
EXE = Path(sys.executable).with_name("arxiv-digest")


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, the child's peak memory in MB, and its output's last line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        sys.exit(f"{args} failed: {done.stderr.strip()[-400:]}")
    lines = done.stdout.strip().splitlines() or [""]
    return took, max(peak, before) / 1024, lines[-1]


def real_rows() -> list[dict[str, object]]:
    rows = []
    for path in sorted(CORPUS.glob("*_AI_enhanced_*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            row = json.loads(line)
            if "tldr" in row.get("AI", {}):
                rows.append(row)
    return rows


def write_history(folder: Path, days: int, per_day: int) -> int:
    rows = real_rows()
    start = date(2024, 1, 1)
    written = 0
    for d in range(days):
        day = (start + timedelta(days=d)).isoformat()
        lines = []
        for k in range(per_day):
            row = dict(rows[(d * per_day + k) % len(rows)])
            n = d * per_day + k
            row["id"] = f"{2401 + n // 90000}.{n % 90000:05d}"
            if d % 20 == 19:  # a raw day
                row.pop("AI", None)
            elif d % 15 == 14:  # the early schema
                ai = dict(row["AI"])  # type: ignore[arg-type]
                ai["task"] = ai.pop("tldr")
                row["AI"] = ai
            lines.append(json.dumps(row, ensure_ascii=False))
        if d % 10 == 9:
            lines += lines  # every paper listed twice, as on some real days
        name = f"{day}.jsonl" if d % 20 == 19 else f"{day}_AI_enhanced_Chinese.jsonl"
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        written += per_day
    return written


def main() -> None:
    days = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    per_day = int(sys.argv[2]) if len(sys.argv) > 2 else 190
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = {**os.environ, "ARXIV_DIGEST_DB": str(base / "shared.db")}
        took, peak, last = run(["import", str(CORPUS)], env)
        print(f"1. the 14 shared days: {took:.1f} s, peak {peak:.0f} MB: {last}")

        history = base / "data"
        history.mkdir()
        papers = write_history(history, days, per_day)
        env = {**os.environ, "ARXIV_DIGEST_DB": str(base / "history.db")}
        took, peak, last = run(["import", str(history)], env)
        print(
            f"2. a {days}-day history of {papers:,} papers: {took:.0f} s = "
            f"{10_000 * took / papers:.1f} s per 10,000 papers, peak {peak:.0f} MB: {last}"
        )

        site = base / "site"
        took, _, last = run(["render", "--format", "html", "--out", str(site)], env)
        print(f"3. the site of the whole history: full build {took:.0f} s ({last})")
        extra = base / "more"
        extra.mkdir()
        write_history(extra, days + 1, per_day)
        newest = sorted(extra.iterdir())[-1]
        run(["import", str(newest)], env)
        took, _, last = run(["render", "--format", "html", "--out", str(site)], env)
        print(f"   one more day: incremental build {took:.0f} s ({last})")


if __name__ == "__main__":
    main()
