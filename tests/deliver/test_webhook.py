"""Slack and Feishu webhooks against a loopback HTTP server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_digest.cli import cli
from arxiv_digest.config import WebhookConfig
from arxiv_digest.deliver.webhook import post
from arxiv_digest.errors import DeliveryError
from arxiv_digest.store import Store
from tests.fakes.webhook import Hook
from tests.helpers import add_xss_day, import_references


def _setup(tmp_path: Path) -> list[str]:
    config = tmp_path / "c.toml"
    config.write_text(
        '[rank]\nkeywords = ["reinforcement learning"]\n'
        '[[webhooks]]\nname = "lab"\nkind = "slack"\nurl_env = "SLACK_URL"\ntop = 3\n'
        '[[webhooks]]\nname = "feishu-group"\nkind = "feishu"\nurl_env = "FEISHU_URL"\n'
    )
    with Store(tmp_path / "s.db") as store:
        import_references(store)
        add_xss_day(store)
    return ["--config", str(config), "--db", str(tmp_path / "s.db")]


def test_slack_and_feishu_payloads(hook: Hook, tmp_path: Path, runner: CliRunner) -> None:
    args = _setup(tmp_path)
    env = {"SLACK_URL": hook.url, "FEISHU_URL": hook.url}
    assert runner.invoke(cli, [*args, "rank", "--date", "2026-01-01"]).exit_code == 0
    result = runner.invoke(cli, [*args, "send", "webhook", "--date", "2026-01-01"], env=env)
    assert result.exit_code == 0, result.stderr
    slack, feishu = hook.bodies
    assert slack["text"].startswith("arXiv digest 2026-01-01: top 3 of 76")
    sections = [b for b in slack["blocks"] if b["type"] == "section"]
    assert len(sections) == 3 and "keyword: reinforcement learning" in sections[0]["text"]["text"]
    assert sections[0]["text"]["text"].startswith("*<https://arxiv.org/abs/")
    post_ = feishu["content"]["post"]["zh_cn"]
    assert feishu["msg_type"] == "post" and len(post_["content"]) == 20
    assert post_["content"][0][1]["tag"] == "a"
    again = runner.invoke(cli, [*args, "send", "webhook", "--date", "2026-01-01"], env=env)
    assert "already sent" in again.output and len(hook.bodies) == 2


def test_slack_escapes_untrusted_text(hook: Hook, tmp_path: Path, runner: CliRunner) -> None:
    args = _setup(tmp_path)
    env = {"SLACK_URL": hook.url, "FEISHU_URL": hook.url}
    result = runner.invoke(
        cli, [*args, "send", "webhook", "--name", "lab", "--date", "2026-02-01"], env=env
    )
    assert result.exit_code == 0, result.stderr
    text = json.dumps(hook.bodies[0])
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_retries_on_5xx_and_clear_error_on_4xx(hook: Hook, tmp_path: Path) -> None:
    waits: list[float] = []
    hook.answers = [(502, b"bad gateway"), (503, b"busy"), (200, b"ok")]
    config = WebhookConfig(name="lab", kind="slack", url_env="HOOK_URL")
    import os

    os.environ["HOOK_URL"] = hook.url
    try:
        post(config, {"text": "x"}, sleep=waits.append)
        assert len(hook.bodies) == 3 and len(waits) == 2
        assert 1.0 <= waits[0] < 2.0 and 2.0 <= waits[1] < 3.0  # exponential, with jitter
        hook.answers = [(400, b"invalid_payload")]
        with pytest.raises(DeliveryError) as err:
            post(config, {"text": "x"}, sleep=waits.append)
        assert "HTTP 400 invalid_payload" in str(err.value)
        assert "T0K3N" not in str(err.value)  # the URL is a secret
        hook.answers = [(200, b'{"code": 19001, "msg": "param invalid"}')]
        feishu = WebhookConfig(name="fs", kind="feishu", url_env="HOOK_URL")
        with pytest.raises(DeliveryError, match="code 19001"):
            post(feishu, {"msg_type": "text"}, sleep=waits.append)
    finally:
        del os.environ["HOOK_URL"]


def test_retry_after_is_honoured_and_an_hour_is_refused_at_once(
    hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_URL", hook.url)
    config = WebhookConfig(name="lab", kind="slack", url_env="HOOK_URL")
    waits: list[float] = []
    hook.retry_after = "5"
    hook.answers = [(429, b"slow down"), (200, b"ok")]
    post(config, {"text": "x"}, sleep=waits.append)
    assert len(waits) == 1 and 5.0 <= waits[0] < 6.0
    hook.retry_after = "3600"
    hook.answers = [(429, b"come back in an hour")]
    with pytest.raises(DeliveryError, match="asked us to wait 3600 s") as err:
        post(config, {"text": "x"}, sleep=waits.append)
    assert len(waits) == 1 and len(hook.bodies) == 3  # no wait, no second try
    assert "send it later" in str(err.value)


def test_an_answer_that_echoes_the_url_does_not_leak_its_token(
    hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_URL", hook.url)
    config = WebhookConfig(name="lab", kind="slack", url_env="HOOK_URL")
    hook.answers = [(404, f"no such hook: {hook.url}".encode())]
    with pytest.raises(DeliveryError) as err:
        post(config, {"text": "x"}, sleep=lambda _s: None)
    assert "T0K3N" not in str(err.value) and "HTTP 404 no such hook: ***" in str(err.value)


def test_slack_stays_within_fifty_blocks() -> None:
    from arxiv_digest.deliver.webhook import slack_payload
    from arxiv_digest.models import Digest, DigestEntry
    from tests.helpers import make_paper

    entries = tuple(
        DigestEntry(i, "cs.LG", make_paper(f"2501.{i:05d}"), score=float(i)) for i in range(1, 61)
    )
    digest = Digest("2026-01-06", entries)
    payload = slack_payload(digest, digest.top(50), "https://me.example/2026-01-06.html")
    assert len(payload["blocks"]) == 50 and payload["blocks"][-1]["type"] == "context"
