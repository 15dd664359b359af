"""Hostile sizes: the work grows with the input, not its square, and stays bounded.

python bench/hostile.py

1. `star --import` of 25,000, 50,000 and 100,000 ids (the site's JSON export): seconds each and
   the ratio of 100k to 50k (2.0 is linear; the issue measured 28 s and over 120 s).
2. A Zotero page of 200,000 items when 100 were asked (a server ignoring `limit`): seconds and
   peak memory, and what the reader keeps (the issue measured 811 MB and over 300 s).
3. A config file nested 100,000 deep and `search -n 99999999999999999999`: one line each.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from arxiv_digest.rank.zotero import fetch_zotero
from arxiv_digest.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes.faults import FaultServer, fault_server  # noqa: E402
from tests.helpers import seed_day  # noqa: E402

EXE = Path(sys.executable).with_name("arxiv-digest")


def _run(args: list[str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run([str(EXE), *args], capture_output=True, text=True, check=False)
    last = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    return time.perf_counter() - started, done.returncode, last[0][:120]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = root / "s.db"
        with Store(db) as store:
            seed_day(store, 200, "2026-01-06")
        took: dict[int, float] = {}
        for n in (25_000, 50_000, 100_000):
            stars = root / f"stars-{n}.json"
            ids = [f"2601.{i:05d}" for i in range(n)]
            stars.write_text(json.dumps({"schema": "arxiv-digest/stars-1", "papers": ids}))
            took[n], code, last = _run(["--db", str(db), "star", "--import", str(stars)])
            print(f"star --import {n:>7,} ids: {took[n]:.1f} s, exit {code}: {last[:70]}")
        print(f"  100k / 50k = {took[100_000] / took[50_000]:.2f} (2.0 is linear)")

        item = {"data": {"itemType": "journalArticle", "title": "Paper"}}
        items = [item] * 200_000
        body = json.dumps(items).encode()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with fault_server(FaultServer(fault="ok", body=body)) as server:
            started = time.perf_counter()
            try:
                papers = fetch_zotero("1", "user", api_key_env=None, base_url=server.url)
                said = f"{len(papers)} papers kept"
            except Exception as exc:  # noqa: BLE001 - the bench reports what happened
                said = f"{type(exc).__name__}: {exc}"
            seconds = time.perf_counter() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(
            f"Zotero page of 200,000 items ({len(body) / 2**20:.0f} MB): {seconds:.2f} s, "
            f"peak memory +{grown:.0f} MB: {said}"
        )

        deep = root / "deep.toml"
        deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
        seconds, code, last = _run(["--config", str(deep), "stats"])
        print(f"config nested 100,000 deep: {seconds:.1f} s, exit {code}: {last}")
        seconds, code, last = _run(["--db", str(db), "search", "x", "-n", "9" * 20])
        print(f"search -n 99999999999999999999: exit {code}: {last}")


if __name__ == "__main__":
    main()
