"""Importing big digests: time per 10,000 papers and peak memory, Markdown and JSONL.

Writes digests of N papers (default 10k, 50k and 100k) in the reference Markdown and JSONL formats,
made from the reference digests' papers under new ids, then imports each into a fresh store in a
child process (`arxiv-digest import`), as a user runs it, and reports its wall time, seconds per
10,000 papers and peak resident memory.

    python bench/imports.py [N ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REF = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference-digests"
FIELDS = ("tldr", "motivation", "method", "result", "conclusion")
CATS = ["cs.LG", "cs.AI", "cs.IR", "cs.CL", "cs.CV"]


def _rows(n: int) -> list[tuple[str, dict[str, object]]]:
    base = [json.loads(x) for p in sorted(REF.glob("*.jsonl")) for x in p.open(encoding="utf-8")]
    out = []
    per = -(-n // len(CATS))
    for i in range(n):
        row = dict(base[i % len(base)])
        row["id"] = f"{2400 + i // 90000}.{i % 90000:05d}"
        out.append((CATS[min(i // per, len(CATS) - 1)], row))
    return out


def write_jsonl(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for number, (section, row) in enumerate(_rows(n), start=1):
            item = {
                "section": section,
                "index": number,
                "id": row["id"],
                "url": f"https://arxiv.org/abs/{row['id']}",
                "title": row["title"],
                "authors": row["authors"],
                "main_category": section,
                **{name: row[name] for name in FIELDS},
                "abstract": row["abstract"],
            }
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def write_markdown(path: Path, n: int) -> None:
    rows = _rows(n)
    counts = {c: sum(1 for s, _ in rows if s == c) for c in CATS}
    with path.open("w", encoding="utf-8") as f:
        f.write("<div id=toc></div>\n\n# Table of Contents\n\n")
        for c in CATS:
            f.write(f"- [{c}](#{c}) [Total: {counts[c]}]\n")
        f.write("\n\n")
        number, current = 0, None
        for section, row in rows:
            if section != current:
                f.write(f"<div id='{section}'></div>\n\n# {section} [[Back]](#toc)\n\n")
                current = section
            number += 1
            authors = ",".join(row["authors"])  # type: ignore[arg-type]
            f.write(
                f"### [{number}] [{row['title']}](https://arxiv.org/abs/{row['id']})\n"
                f"*{authors}*\n\nMain category: {section}\n\nTL;DR: {row['tldr']}\n\n\n"
                "<details>\n  <summary>Details</summary>\n"
                f"Motivation: {row['motivation']}\n\nMethod: {row['method']}\n\n"
                f"Result: {row['result']}\n\nConclusion: {row['conclusion']}\n\n"
                f"Abstract: {row['abstract']}\n\n</details>"
            )
            f.write("\n\n\n" if number < n else "\n")


def _import(path: Path, db: Path) -> tuple[float, float]:
    """Seconds and peak MiB of `arxiv-digest import` in its own process."""
    code = (
        "import resource, sys\n"
        "from arxiv_digest.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
        "sys.stderr.write(f'PEAK {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
        "sys.exit(code)\n"
    )
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, "--db", str(db), "import", str(path), "--date", "2026-01-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stdout}{done.stderr}")
    peak = next(int(x.split()[1]) for x in done.stderr.splitlines() if x.startswith("PEAK"))
    return took, peak / 1024


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 50_000, 100_000]
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for kind, writer in (("markdown", write_markdown), ("jsonl", write_jsonl)):
                path = Path(tmp) / f"2026-01-01-{n}.{'md' if kind == 'markdown' else 'jsonl'}"
                writer(path, n)
                size = path.stat().st_size / 2**20
                took, peak = _import(path, Path(tmp) / f"{kind}-{n}.db")
                print(
                    f"{kind:8s} {n:7d} papers ({size:5.0f} MiB file): {took:6.1f} s, "
                    f"{10_000 * took / n:5.1f} s per 10k papers, peak memory {peak:5.0f} MiB"
                )
                path.unlink()


if __name__ == "__main__":
    main()
