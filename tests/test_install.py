"""The package as a user installs it: a fresh virtual environment, a plain `pip install .` (no
extras), and the openai backend against the loopback test server. Features whose extra is missing
say the exact command that installs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.arxiv import FakeArxiv, SynthPaper
from tests.fakes.llm_server import LLMServer
from tests.fulltext.papers import Built
from tests.helpers import seed_day

ROOT = Path(__file__).resolve().parents[1]
DAY = "2026-01-06"


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_DIGEST_", "OPENAI_"))}
    return subprocess.run(
        args, capture_output=True, text=True, timeout=600, env={**clean, **env}, check=False
    )


def test_a_plain_install_runs_the_openai_backend(
    tmp_path: Path, llm: LLMServer, built: list[Built]
) -> None:
    from arxiv_digest.store import Store

    venv = tmp_path / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = _run(
        [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", str(ROOT)]
    )
    assert install.returncode == 0, install.stderr[-2000:]
    tool = str(venv / "bin" / "arxiv-digest")
    db = tmp_path / "s.db"
    with Store(db) as store:
        seed_day(store, 6, DAY)

    result = _run(
        [tool, "--db", str(db), "summarize", "--backend", "openai", "--model", "m"]
        + ["--base-url", llm.url],
        OPENAI_API_KEY="sk-test",
    )
    assert result.returncode == 0, result.stderr
    assert "summaries: 6 ok, 0 failed, 0 cached (of 6 papers)" in result.stdout
    assert llm.calls == 6

    local = _run([tool, "--db", str(db), "summarize", "--backend", "local"])
    assert local.returncode == 6
    assert local.stderr.strip().splitlines() == [
        "error: the local backend needs llama-cpp-python: pip install 'arxiv-digest[local]'"
    ]

    config = tmp_path / "c.toml"
    config.write_text('[rank]\nkeywords = ["retrieval"]\nmethod = "embeddings"\n')
    rank = _run([tool, "--db", str(db), "--config", str(config), "rank"])
    assert rank.returncode == 6
    assert rank.stderr.strip().splitlines() == [
        "error: rank.method = 'embeddings' needs the embeddings extra: "
        "pip install 'arxiv-digest[embeddings]'"
    ]

    # full text: `read` and `ask` from the same plain install (lxml and pypdf are dependencies)
    paper = built[0].paper
    fake = FakeArxiv([SynthPaper(paper.paper_id, 1, paper.title, "abs", ["A"], "cs.CL", ["cs.CL"])])
    fake.fulltext[f"/pdf/{paper.paper_id}v1"] = (200, "application/pdf", built[0].pdf)
    with fake.running():
        urls = {
            "ARXIV_DIGEST_API_URL": f"{fake.url}/api/query",
            "ARXIV_DIGEST_HTML_URL": f"{fake.url}/html",
            "ARXIV_DIGEST_EPRINT_URL": f"{fake.url}/e-print",
            "ARXIV_DIGEST_PDF_URL": f"{fake.url}/pdf",
            "ARXIV_DIGEST_ARXIV__MIN_INTERVAL": "0",
            "OPENAI_API_KEY": "sk-test",
        }
        backend = ["--backend", "openai", "--model", "m", "--base-url", llm.url]
        read = _run([tool, "--db", str(db), "read", paper.paper_id, *backend], **urls)
        assert read.returncode == 0, read.stderr
        assert "deep read from pdf" in read.stdout  # the PDF, through pypdf
        question = "How many steps do they train for, and with which batch size?"
        ask = _run([tool, "--db", str(db), "ask", paper.paper_id, question, *backend], **urls)
        assert ask.returncode == 0, ask.stderr
        assert "[supported: every quote is in the paper]" in ask.stdout
