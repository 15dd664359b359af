"""The package as a user installs it: a fresh virtual environment, a plain `pip install .` (no
extras), and the openai backend against the loopback test server. Features whose extra is missing
say the exact command that installs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.llm_server import LLMServer
from tests.helpers import seed_day

ROOT = Path(__file__).resolve().parents[1]
DAY = "2026-01-06"


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_DIGEST_", "OPENAI_"))}
    return subprocess.run(
        args, capture_output=True, text=True, timeout=600, env={**clean, **env}, check=False
    )


def test_a_plain_install_runs_the_openai_backend(tmp_path: Path, llm: LLMServer) -> None:
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
