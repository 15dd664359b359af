"""The documentation is true: the site builds with `mkdocs build --strict`, its generated reference
pages are what the code says, the commands of the tutorial, the site and full-text guides and the
vLLM, Zotero and local-model how-tos run in order as written and succeed (against loopback arXiv,
model and Zotero servers, and the bundled GGUF model), and every other `arxiv-digest` command the
docs or the README show names a command and options that exist."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import tomli_w

from arxiv_digest.cli import cli
from arxiv_digest.fetch import arxiv_today
from tests.fakes.arxiv import FakeArxiv, synthetic_day
from tests.fakes.llm_server import LLMServer
from tests.fulltext.papers import Built

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.DOTALL)


def test_the_generated_reference_is_what_the_code_says() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/gen_docs.py", "--check"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    config = (DOCS / "reference" / "config.md").read_text(encoding="utf-8")
    undocumented = re.findall(r"^\| `([\w.]+)` \|[^\n]*\|  \|$", config, re.MULTILINE)
    assert config.count("\n| `") > 60 and undocumented == []  # every setting says what it does


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    built = {p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*")}
    for page in PAGES:
        name = page.relative_to(DOCS).with_suffix("").as_posix()
        assert f"{name}/index.html" in built or name == "index", name
    assert "screenshots/day-page.png" in built


def _steps(page: Path) -> Iterator[tuple[str, str]]:
    """("toml", text) and ("command", line) in the page's order."""
    for lang, body in BLOCK.findall(page.read_text(encoding="utf-8")):
        if lang == "toml":
            yield "toml", body
        elif lang == "console":  # a list item's block is indented
            for line in (line.strip() for line in body.splitlines()):
                if line.startswith("$ "):
                    yield "command", line[2:]


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _reader_env(fake: FakeArxiv | None, folder: Path, **more: str) -> dict[str, str]:
    """A reader's shell: the tool under test on PATH, arXiv's feed, API and OAI-PMH at the
    loopback fake (if any), the store in `folder`, nothing of the outer environment's settings
    or keys."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ARXIV_DIGEST_", "OPENAI", "ZOTERO"))
    }
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
        ARXIV_DIGEST_DB=str(folder / "store.db"),
        **more,
    )
    if fake is not None:
        env.update(
            ARXIV_DIGEST_RSS_URL=f"{fake.url}/rss",
            ARXIV_DIGEST_API_URL=f"{fake.url}/api/query",
            ARXIV_DIGEST_OAI_URL=f"{fake.url}/oai",
            ARXIV_DIGEST_ARXIV__MIN_INTERVAL="0",
        )
    return env


def _merge_toml(folder: Path, text: str) -> None:
    """A page's TOML snippet merged into the folder's config file, as a page says to."""
    config = folder / "arxiv-digest.toml"
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    _merge(data, tomllib.loads(text))
    config.write_text(tomli_w.dumps(data), encoding="utf-8")


def _typed(
    line: str, folder: Path, env: dict[str, str], exits: int = 0
) -> subprocess.CompletedProcess[str]:
    """One line of a page, run in a shell as a reader types it; it must end with `exits` (0, or
    the code the page says)."""
    done = subprocess.run(
        ["bash", "-c", line], cwd=folder, env=env,
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == exits, f"{line}: {done.stdout} {done.stderr}"
    return done


def _vllm_run_batch(words: list[str], folder: Path) -> None:
    """`vllm run-batch -i REQUESTS -o RESULTS ...` as vLLM answers it (on a GPU node in the
    pages): each request answered by the test model server's own logic."""
    from tests.summarize.test_batch import run_batch

    requests = folder / words[words.index("-i") + 1]
    out = folder / words[words.index("-o") + 1]
    out.write_text(run_batch(requests.read_text("utf-8"), LLMServer()), "utf-8")


@pytest.fixture
def servers() -> Iterator[tuple[FakeArxiv, LLMServer]]:
    fake = FakeArxiv(synthetic_day(8, ["cs.IR", "cs.CL"]), day=arxiv_today())
    llm = LLMServer()
    with fake.running(), llm.running():
        yield fake, llm


def test_the_tutorial_runs_as_written(servers: tuple[FakeArxiv, LLMServer], tmp_path: Path) -> None:
    """Each command of docs/tutorial.md in order, in one folder, as a reader types them; each
    TOML snippet merged into the file `init` wrote, as the page says. The install lines are
    the README's install, which tests/test_install.py runs in a fresh venv: here the tool is
    the one under test, on PATH. The servers stand in for arXiv and the summarizer's endpoint
    (the page's base_url is overridden by the environment, as a reader's shell could)."""
    fake, llm = servers
    env = _reader_env(fake, tmp_path, ARXIV_DIGEST_BASE_URL=llm.url)
    ran: list[str] = []
    for kind, text in _steps(DOCS / "tutorial.md"):
        if kind == "toml":
            _merge_toml(tmp_path, text)
            continue
        if text.startswith(("python3 -m venv", ". .venv/bin/activate")):
            continue  # the install: tests/test_install.py
        if text.startswith("export "):
            name, _, value = text[len("export ") :].partition("=")
            env[name] = value
            continue
        _typed(text, tmp_path, env)
        ran.append(text)
    assert ran[0] == "arxiv-digest demo --out demo-out" and len(ran) >= 6
    assert len(list((tmp_path / "demo-out").glob("20??-??-??.md"))) == 1
    day = arxiv_today()
    markdown = (tmp_path / "digests" / f"{day}.md").read_text(encoding="utf-8")
    assert markdown.count("**TL;DR:**") + markdown.count("TL;DR:") >= 8
    assert llm.calls == 8  # the endpoint the tutorial configured wrote every summary
    assert (tmp_path / "digests" / "site" / "index.html").is_file()


def _command_lines() -> Iterator[tuple[str, str]]:
    """(where, command line) for each `arxiv-digest ...` in a code block or inline code of the
    docs and the README."""
    for page in [*PAGES, ROOT / "README.md"]:
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(ROOT).as_posix()
        for _, body in BLOCK.findall(text):
            for line in body.splitlines():
                line = line.removeprefix("$ ").strip()
                if line.startswith("arxiv-digest "):
                    yield where, line
        prose = BLOCK.sub("", text)
        for inline in re.findall(r"`(arxiv-digest [^`]+)`", prose):
            yield where, inline


def _resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = cli
    path: list[str] = []
    for word in words:
        if not isinstance(command, click.Group):
            break
        sub = command.commands.get(word)
        if sub is None:
            break
        command, path = sub, [*path, word]
    return command, path


def test_every_command_the_docs_show_exists() -> None:
    lines = list(_command_lines())
    assert len(lines) > 60
    wrong = []
    for where, line in lines:
        command_line = line.split(" | ")[0].split(" && ")[0].split(" # ")[0]
        try:
            tokens = shlex.split(command_line)
        except ValueError:  # a table cell's `a\|b` alternatives
            tokens = command_line.replace("\\|", "|").split()
        words = [t for t in tokens[1:] if not t.startswith(("-", "[", "<", '"'))]
        command, path = _resolve(words)
        if command is cli and words and words[0] not in ("FILE", "ID"):
            wrong.append(f"{where}: {line}: no command {words[0]!r}")
            continue
        known = {o for p in [*command.params, *cli.params] for o in [*p.opts, *p.secondary_opts]}
        known |= {"--help", "-h", "--version"}
        for token in (t.strip("[]()") for t in tokens):
            for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", token):
                if token.startswith("-") and option not in known:
                    wrong.append(f"{where}: {line}: {' '.join(path)} has no {option}")
    assert wrong == []


def test_the_site_pages_commands_run(tmp_path: Path) -> None:
    """docs/guide/site.md's block of commands, in order, on a store of the reference days (D is
    the newest of them; `serve` on a free port, asked for its index, then stopped)."""
    import signal
    import socket

    import httpx

    from arxiv_digest.store import Store
    from tests.helpers import import_references

    with Store(tmp_path / "store.db") as store:
        day = sorted(import_references(store))[-1]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = _reader_env(None, tmp_path)
    lines = [
        line.split(" # ")[0].strip()
        for lang, body in BLOCK.findall((DOCS / "guide" / "site.md").read_text(encoding="utf-8"))
        if lang == "bash"
        for line in body.splitlines()
        if line.startswith("arxiv-digest ")
    ]
    assert len(lines) == 5
    for line in lines:
        words = [day if w == "D" else w for w in shlex.split(line)]
        if words[1] == "serve":
            words = [str(port) if w == "8000" else w for w in words]
            server = subprocess.Popen(
                words, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
            )
            try:
                assert server.stdout is not None
                said = server.stdout.readline()  # it says where it listens once it does
                assert f"http://127.0.0.1:{port}" in said, said
                answer = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
                assert answer.status_code == 200 and "<html" in answer.text
            finally:
                server.send_signal(signal.SIGTERM)
                assert server.wait(timeout=30) == 0
            continue
        done = subprocess.run(
            words, cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=300
        )
        assert done.returncode == 0, f"{line}: {done.stderr}"
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "feed.xml").is_file()
    assert (tmp_path / "digests" / f"{day}.json").is_file()
    assert list((tmp_path / "digests").glob(f"{day}_AI_enhanced_*.jsonl"))


def test_the_vllm_howto_runs_as_written(
    servers: tuple[FakeArxiv, LLMServer], tmp_path: Path
) -> None:
    """docs/howto/batch-vllm.md's month through a batch engine, line by line in one folder: the
    arxiv-digest commands as typed (arXiv's OAI-PMH is the loopback fake, with papers of
    November 2025), `vllm run-batch` as vLLM writes its output (tests/summarize/test_batch.py's
    engine over the test server's answers), the `scp` lines copies on one machine."""
    from arxiv_digest.store import Store
    from tests.test_fetch import _oai_page

    fake, _llm = servers
    ids = [f"2511.{n:05d}" for n in range(1, 7)]
    fake.oai_pages = [
        _oai_page(
            [(pid, f"Mon, {3 + i % 3} Nov 2025 10:00:00 GMT", "cs.LG") for i, pid in enumerate(ids)]
        )
    ]
    (tmp_path / "arxiv-digest.toml").write_text('categories = ["cs.LG"]\n', encoding="utf-8")
    env = _reader_env(fake, tmp_path)
    page = (DOCS / "howto" / "batch-vllm.md").read_text(encoding="utf-8")
    block = next(body for lang, body in BLOCK.findall(page) if "vllm run-batch" in body)
    lines = [
        line.split("  # ")[0].strip()
        for line in block.replace("\\\n", " ").splitlines()
        if line.strip()
    ]
    ran = []
    for line in lines:
        words = shlex.split(line)
        if words[0] == "scp":
            continue  # the GPU node is this machine
        if words[0] == "vllm":
            _vllm_run_batch(words, tmp_path)
            ran.append("vllm")
            continue
        _typed(line, tmp_path, env)
        ran.append(words[1])
    assert ran == ["fetch", "batch", "vllm", "batch", "render"]
    site = tmp_path / "digests" / "site"
    assert (site / "index.html").is_file()  # "the month on the site"
    assert len((tmp_path / "requests.jsonl").read_text("utf-8").splitlines()) == len(ids)
    with Store(tmp_path / "store.db") as store:
        days = [d for d in store.digests.dates() if d.startswith("2025-11")]
        assert days
        entries = [e for d in days for e in store.digests.require(d).entries]
        assert sorted(e.paper.id for e in entries) == ids
        assert all((site / f"{d}.html").is_file() for d in days)
        assert all(
            e.summary is not None and e.summary.model == "Qwen/Qwen2.5-7B-Instruct" for e in entries
        )


def test_the_zotero_howto_runs_as_written(tmp_path: Path) -> None:
    """docs/howto/zotero.md in order, in a reader's folder whose store holds the reference days:
    the page's TOML merged into the file `init` wrote, its `export` with the reader's key where
    the page shows `...`, then its `arxiv-digest rank`, against a loopback Zotero API (the
    page's address overridden by the environment, as a reader's shell could)."""
    import copy
    from http.server import ThreadingHTTPServer

    from arxiv_digest.store import Store
    from tests.fakes.loopback import serving
    from tests.fakes.zotero import ITEMS, KEY, Zotero
    from tests.helpers import import_references

    with Store(tmp_path / "store.db") as store:
        newest = sorted(import_references(store))[-1]
    Zotero.items, Zotero.throttle, Zotero.seen, Zotero.paths = copy.deepcopy(ITEMS), [], [], []
    Zotero.collection = None
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Zotero)
    zotero = f"http://127.0.0.1:{httpd.server_address[1]}"
    env = _reader_env(None, tmp_path, ARXIV_DIGEST_RANK__ZOTERO__BASE_URL=zotero)
    _typed("arxiv-digest init", tmp_path, env)
    ran: list[str] = []
    with serving(httpd):
        for kind, text in _steps(DOCS / "howto" / "zotero.md"):
            if kind == "toml":
                _merge_toml(tmp_path, text)
            elif text.startswith("export "):
                name, _, value = text[len("export ") :].partition("=")
                env[name] = KEY if value == "..." else value
            else:
                done = _typed(text, tmp_path, env)
                ran.append(text)
    assert ran == ["arxiv-digest rank"]
    # the library was read with the reader's key, and the newest stored day ranked by it
    assert Zotero.paths == ["/users/1234567/items/top"]
    assert Zotero.seen[0]["zotero-api-key"] == KEY and KEY not in done.stdout + done.stderr
    with Store(tmp_path / "store.db") as store:
        ranked = store.digests.require(newest)
    assert f"ranked {len(ranked.entries)} papers" in done.stdout
    scores = [e.score for e in ranked.entries if e.score is not None]
    assert len(scores) == len(ranked.entries) and len(set(scores)) > len(scores) // 2


def test_the_fulltext_guide_runs_as_written(built: list[Built], tmp_path: Path) -> None:
    """docs/guide/fulltext.md's three ways in: `read` (one paper, then a day's top papers under a
    budget) and `ask` in one reader's folder; the batch-file way (`batch export --deep-reads`,
    `vllm run-batch` emulated as vLLM writes its output, `batch import`) in a second folder from
    the same stored day. Paper 2501.00001 of day 2026-01-06, as the page names them, is a real
    paper built through LaTeXML and pdflatex, served by the loopback arXiv with two more. The
    reader's config is the page's `[fulltext]` table and the model its first line names."""
    import shutil

    from arxiv_digest.models import Paper
    from arxiv_digest.store import Store
    from tests.fakes.arxiv import SynthPaper
    from tests.helpers import announce_day

    page = (DOCS / "guide" / "fulltext.md").read_text(encoding="utf-8")
    blocks = [body for lang, body in BLOCK.findall(page) if lang == "bash"]
    ids = ["2501.00001", *(b.paper.paper_id for b in built[1:])]
    fake = FakeArxiv(
        [
            SynthPaper(pid, 1, b.paper.title, f"The abstract of {b.paper.title}.", ["A. Author"],
                       "cs.CL", ["cs.CL"])
            for pid, b in zip(ids, built, strict=True)
        ]
    )  # fmt: skip
    for pid, b in zip(ids, built, strict=True):
        fake.fulltext[f"/html/{pid}v1"] = (200, "text/html", b.html)
        fake.fulltext[f"/e-print/{pid}v1"] = (200, "application/gzip", b.tar_gz)
        fake.fulltext[f"/pdf/{pid}v1"] = (200, "application/pdf", b.pdf)
    live, files = tmp_path / "live", tmp_path / "files"
    live.mkdir()
    with Store(live / "store.db") as store:
        papers = [Paper(p.id, p.title, tuple(p.authors), p.abstract, "cs.CL") for p in fake.papers]
        announce_day(store, "2026-01-06", papers, ("cs.CL",))
    toml = next(body for lang, body in BLOCK.findall(page) if lang == "toml")
    (live / "arxiv-digest.toml").write_text(
        f'{toml}\n[summarizer]\nbackend = "openai"\nmodel = "gpt-4o-mini"\n', encoding="utf-8"
    )
    shutil.copytree(live, files)
    llm = LLMServer()
    with fake.running(), llm.running():
        more = {
            "ARXIV_DIGEST_HTML_URL": f"{fake.url}/html",
            "ARXIV_DIGEST_EPRINT_URL": f"{fake.url}/e-print",
            "ARXIV_DIGEST_PDF_URL": f"{fake.url}/pdf",
            "ARXIV_DIGEST_BASE_URL": llm.url,
        }
        ran: dict[str, list[str]] = {"live": [], "files": []}
        said: dict[str, str] = {}
        for block in blocks:
            folder = files if "batch" in block else live
            for line in (line.strip() for line in block.splitlines() if line.strip()):
                words = shlex.split(line)
                if words[0] == "vllm":
                    _vllm_run_batch(words, folder)
                    ran[folder.name].append("vllm")
                    continue
                done = _typed(line, folder, _reader_env(fake, folder, **more))
                assert "error" not in done.stderr.lower(), done.stderr
                ran[folder.name].append(words[1])
                said[words[1]] = done.stdout
    assert ran == {"live": ["read", "read", "ask"], "files": ["batch", "vllm", "batch"]}
    for folder in (live, files):
        with Store(folder / "store.db") as store:
            reads = store.deep_reads.latest([(pid, 1) for pid in ids], "Chinese")
            assert sorted(reads) == sorted(ids), folder.name
            backends = {r.backend for r in reads.values()}
            assert backends == ({"batch"} if folder == files else {"openai"})
    assert "[supported: every quote is in the paper]" in said["ask"]  # quotes found in the paper


def test_the_batch_howto_daily_run_runs_as_written(tmp_path: Path) -> None:
    """docs/howto/batch-vllm.md's daily run through a provider's Batch API, as written: the
    page's `[summarizer]` table (its base URL overridden by the environment to a loopback Batch
    API, its key variable set as the reader would), then `run --deliver --no-wait` (submits the
    day's batch and holds delivery: exit 14, as the page says), the provider finishing the
    batch, `run --deliver` (collects it: every summary from the batch, at its price share), and
    `stats`."""
    from arxiv_digest.store import Store
    from tests.fakes.batch_api import BatchAPI

    day = arxiv_today()
    fake = FakeArxiv(synthetic_day(8, ["cs.IR", "cs.CL"]), day=day)
    api = BatchAPI()
    page = (DOCS / "howto" / "batch-vllm.md").read_text(encoding="utf-8")
    toml = next(body for lang, body in BLOCK.findall(page) if 'backend = "batch"' in body)
    block = next(body for lang, body in BLOCK.findall(page) if "run --deliver --no-wait" in body)
    (tmp_path / "arxiv-digest.toml").write_text(
        f'categories = ["cs.IR", "cs.CL"]\n{toml}', encoding="utf-8"
    )
    ran: list[tuple[str, int]] = []
    with fake.running(), api.running():
        env = _reader_env(fake, tmp_path, ARXIV_DIGEST_BASE_URL=api.url, DASHSCOPE_API_KEY="sk-d")
        for line in (line.split("  # ")[0].strip() for line in block.splitlines() if line):
            held = "--no-wait" in line  # delivery held while the batch runs: exit 14
            done = _typed(line, tmp_path, env, exits=14 if held else 0)
            ran.append((line.split()[1], done.returncode))
            if held:
                assert "a batch is still in flight (batch_" in done.stdout + done.stderr
                api.fast = True  # by the next cron run the provider has finished it
    assert ran == [("run", 14), ("run", 0), ("stats", 0)]
    assert "sk-d" not in done.stdout
    with Store(tmp_path / "store.db") as store:
        entries = store.digests.require(day).entries
        assert len(entries) == 8
        assert all(e.summary is not None and e.summary.backend == "batch" for e in entries)
    assert len(api.batches) == 1  # submitted once, collected by the next run


def test_the_local_howto_runs_as_written(tmp_path: Path) -> None:
    """docs/howto/local.md in order, in a reader's folder whose store holds one paper a day: its
    `pip install` is the extra the project declares; its `summarize --backend local --model-path
    FILE`, then its TOML and a plain `summarize`, each on the newest day. The GGUF file the page
    names is the bundled SmolLM2 under that name in the test's folder (no Qwen file here), and the
    reader's machine has 2 cores (`n_threads` from the environment, which comes before the file).
    SmolLM2 writes no usable summary, as the page says, so what is asserted is the plumbing the
    page promises: each way loads the file it names, and every paper ends ok, or failed with the
    reason, the exit code saying which."""
    from arxiv_digest.sources.sample import load_sample
    from arxiv_digest.store import Store
    from arxiv_digest.summarize.local_backend import default_model_path
    from tests.helpers import announce_day

    page = (DOCS / "howto" / "local.md").read_text(encoding="utf-8")
    block = next(body for lang, body in BLOCK.findall(page) if lang == "bash")
    install, command = (line.split("  #")[0].strip() for line in block.splitlines() if line)
    assert install == "pip install 'arxiv-digest[local]'"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert any(d.startswith("llama-cpp-python") for d in extras["optional-dependencies"]["local"])
    named = Path(shlex.split(command)[-1])
    models = tmp_path / "models"
    models.mkdir()
    (models / named.name).symlink_to(default_model_path())
    papers = [paper for paper, _ in load_sample().papers[:2]]

    env = _reader_env(None, tmp_path, ARXIV_DIGEST_SUMMARIZER__N_THREADS="2")
    _typed("arxiv-digest init", tmp_path, env)
    _merge_toml(tmp_path, 'language = "English"\n')
    toml = next(body for lang, body in BLOCK.findall(page) if lang == "toml")
    for n, day in enumerate(["2025-12-29", "2025-12-30"]):
        with Store(tmp_path / "store.db") as store:  # the newest day, which `summarize` takes
            announce_day(store, day, papers[n : n + 1], language="English")
        if n == 0:
            line = command.replace(str(named.parent), str(models))
        else:  # the page's TOML, then the command with nothing but the file's settings
            _merge_toml(tmp_path, toml.replace(str(named.parent), str(models)))
            line = "arxiv-digest summarize"
        done = subprocess.run(
            ["bash", "-c", line], cwd=tmp_path, env=env,
            capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
        with Store(tmp_path / "store.db") as store:
            summary = store.digests.require(day).entries[0].summary
        assert summary is not None and summary.model == named.name, done.stderr
        assert summary.tokens_in > 0 and summary.tokens_out > 0  # the model answered
        if summary.status == "ok":
            assert done.returncode == 0, done.stderr
        else:  # the reason stored and said, the exit code 6
            assert summary.error and summary.error.startswith("invalid answer"), summary.error
            assert done.returncode == 6 and "every one of the 1 papers tried failed" in done.stderr
