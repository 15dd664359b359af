"""arXiv's category taxonomy (bundled from arxiv-base), aliases, and friendly validation."""

from __future__ import annotations

import csv
import difflib
import io
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources

from arxiv_digest.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str
    archive: str
    group: str
    active: bool
    canonical: str | None  # set when this id is an alias of another


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("arxiv_digest.data").joinpath(filename).read_text("utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return list(csv.DictReader(io.StringIO(body), delimiter="\t"))


@cache
def categories() -> dict[str, Category]:
    return {
        row["category"]: Category(
            id=row["category"],
            name=row["name"],
            archive=row["archive"],
            group=row["group"],
            active=row["active"] == "1",
            canonical=row["canonical"] or None,
        )
        for row in _rows("arxiv_categories.tsv")
    }


@cache
def aliases() -> dict[str, str]:
    """alias -> canonical, e.g. cs.SY -> eess.SY."""
    return {c.id: c.canonical for c in categories().values() if c.canonical}


def canonical(category: str) -> str:
    return aliases().get(category, category)


def check_categories(names: list[str]) -> list[str]:
    """Validate category names (fixing case: cs.ai -> cs.AI); unknown ones are a clear error."""
    known = categories()
    by_lower = {c.lower(): c for c, cat in known.items() if cat.active}
    fixed: list[str] = []
    for name in names:
        found = by_lower.get(name.strip().lower())
        if found is None:
            close = _closest(name.strip().lower(), list(by_lower))
            hint = ", ".join(by_lower[c] for c in close)
            suggestion = f"; did you mean {hint}?" if hint else ""
            raise ConfigError(f"unknown arXiv category {name!r}{suggestion}")
        fixed.append(found)
    return fixed


def _closest(name: str, candidates: list[str]) -> list[str]:
    def score(candidate: str) -> tuple[float, int]:
        ratio = difflib.SequenceMatcher(None, name, candidate).ratio()
        prefix = len(os.path.commonprefix([name, candidate]))
        return (ratio + 0.05 * prefix, prefix)

    ranked = sorted(candidates, key=score, reverse=True)
    return [c for c in ranked[:3] if difflib.SequenceMatcher(None, name, c).ratio() >= 0.5]


_GROUP_SETS = {
    "Computer Science": "cs",
    "Mathematics": "math",
    "Physics": "physics",
    "Quantitative Biology": "q-bio",
    "Quantitative Finance": "q-fin",
    "Statistics": "stat",
    "Electrical Engineering and Systems Science": "eess",
    "Economics": "econ",
}


def oai_set(category: str) -> str:
    """The OAI-PMH set of a category: cs.AI -> cs:cs:AI, hep-th -> physics:hep-th."""
    cat = categories().get(category)
    if cat is None:
        raise ConfigError(f"unknown arXiv category {category!r}")
    group = _GROUP_SETS.get(cat.group, cat.archive)
    return f"{group}:{category.replace('.', ':')}"
