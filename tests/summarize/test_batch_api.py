"""A day through a provider's Batch API: the real openai SDK against a loopback server of the
Files and Batches endpoints, with the faults a real one has."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.config import Config, SummarizerConfig
from arxiv_digest.store import Store
from arxiv_digest.summarize.batch_api import run_batch_day
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
        # "kill -9" here; the next run polls the same batch, uploads nothing
        done = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert done.resumed == 1 and done.submitted == 0 and api.uploads == 1
        statuses = day_statuses(store, day)
        assert statuses["ok"] == 86 - 8 and statuses["failed"] == 8  # 8 error lines
        # the failed lines go into a follow-up batch of just those
        follow = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert follow.submitted == 8 and api.uploads == 2
        assert day_statuses(store, day) == {"ok": 86, "failed": 0, "pending": 0}
        assert api.chat_calls == 0  # no live chat call
        # a run after everything is collected asks nothing: no upload, no poll
        polls = api.polls
        quiet = asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert quiet.submitted == 0 and api.polls == polls and api.uploads == 2
        assert "nothing to ask" in quiet.lines()[0]


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
        with pytest.raises(Exception, match="Batch API"):
            asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
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
    from arxiv_digest.summarize.batch_api import split_lines

    assert [len(c) for c in split_lines(["x" * 9] * 7, 3, 10_000)] == [3, 3, 1]
    assert [len(c) for c in split_lines(["x" * 9] * 7, 100, 25)] == [2, 2, 2, 1]  # 10 bytes a line
    api = BatchAPI()
    with api.running(), Store(tmp_path / "s.db") as store:
        day = real_day(store)
        cfg = config(tmp_path, api.url)
        asyncio.run(run_batch_day(store, cfg, day, wait=False, sleep=no_sleep, max_lines=30))
        assert api.uploads == 3 and len(api.batches) == 3  # 86 = 30 + 30 + 26
        assert [j.papers for j in store.batches.in_flight(day)] == [30, 30, 26]
        from arxiv_digest.archive import failures

        shown = failures(store, day)
        assert sum(line.startswith("in flight: batch_") for line in shown) == 3
        asyncio.run(run_batch_day(store, cfg, day, sleep=no_sleep))
        assert day_statuses(store, day)["ok"] == 86 and store.batches.in_flight(day) == []
