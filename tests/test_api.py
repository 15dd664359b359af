"""The Python API where Python users call it: a script, a notebook cell (an event loop already
running in the thread), an async handler awaiting the `_async` forms. Real loopback arXiv and
OpenAI-compatible servers, a real store."""

from __future__ import annotations

import asyncio
import os
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from arxiv_digest import pipeline
from arxiv_digest.aio import loop_running, run_sync
from arxiv_digest.config import Config, load_config
from arxiv_digest.fetch import arxiv_today
from arxiv_digest.sources.http import PoliteClient
from arxiv_digest.store import Store
from arxiv_digest.summarize.report import SummarizeOptions
from tests.fakes.arxiv import FakeArxiv, synthetic_day
from tests.fakes.llm_server import LLMServer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "python_api.py"
CATS = ["cs.IR"]


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    server = FakeArxiv(synthetic_day(6, CATS), day=arxiv_today())
    with server.running():
        yield server


def _env(fake: FakeArxiv, llm: LLMServer, tmp_path: Path) -> dict[str, str]:
    return {
        "ARXIV_DIGEST_RSS_URL": f"{fake.url}/rss",
        "ARXIV_DIGEST_API_URL": f"{fake.url}/api/query",
        "ARXIV_DIGEST_ARXIV__MIN_INTERVAL": "0",
        "ARXIV_DIGEST_SUMMARIZER__BASE_URL": llm.url,
        "ARXIV_DIGEST_DB": str(tmp_path / "api.db"),
        "ARXIV_DIGEST_OUTPUT_DIR": str(tmp_path / "out"),
        "OPENAI_API_KEY": "sk-test",
    }


def _config(fake: FakeArxiv, llm: LLMServer, tmp_path: Path) -> Config:
    flags = {"categories": CATS, "summarizer.backend": "openai", "summarizer.model": "m"}
    return load_config(environ=_env(fake, llm, tmp_path), flags=flags)[0]


def test_run_sync_inside_and_outside_a_loop() -> None:
    async def answer() -> tuple[int, bool]:
        await asyncio.sleep(0)
        return 42, loop_running()

    assert run_sync(answer()) == (42, True)

    async def cell() -> tuple[int, bool]:
        assert loop_running()  # a notebook: asyncio.run would refuse here
        return run_sync(answer())

    assert asyncio.run(cell()) == (42, True)

    async def fails() -> None:
        raise KeyError("the coroutine's own error")

    async def cell_that_fails() -> None:
        run_sync(fails())

    with pytest.raises(KeyError, match="own error"):
        asyncio.run(cell_that_fails())


def test_run_day_and_demo_in_a_notebook_cell(
    fake: FakeArxiv, llm: LLMServer, tmp_path: Path
) -> None:
    """`run_day`, `demo` and the stages called plainly while the thread's loop runs, as in a
    Jupyter cell; then the `_async` forms awaited, as an async handler would."""
    config = _config(fake, llm, tmp_path)
    http = httpx.Client(timeout=5)
    client = PoliteClient(http, min_interval=0)

    async def cell() -> tuple[pipeline.DayReport, pipeline.DayReport, int]:
        day = pipeline.run_day(config, client=client)
        demo = pipeline.demo(Config(), tmp_path / "demo")
        with pipeline.open_store(config) as store:
            assert day.date is not None
            again = pipeline.summarize(config, store, day.date)
            checked = pipeline.check(store, day.date)
        return day, demo, again.cached + checked.total

    day, demo, seen = asyncio.run(cell())
    assert day.summarize is not None and day.summarize.ok == 6 and llm.calls == 6
    assert day.markdown is not None and day.markdown.is_file()
    assert demo.markdown is not None and demo.markdown.is_file()
    assert demo.summarize is not None and demo.summarize.ok > 0
    assert seen == 12  # the six are cached the second time, and six summaries are checked

    async def handler() -> pipeline.DayReport:
        with pipeline.open_store(config) as store:
            assert day.date is not None
            report = await pipeline.summarize_async(
                config,
                store,
                day.date,
                options=SummarizeOptions(redo=True),
            )
            assert report.ok == 6
            rendered = await pipeline.render_async(config, store, "html")
            assert rendered.lines
        return await pipeline.run_day_async(config, client=client)

    rerun = asyncio.run(handler())
    http.close()
    assert llm.calls == 12  # redo asked again; the rerun found every summary done
    assert rerun.summarize is not None and rerun.summarize.cached == 6


def test_the_readme_example_runs_as_a_script_and_in_a_notebook(
    fake: FakeArxiv, llm: LLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = EXAMPLE.read_text(encoding="utf-8")
    for page in (ROOT / "README.md", ROOT / "docs" / "guide" / "python.md"):  # shown as run
        assert f"```python\n{code}```" in page.read_text(encoding="utf-8"), page
    env = _env(fake, llm, tmp_path)
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        env={**os.environ, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "summaries: 6 ok, 0 failed" in done.stdout, done.stdout
    assert llm.calls == 6
    assert (tmp_path / "out" / "site" / "index.html").is_file()

    for name, value in env.items():
        monkeypatch.setenv(name, value)

    async def cell() -> None:  # the same code pasted into a notebook
        runpy.run_path(str(EXAMPLE), run_name="__main__")

    asyncio.run(cell())
    assert llm.calls == 6  # everything was done: nothing asked twice
    with Store(tmp_path / "api.db") as store:
        assert store.digests.dates() == [arxiv_today()]
