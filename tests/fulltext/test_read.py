"""`read` and `ask` end to end against the loopback arXiv (serving LaTeXML's HTML, the TeX
source and pdflatex's PDF, faults included) and the loopback LLM, which also fabricates numbers,
places and quotes so the checks can be seen to catch them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.config import Config
from arxiv_digest.fulltext.get import obtain
from arxiv_digest.fulltext.select import approx_tokens, select
from arxiv_digest.sources.http import PoliteClient
from arxiv_digest.store import Store
from tests.fakes.arxiv import FakeArxiv, SynthPaper
from tests.fakes.llm_server import LLMServer
from tests.fakes.paper_reader import FAKE_NUMBER, FAKE_PLACE
from tests.fulltext.papers import STUB_PAGE, Built, encrypted_pdf, fatal_page, huge_pdf, scanned_pdf

HTML, TAR, PDF = "text/html", "application/gzip", "application/pdf"


def _meta(pid: str, title: str) -> SynthPaper:
    return SynthPaper(pid, 1, title, f"The abstract of {title}.", ["A. Author"], "cs.CL", ["cs.CL"])


@pytest.fixture
def arxiv(built: list[Built]) -> Iterator[FakeArxiv]:
    fake = FakeArxiv([_meta(b.paper.paper_id, b.paper.title) for b in built])
    first, second, big = built
    for b in (first, big):
        pid = b.paper.paper_id
        fake.fulltext[f"/html/{pid}v1"] = (200, HTML, b.html)
        fake.fulltext[f"/e-print/{pid}v1"] = (200, TAR, b.tar_gz)
        fake.fulltext[f"/pdf/{pid}v1"] = (200, PDF, b.pdf)
    pid = second.paper.paper_id  # LaTeXML stopped on it: the TeX source is read instead
    fake.fulltext[f"/html/{pid}v1"] = (200, HTML, fatal_page(second.html))
    fake.fulltext[f"/e-print/{pid}v1"] = (200, TAR, second.tex_gz)
    broken = {
        "2601.29991": {"/html": (200, HTML, STUB_PAGE), "/pdf": (200, PDF, first.pdf)},
        "2601.29992": {
            "/html": (404, HTML, STUB_PAGE),
            "/e-print": (200, PDF, first.pdf),  # a PDF-only submission
            "/pdf": (200, PDF, encrypted_pdf(first.pdf)),
        },
        "2601.29993": {"/pdf": (200, PDF, scanned_pdf())},
        "2601.29994": {"/pdf": (200, PDF, huge_pdf(first.pdf, 2 * 2**20))},
    }
    for pid, routes in broken.items():
        fake.papers.append(_meta(pid, f"Broken case {pid}"))
        for route, answer in routes.items():
            fake.fulltext[f"{route}/{pid}v1"] = answer
    with fake.running():
        yield fake


def _env(fake: FakeArxiv, llm: LLMServer, db: Path) -> dict[str, str]:
    return {
        "ARXIV_DIGEST_API_URL": f"{fake.url}/api/query",
        "ARXIV_DIGEST_HTML_URL": f"{fake.url}/html",
        "ARXIV_DIGEST_EPRINT_URL": f"{fake.url}/e-print",
        "ARXIV_DIGEST_PDF_URL": f"{fake.url}/pdf",
        "ARXIV_DIGEST_ARXIV__MIN_INTERVAL": "0",
        "ARXIV_DIGEST_BACKEND": "openai",
        "ARXIV_DIGEST_MODEL": "test-model",
        "ARXIV_DIGEST_BASE_URL": llm.url,
        "ARXIV_DIGEST_FULLTEXT__MAX_PDF_MB": "1",
        "ARXIV_DIGEST_DB": str(db),
    }


def _config(fake: FakeArxiv, **fulltext: object) -> Config:
    return Config.model_validate(
        {
            "arxiv": {
                "api_url": f"{fake.url}/api/query",
                "html_url": f"{fake.url}/html",
                "eprint_url": f"{fake.url}/e-print",
                "pdf_url": f"{fake.url}/pdf",
                "min_interval": 0,
            },
            "fulltext": {"max_pdf_mb": 1, **fulltext},
        }
    )


def test_read_writes_a_checked_deep_read_and_never_fetches_or_pays_twice(
    arxiv: FakeArxiv, llm: LLMServer, built: list[Built], tmp_path: Path, runner: CliRunner
) -> None:
    pid = built[0].paper.paper_id
    env = _env(arxiv, llm, tmp_path / "s.db")
    first = runner.invoke(cli, ["read", pid], env=env)
    assert first.exit_code == 0, first.output
    assert "deep read from html" in first.output
    for label in ("Key results:", "Setup:", "Method details:", "Limitations:", "FAQ:"):
        assert label in first.output
    assert "(Table 2)" in first.output and "(§6)" in first.output
    assert "!" not in first.output.split("FAQ:")[0].replace("(§", "")  # nothing flagged
    # the API once (metadata), the HTML once; neither the source nor the PDF was needed
    assert (arxiv.count("/api"), arxiv.count("/html"), arxiv.count("/e-print")) == (1, 1, 0)
    assert llm.calls == 1
    again = runner.invoke(cli, ["read", f"arXiv:{pid}"], env=env)
    assert again.exit_code == 0 and "cached" in again.output
    assert len(arxiv.requests) == 2 and llm.calls == 1
    with Store(tmp_path / "s.db") as store:
        kept = store.fulltexts.get(pid, 1)
        assert kept is not None and kept.document is not None and kept.source == "html"
        assert kept.requests == 1
        (record,) = [f for f in store.fetches.all() if f["kind"] == "fulltext"]
        assert (record["status"], record["requests"], record["stored"]) == ("complete", 1, 1)


def test_each_source_falls_through_to_the_next_with_a_named_status(
    arxiv: FakeArxiv, built: list[Built], store: Store
) -> None:
    config = _config(arxiv)
    expected = {
        built[1].paper.paper_id: ("ok", "tex", "html: html_fatal"),
        "2601.29991": ("ok", "pdf", "tex: no_source"),
        "2601.29992": ("pdf_encrypted", None, "tex: no_source (the source is a PDF"),
        "2601.29993": ("pdf_no_text", None, "html: no_html (HTTP 404)"),
        "2601.29994": ("pdf_too_large", None, "pdf: pdf_too_large"),
    }
    with httpx.Client() as http:
        client = PoliteClient(http, min_interval=0)
        for pid, (status, source, said) in expected.items():
            found = obtain(config, store, client, pid, 1)
            assert (found.status, found.source) == (status, source), (pid, found.detail)
            assert said in found.detail, found.detail
        asked = client.log.requests
        for pid in expected:  # kept: never fetched twice, whatever the outcome
            obtain(config, store, client, pid, 1)
        assert client.log.requests == asked == 3 * 5 - 1  # one found at its second source


def test_arxiv_is_asked_politely(arxiv: FakeArxiv, store: Store) -> None:
    config = _config(arxiv)
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    with httpx.Client() as http:
        client = PoliteClient(http, min_interval=3.0, clock=lambda: now[0], sleep=sleep)
        obtain(config, store, client, "2601.29993", 1)  # three sources asked, one at a time
    assert client.log.requests == 3 and waits == [3.0, 3.0]


def test_a_paper_without_full_text_is_one_line_and_exit_5(
    arxiv: FakeArxiv, llm: LLMServer, tmp_path: Path, runner: CliRunner
) -> None:
    result = runner.invoke(cli, ["read", "2601.29993"], env=_env(arxiv, llm, tmp_path / "s.db"))
    assert result.exit_code == 5 and llm.calls == 0
    assert result.output.strip().splitlines()[-1].startswith("error: 2601.29993 has no full text")


def test_fabricated_numbers_and_places_are_all_caught(
    arxiv: FakeArxiv, llm: LLMServer, built: list[Built], tmp_path: Path, runner: CliRunner
) -> None:
    llm.mode = "fabricate"
    env = _env(arxiv, llm, tmp_path / "s.db")
    caught = fabricated = honest_flagged = honest = 0
    for b in built:
        result = runner.invoke(cli, ["read", b.paper.paper_id], env=env)
        assert result.exit_code == 0, result.output
        with Store(tmp_path / "s.db") as store:
            read = store.deep_reads.latest([(b.paper.paper_id, 1)], "Chinese")[b.paper.paper_id]
        for _part, statement in read.statements():
            made_up = FAKE_NUMBER in statement.text or FAKE_PLACE in statement.where
            fabricated += made_up
            honest += not made_up
            if made_up:
                caught += bool(statement.warnings)
            else:
                honest_flagged += bool(statement.warnings)
    assert fabricated == 2 * len(built) and caught == fabricated  # 100% caught
    assert honest > 10 and honest_flagged == 0  # and no honest statement flagged


def test_the_token_budget_is_respected_on_a_real_size_paper(built: list[Built]) -> None:
    from arxiv_digest.fulltext.html import parse_html

    big = built[2]
    doc = parse_html(big.html, big.paper.paper_id, 1)
    assert approx_tokens(doc.text()) > 9000  # a real paper's length
    for budget in (1500, 4000, 12000):
        chosen = select(doc, budget)
        assert sum(p.tokens for p in chosen) <= budget
        places = {p.place for p in chosen}
        assert "Abstract" in places and any(p.startswith("Table") for p in places)
        assert {"§6", "§7"} & places or budget < 4000  # limitations or conclusion


def test_ask_quotes_the_paper_and_marks_a_fabricated_quote_unsupported(
    arxiv: FakeArxiv, llm: LLMServer, built: list[Built], tmp_path: Path, runner: CliRunner
) -> None:
    b = built[0]
    env = _env(arxiv, llm, tmp_path / "s.db")
    question = "How many steps do they train for, and with which batch size?"
    good = runner.invoke(cli, ["ask", b.paper.paper_id, question], env=env)
    assert good.exit_code == 0, good.output
    assert "[supported: every quote is in the paper]" in good.output
    assert b.paper.sentences[1] in good.output  # the quote, word for word, with its place
    assert "(§4)" in good.output
    cached = runner.invoke(cli, ["ask", b.paper.paper_id, f"  {question} "], env=env)
    assert cached.output == good.output and llm.calls == 1  # answered once
    none = runner.invoke(cli, ["ask", b.paper.paper_id, "Quelle couleur?"], env=env)
    assert none.exit_code == 0 and "[the paper does not say]" in none.output
    llm.mode = "fabricate"
    bad = runner.invoke(cli, ["ask", b.paper.paper_id, "What batch size and steps?"], env=env)
    assert bad.exit_code == 8, bad.output
    assert "UNSUPPORTED" in bad.output and "NOT IN THE PAPER" in bad.output
    assert "! quote not in the paper" in bad.output


def _seed_day(db: Path, arxiv: FakeArxiv, built: list[Built]) -> None:
    """A stored day of six papers: three synthetic ones (no full text) and the three built."""
    from arxiv_digest.models import Paper
    from arxiv_digest.sources.api import fetch_entries
    from tests.helpers import announce_day, seed_day

    with Store(db) as store:
        seed_day(store, 3)
        with httpx.Client() as http:
            client = PoliteClient(http, min_interval=0)
            ids = [b.paper.paper_id for b in built]
            found, _ = fetch_entries(client, f"{arxiv.url}/api/query", ids)
        entries = [found[b.paper.paper_id] for b in built]
        announce_day(
            store,
            "2026-01-06",
            [Paper(e.id, e.title, e.authors, e.abstract, "cs.LG", ("cs.LG",)) for e in entries],
        )


def test_a_budget_stops_the_days_deep_reads(
    arxiv: FakeArxiv, llm: LLMServer, built: list[Built], tmp_path: Path, runner: CliRunner
) -> None:
    db = tmp_path / "s.db"
    _seed_day(db, arxiv, built)
    config = tmp_path / "c.toml"
    config.write_text("[summarizer.prices.test-model]\ninput = 1.0\noutput = 1.0\n")
    env = _env(arxiv, llm, db)
    cmd = ["--config", str(config), "read", "--date", "2026-01-06", "--top", "6"]
    # one deep read costs about $0.004 at $1 a million tokens: $0.001 allows only the first
    result = runner.invoke(
        cli, [*cmd, "--max-cost", "0.001"], env={**env, "ARXIV_DIGEST_SUMMARIZER__CONCURRENCY": "1"}
    )
    assert result.exit_code == 0, result.output
    assert "deep reads for 2026-01-06: 1 of 6 papers" in result.output
    assert "2 not read: the budget ($0.001) ran out" in result.output and llm.calls == 1
    again = runner.invoke(cli, cmd, env=env)  # the next run reads the rest, and only them
    assert "deep reads for 2026-01-06: 3 of 6 papers" in again.output and llm.calls == 3


def test_kill_9_during_a_days_deep_reads_loses_no_paid_answer(
    arxiv: FakeArxiv, llm: LLMServer, built: list[Built], tmp_path: Path
) -> None:

    db = tmp_path / "s.db"
    _seed_day(db, arxiv, built)
    env = {**os.environ, **_env(arxiv, llm, db), "ARXIV_DIGEST_SUMMARIZER__CONCURRENCY": "1"}
    llm.latency = 0.5
    # one deep read at a time: the second request arrives only once the first answer is saved
    llm.notify_at = 2
    cmd = [sys.executable, "-m", "arxiv_digest", "read", "--date", "2026-01-06", "--top", "6"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert llm.reached.wait(timeout=60), proc.communicate(timeout=60)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with Store(db) as store:
        saved = store.deep_reads.latest([(b.paper.paper_id, 1) for b in built], "Chinese")
    paid = {read.paper_id for read in saved.values()}
    assert paid  # at least one answer had landed
    fetched = {path for path, _ in arxiv.requests if not path.startswith("/api")}
    llm.latency = 0.0
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "deep reads for 2026-01-06: 3 of 6 papers" in rerun.stdout
    paths = [path for path, _ in arxiv.requests if not path.startswith("/api")]
    assert len(paths) == len(set(paths))  # nothing fetched twice
    assert fetched <= set(paths)
    titles = {b.paper.title: b.paper.paper_id for b in built}
    asked = {titles[t]: n for t, n in llm.per_title.items() if t in titles}
    assert all(asked[pid] == 1 for pid in paid)  # no answer that arrived is asked for again
    # only the one request in flight at the kill (concurrency 1) can have been sent twice
    assert sum(asked.values()) <= len(built) + 1 and set(asked) == set(titles.values())


def test_deep_reads_through_batch_files(
    arxiv: FakeArxiv, llm: LLMServer, built: list[Built], tmp_path: Path, runner: CliRunner
) -> None:
    """`batch export --deep-reads` writes the live request of each deep read; an engine answers
    the file (one line breaks); `batch import` stores the answers checked against the full text,
    at the batch price, and leaves the broken one to the next live read."""
    from tests.summarize.test_batch import run_batch

    db = tmp_path / "s.db"
    _seed_day(db, arxiv, built)
    config = tmp_path / "c.toml"
    config.write_text(
        "[fulltext]\ntop = 6\n[summarizer.prices.test-model]\ninput = 1.0\noutput = 2.0\n"
    )
    env = _env(arxiv, llm, db)
    args = ["--config", str(config)]
    requests = tmp_path / "requests.jsonl"
    exported = runner.invoke(
        cli,
        [*args, "batch", "export", "--deep-reads", "--date", "2026-01-06", "-o", str(requests)],
        env=env,
    )
    assert exported.exit_code == 0, exported.output
    assert (
        "3 deep-read requests" in exported.output
        and "3 papers have no full text" in exported.output
    )
    lines = requests.read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["custom_id"].startswith("deep|") for line in lines)
    assert llm.calls == 0  # nothing asked live
    fetched = len(arxiv.requests)
    results = tmp_path / "results.jsonl"
    llm.mode = "fabricate"
    results.write_text(
        run_batch(requests.read_text(encoding="utf-8"), llm, broken={2}), encoding="utf-8"
    )
    imported = runner.invoke(cli, [*args, "batch", "import", str(results)], env=env)
    assert imported.exit_code == 0, imported.output
    assert "3 deep-read answers read: 2 stored, 1 failed for now" in imported.output
    assert len(arxiv.requests) == fetched  # the full texts were kept: no fetch on import
    with Store(db) as store:
        ids = [(b.paper.paper_id, 1) for b in built]
        reads = store.deep_reads.latest(ids, "Chinese")
        assert len(reads) == 2 and all(r.backend == "batch" for r in reads.values())
        for read in reads.values():  # the checks ran: the fabricated statements are flagged
            assert any(FAKE_NUMBER in s.text and s.warnings for _p, s in read.statements())
            assert read.cost == (read.tokens_in * 0.5 + read.tokens_out * 1.0) / 1e6  # half price
    again = runner.invoke(cli, [*args, "batch", "import", str(results)], env=env)
    assert "2 already there" in again.output
    llm.mode = None
    answered = llm.calls  # the engine's answers went through the same server
    live = runner.invoke(cli, [*args, "read", "--date", "2026-01-06", "--top", "6"], env=env)
    assert "3 of 6 papers" in live.output and llm.calls == answered + 1  # only the broken one


def test_full_text_endpoints_meet_the_fault_matrix(
    arxiv: FakeArxiv, built: list[Built], store: Store
) -> None:
    """503 with a short Retry-After and a dropped connection are retried; a Retry-After of an
    hour stops at once with its cause, nothing stored, and the next run heals."""
    from arxiv_digest.errors import FetchError
    from tests.fakes.arxiv import Fault

    config = _config(arxiv)
    waits: list[float] = []
    pid = built[0].paper.paper_id
    arxiv.faults += [
        Fault("/html", 503, {"Retry-After": "2"}, b"busy"),
        Fault("/html", drop=True),
    ]
    with httpx.Client() as http:
        client = PoliteClient(http, min_interval=0, sleep=waits.append)
        found = obtain(config, store, client, pid, 1)
        assert found.source == "html" and client.log.requests == 3 and waits[0] >= 2.0
        second = built[1].paper.paper_id  # its HTML failed: the TeX source is next
        arxiv.faults.append(Fault("/e-print", 429, {"Retry-After": "3600"}, b"slow down"))
        with pytest.raises(FetchError, match="asked us to wait 3600 s"):
            obtain(config, store, client, second, 1)
        assert store.fulltexts.get(second, 1) is None  # nothing kept: the next run asks again
        healed = obtain(config, store, client, second, 1)
        assert healed.source == "tex"


def test_a_spent_quota_during_read_is_one_line_and_keeps_the_full_text(
    arxiv: FakeArxiv, llm: LLMServer, built: list[Built], tmp_path: Path, runner: CliRunner
) -> None:
    pid = built[0].paper.paper_id
    env = {**_env(arxiv, llm, tmp_path / "s.db"), "OPENAI_API_KEY": "sk-live-SECRET123"}
    env.pop("ARXIV_DIGEST_BASE_URL")
    llm.mode = "quota"
    config = tmp_path / "c.toml"
    config.write_text(f'[summarizer]\nbase_url = "{llm.url}"\n')
    result = runner.invoke(cli, ["--config", str(config), "read", pid], env=env)
    assert result.exit_code == 6
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: ") and "quota is spent" in last
    assert "SECRET123" not in result.output
    fetched = len(arxiv.requests)
    llm.mode = None
    healed = runner.invoke(cli, ["--config", str(config), "read", pid], env=env)
    assert healed.exit_code == 0 and "deep read from html" in healed.output
    assert len(arxiv.requests) == fetched  # the full text was kept
    with Store(tmp_path / "s.db") as store:
        assert "SECRET123" not in repr(store.dump())


def test_deep_reads_through_the_batch_api_resume_without_a_second_upload(
    arxiv: FakeArxiv, llm: LLMServer, built: list[Built], tmp_path: Path, runner: CliRunner
) -> None:
    """With the batch backend a day's deep reads go as one batch: submitted and left in flight
    by a run that does not wait, collected by the next without a second upload, stored at the
    batch price, and no live call made."""
    from tests.fakes.batch_api import BatchAPI

    api = BatchAPI(hold=True)
    db = tmp_path / "s.db"
    _seed_day(db, arxiv, built)
    with api.running():
        config = tmp_path / "c.toml"
        config.write_text(
            f'[summarizer]\nbackend = "batch"\nmodel = "qwen-plus"\nbase_url = "{api.url}"\n'
            "[summarizer.prices.qwen-plus]\ninput = 1.0\noutput = 2.0\n"
        )
        env = {**_env(arxiv, llm, db), "OPENAI_API_KEY": "sk-batch-test"}
        for name in ("ARXIV_DIGEST_BACKEND", "ARXIV_DIGEST_MODEL", "ARXIV_DIGEST_BASE_URL"):
            env.pop(name)
        cmd = ["--config", str(config), "read", "--date", "2026-01-06", "--top", "6"]
        first = runner.invoke(cli, cmd, env={**env, "ARXIV_DIGEST_SUMMARIZER__BATCH_WAIT": "false"})
        assert first.exit_code == 0, first.output
        assert "deep reads in flight: batch_1" in first.output and api.uploads == 1
        assert "0 of 6 papers" in first.output
        api.hold, api.fast = False, True
        second = runner.invoke(cli, cmd, env=env)
        assert second.exit_code == 0, second.output
        assert "deep reads for 2026-01-06: 3 of 6 papers" in second.output
        assert api.uploads == 1 and api.chat_calls == 0  # collected, not sent again, none live
        assert llm.calls == 0
    with Store(db) as store:
        reads = store.deep_reads.latest([(b.paper.paper_id, 1) for b in built], "Chinese")
        assert len(reads) == 3
        for read in reads.values():
            assert read.backend == "batch"
            assert read.cost == (read.tokens_in * 0.5 + read.tokens_out * 1.0) / 1e6
