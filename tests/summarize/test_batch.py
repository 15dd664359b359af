"""Batch files for offline engines: `batch export` writes the live backend's very requests,
`batch import` reads an OpenAI-format output file (as `vllm run-batch` writes it) through the
same validation and checks; what failed heals on the next live run. The engine itself is the
loopback LLM server's answer logic, run line by line as vLLM's run-batch runs a file."""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.config import Config, SummarizerConfig
from arxiv_digest.errors import ImportFormatError
from arxiv_digest.store import Store
from arxiv_digest.summarize.batch import (
    custom_id,
    export_requests,
    import_results,
    parse_custom_id,
)
from arxiv_digest.summarize.openai_backend import OpenAISummarizer, chat_request
from arxiv_digest.summarize.prompt import PROMPT_VERSION, build_messages
from arxiv_digest.summarize.stage import summarize_day
from tests.fakes.llm_server import LLMServer
from tests.helpers import day_statuses, seed_day

DAY = "2026-01-06"


def config(tmp_path: Path) -> Config:
    return Config(
        summarizer=SummarizerConfig(backend="openai", model="qwen2.5-7b"),
        output_dir=tmp_path,
    )


def run_batch(requests: str, engine: LLMServer, broken: set[int] | None = None) -> str:
    """What `vllm run-batch -i requests.jsonl -o results.jsonl` writes: one output line per
    request, the completion in `response.body`; lines in `broken` get an engine error."""
    out = []
    for i, raw in enumerate(requests.splitlines()):
        line = json.loads(raw)
        if i in (broken or set()):
            out.append(
                {
                    "id": f"vllm-{i}",
                    "custom_id": line["custom_id"],
                    "response": None,
                    "error": {"code": "500", "message": "CUDA out of memory"},
                }
            )
            continue
        status, _, body, _ = engine.answer(line["body"])
        out.append(
            {
                "id": f"vllm-{i}",
                "custom_id": line["custom_id"],
                "response": {
                    "status_code": status,
                    "request_id": f"vllm-batch-{i}",
                    "body": json.loads(body or b"null"),
                },
                "error": None,
            }
        )
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in out)


def test_export_writes_the_live_request_for_each_paper(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        papers = seed_day(store, 6, DAY)
        buffer = io.StringIO()
        report = export_requests(store, config(tmp_path), [DAY], buffer)
    lines = [json.loads(x) for x in buffer.getvalue().splitlines()]
    assert report.lines == len(lines) == 6 and report.bytes == len(buffer.getvalue().encode())
    by_id = {p.id: p for p in papers}
    for line in lines:
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        key = parse_custom_id(line["custom_id"])
        assert custom_id(key) == line["custom_id"]
        assert (key.model, key.language, key.prompt_version) == (
            "qwen2.5-7b",
            "Chinese",
            PROMPT_VERSION,
        )
        paper = by_id[key.paper_id]
        # the very request the live backend sends, the schema as json_schema
        assert line["body"] == chat_request(
            "qwen2.5-7b", build_messages(paper, "Chinese"), "json_schema", 1024, 0.2
        )


def test_vllm_round_trip_stores_validated_answers_and_heals_live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with Store(tmp_path / "s.db") as store:
        papers = seed_day(store, 10, DAY)
        requests = io.StringIO()
        export_requests(store, config(tmp_path), [DAY], requests)
        engine = LLMServer(fault_for={papers[3].title: ["malformed"]})
        results = tmp_path / "results.jsonl"
        results.write_text(run_batch(requests.getvalue(), engine, broken={7}), "utf-8")
        line_7 = json.loads(requests.getvalue().splitlines()[7])
        lost = parse_custom_id(line_7["custom_id"]).paper_id
        report = asyncio.run(import_results(store, config(tmp_path), results))
        assert report.answers == 10 and report.days == {DAY}
        assert day_statuses(store, DAY) == {"ok": 8, "failed": 2, "pending": 0}
        digest = store.digests.load(DAY)
        assert digest is not None
        failed = {
            e.paper.id: e.summary for e in digest.entries if e.summary and not e.summary.usable
        }
        assert papers[3].id != lost and set(failed) == {papers[3].id, lost}
        assert all(s is not None and s.transient for s in failed.values())  # the next run asks
        assert "needs a repair" in (failed[papers[3].id].error or "")  # type: ignore[union-attr]
        assert "the batch engine failed this line: CUDA out of memory" in (failed[lost].error or "")  # type: ignore[union-attr]
        ok = next(e.summary for e in digest.entries if e.summary and e.summary.usable)
        assert ok.backend == "batch" and ok.model == "qwen2.5-7b" and ok.tokens_in > 0
        # importing the same file again stores nothing twice
        again = asyncio.run(import_results(store, config(tmp_path), results))
        assert sum(r.ok for r in again.reports) == 0 and again.again == 10
        # the next ordinary live run asks only for the two that failed
        live = LLMServer()
        with live.running():
            backend = OpenAISummarizer(model="qwen2.5-7b", base_url=live.url)
            asyncio.run(summarize_day(store, DAY, backend, "Chinese"))
        assert len(live.requests) == 2
        assert day_statuses(store, DAY) == {"ok": 10, "failed": 0, "pending": 0}
        # and an export now has nothing left to ask
        assert export_requests(store, config(tmp_path), [DAY], io.StringIO()).lines == 0


def test_a_file_for_another_prompt_or_a_broken_line_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        seed_day(store, 2, DAY)
        requests = io.StringIO()
        export_requests(store, config(tmp_path), [DAY], requests)
        text = run_batch(requests.getvalue(), LLMServer())
        old = tmp_path / "old.jsonl"
        old.write_text(text.replace(f"|{PROMPT_VERSION}|", "|p1|"), "utf-8")
        with pytest.raises(ImportFormatError, match="written for prompt p1"):
            asyncio.run(import_results(store, config(tmp_path), old))
        broken = tmp_path / "broken.jsonl"
        broken.write_text(text + '{"custom_id": "x", "response"\n', "utf-8")
        with pytest.raises(ImportFormatError, match=r"broken.jsonl:3:"):
            asyncio.run(import_results(store, config(tmp_path), broken))
        assert day_statuses(store, DAY)["pending"] == 2  # nothing half-imported


def test_batch_commands(tmp_path: Path, runner: CliRunner) -> None:
    db = ["--db", str(tmp_path / "s.db")]
    toml = tmp_path / "arxiv-digest.toml"
    toml.write_text('[summarizer]\nbackend = "openai"\nmodel = "qwen2.5-7b"\n', "utf-8")
    with Store(tmp_path / "s.db") as store:
        seed_day(store, 4, DAY)
    out = tmp_path / "requests.jsonl"
    result = runner.invoke(cli, ["--config", str(toml), *db, "batch", "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 requests" in result.output and len(out.read_text("utf-8").splitlines()) == 4
    results = tmp_path / "results.jsonl"
    results.write_text(run_batch(out.read_text("utf-8"), LLMServer()), "utf-8")
    result = runner.invoke(cli, ["--config", str(toml), *db, "batch", "import", str(results)])
    assert result.exit_code == 0, result.output
    assert "4 answers read: 4 summaries stored" in result.output
    ranged = runner.invoke(
        cli,
        ["--config", str(toml), *db, "batch", "export", "--from", DAY, "--to", DAY, "-o", "-"],
    )
    assert ranged.exit_code == 0 and ranged.output == ""  # nothing left to ask


def test_batch_tokens_cost_the_discounted_price_and_stats_says_so(tmp_path: Path) -> None:
    from arxiv_digest.collection import stats
    from arxiv_digest.config import Price

    priced = Config(
        summarizer=SummarizerConfig(
            backend="openai",
            model="qwen2.5-7b",
            prices={"qwen2.5-7b": Price(input=0.8, output=2.0)},  # batch: half, the default
        ),
        output_dir=tmp_path,
    )
    with Store(tmp_path / "s.db") as store:
        seed_day(store, 3, DAY)
        requests = io.StringIO()
        export_requests(store, priced, [DAY], requests)
        results = tmp_path / "results.jsonl"
        results.write_text(run_batch(requests.getvalue(), LLMServer()), "utf-8")
        asyncio.run(import_results(store, priced, results))
        digest = store.digests.load(DAY)
        assert digest is not None
        total = 0.0
        for entry in digest.entries:
            s = entry.summary
            assert s is not None and s.cost is not None
            live = (s.tokens_in * 0.8 + s.tokens_out * 2.0) / 1e6
            assert s.cost == pytest.approx(live / 2)
            total += s.cost
        header, row = stats(store).lines()[:2]
    assert header.split()[6:9] == ["cost", "live", "batch"]
    assert row.split()[5:8] == [f"${total:.4f}", "$0.0000", f"${total:.4f}"]


def _answer_lines(store: Store, tmp_path: Path, n: int) -> list[str]:
    """A seeded day of `n` papers and the batch engine's answer lines for it."""
    seed_day(store, n, DAY)
    requests = io.StringIO()
    export_requests(store, config(tmp_path), [DAY], requests)
    return run_batch(requests.getvalue(), LLMServer()).splitlines()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda line: line.replace('"choices": [', '"choices": {"0": ', 1).replace("}]", "}}", 1),
        lambda line: re.sub(r'"choices": \[.*?\]\s*,\s*"usage"', '"choices": 5, "usage"', line),
        lambda line: re.sub(r'"choices": \[.*?\]\s*,\s*"usage"', '"choices": "x", "usage"', line),
        lambda line: re.sub(r'"prompt_tokens": \d+', '"prompt_tokens": NaN', line),
        lambda line: re.sub(r'"completion_tokens": \d+', '"completion_tokens": 1e30', line),
        lambda line: re.sub(r'"prompt_tokens": \d+', '"prompt_tokens": ' + '9' * 31, line),
    ],
)  # fmt: skip
def test_hostile_answers_are_failures_or_tokens_of_zero_never_a_crash(
    tmp_path: Path, spoil: Callable[[str], str]
) -> None:
    with Store(tmp_path / "s.db") as store:
        lines = _answer_lines(store, tmp_path, 2)
        spoiled = tmp_path / "spoiled.jsonl"
        spoiled.write_text("\n".join([spoil(lines[0]), *lines[1:]]) + "\n", "utf-8")
        assert spoiled.read_text("utf-8").splitlines()[0] != lines[0]  # the spoil took
        report = asyncio.run(import_results(store, config(tmp_path), spoiled))
        said = report.lines()[0]
        assert said.startswith("2 answers read")
        assert day_statuses(store, DAY)["pending"] == 0


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested too deeply"),
        (b'{"custom_id": "\xff"}\n', "not UTF-8"),
    ],
)
def test_a_hostile_file_is_one_line_naming_the_line(
    tmp_path: Path, content: bytes, said: str
) -> None:
    with Store(tmp_path / "s.db") as store:
        seed_day(store, 2, DAY)
        bad = tmp_path / "bad.jsonl"
        bad.write_bytes(b"\n" + content)
        with pytest.raises(ImportFormatError, match=rf"bad.jsonl:2: .*{said}"):
            asyncio.run(import_results(store, config(tmp_path), bad))


def test_the_import_summary_adds_up_with_repeated_lines(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        lines = _answer_lines(store, tmp_path, 3)
        twice = tmp_path / "twice.jsonl"
        twice.write_text("\n".join(lines + lines + lines[:1]) + "\n", "utf-8")
        report = asyncio.run(import_results(store, config(tmp_path), twice))
        ok = sum(r.ok for r in report.reports)
        failed = sum(r.failed for r in report.reports)
        cached = sum(r.cached for r in report.reports) + report.again
        parts = ok + failed + cached + len(report.stale) + len(report.unknown)
        assert report.answers == 7 and parts + report.duplicates == report.answers
        assert "4 answers repeat a request" in "\n".join(report.lines())
