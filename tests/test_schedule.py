"""Scheduled runs: `run --deliver` end to end, and two of them started at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from arxiv_digest.store import Store
from tests.fakes.arxiv import FakeArxiv, synthetic_day
from tests.fakes.llm_server import LLMServer
from tests.fakes.smtp import CERT, PASSWORD, Inbox

DAY = "2026-01-06"
CATS = ["cs.LG", "cs.AI", "cs.IR"]


def _config(tmp_path: Path, fake: FakeArxiv, port: int) -> tuple[list[str], dict[str, str]]:
    config = tmp_path / "c.toml"
    config.write_text(
        f"categories = {CATS!r}\n".replace("'", '"') + 'site_url = "https://me.example.org/arxiv"\n'
        f'[arxiv]\nrss_url = "{fake.url}/rss"\napi_url = "{fake.url}/api/query"\n'
        "min_interval = 0\n"
        f'[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "starttls"\n'
        f'ca_file = "{CERT[0]}"\nsender = "d@example.org"\nrecipients = ["a@example.org"]\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_DIGEST_", "OPENAI"))}
    env.update({"SMTP_USERNAME": "digest", "SMTP_PASSWORD": PASSWORD})
    args = [
        sys.executable,
        "-m",
        "arxiv_digest",
        "--config",
        str(config),
        "--db",
        str(tmp_path / "s.db"),
        "run",
        "--deliver",
        "--date",
        DAY,
        "--out",
        str(tmp_path / "out"),
    ]
    return args, env


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _blocked_on_a_lock(proc: subprocess.Popen[str], deadline: float = 60.0) -> bool:
    """True once the kernel lists the process as waiting for a file lock (/proc/locks marks
    waiters with "->"); False if it ends first or the deadline passes."""
    import time

    end = time.monotonic() + deadline
    while time.monotonic() < end:
        waiting = Path("/proc/locks").read_text().splitlines()
        if any("->" in line and str(proc.pid) in line.split() for line in waiting):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    return False


def test_run_deliver_end_to_end_and_two_at_once(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    fake = FakeArxiv(synthetic_day(30, CATS), day=DAY)
    fake.rss_gate = threading.Event()  # the first run is held inside its fetch, lock taken
    with fake.running():
        args, env = _config(tmp_path, fake, port)
        first = _start(args, env)
        assert fake.rss_asked.wait(timeout=60)  # it holds the lock now
        second = _start(args, env)
        code, _, err = second.wait(timeout=60), *second.communicate()
        assert code == 13, err
        assert "another arxiv-digest run" in err and "--wait" in err
        assert len(err.strip().splitlines()) == 1
        fake.rss_gate.set()
        assert first.wait(timeout=120) == 0, first.communicate()
        assert len(inbox.messages) == 1 and fake.count("/rss") == 1
        out = tmp_path / "out"
        assert (out / f"{DAY}.md").is_file() and (out / "site" / f"{DAY}.html").is_file()
        html = inbox.messages[0][1].get_body(("html",)).get_content()
        assert f"https://me.example.org/arxiv/{DAY}.html" in html

        # with --wait the second one waits its turn; nothing is sent twice
        fake.rss_gate.clear()
        fake.rss_asked.clear()
        holder = _start([*args, "--wait"], env)
        assert fake.rss_asked.wait(timeout=60)
        waiter = _start([*args, "--wait"], env)
        assert _blocked_on_a_lock(waiter)  # it is waiting for the holder's lock
        fake.rss_gate.set()
        for proc in (holder, waiter):
            assert proc.wait(timeout=120) == 0, proc.communicate()
        assert len(inbox.messages) == 1 and fake.count("/rss") == 3
    with Store(tmp_path / "s.db") as store:
        assert len(store.dump()["deliveries"]) == 1


def test_a_broken_day_is_held_back_and_healed_by_the_next_run(
    tmp_path: Path, smtp: tuple[Inbox, int], llm: LLMServer
) -> None:
    inbox, port = smtp
    fake = FakeArxiv(synthetic_day(12, CATS), day=DAY)
    with fake.running():
        args, env = _config(tmp_path, fake, port)
        env.update(
            {
                "ARXIV_DIGEST_BACKEND": "openai",
                "ARXIV_DIGEST_MODEL": "m",
                "ARXIV_DIGEST_BASE_URL": llm.url,
                "ARXIV_DIGEST_SUMMARIZER__MAX_ATTEMPTS": "1",
                "OPENAI_API_KEY": "k",
            }
        )
        llm.faults = ["503"] * 12  # the provider is down: every call fails
        held = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert held.returncode == 14, held.stderr
        last = held.stderr.strip().splitlines()[-1]
        assert last.startswith(f"error: held the delivery of {DAY}") and "--deliver-anyway" in last
        assert inbox.messages == [] and (tmp_path / "out" / f"{DAY}.md").is_file()
        assert not (tmp_path / "out" / "site").exists()

        failures = subprocess.run(
            [*args[: args.index("run")], "failures"], env=env, capture_output=True, text=True
        )
        assert f"of 12 papers of {DAY} have no summary" in failures.stdout
        assert "retried on the next run" in failures.stdout and "HTTP 503" in failures.stdout

        assert llm.faults == []  # it is back: the next ordinary run heals the day and sends it
        healed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert healed.returncode == 0, healed.stderr
        assert len(inbox.messages) == 1
    with Store(tmp_path / "s.db") as store:
        digest = store.digests.load(DAY)
        assert digest is not None
        assert all(e.summary and e.summary.usable for e in digest.entries)


def test_run_with_the_batch_backend_submits_then_the_next_run_collects_and_sends(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    from tests.fakes.batch_api import BatchAPI

    inbox, port = smtp
    fake = FakeArxiv(synthetic_day(12, CATS), day=DAY)
    api = BatchAPI(fast=True)
    with fake.running(), api.running():
        args, env = _config(tmp_path, fake, port)
        env.update(
            {
                "ARXIV_DIGEST_BACKEND": "batch",
                "ARXIV_DIGEST_MODEL": "m",
                "ARXIV_DIGEST_BASE_URL": api.url,
                "OPENAI_API_KEY": "k",
            }
        )
        held = subprocess.run([*args, "--no-wait"], env=env, capture_output=True, text=True)
        assert held.returncode == 14, held.stderr
        assert "uploaded 12 requests" in held.stdout and "in flight: batch_1" in held.stdout
        last = held.stderr.strip().splitlines()[-1]
        assert "a batch is still in flight (batch_1)" in last and inbox.messages == []
        assert api.uploads == 1 and api.polls == 0

        healed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert healed.returncode == 0, healed.stderr
        assert "resumed 1 batch(es)" in healed.stdout and "summaries: 12 ok" in healed.stdout
        assert api.uploads == 1 and api.chat_calls == 0 and len(inbox.messages) == 1
