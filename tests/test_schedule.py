"""Scheduled runs: `run --deliver` end to end, and two of them started at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from arxiv_digest.store import Store
from tests.fakes.arxiv import FakeArxiv, synthetic_day
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


def test_run_deliver_end_to_end_and_two_at_once(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:  # noqa: F811
    inbox, port = smtp
    fake = FakeArxiv(synthetic_day(30, CATS), day=DAY)
    fake.rss_delay = 2.0  # the feed is slow: the two runs surely overlap
    with fake.running():
        args, env = _config(tmp_path, fake, port)
        procs = [
            subprocess.Popen(
                args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 13], results
        loser = next(err for code, _, err in results if code == 13)
        assert "another arxiv-digest run" in loser and "--wait" in loser
        assert len(loser.strip().splitlines()) == 1
        assert len(inbox.messages) == 1 and fake.count("/rss") == 1
        out = tmp_path / "out"
        assert (out / f"{DAY}.md").is_file() and (out / "site" / f"{DAY}.html").is_file()
        html = inbox.messages[0][1].get_body(("html",)).get_content()
        assert f"https://me.example.org/arxiv/{DAY}.html" in html

        # with --wait the second one waits its turn; nothing is sent twice
        waiting = [
            subprocess.Popen(
                [*args, "--wait"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in waiting:
            assert proc.wait(timeout=120) == 0, proc.communicate()
            _, err = proc.communicate()
        assert len(inbox.messages) == 1 and fake.count("/rss") == 3
    with Store(tmp_path / "s.db") as store:
        assert len(store.dump()["deliveries"]) == 1
