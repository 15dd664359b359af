"""Raw LaTeX a reader would see: a scan of the rendered text of every shared day.

python bench/raw_tex.py

The 14 days of ../shared/corpus/daae/ are imported and built as the site a user gets. Then the
text a reader sees is read back from the files: each day page's text outside MathML (scripts,
styles and attributes skipped) and the strings of the abstracts its script fills in
(DATE.abs.js). Counted: `\\command`s and `$` signs that are not currency (a `$` before a digit),
each with the paper and a few characters around it, and the MathML formulas rendered instead.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from arxiv_digest.collection import import_files
from arxiv_digest.render.html import SiteBuilder
from arxiv_digest.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.history import CORPUS  # noqa: E402

COMMAND = re.compile(r"\\[A-Za-z]+")
DOLLAR = re.compile(r"\$(?!\d)")


class _Text(HTMLParser):
    """The text a reader sees, outside <math>, <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.formulas = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("math", "script", "style"):
            self.skip += 1
            self.formulas += tag == "math"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("math", "script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _strings(node: object) -> list[str]:
    """The plain strings of an abstract's parts (MathML trees are [tag, attrs, children])."""
    if isinstance(node, str):
        return [node]
    return []


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.db") as store:
        import_files(store, sorted(CORPUS.glob("*.jsonl")))
        SiteBuilder(store, Path(tmp) / "site").build()
        site = Path(tmp) / "site"
        commands: list[str] = []
        dollars: list[str] = []
        formulas = 0
        for page in sorted(site.glob("????-??-??.html")):
            reader = _Text()
            reader.feed(page.read_text("utf-8"))
            formulas += reader.formulas
            texts = ["".join(reader.parts)]
            script = page.with_suffix(".abs.js")
            if script.is_file():
                raw = script.read_text("utf-8")
                data = json.loads(raw[raw.index('"] = ') + 5 : raw.rindex("}") + 1])
                for parts in data.values():
                    texts.append("".join(s for part in parts for s in _strings(part)))
                    formulas += sum(isinstance(part, list) for part in parts)
            for text in texts:
                for m in COMMAND.finditer(text):
                    commands.append(f"{page.stem}: …{text[max(0, m.start() - 30) : m.end() + 30]}…")
                for m in DOLLAR.finditer(text):
                    dollars.append(f"{page.stem}: …{text[max(0, m.start() - 30) : m.end() + 30]}…")
        print(f"{len(list(site.glob('????-??-??.html')))} day pages, {formulas} formulas as MathML")
        print(f"\\command in the text: {len(commands)}")
        for line in commands[:20]:
            print("  ", " ".join(line.split()))
        print(f"stray $ in the text: {len(dollars)}")
        for line in dollars[:20]:
            print("  ", " ".join(line.split()))


if __name__ == "__main__":
    main()
