"""A paper's TeX source (arXiv's /e-print: a gzipped tar, or a single gzipped .tex) into a
`Document`, numbered as LaTeX numbers it.

Nothing is written to disk: the archive is read in memory, each member and the whole within a
size cap. The main file is the one with `\\documentclass` and `\\begin{document}`; `\\input` and
`\\include` are followed (never outside the archive). Sections, tables and figures are counted
as LaTeX counts them (letters after `\\appendix`), `\\ref` is resolved, and math stays TeX.
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile
import zlib

from arxiv_digest.fulltext.document import Document, Figure, Section, Table

MAX_MEMBER = 8 * 2**20
MAX_TOTAL = 64 * 2**20
MAX_MEMBERS = 2000


class NoSource(ValueError):
    """The download holds no TeX document (a PDF-only submission, a damaged archive)."""


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_files(blob: bytes) -> dict[str, str]:
    """The .tex files of an e-print, by name."""
    if blob[:5] == b"%PDF-":
        raise NoSource("the source is a PDF (the authors sent no TeX)")
    raw = blob
    if blob[:2] == b"\x1f\x8b":
        try:
            raw = gzip.GzipFile(fileobj=io.BytesIO(blob)).read(MAX_TOTAL + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise NoSource(f"the source archive is damaged ({exc})") from None
    if len(raw) > MAX_TOTAL:
        raise NoSource(f"the source is over {MAX_TOTAL // 2**20} MB")
    if raw[:5] == b"%PDF-":
        raise NoSource("the source is a PDF (the authors sent no TeX)")
    files: dict[str, str] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for count, member in enumerate(tar):
                if count >= MAX_MEMBERS:
                    break
                if not member.isfile() or not member.name.lower().endswith((".tex", ".bbl")):
                    continue
                if member.size > MAX_MEMBER:
                    continue
                handle = tar.extractfile(member)
                if handle is not None:
                    files[member.name.removeprefix("./")] = _decode(handle.read())
    except tarfile.TarError:
        files = {"main.tex": _decode(raw)}
    return files


def _main_file(files: dict[str, str]) -> str:
    candidates = [
        name
        for name, text in files.items()
        if "\\documentclass" in text and "\\begin{document}" in text
    ]
    if not candidates:
        raise NoSource("no .tex file has \\documentclass and \\begin{document}")
    preferred = [n for n in candidates if n.rsplit("/", 1)[-1] in ("main.tex", "ms.tex")]
    return (preferred or sorted(candidates, key=lambda n: -len(files[n])))[0]


_COMMENT = re.compile(r"(?<!\\)%.*")
_INPUT = re.compile(r"\\(?:input|include|subfile)\s*\{([^}]+)\}")


def _expand(files: dict[str, str], name: str, depth: int = 0) -> str:
    text = _COMMENT.sub("", files.get(name, ""))
    if depth > 6:
        return text
    folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""

    def inline(match: re.Match[str]) -> str:
        target = match.group(1).strip()
        for candidate in (target, f"{target}.tex", folder + target, f"{folder}{target}.tex"):
            if candidate in files and candidate != name:
                return _expand(files, candidate, depth + 1)
        return ""

    return _INPUT.sub(inline, text)


def _group(text: str, start: int) -> tuple[str, int]:
    """The balanced {...} group that opens at text[start]; (content, index after it)."""
    if start >= len(text) or text[start] != "{":
        return "", start
    depth = 0
    for i in range(start, len(text)):
        char = text[i]
        if char == "\\":
            continue
        if char == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif char == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
    return text[start + 1 :], len(text)


def _command_arg(text: str, command: str) -> str:
    match = re.search(rf"\\{command}\*?\s*(?:\[[^\]]*\])?\s*(?=\{{)", text)
    return _group(text, match.end())[0] if match else ""


def _env(text: str, name: str) -> str:
    match = re.search(rf"\\begin\{{{name}\}}(.*?)\\end\{{{name}\}}", text, re.S)
    return match.group(1) if match else ""


# -- text ------------------------------------------------------------------------------------

_DROP_WITH_ARG = ("cite", "citep", "citet", "citealp", "label", "footnote", "vspace", "hspace")
_UNWRAP = re.compile(
    r"\\(?:textbf|textit|emph|texttt|textsc|textrm|textsf|underline|mbox|text|mathrm|"
    r"textnormal|uline|hl|textcolor\{[^}]*\}|paragraph\*?|subparagraph\*?)\s*\{"
)
_MATH_ENVS = "equation|align|gather|multline|eqnarray|displaymath"


def _drop_commands(text: str) -> str:
    for command in _DROP_WITH_ARG:
        while True:
            match = re.search(rf"\\{command}\*?\s*(?:\[[^\]]*\])*\s*(?=\{{)", text)
            if not match:
                break
            _arg, end = _group(text, match.end())
            text = text[: match.start()] + text[end:]
    return text


def _unwrap(text: str) -> str:
    while True:
        match = _UNWRAP.search(text)
        if not match:
            return text
        inner, end = _group(text, match.end() - 1)
        text = text[: match.start()] + inner + text[end:]


def clean(text: str, refs: dict[str, str]) -> str:
    """LaTeX prose as a reader sees it: references resolved, markup gone, math kept."""
    text = re.sub(
        r"\\(?:[cC]ref|autoref)\{([^}]+)\}",
        lambda m: refs.get(m.group(1).split(",")[0].strip(), "?").join(("", "")),
        text,
    )
    text = re.sub(
        r"\\(?:eqref)\{([^}]+)\}", lambda m: f"({refs.get(m.group(1), '?').split()[-1]})", text
    )
    text = re.sub(r"\\ref\*?\{([^}]+)\}", lambda m: refs.get(m.group(1), "?").split()[-1], text)
    text = _drop_commands(text)
    text = re.sub(
        rf"\\begin\{{({_MATH_ENVS})\*?\}}(.*?)\\end\{{\1\*?\}}",
        lambda m: f" ${' '.join(m.group(2).replace(chr(92) * 2, ' ').split())}$ ",
        text,
        flags=re.S,
    )
    text = re.sub(r"\\\[(.*?)\\\]", lambda m: f" ${m.group(1).strip()}$ ", text, flags=re.S)
    text = re.sub(r"\\\((.*?)\\\)", lambda m: f"${m.group(1).strip()}$", text, flags=re.S)
    text = text.replace("{,}", ",")
    parts = re.split(r"(\$[^$]*\$)", text)  # math (odd parts) stays TeX
    for i in range(0, len(parts), 2):
        parts[i] = _prose(parts[i])
    return " ".join("".join(parts).split())


def _prose(text: str) -> str:
    """Markup outside math removed: wrappers keep their argument, other commands go."""
    text = _unwrap(text)
    text = re.sub(r"\\begin\{[^}]*\}(?:\{[^}]*\}|\[[^\]]*\])*|\\end\{[^}]*\}", " ", text)
    text = re.sub(r"\\item\s*(?:\[([^\]]*)\])?", lambda m: f" {m.group(1) or ''} ", text)
    for old, new in (("\\%", "%"), ("\\&", "&"), ("\\_", "_"), ("\\#", "#")):
        text = text.replace(old, new)
    text = re.sub(r"(?<!\\)~", " ", text)
    text = text.replace("---", "—").replace("--", "–").replace("``", "“").replace("''", "”")
    text = re.sub(r"\\[a-zA-Z]+\*?(?:\[[^\]]*\])?", " ", text)
    return re.sub(r"\\[,;:! ]", " ", text).replace("{", "").replace("}", "")


# -- structure -------------------------------------------------------------------------------

_STRUCTURE = re.compile(
    r"\\(?P<cmd>section|subsection|subsubsection)(?P<star>\*?)\s*(?:\[[^\]]*\])?\s*(?=\{)"
    r"|\\(?P<appendix>appendix)\b"
    r"|\\begin\{(?P<float>table|figure)(?P<fstar>\*?)\}"
)
_END_MATTER = re.compile(
    r"\\bibliography\s*\{|\\begin\{thebibliography\}|\\printbibliography"
    r"|\\section\*?\s*\{\s*(?:References|Bibliography)\s*\}"
)
_LABEL = re.compile(r"\\label\{([^}]+)\}")
_RULES = re.compile(
    r"\\(?:hline|toprule|midrule|bottomrule|cline\{[^}]*\}|cmidrule(?:\([^)]*\))?\{[^}]*\})"
)


def _rows(body: str, refs: dict[str, str]) -> list[list[str]]:
    match = re.search(r"\\begin\{tabular[x*]?\}", body)
    if not match:
        return []
    start = match.end()
    if body[start : start + 1] == "{" and "tabularx" in match.group(0):
        start = _group(body, start)[1]
    start = _group(body, start)[1]  # the column spec
    end = body.find("\\end{tabular", start)
    table = body[start : end if end >= 0 else len(body)]
    table = re.sub(r"\\(?:multicolumn|multirow)\{[^}]*\}\{[^}]*\}", "", table)
    rows = []
    for line in re.split(r"\\\\(?:\[[^\]]*\])?", _RULES.sub(" ", table)):
        cells = [clean(cell, refs) for cell in re.split(r"(?<!\\)&", line)]
        if any(cells):
            rows.append(cells)
    return rows


def parse_tex(blob: bytes, paper_id: str, version: int) -> Document:
    """The document in an e-print; NoSource when it holds none."""
    files = read_files(blob)
    source = _expand(files, _main_file(files))
    begin = source.find("\\begin{document}")
    end = source.find("\\end{document}")
    body = source[begin + len("\\begin{document}") : end if end > begin else len(source)]
    title = _command_arg(source, "title")
    abstract = _env(body, "abstract")
    body = re.sub(r"\\begin\{abstract\}.*?\\end\{abstract\}", " ", body, flags=re.S)
    cut = _END_MATTER.search(body)
    if cut:
        body = body[: cut.start()]

    # the first pass numbers everything and learns the labels
    counters = [0, 0, 0]
    appendix = False
    floats = {"table": 0, "figure": 0}
    refs: dict[str, str] = {}
    marks: list[tuple[int, int, str, str, str]] = []  # (start, end, kind, number, raw)
    for match in _STRUCTURE.finditer(body):
        if match.group("appendix"):
            appendix = True
            counters = [0, 0, 0]
            marks.append((match.start(), match.end(), "appendix", "", ""))
            continue
        if match.group("float"):
            kind = match.group("float")
            close = re.compile(rf"\\end\{{{kind}\*?\}}").search(body, match.end())
            stop = close.end() if close else len(body)
            raw = body[match.end() : close.start() if close else stop]
            has_caption = "\\caption" in raw
            number = ""
            if has_caption:
                floats[kind] += 1
                number = str(floats[kind])
                for label in _LABEL.findall(raw):
                    refs[label] = f"{kind.title()} {number}"
            marks.append((match.start(), stop, kind, number, raw))
            continue
        level = ("section", "subsection", "subsubsection").index(match.group("cmd"))
        heading, after = _group(body, match.end())
        number = ""
        if not match.group("star"):
            counters[level] += 1
            for deeper in range(level + 1, 3):
                counters[deeper] = 0
            first = chr(ord("A") + counters[0] - 1) if appendix else str(counters[0])
            number = ".".join([first, *map(str, counters[1 : level + 1])])
            label = _LABEL.match(body[after:].lstrip())
            if label:
                refs[label.group(1)] = f"Section {number}"
        marks.append((match.start(), after, f"h{level + 1}", number, heading))

    # the second pass writes the document
    sections: list[Section] = []
    tables: list[Table] = []
    figures: list[Figure] = []
    current = Section(number="", title="")
    pending: list[str] = []

    def flush() -> None:
        text = "".join(pending)
        pending.clear()
        for block in re.split(r"\n\s*\n", text):
            cleaned = clean(block, refs)
            if cleaned:
                current.paragraphs.append(cleaned)

    position = 0
    in_appendix = False
    for start, stop, kind, number, raw in sorted(marks):
        if start < position:  # inside a float already taken
            continue
        pending.append(body[position:start])
        position = stop
        if kind == "appendix":
            in_appendix = True
            continue
        if kind in ("table", "figure"):
            caption = clean(_command_arg(raw, "caption"), refs)
            if kind == "table":
                rows = _rows(raw, refs)
                if number or rows:
                    tables.append(Table(number, caption, rows, current.number))
            elif number:
                figures.append(Figure(number, caption, current.number))
            continue
        flush()
        if current.paragraphs or current.title:
            sections.append(current)
        current = Section(
            number=number,
            title=clean(raw, refs),
            level=int(kind[1]),
            appendix=in_appendix,
        )
    pending.append(body[position:])
    flush()
    if current.paragraphs or current.title:
        sections.append(current)
    return Document(
        paper_id=paper_id,
        version=version,
        source="tex",
        title=clean(title, refs),
        abstract=clean(abstract, refs),
        sections=sections,
        tables=tables,
        figures=figures,
    )
