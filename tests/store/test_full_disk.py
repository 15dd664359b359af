"""A full disk and a damaged store, on a real small filesystem: one line, the documented exit
code, nothing lost."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from arxiv_digest.store import Store
from tests.helpers import REFERENCE_DIR, seed_day

DAY = "2026-01-06"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs (mounting needs root, as CI has)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _fill(disk: Path, leave_kb: int) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"x" * 4096)
                handle.flush()
        except OSError:
            pass
        try:
            handle.close()
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - leave_kb * 1024))
    return filler


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_DIGEST_")}
    return subprocess.run(
        [sys.executable, "-m", "arxiv_digest", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("leave_kb", [16, 64])
def test_a_full_disk_is_one_line_and_loses_nothing(small_disk: Path, leave_kb: int) -> None:
    db = small_disk / "s.db"
    with Store(db) as store:
        seed_day(store, 300, DAY)
    filler = _fill(small_disk, leave_kb)
    reference = str(next(REFERENCE_DIR.glob("*.md")))
    for args in (["summarize"], ["import", reference, "--date", "2026-01-01"]):
        result = _cli(db, *args)
        assert result.returncode == 3, result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("error: ") and "free some space" in line
    filler.unlink()
    again = _cli(db, "summarize")
    assert again.returncode == 0, again.stderr
    with Store(db) as store:
        digest = store.digests.load(DAY)
        assert digest is not None and all(e.summary and e.summary.usable for e in digest.entries)


def test_a_damaged_store_says_how_to_recover(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    db.write_bytes(b"this is not a database, just bytes " * 200)
    result = _cli(db, "stats")
    assert result.returncode == 3
    (line,) = result.stderr.strip().splitlines()
    assert "file is not a database" in line and ".recover" in line
