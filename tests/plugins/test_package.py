"""A package of plug-ins installed the way a user installs one (pip, entry points), then used from
the config alone: a backend with its [backends.echo] table, a format named in `outputs` with its
[formats.bibtex] table, a channel with its [channels.folder] table, no edit to the project. The
daily run goes against the loopback arXiv; the command line is a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from arxiv_digest.fetch import arxiv_today
from tests.fakes.arxiv import FakeArxiv, synthetic_day

PACKAGE = Path(__file__).resolve().parent / "package"
CLI = [sys.executable, "-m", "arxiv_digest"]


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plug-in package installed by pip into a folder of its own (on PYTHONPATH below)."""
    target = tmp_path_factory.mktemp("plugins")
    build = tmp_path_factory.mktemp("build")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--no-index", "--target", str(target), str(PACKAGE)],
        capture_output=True, text=True, check=False, cwd=build, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list(target.glob("adx_example_plugins-*.dist-info/entry_points.txt"))
    return target


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    server = FakeArxiv(synthetic_day(5, ["cs.IR"]), day=arxiv_today())
    with server.running():
        yield server


def _write_config(path: Path, fake: FakeArxiv, **tables: str) -> Path:
    text = f"""categories = ["cs.IR"]
language = "English"
output_dir = "out"
outputs = ["markdown", "bibtex"]
[arxiv]
rss_url = "{fake.url}/rss"
api_url = "{fake.url}/api/query"
min_interval = 0
[summarizer]
backend = "echo"
[backends.echo]
{tables.get("echo", 'prefix = "ECHO"')}
[formats.bibtex]
key_prefix = "adx"
[channels.folder]
{tables.get("folder", 'path = "inbox"')}
"""
    path.write_text(text, encoding="utf-8")
    return path


def _cli(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_DIGEST_")}
    env["PYTHONPATH"] = str(site)
    env["ARXIV_DIGEST_DB"] = str(cwd / "store.db")
    return subprocess.run(
        [*CLI, "--config", str(cwd / "arxiv-digest.toml"), *args],
        env=env, cwd=cwd, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def test_a_plugin_package_is_used_from_the_config_alone(
    site_dir: Path, fake: FakeArxiv, tmp_path: Path
) -> None:
    _write_config(tmp_path / "arxiv-digest.toml", fake)
    day = arxiv_today()
    run = _cli(site_dir, tmp_path, "run", "--deliver")
    assert run.returncode == 0, run.stderr
    markdown = (tmp_path / "out" / f"{day}.md").read_text(encoding="utf-8")
    assert markdown.count("ECHO: ") >= 5  # the backend, with its own setting
    bib = (tmp_path / "out" / f"{day}.bib").read_text(encoding="utf-8")
    assert bib.count("@misc{adx:") == 5  # the format named in outputs, with its setting
    dropped = (tmp_path / "inbox" / f"{day}.txt").read_text(encoding="utf-8")
    assert len(dropped.splitlines()) == 5 and "ECHO: " in dropped  # the channel
    assert f"folder: 5 papers of {day}" in run.stdout
    again = _cli(site_dir, tmp_path, "send", "folder")
    assert again.returncode == 0 and "already sent" in again.stdout, again.stderr
    helped = _cli(site_dir, tmp_path, "render", "--help")
    assert "bibtex" in helped.stdout and "The day's papers as BibTeX entries" in helped.stdout
    sent_help = _cli(site_dir, tmp_path, "send", "--help")
    assert "folder" in sent_help.stdout and "A text file per day" in sent_help.stdout


@pytest.mark.parametrize(
    ("tables", "said"),
    [
        ({"echo": "prefix = 3"}, "key 'backends.echo.prefix': expected a valid string"),
        ({"echo": 'prefix = "E"\ncolour = "red"'}, "unknown setting 'backends.echo.colour'"),
        ({"folder": ""}, "key 'channels.folder.path': Field required"),
    ],
)
def test_a_plugins_settings_are_checked_with_one_line(
    site_dir: Path, fake: FakeArxiv, tmp_path: Path, tables: dict[str, str], said: str
) -> None:
    config = _write_config(tmp_path / "arxiv-digest.toml", fake, **tables)
    run = _cli(site_dir, tmp_path, "run")
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip() == f"error: {config}: {said}", run.stderr
    assert not (tmp_path / "store.db").exists()  # nothing was fetched
