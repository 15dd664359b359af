"""The day's top papers to a Slack or Feishu/Lark incoming webhook."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from arxiv_digest.config import Config, WebhookConfig
from arxiv_digest.deadline import DeadlineExceeded, within
from arxiv_digest.deliver import day_url
from arxiv_digest.deliver.channels import Channel, Delivery, Target
from arxiv_digest.errors import DeliveryError, redact, remember_secret
from arxiv_digest.fulltext.records import DeepRead
from arxiv_digest.models import Digest, DigestEntry, arxiv_url
from arxiv_digest.render.deepread import lines as deep_lines
from arxiv_digest.render.i18n import entry_warnings, ui
from arxiv_digest.retry import RetryPolicy, TooLong, Transient, parse_retry_after
from arxiv_digest.sources.http import USER_AGENT
from arxiv_digest.textutil import lang_code


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: the most of a webhook's answer read (Slack says "ok", Feishu a small JSON object)
MAX_ANSWER = 64 * 1024

#: Slack takes at most 50 blocks a message: a header, the papers, and a link to the day.
SLACK_MAX_BLOCKS = 50


def _warning_line(digest: Digest, entry: DigestEntry) -> str:
    """A paper's shown warnings as one line in the digest's language ("" when it has none)."""
    lang = lang_code(digest.language)
    said = entry_warnings(entry, lang)
    return f"⚠ {ui(lang)['warnings']}: {'; '.join(said)}" if said else ""


def _deep_lines(
    digest: Digest, entry: DigestEntry, deep_reads: Mapping[str, DeepRead] | None
) -> list[str]:
    """A paper's deep read as a few lines (key results, limitations), when it has one."""
    read = (deep_reads or {}).get(entry.paper.id)
    return deep_lines(read, lang_code(digest.language), limit=2) if read is not None else []


def slack_payload(
    digest: Digest,
    top: list[DigestEntry],
    link: str | None,
    deep_reads: Mapping[str, DeepRead] | None = None,
) -> dict[str, Any]:
    top = top[: SLACK_MAX_BLOCKS - 2]
    title = f"arXiv digest {digest.date}: top {len(top)} of {len(digest.entries)} papers"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}}
    ]
    for e in top:
        why = f"\n_{_slack_escape('; '.join(e.reasons))}_" if e.reasons else ""
        warned = _warning_line(digest, e)
        why += f"\n{_slack_escape(warned)}" if warned else ""
        why += "".join(f"\n• {_slack_escape(line)}" for line in _deep_lines(digest, e, deep_reads))
        text = (
            f"*<{arxiv_url(e.paper.id)}|{_slack_escape(e.paper.title)}>* "
            f"({_slack_escape(e.paper.primary_category)})\n{_slack_escape(e.tldr)}{why}"
        )
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}})
    if link:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{link}|Read the full day>"}],
            }
        )
    return {"text": title, "blocks": blocks}


def feishu_payload(
    digest: Digest,
    top: list[DigestEntry],
    link: str | None,
    deep_reads: Mapping[str, DeepRead] | None = None,
) -> dict[str, Any]:
    content: list[list[dict[str, str]]] = []
    for i, e in enumerate(top, start=1):
        content.append(
            [
                {"tag": "text", "text": f"{i}. "},
                {"tag": "a", "text": e.paper.title, "href": arxiv_url(e.paper.id)},
                {"tag": "text", "text": f" ({e.paper.primary_category})"},
            ]
        )
        content.append([{"tag": "text", "text": e.tldr}])
        warned = _warning_line(digest, e)
        if warned:
            content.append([{"tag": "text", "text": warned}])
        for line in _deep_lines(digest, e, deep_reads):
            content.append([{"tag": "text", "text": f"• {line}"}])
    if link:
        content.append([{"tag": "a", "text": "Full day", "href": link}])
    title = f"arXiv digest {digest.date}: top {len(top)} of {len(digest.entries)} papers"
    return {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": title, "content": content}}},
    }


def post(
    config: WebhookConfig,
    payload: dict[str, Any],
    *,
    client: httpx.Client | None = None,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """POST with retries on 429, 5xx, timeouts and dropped connections, honouring Retry-After;
    another 4xx is a clear error. The URL holds a token, so messages name the webhook, never
    the URL, and the URL is cut out of any answer quoted back."""
    url = os.environ.get(config.url_env)
    if not url:
        raise DeliveryError(f"webhook {config.name!r}: set its URL in ${config.url_env}")
    remember_secret(url, urlsplit(url).path)
    own = client is None
    http = client or httpx.Client(timeout=30, headers={"User-Agent": USER_AGENT})

    def exchange() -> httpx.Response:
        """The POST and at most MAX_ANSWER bytes of its answer (a webhook says "ok")."""
        with http.stream("POST", url, json=payload) as streamed:
            body = b""
            for chunk in streamed.iter_bytes():
                body += chunk
                if len(body) > MAX_ANSWER:
                    break
            return httpx.Response(
                streamed.status_code,
                headers={k: v for k, v in streamed.headers.items() if k.lower() == "retry-after"},
                content=body[:MAX_ANSWER],
            )

    def attempt() -> httpx.Response:
        try:
            response = within(config.deadline, exchange, name="webhook")
        except DeadlineExceeded:
            raise Transient(f"no full answer within {config.deadline:g} s") from None
        except httpx.TransportError as exc:
            raise Transient(type(exc).__name__) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(
                f"HTTP {response.status_code}",
                parse_retry_after(response.headers.get("Retry-After")),
            )
        return response

    try:
        response = RetryPolicy(attempts=attempts, backoff=1.0, max_wait=120.0).call(
            attempt, sleep=sleep
        )
    except TooLong as exc:
        raise DeliveryError(
            f"webhook {config.name!r} asked us to wait {exc.wait:.0f} s ({exc.problem}); "
            "send it later with `arxiv-digest send webhook`"
        ) from None
    except Transient as exc:
        raise DeliveryError(
            f"webhook {config.name!r} failed after {attempts} attempts: {exc.problem}"
        ) from None
    finally:
        if own:
            http.close()
    if response.status_code >= 300:
        body = redact(" ".join(response.text.split()), url, urlsplit(url).path)[:200]
        raise DeliveryError(
            f"webhook {config.name!r} refused the message: HTTP {response.status_code} {body}"
        )
    if config.kind == "feishu":
        _check_feishu(config, response)


def _check_feishu(config: WebhookConfig, response: httpx.Response) -> None:
    """Feishu answers HTTP 200 with an error code in the body."""
    try:
        body = response.json() if response.content else {}
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        raise DeliveryError(
            f"webhook {config.name!r} (feishu) answered with something that is not a JSON object"
        )
    code = body.get("code", body.get("StatusCode", 0))
    if code not in (0, None):
        url = os.environ.get(config.url_env) or ""
        message = redact(" ".join(str(body.get("msg", "")).split()), url, urlsplit(url).path)
        message = message[:200]
        raise DeliveryError(f"webhook {config.name!r} (feishu) answered code {code}: {message}")


def payload_for(
    config: WebhookConfig,
    digest: Digest,
    site_url: str | None,
    deep_reads: Mapping[str, DeepRead] | None = None,
) -> dict[str, Any]:
    top = digest.top(config.top)
    link = day_url(site_url, digest.date)
    build = slack_payload if config.kind == "slack" else feishu_payload
    return build(digest, top, link, deep_reads)


class WebhookChannel(Channel):
    """The day's top papers to each [[webhooks]] Slack or Feishu/Lark incoming webhook."""

    name = "webhook"

    def targets(self, config: Config) -> list[Target]:
        return [
            Target(f"webhook:{h.name}", (h.name,), f"webhook {h.name}") for h in config.webhooks
        ]

    def send(self, job: Delivery) -> str:
        hook = next(h for h in job.config.webhooks if f"webhook:{h.name}" == job.target.channel)
        post(hook, payload_for(hook, job.digest, job.options.site_url, job.options.deep_reads))
        job.done(hook.name)
        return f"webhook {hook.name} ({hook.kind}) for {job.digest.date} sent"
