"""Hostile files and sizes: each gives one line and a non-zero exit, never a traceback, and the
work grows with the input, not with its square (bench/hostile.py measures the growth)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.store import Store
from tests.helpers import seed_day


def _one_line(result: object) -> str:
    out = (getattr(result, "output", "") or "") + (getattr(result, "stderr", "") or "")
    assert "Traceback" not in out
    return out.strip().splitlines()[-1]


def test_star_import_of_a_deep_or_huge_file(tmp_path: Path, runner: CliRunner) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        held = [p.id for p in seed_day(store, 3, "2026-01-06")]
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000, "utf-8")
    result = runner.invoke(cli, ["--db", str(db), "star", "--import", str(deep)])
    assert result.exit_code == 4 and "nested too deeply" in _one_line(result)
    many = tmp_path / "many.json"
    ids = [f"2601.{n:05d}" for n in range(20_000, 70_000)] + held
    many.write_text(json.dumps({"schema": "arxiv-digest/stars-1", "papers": ids}), "utf-8")
    result = runner.invoke(cli, ["--db", str(db), "star", "--import", str(many)])
    assert result.exit_code == 0, result.output
    assert "starred 3 papers" in result.output
    assert "and 49980 more" in result.output  # 50,000 unknown ids, the first 20 named
    assert len(result.output) < 2_000


def test_search_limit_has_a_range(tmp_path: Path, runner: CliRunner) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        seed_day(store, 2, "2026-01-06")
    for n in ("99999999999999999999", "0", "-1"):
        result = runner.invoke(cli, ["--db", str(db), "search", "model", "-n", n])
        assert result.exit_code == 2 and "Traceback" not in result.output
    result = runner.invoke(cli, ["--db", str(db), "search", "model", "-n", "10000"])
    assert result.exit_code == 0, result.output


def _damage(db: Path, how: str) -> None:
    """Spoil the store as a failing disk would: a page's b-tree header, or a page of noise."""
    import random

    data = bytearray(db.read_bytes())
    page = 4096
    pages = len(data) // page
    rng = random.Random(7)
    for n in range(2, pages):  # every page past the schema: whatever a command reads is broken
        at = n * page
        if how == "header":
            data[at : at + 8] = b"\xff" * 8
        else:
            data[at : at + page] = bytes(rng.getrandbits(8) for _ in range(page))
    db.write_bytes(bytes(data))


def test_a_damaged_store_is_one_line_with_the_recover_hint(
    tmp_path: Path, runner: CliRunner
) -> None:
    for how in ("header", "noise"):
        db = tmp_path / f"{how}.db"
        with Store(db) as store:
            seed_day(store, 40, "2026-01-06")
        _damage(db, how)
        for args in (["stats"], ["search", "model"], ["render", "--format", "markdown",
                     "--out", str(tmp_path / how)], ["summarize"], ["failures"]):  # fmt: skip
            result = runner.invoke(cli, ["--db", str(db), *args])
            line = _one_line(result)
            assert result.exit_code == 3, (how, args, result.exit_code, result.output[-300:])
            assert ".recover" in line and str(db) in line, (how, args, line)
