"""A day through a provider's Batch API: the real openai SDK against a loopback server of the
Files and Batches endpoints, with the faults a real one has."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.config import Config, SummarizerConfig
from arxiv_digest.errors import SummarizeError
from arxiv_digest.store import Store
from arxiv_digest.summarize.batch_api import run_batch_day
from arxiv_digest.summarize.report import SummarizeOptions
from tests.fakes.batch_api import BatchAPI
from tests.helpers import day_statuses, import_references, reference_days

DAY = "2026-01-06"


async def no_sleep(seconds: float) -> None:
    del seconds


def config(tmp_path: Path, url: str) -> Config:
    return Config(
        summarizer=SummarizerConfig(backend="openai", model="qwen-plus", base_url=url),
        output_dir=tmp_path,
    )


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-batch-test")


def real_day(store: Store) -> str:
    """The all-failed reference day, its summaries not counted: 86 real papers to summarize."""
    days = import_references(store)
    day = days[2]
    assert reference_days()[day]
    return day


def test_a_real_day_killed_after_submission_resumes_without_a_second_upload(
    tmp_path: Path,
) -> None:
    api = BatchAPI(error_every=10, poll_500s=2)  # 10% of lines fail; the first polls get 500s
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        cfg = config(tmp_path, api.url)
        submitted = asyncio.run(run_batch_day(store, cfg, day, wait=False, sleep=no_sleep))
        papers = submitted.submitted
        assert papers == 86 and api.uploads == 1 and len(api.batches) == 1
        [job] = store.batches.in_flight(day)
        assert job.batch_id == "batch_1" and job.file_id  # recorded before any wait
        assert submitted.summary.left == 86 and "in flight: batch_1" in submitted.lines()[1]
        # "kill -9" here; the next run polls the same batch, uploads nothing of it again, and
        # puts the 8 failed lines (the error file) into a follow-up batch of just those
        done = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert done.resumed == 1 and done.rounds == 2 and done.submitted == 8
        assert [len(a) for a in api.asked] == [86, 8] and set(api.asked[1]) < set(api.asked[0])
        assert day_statuses(store, day) == {"ok": 86, "failed": 0, "pending": 0}
        assert api.chat_calls == 0  # no live chat call
        summary = done.summary
        assert (summary.ok, summary.failed, summary.total, summary.left) == (86, 0, 86, 0)
        assert summary.tokens_in > 0 and "1 follow-up batch(es)" in "\n".join(done.lines())
        # a run after everything is collected asks nothing: no upload, no poll
        polls = api.polls
        quiet = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert quiet.submitted == 0 and api.polls == polls and api.uploads == 2
        assert "nothing to ask" in quiet.lines()[0] and quiet.summary.cached == 86


def test_follow_up_batches_stop_at_the_attempt_limit_and_the_next_run_heals(
    tmp_path: Path,
) -> None:
    api = BatchAPI(error_every=1, fast=True)  # every line fails
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        cfg = config(tmp_path, api.url)
        cfg.summarizer.max_attempts = 3
        report = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert report.rounds == 3 and [len(a) for a in api.asked] == [86, 86, 86]
        assert report.summary.failed == report.summary.transient == 86
        assert "the next run tries them again" in "\n".join(report.lines())
        from arxiv_digest.collection import failures

        shown = "\n".join(failures(store, day))
        assert "3 attempts" in shown and "The server had an error" in shown
        # the provider is fine again: the next ordinary run (after the backoff) heals the day
        api.error_every = 0
        healed = asyncio.run(
            run_batch_day(
                store,
                cfg,
                day,
                sleep=no_sleep,
                options=SummarizeOptions(retry_failed=True),
            )
        )
        assert healed.summary.ok == 86 and day_statuses(store, day)["ok"] == 86


def test_a_line_failing_twice_for_a_lasting_reason_is_not_sent_again(tmp_path: Path) -> None:
    """A 400 for every line (a request the engine refuses) is not resubmitted byte for byte in
    every follow-up batch: after the second identical failure the stage stops with its cause
    (exit 6), and --repair-live would ask those lines live instead."""
    api = BatchAPI(error_every=1, fast=True, error_status=400, error_message="Invalid model 'm'")
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        cfg = config(tmp_path, api.url)
        cfg.summarizer.max_attempts = 4
        report = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert report.rounds == 2 and [len(a) for a in api.asked] == [86, 86]
        stopped = report.summary.stopped
        assert stopped is not None and stopped.exit_code == 6
        assert "86 batch lines failed twice for the same reason" in str(stopped)
        assert "Invalid model 'm'" in str(stopped) and "--repair-live" in str(stopped)


def test_repair_live_asks_the_failed_lines_live_at_the_live_price(tmp_path: Path) -> None:
    from arxiv_digest.collection import stats
    from arxiv_digest.config import Price

    api = BatchAPI(error_every=10, fast=True)
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        cfg = config(tmp_path, api.url)
        cfg.summarizer.prices = {"qwen-plus": Price(input=0.4, output=1.2)}
        report = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep, repair_live=True))
        assert api.uploads == 1 and report.rounds == 1  # no follow-up batch
        assert report.repaired is not None and report.repaired.ok == 8
        assert api.chat_calls == 8 and day_statuses(store, day)["ok"] == 86
        digest = store.digests.load(day)
        assert digest is not None
        backends = [e.summary.backend for e in digest.entries if e.summary]
        assert backends.count("openai") == 8 and backends.count("batch") == 78
        [row] = [line for line in stats(store).lines() if line.startswith(day)]
        _, _, _, _, _, cost, live, batch, *_ = row.split()
        assert float(live[1:]) > 0 and float(batch[1:]) > 0
        assert abs(float(cost[1:]) - float(live[1:]) - float(batch[1:])) < 1e-3
        # a live answer costs twice a batch one: 8 live papers cost about 8/78 * 2 of the batch
        assert 0.1 < float(live[1:]) / float(batch[1:]) < 0.4


def test_a_batch_created_just_before_a_kill_is_found_not_made_again(tmp_path: Path) -> None:
    import httpx

    api = BatchAPI(refuse_create=6, fast=True)  # the creation fails past every retry ...
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        cfg = config(tmp_path, api.url)
        stopped = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep)).summary.stopped
        assert stopped is not None and "the Batch API" in str(stopped)
        [job] = store.batches.in_flight(day)
        assert job.batch_id is None
        # ... and yet the batch exists: the process created it and was killed before recording
        made = httpx.post(
            f"{api.url}/batches",
            json={
                "input_file_id": job.file_id,
                "endpoint": "/v1/chat/completions",
                "completion_window": "24h",
            },
        )
        assert made.status_code == 200
        report = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert len(api.batches) == 1 and api.uploads == 1  # found by its file, not made again
        assert report.summary.ok == 86


def test_a_creation_whose_answer_is_lost_is_not_paid_twice(tmp_path: Path) -> None:
    api = BatchAPI(lose_create=1, fast=True)  # the batch is made, the answer is a 500
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        report = asyncio.run(run_batch_day(store, config(tmp_path, api.url), day, sleep=no_sleep))
        assert len(api.batches) == 1 and report.summary.ok == 86


def test_a_batch_that_outlasts_the_wait_is_left_in_flight_and_collected_later(
    tmp_path: Path,
) -> None:
    from arxiv_digest.summarize.report import Budget
    from tests.fakes.clock import FakeClock

    clock = FakeClock()

    async def sleep(seconds: float) -> None:
        clock.sleep(seconds)

    api = BatchAPI(hold=True)
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        cfg = config(tmp_path, api.url)
        budget = Budget(max_minutes=5)
        report = asyncio.run(
            run_batch_day(
                store,
                cfg,
                day,
                sleep=sleep,
                clock=clock,
                options=SummarizeOptions(budget=budget),
            )
        )
        assert report.waiting == ["batch_1"] and report.summary.left == 86
        assert sum(clock.sleeps) <= 5 * 60 and len(clock.sleeps) >= 5  # backoff: 10, 15, ...
        assert clock.sleeps[1] > clock.sleeps[0]
        api.hold = False
        later = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert later.resumed == 1 and api.uploads == 1 and later.summary.ok == 86


def test_max_papers_bounds_what_is_submitted(tmp_path: Path) -> None:
    from arxiv_digest.summarize.report import Budget

    api = BatchAPI(fast=True)
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        cfg = config(tmp_path, api.url)
        report = asyncio.run(
            run_batch_day(
                store,
                cfg,
                day,
                sleep=no_sleep,
                options=SummarizeOptions(budget=Budget(max_papers=30)),
            )
        )
        assert [len(a) for a in api.asked] == [30] and report.summary.ok == 30
        assert report.summary.left == 56 and report.summary.budget_hit == "30 papers"


@pytest.mark.parametrize("end", ["failed", "expired", "cancelled"])
def test_a_lost_batch_leaves_its_papers_pending_with_the_cause(tmp_path: Path, end: str) -> None:
    api = BatchAPI(end=end)
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        report = asyncio.run(run_batch_day(store, config(tmp_path, api.url), day, sleep=no_sleep))
        assert day_statuses(store, day)["ok"] == 0
        assert any(end in line for line in report.lines())
        [job] = [j for j in store.batches.all() if j.date == day]
        assert job.status == end and job.error
        if end == "failed":
            assert "model not found" in job.error
        assert store.batches.in_flight(day) == []  # the next run submits again


def test_a_kill_between_upload_and_batch_creation_reuses_the_upload(tmp_path: Path) -> None:
    api = BatchAPI(refuse_create=6)  # the creation fails past every retry
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        cfg = config(tmp_path, api.url)
        stopped = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep)).summary.stopped
        assert stopped is not None and "the Batch API" in str(stopped)
        [job] = store.batches.in_flight(day)
        assert job.batch_id is None and api.uploads == 1
        asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert api.uploads == 1 and len(api.batches) == 1  # the same file, never paid twice
        assert day_statuses(store, day)["ok"] == 86


def test_batch_run_command(tmp_path: Path, runner: CliRunner) -> None:
    api = BatchAPI()
    db = ["--db", str(tmp_path / "s.db")]
    with api.running():
        toml = tmp_path / "arxiv-digest.toml"
        toml.write_text(
            f'[summarizer]\nbackend = "openai"\nmodel = "qwen-plus"\nbase_url = "{api.url}"\n',
            "utf-8",
        )
        with Store(tmp_path / "s.db") as store:
            day = real_day(store)
        args = ["--config", str(toml), *db, "batch", "run", "--date", day]
        first = runner.invoke(cli, [*args, "--no-wait"])
        assert first.exit_code == 0, first.output
        assert "uploaded 86 requests" in first.output and "in flight: batch_1" in first.output
        assert "sk-batch-test" not in first.output


def test_large_days_split_into_batches_and_failures_shows_them_in_flight(
    tmp_path: Path, runner: CliRunner
) -> None:
    from arxiv_digest.summarize.batch_api import Chunks

    for max_lines, max_bytes, sizes in ((3, 10_000, [3, 3, 1]), (100, 25, [2, 2, 2, 1])):
        folder = tmp_path / f"chunks-{max_lines}"
        folder.mkdir()
        chunks = Chunks(folder, max_lines, max_bytes)
        for _ in range(7):
            chunks.write("x" * 9 + "\n")  # 10 bytes a line
        chunks.close()
        assert [lines for _, lines, _ in chunks.files] == sizes
        assert [path.read_bytes().count(b"\n") for path, _, _ in chunks.files] == sizes
        assert all(size <= max_bytes for _, _, size in chunks.files)
    api = BatchAPI()
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        cfg = config(tmp_path, api.url)
        asyncio.run(run_batch_day(store, cfg, day, wait=False, sleep=no_sleep, max_lines=30))
        assert api.uploads == 3 and len(api.batches) == 3  # 86 = 30 + 30 + 26
        assert [j.papers for j in store.batches.in_flight(day)] == [30, 30, 26]
        from arxiv_digest.collection import failures

        shown = failures(store, day)
        assert sum(line.startswith("in flight: batch_") for line in shown) == 3
        asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert day_statuses(store, day)["ok"] == 86 and store.batches.in_flight(day) == []


def test_summarize_backend_batch_killed_while_waiting_resumes_its_batch(tmp_path: Path) -> None:
    """The acceptance run: a real reference day, 10% of lines failing, `kill -9` of the
    command while it waits for its batch, then the same command again."""
    import os
    import subprocess
    import sys

    api = BatchAPI(error_every=10, hold=True, fast=True)
    db = tmp_path / "s.db"
    with api.running():
        toml = tmp_path / "c.toml"
        toml.write_text(
            f'[summarizer]\nbackend = "batch"\nmodel = "qwen-plus"\nbase_url = "{api.url}"\n',
            "utf-8",
        )
        with Store(db) as store:
            day = real_day(store)
        args = [sys.executable, "-m", "arxiv_digest", "--config", str(toml), "--db", str(db)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_DIGEST_")}
        env["OPENAI_API_KEY"] = "sk-batch-test"
        proc = subprocess.Popen(
            [*args, "summarize", "--date", day], env=env, stdout=subprocess.PIPE, text=True
        )
        assert api.polled.wait(timeout=60)  # uploaded, created, recorded, polled: waiting
        proc.kill()
        assert proc.wait(timeout=30) == -9
        with Store(db) as store:
            [job] = store.batches.in_flight(day)
            assert job.batch_id == "batch_1" and day_statuses(store, day)["ok"] == 0
        api.hold = False  # the provider finishes the batch meanwhile
        command = [*args, "summarize", "--date", day]
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        assert "resumed 1 batch(es)" in again.stdout
        assert "summaries: 86 ok, 0 failed" in again.stdout
        assert [len(a) for a in api.asked] == [86, 8]  # the day once, then its 8 failed lines
        assert len(api.batches) == 2 and api.chat_calls == 0
        with Store(db) as store:
            assert day_statuses(store, day) == {"ok": 86, "failed": 0, "pending": 0}
        stats = subprocess.run([*args, "stats"], env=env, capture_output=True, text=True)
        assert "in flight" not in stats.stdout
        assert "sk-batch-test" not in again.stdout + again.stderr + stats.stdout


def test_summarize_backend_batch_flags(tmp_path: Path, runner: CliRunner) -> None:
    api = BatchAPI(error_every=10, fast=True)
    db = ["--db", str(tmp_path / "s.db")]
    with api.running():
        with Store(tmp_path / "s.db") as store:
            day = real_day(store)
        base = [*db, "summarize", "--date", day, "--backend", "batch", "--model", "qwen-plus"]
        base += ["--base-url", api.url]
        first = runner.invoke(cli, [*base, "--no-wait"])
        assert first.exit_code == 0, first.output
        assert "uploaded 86 requests in 1 batch(es)" in first.output
        assert "in flight: batch_1" in first.output and api.polls == 0
        shown = runner.invoke(cli, [*db, "stats"])
        assert f"in flight: batch_1 for {day}, 86 papers, validating" in shown.output
        failures = runner.invoke(cli, [*db, "failures", "--date", day])
        assert "in flight: batch_1" in failures.output
        second = runner.invoke(cli, [*base, "--repair-live"])
        assert second.exit_code == 0, second.output
        assert "resumed 1 batch(es)" in second.output
        assert "asked live (--repair-live): 8 ok, 0 failed" in second.output
        assert "summaries: 86 ok, 0 failed, 0 cached (of 86 papers)" in second.output
        assert api.uploads == 1 and api.chat_calls == 8
        assert "in flight" not in runner.invoke(cli, [*db, "stats"]).output


def test_two_runs_started_at_once_upload_and_create_once(tmp_path: Path) -> None:
    import threading

    api = BatchAPI(fast=True)
    with api.running():
        with Store(tmp_path / "s.db") as store:
            day = real_day(store)
        cfg = config(tmp_path, api.url)
        reports = []

        def one_run() -> None:  # each its own store connection, as two processes have
            with Store(tmp_path / "s.db") as store:
                reports.append(asyncio.run(run_batch_day(store, cfg, day, wait=False)))

        runs = [threading.Thread(target=one_run) for _ in range(2)]
        for run in runs:
            run.start()
        for run in runs:
            run.join(timeout=120)
        assert len(reports) == 2 and sorted(r.submitted for r in reports) == [0, 86]
        assert api.uploads == 1 and len(api.batches) == 1
        with Store(tmp_path / "s.db") as store:
            [job] = store.batches.in_flight(day)
            assert job.batch_id == "batch_1"


def test_the_batch_api_honours_retry_after_within_its_deadline(tmp_path: Path) -> None:
    """A poll answered 429 with Retry-After is retried after exactly that wait (plus at most a
    second of jitter), through the shared retry policy; a Retry-After longer than the exchange's
    deadline stops the run at once with one line that says so, the batch kept for the next run."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    api = BatchAPI(poll_429s=2, retry_after="7", fast=True)
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        done = asyncio.run(run_batch_day(store, config(tmp_path, api.url), day, sleep=sleep))
        assert done.summary.ok == 86 and api.polls == 3
        retried = [w for w in waits if 7 <= w <= 8]
        assert len(retried) == 2, waits

    api = BatchAPI(poll_429s=1, retry_after="3600", hold=True)
    with api.running(), Store(tmp_path / "t.db") as store:
        day = real_day(store)
        held = asyncio.run(run_batch_day(store, config(tmp_path, api.url), day, sleep=no_sleep))
        stopped = held.summary.stopped
        assert isinstance(stopped, SummarizeError) and api.polls == 1
        assert "asked to wait 3600 s" in str(stopped) and "\n" not in str(stopped)
        assert "sk-batch-test" not in str(stopped)
        assert [j.batch_id for j in store.batches.in_flight(day)] == ["batch_1"]
