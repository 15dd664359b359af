"""Endpoints that cannot serve a run stop it in seconds with the cause; what can heal, heals on
the next ordinary run; nothing the endpoint echoes leaks the key."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.store import Store
from tests.fakes.llm_server import LLMServer
from tests.helpers import day_statuses, seed_day

DAY = "2026-01-06"
KEY = "sk-test-QUOTA-and-ECHO-0123456789abcdef"


def _seeded(tmp_path: Path, n: int = 40) -> list[str]:
    db = tmp_path / "s.db"
    with Store(db) as store:
        seed_day(store, n, DAY)
    return ["--db", str(db)]


def _env(url: str) -> dict[str, str]:
    return {
        "ARXIV_DIGEST_BACKEND": "openai",
        "ARXIV_DIGEST_MODEL": "m",
        "ARXIV_DIGEST_BASE_URL": url,
        "ARXIV_DIGEST_SUMMARIZER__CONCURRENCY": "8",
        "OPENAI_API_KEY": KEY,
    }


def _statuses(tmp_path: Path) -> dict[str, int]:
    with Store(tmp_path / "s.db") as store:
        return day_statuses(store, DAY)


def test_a_spent_quota_stops_at_once_and_the_next_run_heals(
    tmp_path: Path, runner: CliRunner, llm: LLMServer
) -> None:
    db = _seeded(tmp_path)
    llm.mode = "quota"
    started = time.monotonic()
    result = runner.invoke(cli, [*db, "summarize"], env=_env(llm.url))
    assert time.monotonic() - started < 60 and llm.calls <= 20
    assert result.exit_code == 6
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the provider says the quota is spent") and "429" in last
    assert _statuses(tmp_path) == {"ok": 0, "failed": 0, "pending": 40}  # nothing marked failed

    llm.mode = None  # credit added
    again = runner.invoke(cli, [*db, "summarize"], env=_env(llm.url))
    assert again.exit_code == 0, again.output
    assert "summaries: 40 ok, 0 failed, 0 cached" in again.output
    assert _statuses(tmp_path)["ok"] == 40


def test_a_refused_connection_stops_within_seconds(tmp_path: Path, runner: CliRunner) -> None:
    db = _seeded(tmp_path)
    with socket.socket() as sock:  # a port on which nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**_env(f"http://127.0.0.1:{port}/v1"), "ARXIV_DIGEST_SUMMARIZER__MAX_ATTEMPTS": "3"}
    started = time.monotonic()
    result = runner.invoke(cli, [*db, "summarize"], env=env)
    assert time.monotonic() - started < 60
    assert result.exit_code == 6
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: cannot reach http://127.0.0.1:{port}/v1")
    assert _statuses(tmp_path) == {"ok": 0, "failed": 0, "pending": 40}


def test_transient_failures_are_retried_by_the_next_run(
    tmp_path: Path, runner: CliRunner, llm: LLMServer
) -> None:
    db = _seeded(tmp_path, 6)
    llm.faults = ["503"] * 2  # one paper: two 503s, with max_attempts 2 it gives up
    env = {**_env(llm.url), "ARXIV_DIGEST_SUMMARIZER__MAX_ATTEMPTS": "2"}
    env["ARXIV_DIGEST_SUMMARIZER__CONCURRENCY"] = "1"
    first = runner.invoke(cli, [*db, "summarize"], env=env)
    assert first.exit_code == 0, first.output
    assert "5 ok, 1 failed" in first.output and "the next run tries them again" in first.output
    assert _statuses(tmp_path) == {"ok": 5, "failed": 1, "pending": 0}
    second = runner.invoke(cli, [*db, "summarize"], env=env)  # no --retry-failed
    assert "1 ok, 0 failed, 5 cached" in second.output
    assert _statuses(tmp_path) == {"ok": 6, "failed": 0, "pending": 0}


def test_a_paper_that_fails_again_and_again_backs_off() -> None:
    from datetime import UTC, datetime

    from arxiv_digest.summarize.stage import retry_at

    now = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
    assert retry_at(1, now) is None  # the first failure: the very next run
    assert retry_at(2, now) == "2026-01-06T12:01:00+00:00"
    assert retry_at(3, now) == "2026-01-06T12:04:00+00:00"
    assert retry_at(30, now) == "2026-01-06T18:00:00+00:00"  # at most six hours


def test_an_echoed_key_is_stored_and_published_nowhere(
    tmp_path: Path, runner: CliRunner, llm: LLMServer
) -> None:
    db = _seeded(tmp_path, 3)
    llm.mode = "echo"
    out = tmp_path / "out"
    result = runner.invoke(cli, [*db, "summarize"], env=_env(llm.url))
    assert result.exit_code == 6  # every paper failed: the exit code says so
    assert "every one of the 3 papers tried failed" in result.output + result.stderr
    for fmt in ("markdown", "json", "atom", "html"):
        made = runner.invoke(cli, [*db, "render", "--format", fmt, "--out", str(out / "site")])
        assert made.exit_code == 0, made.output
    runner.invoke(cli, [*db, "render", "--format", "json", "-o", str(out / "day.json")])
    texts = [result.output, result.stderr]
    texts += [p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file()]
    with Store(tmp_path / "s.db") as store:
        texts.append(repr(store.dump()))
        errors = [e.summary.error for e in store.digests.load(DAY).entries if e.summary]  # type: ignore[union-attr]
    assert errors and all("Authorization: ***" in (e or "") for e in errors)
    assert not any(KEY in text or "QUOTA-and-ECHO" in text for text in texts)
