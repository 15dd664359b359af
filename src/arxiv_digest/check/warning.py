"""How a warning is written: `kind: field: what is wrong: “the offending text”`."""

from __future__ import annotations

QUOTE_MAX = 60


def quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def warn(kind: str, field: str, what: str, text: str) -> str:
    return f"{kind}: {field}: {what}: “{quote(text)}”"
