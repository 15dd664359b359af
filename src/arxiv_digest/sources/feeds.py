"""Shared parsing helpers for arXiv's XML answers (RSS, Atom API)."""

from __future__ import annotations

import warnings
from typing import Any

import feedparser  # type: ignore[import-untyped]

from arxiv_digest.errors import FetchError


def looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def parse_feed(body: bytes, what: str, url: str) -> Any:
    """Parse with feedparser, keeping text exactly as sent (no HTML sanitizing)."""
    if not body.strip():
        raise FetchError(f"{what} {url} came back empty")
    if looks_like_html(body):
        raise FetchError(f"{what} {url} answered with an HTML page instead of a feed")
    # arXiv sends UTF-8. One bad byte must not make feedparser fall back to another charset
    # (cp1252 mojibake in every title): decode as UTF-8, replacing what is not.
    body = body.decode("utf-8", errors="replace").encode("utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(problem, feedparser.CharacterEncodingOverride):
        detail = " ".join(str(problem).split()) if problem else "not well-formed"
        raise FetchError(f"{what} {url} is malformed: {detail}")
    if not parsed.get("version"):
        raise FetchError(f"{what} {url} is not an RSS or Atom feed")
    return parsed
