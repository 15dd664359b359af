"""Turning what a person types into a safe FTS5 query."""

from __future__ import annotations

import re

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def fts_query(text: str) -> str:
    """'graph "neural network" diffus* OR gnn' -> '"graph" "neural network" "diffus"* OR "gnn"'.

    Every word is quoted, so FTS5 operators and punctuation typed by the user cannot break the
    query; a trailing * keeps its prefix meaning and a bare OR/AND/NOT stays an operator.
    """
    parts: list[str] = []
    for match in _TOKEN.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            cleaned = phrase.replace('"', "").strip()
            if cleaned:
                parts.append(f'"{cleaned}"')
            continue
        assert word is not None
        if word in ("OR", "AND", "NOT"):
            if parts and parts[-1] not in ("OR", "AND", "NOT"):
                parts.append(word)
            continue
        prefix = word.endswith("*")
        core = word.rstrip("*").replace('"', "")
        if core:
            parts.append(f'"{core}"' + ("*" if prefix else ""))
    while parts and parts[-1] in ("OR", "AND", "NOT"):
        parts.pop()
    if not parts:
        raise ValueError("empty query")
    return " ".join(parts)
