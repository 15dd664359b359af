"""Email against a real SMTP server on loopback (aiosmtpd) that checks the message."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.store import Store
from tests.fakes.smtp import CERT, PASSWORD, Inbox
from tests.helpers import XSS, add_xss_day, import_references, reference_counts, reference_days


def _setup(tmp_path: Path, port: int) -> tuple[list[str], dict[str, str]]:
    config = tmp_path / "c.toml"
    config.write_text(
        'site_url = "https://me.example.org/arxiv"\n'
        f'[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "starttls"\n'
        f'ca_file = "{CERT[0]}"\n'
        'sender = "digest@example.org"\nrecipients = ["ada@example.org", "李雷@example.org"]\n'
    )
    db = tmp_path / "s.db"
    with Store(db) as store:
        import_references(store)
        add_xss_day(store, "2026-02-01")
    env = {"SMTP_USERNAME": "digest", "SMTP_PASSWORD": PASSWORD}
    return ["--config", str(config), "--db", str(db)], env


def test_email_message_is_right(smtp: tuple[Inbox, int], tmp_path: Path, runner: CliRunner) -> None:
    inbox, port = smtp
    args, env = _setup(tmp_path, port)
    result = runner.invoke(cli, [*args, "send", "email", "--date", "2026-01-01"], env=env)
    assert result.exit_code == 0, result.output + result.stderr
    assert "sent to 2 recipients" in result.output
    papers = reference_counts(reference_days()["2026-01-01"]).papers
    # one message each: no recipient sees another's address
    assert sorted((e.rcpt_tos, m["To"]) for e, m in inbox.messages) == [
        (["ada@example.org"], "ada@example.org"),
        (["李雷@example.org"], "李雷@example.org"),
    ]
    envelope, msg = next((e, m) for e, m in inbox.messages if m["To"] == "李雷@example.org")
    assert msg["Subject"] == f"arXiv digest 2026-01-01: {papers} papers"
    assert msg["From"] == "digest@example.org" and msg["Message-ID"] and msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert (
        "该论文提出了一个物理信息机器学习框架" in text
        and "该论文提出了一个物理信息机器学习框架" in html
    )
    assert "https://me.example.org/arxiv/2026-01-01.html" in html
    assert html.count("https://arxiv.org/abs/") == papers
    # the Chinese address needs SMTPUTF8 in the headers, but the body is transfer-encoded
    body = envelope.content.split(b"\r\n\r\n", 1)[1].decode("ascii")
    assert "Content-Transfer-Encoding: base64" in body or "quoted-printable" in body
    assert "SMTPUTF8" in envelope.mail_options


def test_untrusted_text_is_escaped(
    smtp: tuple[Inbox, int], tmp_path: Path, runner: CliRunner
) -> None:
    inbox, port = smtp
    args, env = _setup(tmp_path, port)
    result = runner.invoke(cli, [*args, "send", "email", "--date", "2026-02-01"], env=env)
    assert result.exit_code == 0, result.stderr
    html = inbox.messages[0][1].get_body(("html",)).get_content()
    assert "<script>" not in html and "<img src=x" not in html and "<svg" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert XSS["tldr"] not in html


def test_not_sent_twice_unless_forced(
    smtp: tuple[Inbox, int], tmp_path: Path, runner: CliRunner
) -> None:
    inbox, port = smtp
    args, env = _setup(tmp_path, port)
    cmd = [*args, "send", "email", "--date", "2026-01-02"]
    assert runner.invoke(cli, cmd, env=env).exit_code == 0
    again = runner.invoke(cli, cmd, env=env)
    assert again.exit_code == 0 and "already sent" in again.output and len(inbox.messages) == 2
    forced = runner.invoke(cli, [*cmd, "--force"], env=env)
    assert forced.exit_code == 0 and len(inbox.messages) == 4


def test_a_failed_send_says_why_and_can_be_repeated(
    smtp: tuple[Inbox, int], tmp_path: Path, runner: CliRunner
) -> None:
    inbox, port = smtp
    args, env = _setup(tmp_path, port)
    inbox.fail_next = True
    cmd = [*args, "send", "email", "--date", "2026-01-03"]
    failed = runner.invoke(cli, cmd, env=env)  # the server refuses the first message only
    assert failed.exit_code == 14 and "451 4.3.0 try again later" in failed.stderr
    assert "refused some recipients: ada@example.org" in failed.stderr
    assert PASSWORD not in failed.stderr + failed.output
    assert [m["To"] for _, m in inbox.messages] == ["李雷@example.org"]
    assert runner.invoke(cli, cmd, env=env).exit_code == 0  # only the refused one again
    assert sorted(m["To"] for _, m in inbox.messages) == ["ada@example.org", "李雷@example.org"]
    bad_login = runner.invoke(cli, [*cmd, "--force"], env={**env, "SMTP_PASSWORD": "wrong"})
    assert len(inbox.messages) == 2
    assert bad_login.exit_code == 14 and "refused the login" in bad_login.stderr
    assert "wrong" not in bad_login.stderr


def test_unreachable_server(
    tmp_path: Path, runner: CliRunner, certificate: tuple[Path, Path]
) -> None:
    import socket

    CERT[:] = [certificate[1]]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args, env = _setup(tmp_path, port)
    result = runner.invoke(cli, [*args, "send", "email"], env=env)
    assert result.exit_code == 14 and "ConnectionRefusedError" in result.stderr
    with Store(tmp_path / "s.db") as store:
        assert store.dump()["deliveries"] == []


def test_two_sends_at_once_reach_each_recipient_once(
    smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    inbox, port = smtp
    args, env = _setup(tmp_path, port)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_DIGEST_")}
    cmd = [sys.executable, "-m", "arxiv_digest", *args, "send", "email", "--date", "2026-01-01"]
    procs = [
        subprocess.Popen(cmd, env={**clean, **env}, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0]
    assert sum("sent to 2 recipients" in out for out in outputs) == 1
    assert sum("already sent" in out for out in outputs) == 2
    assert sorted(m["To"] for _, m in inbox.messages) == ["ada@example.org", "李雷@example.org"]


def test_a_busy_server_is_asked_again_within_the_deadline() -> None:
    """A 421 at the greeting (a loaded server) is tried again through the shared retry policy,
    after a growing wait; a server busy every time ends the send with its own words, and the
    next send reaches whoever did not get it."""
    from email.message import EmailMessage

    from arxiv_digest.config import EmailConfig
    from arxiv_digest.deliver.email import send
    from arxiv_digest.errors import DeliveryError
    from tests.fakes.smtp import busy_once_server

    def message(to: str) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"], msg["From"], msg["To"] = "digest", "me@example.org", to
        msg.set_content("hello")
        return msg

    people = ["ada@example.org", "bo@example.org"]
    waits: list[float] = []
    done: list[str] = []
    with busy_once_server(busy=1) as (server, port):
        config = EmailConfig(
            host="127.0.0.1", port=port, security="none", username_env=None, password_env=None,
            sender="me@example.org", recipients=people, timeout=5, deadline=30,
        )  # fmt: skip
        send({p: message(p) for p in people}, config, done.append, sleep=waits.append)
        assert server.greetings == 2 and len(waits) == 1 and 1.0 <= waits[0] <= 2.0
        assert done == people and server.accepted == [[p] for p in people]
    with busy_once_server(busy=99) as (server, port):
        config = config.model_copy(update={"port": port})
        try:
            send({p: message(p) for p in people}, config, done.append, sleep=waits.append)
            raise AssertionError("a server busy every time cannot take the mail")
        except DeliveryError as exc:
            said = str(exc)
        assert server.greetings == 3 and len(waits) == 3  # three tries, two waits
        assert "421" in said and "service busy" in said and "\n" not in said
