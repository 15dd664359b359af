"""The summarize stage with the openai backend: cache, budget, cost, secrets, resume, two runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.models import Summary, SummaryFields
from arxiv_digest.store import Store
from arxiv_digest.summarize.report import Budget, SummarizeOptions, SummarizeReport
from tests.fakes.llm_server import LLMServer
from tests.helpers import seed_day

DAY = "2026-01-06"
SECRET = "sk-test-THIS-MUST-NEVER-LEAK-0123456789"


def _env(llm: LLMServer, **extra: str) -> dict[str, str]:
    env = {
        "ARXIV_DIGEST_BACKEND": "openai",
        "ARXIV_DIGEST_MODEL": "test-model",
        "ARXIV_DIGEST_BASE_URL": llm.url,
        "ARXIV_DIGEST_SUMMARIZER__TIMEOUT": "2",
        "OPENAI_API_KEY": SECRET,
    }
    env.update(extra)
    return env


def _seeded(tmp_path: Path, n: int) -> Path:
    db = tmp_path / "s.db"
    with Store(db) as store:
        seed_day(store, n, DAY)
    return db


def test_summarize_a_day_then_rerun_costs_nothing(
    llm: LLMServer, tmp_path: Path, runner: CliRunner
) -> None:
    db = _seeded(tmp_path, 30)
    result = runner.invoke(cli, ["--db", str(db), "summarize", "--concurrency", "4"], env=_env(llm))
    assert result.exit_code == 0, result.output
    assert "30 ok, 0 failed, 0 cached" in result.output and "cost unknown" in result.output
    assert llm.calls == 30
    again = runner.invoke(cli, ["--db", str(db), "summarize"], env=_env(llm))
    assert "0 ok, 0 failed, 30 cached" in again.output and llm.calls == 30
    with Store(db) as store:
        digest = store.digests.load(DAY)
        assert digest is not None
        summary = digest.entries[0].summary
        assert summary is not None and summary.backend == "openai"
        assert summary.tokens_in > 0 and summary.tokens_out > 0 and summary.language == "Chinese"


def test_price_table_gives_cost(llm: LLMServer, tmp_path: Path, runner: CliRunner) -> None:
    db = _seeded(tmp_path, 5)
    config = tmp_path / "c.toml"
    config.write_text("[summarizer.prices.test-model]\ninput = 0.5\noutput = 2.0\n")
    result = runner.invoke(
        cli, ["--config", str(config), "--db", str(db), "summarize"], env=_env(llm)
    )
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("tokens:"))
    tin, tout = int(line.split()[1]), int(line.split()[3])
    expected = (tin * 0.5 + tout * 2.0) / 1e6
    assert f"cost ${expected:.4f}" in line


@pytest.mark.parametrize(
    ("flag", "value", "needle"),
    [
        ("--max-papers", "7", "7 papers"),
        ("--max-tokens", "1500", "1500 tokens"),
        ("--max-cost", "0.0005", "$0.0005"),
    ],
)
def test_budget_stops_cleanly_and_the_next_run_finishes(
    llm: LLMServer, tmp_path: Path, runner: CliRunner, flag: str, value: str, needle: str
) -> None:
    db = _seeded(tmp_path, 20)
    config = tmp_path / "c.toml"
    config.write_text("[summarizer.prices.test-model]\ninput = 1.0\noutput = 1.0\n")
    base = ["--config", str(config), "--db", str(db), "summarize", "--concurrency", "1"]
    first = runner.invoke(cli, [*base, flag, value], env=_env(llm))
    assert first.exit_code == 0, first.output
    assert f"budget reached ({needle})" in first.output
    done = llm.calls
    assert 0 < done < 20
    second = runner.invoke(cli, base, env=_env(llm))
    assert f"{20 - done} ok" in second.output and llm.calls == 20


def test_faults_end_ok_or_failed_then_retry_failed(
    llm: LLMServer, tmp_path: Path, runner: CliRunner
) -> None:
    db = _seeded(tmp_path, 40)
    llm.fault_rate = 0.5
    llm.slow_seconds = 3.0
    env = _env(llm, ARXIV_DIGEST_SUMMARIZER__MAX_ATTEMPTS="2")
    first = runner.invoke(cli, ["--db", str(db), "summarize", "--concurrency", "8"], env=env)
    # a paper failed for good (an answer broken even after its repair) is worth a non-zero
    # exit: the next ordinary run will not heal it; failures that heal by themselves are not
    lasting = "for a reason of their own" in first.output
    assert first.exit_code == (6 if lasting else 0), first.output
    with Store(db) as store:
        digest = store.digests.load(DAY)
        assert digest is not None
        statuses = [e.summary.status for e in digest.entries if e.summary]
    assert len(statuses) == 40 and "failed" in statuses  # none lost or stuck
    llm.fault_rate = 0.0
    again = runner.invoke(cli, ["--db", str(db), "summarize", "--retry-failed"], env=env)
    assert f"{statuses.count('failed')} ok" in again.output
    with Store(db) as store:
        digest = store.digests.load(DAY)
        assert digest is not None
        assert {e.summary.status for e in digest.entries if e.summary} == {"ok"}


def test_the_api_key_never_leaks(llm: LLMServer, tmp_path: Path, runner: CliRunner) -> None:
    db = _seeded(tmp_path, 6)
    llm.faults = ["500", "500", "malformed", "malformed"]
    env = _env(llm, ARXIV_DIGEST_SUMMARIZER__MAX_ATTEMPTS="2")
    outputs = []
    for args in (["summarize"], ["config", "show"], ["render", "-o", "-"]):
        result = runner.invoke(cli, ["--db", str(db), *args], env=env)
        outputs.append(result.output + result.stderr)
    bad = runner.invoke(
        cli,
        [
            "--db",
            str(db),
            "summarize",
            "--retry-failed",
            "--model",
            "missing-model",
            "--base-url",
            "http://127.0.0.1:9/v1",
        ],
        env=env,
    )
    outputs.append(bad.output + bad.stderr)
    assert "OPENAI_API_KEY" in outputs[1] and "set in the environment" in outputs[1]
    for text in outputs:
        assert SECRET not in text and "NEVER-LEAK" not in text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"NEVER-LEAK" not in path.read_bytes(), path
    assert all("NEVER-LEAK" not in str(r) for r in llm.requests)  # only in the auth header


def test_a_refused_key_stops_the_run(tmp_path: Path, runner: CliRunner) -> None:
    server = LLMServer()
    db = _seeded(tmp_path, 3)

    def refuse(body: dict[str, object]) -> tuple[int, dict[str, str], bytes, float]:
        return 401, {}, b'{"error": {"message": "bad key"}}', 0.0

    server.answer = refuse  # type: ignore[method-assign]
    with server.running():
        result = runner.invoke(cli, ["--db", str(db), "summarize"], env=_env(server))
    assert result.exit_code == 6 and "refused" in result.stderr and SECRET not in result.stderr


def _cli(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "arxiv_digest", "--db", str(db), *args]


def _child_env(llm: LLMServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_DIGEST_", "OPENAI"))}
    env.update(_env(llm))
    return env


def test_two_runs_at_once_never_summarize_a_paper_twice(llm: LLMServer, tmp_path: Path) -> None:
    db = _seeded(tmp_path, 60)
    llm.latency = 0.02
    procs = [
        subprocess.Popen(
            _cli(db, "summarize", "--concurrency", "6"),
            env=_child_env(llm),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert max(llm.per_title.values()) == 1 and llm.calls == 60
    with Store(db) as store:
        digest = store.digests.load(DAY)
        assert digest is not None
        assert all(e.summary and e.summary.status == "ok" for e in digest.entries)
        assert store.dump()["claims"] == []


def test_kill_9_mid_run_loses_nothing_and_redoes_little(llm: LLMServer, tmp_path: Path) -> None:
    n, concurrency = 200, 8
    reference = tmp_path / "ref"
    reference.mkdir()
    ref_db = _seeded(reference, n)
    db = _seeded(tmp_path, n)
    llm.latency = 0.01
    llm.notify_at = 80
    proc = subprocess.Popen(
        _cli(db, "summarize", "--concurrency", str(concurrency)),
        env=_child_env(llm),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert llm.reached.wait(timeout=60)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    first_calls = llm.calls
    assert first_calls < n
    rerun = subprocess.run(
        _cli(db, "summarize", "--concurrency", str(concurrency)),
        env=_child_env(llm),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert llm.calls <= n + concurrency
    llm.notify_at = None
    clean = subprocess.run(
        _cli(ref_db, "summarize"), env=_child_env(llm), capture_output=True, text=True, timeout=120
    )
    assert clean.returncode == 0
    rendered = [
        subprocess.run(
            _cli(path, "render", "-o", "-"), env=_child_env(llm), capture_output=True, check=True
        ).stdout
        for path in (db, ref_db)
    ]
    assert rendered[0] == rendered[1] and rendered[0].count(b"### [") == n
    assert b"Summary generation failed" not in rendered[0]


def test_another_language_or_model_writes_that_setting_and_redo_forces(
    llm: LLMServer, tmp_path: Path, runner: CliRunner
) -> None:
    db = _seeded(tmp_path, 4)
    cmd = ["--db", str(db), "summarize"]
    assert "4 ok" in runner.invoke(cli, cmd, env=_env(llm)).output
    english = runner.invoke(cli, [*cmd, "--language", "English"], env=_env(llm))
    assert "4 ok, 0 failed, 0 cached" in english.output and llm.calls == 8
    other = runner.invoke(cli, [*cmd, "--model", "other-model"], env=_env(llm))
    assert "4 ok, 0 failed, 0 cached" in other.output and llm.calls == 12
    with Store(db) as store:
        digest = store.digests.load(DAY)
        assert digest is not None
        assert {(e.summary.model, e.summary.language) for e in digest.entries if e.summary} == {
            ("other-model", "Chinese")
        }
    back = runner.invoke(cli, cmd, env=_env(llm))  # the first setting again: from the cache
    assert "0 ok, 0 failed, 4 cached" in back.output and llm.calls == 12
    redo = runner.invoke(cli, [*cmd, "--redo"], env=_env(llm))
    assert "4 ok, 0 failed, 0 cached" in redo.output and llm.calls == 16


def test_a_run_deadline_starts_no_paper_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from arxiv_digest.models import Paper, SummaryFields
    from arxiv_digest.summarize import stage
    from arxiv_digest.summarize.base import Summarizer, SummaryResult

    now = [1000.0]
    monkeypatch.setattr(stage.time, "monotonic", lambda: now[0])

    class ThirtySeconds(Summarizer):  # each paper takes half a minute of (fake) time
        backend, model, prompt_version = "slow", "slow-1", "s1"

        async def summarize(self, paper: Paper, language: str) -> SummaryResult:
            now[0] += 30.0
            return SummaryResult(SummaryFields("t", "m", "x", "r", "c"))

    db = _seeded(tmp_path, 10)
    with Store(db) as store:
        report = asyncio.run(
            stage.summarize_day(
                store,
                DAY,
                ThirtySeconds(),
                "Chinese",
                concurrency=1,
                options=SummarizeOptions(budget=Budget(max_minutes=1.5)),
            )
        )
    assert (report.ok, report.left) == (4, 6) and report.budget_hit == "1.5 minutes"
    assert "budget reached (1.5 minutes): 6 papers left for the next run" in report.lines()


def test_max_minutes_holds_for_answers_in_flight(tmp_path: Path) -> None:
    """A model that never finishes its answers (tokens dripping) cannot keep the run past
    --max-minutes: the papers in flight are handed back unpaid, pending, not failed."""
    import asyncio
    import time

    from arxiv_digest.models import Paper
    from arxiv_digest.summarize import stage
    from arxiv_digest.summarize.base import Summarizer, SummaryResult
    from tests.helpers import day_statuses

    class Drip(Summarizer):
        backend, model, prompt_version = "openai", "drip", "v1"
        default_concurrency = 4

        async def summarize(self, paper: Paper, language: str) -> SummaryResult:
            await asyncio.sleep(3600)
            raise AssertionError("never answers")

    db = _seeded(tmp_path, 6)
    with Store(db) as store:
        began = time.monotonic()
        report = asyncio.run(
            stage.summarize_day(
                store,
                DAY,
                Drip(),
                "Chinese",
                concurrency=3,
                options=SummarizeOptions(budget=Budget(max_minutes=0.02)),
            )
        )
        took = time.monotonic() - began
        assert took < 1.2 + 5  # the deadline (1.2 s), not an hour
        assert (report.ok, report.failed, report.left) == (0, 0, 6)
        assert report.budget_hit == "0.02 minutes" and report.outcome() is None
        assert day_statuses(store, DAY)["pending"] == 6


def test_a_result_the_abstract_does_not_report_is_said_so(
    llm: LLMServer, tmp_path: Path, runner: CliRunner
) -> None:
    db = _seeded(tmp_path, 2)
    with Store(db) as store:
        digest = store.digests.load(DAY)
        assert digest is not None
        silent = digest.entries[0].paper
    llm.fault_for = {silent.title: ["not_reported"]}
    out = tmp_path / "out"
    env = _env(llm, ARXIV_DIGEST_OUTPUT_DIR=str(out))
    assert "2 ok" in runner.invoke(cli, ["--db", str(db), "summarize"], env=env).output
    assert runner.invoke(cli, ["--db", str(db), "render"], env=env).exit_code == 0
    markdown = (out / f"{DAY}.md").read_text("utf-8")
    assert markdown.count("Result: 摘要未报告。\n") == 1  # shown as such, never invented
    assert "NOT_REPORTED" not in markdown
    checked = runner.invoke(cli, ["--db", str(db), "check"], env=env)
    # not a placeholder, a repeat or a cut field (the fake's invented figures are warned about)
    assert "2 mismatch, 5 number)" in checked.output and "placeholder" not in checked.output


def test_summaries_of_an_older_prompt_stay_until_redo(
    llm: LLMServer, tmp_path: Path, runner: CliRunner
) -> None:
    db = _seeded(tmp_path, 3)
    with Store(db) as store:
        digest = store.digests.load(DAY)
        assert digest is not None
        with store.transaction():
            for entry in digest.entries:  # summaries written by the previous prompt version
                old = Summary(
                    entry.paper.id,
                    entry.paper.version,
                    "openai",
                    "test-model",
                    "Chinese",
                    "p2",
                    "ok",
                    SummaryFields("旧的一句话。", "旧动机。", "旧方法。", "旧结果。", "旧结论。"),
                )
                store.digests.attach(DAY, entry.paper.id, store.summaries.save(old))
    cmd = ["--db", str(db), "summarize"]
    again = runner.invoke(cli, cmd, env=_env(llm))
    assert "0 ok, 0 failed, 3 cached" in again.output and llm.calls == 0
    redone = runner.invoke(cli, [*cmd, "--redo"], env=_env(llm))
    assert "3 ok" in redone.output and llm.calls == 3


def test_a_full_disk_keeps_paid_answers_and_the_next_run_pays_for_none_again(
    tmp_path: Path,
) -> None:
    """The store fills up mid-run (SQLite's page limit stands in for the disk): the stage ends
    with one line (exit 3), the answers already paid for are kept beside the store, no paper is
    recorded as failed for a local reason, and the next run saves them without asking again."""
    import asyncio

    from arxiv_digest.models import Paper
    from arxiv_digest.store.unsaved import unsaved_path
    from arxiv_digest.summarize import stage
    from arxiv_digest.summarize.base import Summarizer, SummaryResult
    from tests.helpers import day_statuses

    asked: list[str] = []

    class Paid(Summarizer):
        backend, model, prompt_version = "openai", "paid", "v1"
        default_concurrency = 4

        async def summarize(self, paper: Paper, language: str) -> SummaryResult:
            asked.append(paper.id)
            await asyncio.sleep(0)
            fields = SummaryFields(
                "本文提出一种新方法。" * 3, "动机" * 20, "方法" * 20, "结果" * 20, "结论" * 20
            )
            return SummaryResult(fields, tokens_in=900, tokens_out=300)

    db = _seeded(tmp_path, 30)
    with Store(db) as store:
        pages = store.execute("PRAGMA page_count").fetchone()[0]
        store.execute(f"PRAGMA max_page_count = {pages + 2}")
        report = asyncio.run(stage.summarize_day(store, DAY, Paid(), "Chinese", concurrency=4))
    failure = report.outcome()
    assert failure is not None and failure.exit_code == 3
    assert "\n" not in str(failure) and "full" in str(failure)
    assert 0 < report.ok < 30 and report.failed == 0  # nothing failed "for good" by accident
    assert report.unsaved >= 1 and unsaved_path(db).is_file()
    first = list(asked)
    with Store(db) as store:
        again = asyncio.run(stage.summarize_day(store, DAY, Paid(), "Chinese", concurrency=4))
        assert day_statuses(store, DAY).get("pending", 0) == 0
    assert again.restored == report.unsaved and again.outcome() is None
    assert not unsaved_path(db).exists()
    assert len(asked) == 30 and sorted(asked) == sorted(set(asked))  # none paid twice
    assert set(first).isdisjoint(asked[len(first) :])


@pytest.mark.parametrize("alive", [False, True])
def test_another_hosts_claim_is_judged_by_its_renewals_not_its_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, alive: bool
) -> None:
    """A run on a host whose clock is 600 s ahead left a claim: if its renewal counter stands
    still for a lease, this run takes the paper over (not 668 s later); if the counter moves,
    the paper is left to that run."""
    import asyncio
    import sqlite3
    import threading
    import time

    from arxiv_digest.models import Paper
    from arxiv_digest.summarize import stage
    from arxiv_digest.summarize.base import Summarizer, SummaryResult

    monkeypatch.setattr(stage, "LEASE", 0.6)

    class Quick(Summarizer):
        backend, model, prompt_version = "openai", "quick", "v1"
        default_concurrency = 2

        async def summarize(self, paper: Paper, language: str) -> SummaryResult:
            return SummaryResult(SummaryFields("t", "m", "x", "r", "c"), tokens_in=10)

    db = _seeded(tmp_path, 3)
    with Store(db) as store:
        held = store.digests.load(DAY).entries[0].paper  # type: ignore[union-attr]
        store.execute(
            "INSERT INTO claims (paper_id, version, model, language, prompt_version, owner, "
            "claimed_at, renewals) VALUES (?,?,?,?,?,?,?,?)",
            (held.id, held.version, "quick", "Chinese", "v1", "elsewhere:4242:beef",
             time.time() + 600, 5),
        )  # fmt: skip
        stop = threading.Event()

        def renewing() -> None:  # the other host's run, alive: it renews every 0.1 s
            other = sqlite3.connect(db, timeout=30)
            while not stop.wait(0.1):
                other.execute("UPDATE claims SET renewals = renewals + 1")
                other.commit()
            other.close()

        renewer = threading.Thread(target=renewing, daemon=True)
        if alive:
            renewer.start()
        began = time.monotonic()
        report = asyncio.run(stage.summarize_day(store, DAY, Quick(), "Chinese", concurrency=2))
        took = time.monotonic() - began
        stop.set()
        if alive:
            renewer.join()
    assert took < 5  # a lease or two of watching, never the other clock's 600 s
    if alive:
        assert (report.ok, report.busy) == (2, 1)
    else:
        assert (report.ok, report.busy) == (3, 0)


def test_the_stage_has_a_deadline_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without --max-minutes a live run still ends: summarizer.max_minutes (6 hours by default)
    is its deadline; --max-minutes wins when given."""
    from arxiv_digest import pipeline
    from arxiv_digest.config import Config, SummarizerConfig
    from arxiv_digest.summarize import run

    seen: list[float | None] = []

    async def spy(*args: object, **kw: object) -> object:
        options = args[4]
        assert isinstance(options, SummarizeOptions)
        seen.append(options.budget.max_minutes)
        return SummarizeReport()

    monkeypatch.setattr(run, "summarize_day", spy)
    db = _seeded(tmp_path, 1)
    with Store(db) as store:
        pipeline.summarize(Config(), store, DAY)
        short = Config(summarizer=SummarizerConfig(max_minutes=30))
        pipeline.summarize(
            short,
            store,
            DAY,
            options=SummarizeOptions(budget=Budget(max_minutes=2)),
        )
        pipeline.summarize(short, store, DAY)
    assert seen == [360.0, 2, 30]


@pytest.mark.parametrize(("language", "loaded"), [("Chinese", True), ("English", False)])
def test_the_checks_warm_up_what_their_language_needs(language: str, loaded: bool) -> None:
    """A run warms the checks while its first requests are out: for Chinese that loads jieba's
    dictionary (0.2 s that would otherwise hold back the second wave); English needs none."""
    code = (
        "import sys; from arxiv_digest.check import warm_up; "
        f"warm_up({language!r}); print('rjieba' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str(loaded)
