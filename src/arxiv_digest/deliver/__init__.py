"""Delivery: the digest where people read it (email, Slack, Feishu/Lark), one channel a module,
each registered in `channels.py`."""

from __future__ import annotations


def day_url(site_url: str | None, date: str) -> str | None:
    return f"{site_url.rstrip('/')}/{date}.html" if site_url else None
