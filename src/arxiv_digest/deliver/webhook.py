"""The day's top papers to a Slack or Feishu/Lark incoming webhook."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import httpx

from arxiv_digest.config import WebhookConfig
from arxiv_digest.deliver import day_url, top_entries
from arxiv_digest.errors import DeliveryError
from arxiv_digest.models import Digest, DigestEntry
from arxiv_digest.render.html import arxiv_url
from arxiv_digest.sources.http import USER_AGENT


def _tldr(entry: DigestEntry) -> str:
    s = entry.summary
    return s.fields.tldr if s and s.status == "ok" and s.fields else "Summary not available yet."


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(digest: Digest, top: list[DigestEntry], link: str | None) -> dict[str, Any]:
    title = f"arXiv digest {digest.date}: top {len(top)} of {len(digest.entries)} papers"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}}
    ]
    for e in top:
        why = f"\n_{_slack_escape('; '.join(e.reasons))}_" if e.reasons else ""
        text = (
            f"*<{arxiv_url(e.paper.id)}|{_slack_escape(e.paper.title)}>* "
            f"({_slack_escape(e.paper.primary_category)})\n{_slack_escape(_tldr(e))}{why}"
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


def feishu_payload(digest: Digest, top: list[DigestEntry], link: str | None) -> dict[str, Any]:
    content: list[list[dict[str, str]]] = []
    for i, e in enumerate(top, start=1):
        content.append(
            [
                {"tag": "text", "text": f"{i}. "},
                {"tag": "a", "text": e.paper.title, "href": arxiv_url(e.paper.id)},
                {"tag": "text", "text": f" ({e.paper.primary_category})"},
            ]
        )
        content.append([{"tag": "text", "text": _tldr(e)}])
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
    """POST with retries on 5xx, timeouts and dropped connections; 4xx is a clear error.
    The URL holds a token, so messages name the webhook, never the URL."""
    url = os.environ.get(config.url_env)
    if not url:
        raise DeliveryError(f"webhook {config.name!r}: set its URL in ${config.url_env}")
    own = client is None
    http = client or httpx.Client(timeout=30, headers={"User-Agent": USER_AGENT})
    problem = ""
    try:
        for attempt in range(1, attempts + 1):
            try:
                response = http.post(url, json=payload)
            except httpx.TransportError as exc:
                problem = type(exc).__name__
            else:
                if response.status_code < 300:
                    if config.kind == "feishu":
                        try:
                            body = response.json() if response.content else {}
                        except ValueError:
                            raise DeliveryError(
                                f"webhook {config.name!r} (feishu) answered "
                                "with something that is not JSON"
                            ) from None
                        code = body.get("code", body.get("StatusCode", 0))
                        if code not in (0, None):
                            raise DeliveryError(
                                f"webhook {config.name!r} (feishu) answered "
                                f"code {code}: {body.get('msg', '')}"
                            )
                    return
                if response.status_code < 500 and response.status_code != 429:
                    raise DeliveryError(
                        f"webhook {config.name!r} refused the message: HTTP "
                        f"{response.status_code} {response.text[:200]}"
                    )
                problem = f"HTTP {response.status_code}"
            if attempt < attempts:
                sleep(2.0 ** (attempt - 1))
    finally:
        if own:
            http.close()
    raise DeliveryError(f"webhook {config.name!r} failed after {attempts} attempts: {problem}")


def payload_for(config: WebhookConfig, digest: Digest, site_url: str | None) -> dict[str, Any]:
    top = top_entries(digest, config.top)
    link = day_url(site_url, digest.date)
    return (slack_payload if config.kind == "slack" else feishu_payload)(digest, top, link)
