"""A model that writes LaTeX with single backslashes in its JSON: every output keeps the formula
and none holds a control character (which used to crash the site and the feed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.store import Store
from arxiv_digest.textutil import repair_json_backslashes
from tests.fakes.llm_server import LLMServer
from tests.helpers import seed_day

DAY = "2026-01-06"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def test_latex_from_the_model_reaches_every_output_intact(
    tmp_path: Path, runner: CliRunner, llm: LLMServer
) -> None:
    db = ["--db", str(tmp_path / "s.db")]
    with Store(tmp_path / "s.db") as store:
        seed_day(store, 4, DAY)
    llm.mode = "latex"
    env = {
        "ARXIV_DIGEST_BACKEND": "openai",
        "ARXIV_DIGEST_MODEL": "m",
        "ARXIV_DIGEST_BASE_URL": llm.url,
        "OPENAI_API_KEY": "k",
        "ARXIV_DIGEST_OUTPUT_DIR": str(tmp_path / "out"),
    }
    result = runner.invoke(cli, [*db, "summarize"], env=env)
    assert "4 ok, 0 failed" in result.output and llm.calls == 4  # no repair call was needed
    for fmt in ("markdown", "json", "jsonl", "atom", "html"):
        made = runner.invoke(cli, [*db, "render", "--format", fmt], env=env)
        assert made.exit_code == 0, made.output + made.stderr
    files = [
        p
        for p in (tmp_path / "out").rglob("*")
        if p.suffix in (".md", ".json", ".jsonl", ".xml", ".html")
    ]
    assert len(files) >= 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not CONTROL.search(text), path
    markdown = (tmp_path / "out" / f"{DAY}.md").read_text(encoding="utf-8")
    assert r"$\beta$-VAE, $\frac{1}{2}\nabla f$, \text{acc} $\approx 94\%$" in markdown
    assert r"$\rho \times \tau$, $\alpha \to \infty$, $\mathbf{x}$ — done" in markdown
    day = json.loads((tmp_path / "out" / f"{DAY}.json").read_text(encoding="utf-8"))
    tldr = day["sections"][0]["papers"][0]["summary"]["tldr"]
    assert r"\frac{1}{2}\nabla f" in tldr


def test_real_escapes_are_left_alone() -> None:
    raw = r'{"a": "one.\nTwo \u2014 \"quoted\" C:\\path \t tab"}'
    assert json.loads(repair_json_backslashes(raw)) == json.loads(raw)
    assert json.loads(repair_json_backslashes(r'{"a": "\nu and \beta"}')) == {"a": r"\nu and \beta"}
