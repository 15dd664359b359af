"""LaTeX papers the full-text tests write, and their forms as arXiv serves them: HTML made by
LaTeXML itself (Debian's `latexml`), the TeX source as a gzipped tar and as a single gzipped
file, and a PDF typeset by pdflatex. Plus the broken cases: a stub page for a paper without
HTML, a page LaTeXML stopped on with a fatal error, an encrypted PDF, a scanned PDF (no text
layer) and a PDF over the size cap."""

from __future__ import annotations

import gzip
import io
import random
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

TOPICS = (
    "sparse routing",
    "retrieval augmentation",
    "graph diffusion",
    "reward modelling",
    "speculative decoding",
)
WORDS = (
    "the model attends to long contexts while keeping memory bounded and the router selects "
    "experts per token so that compute grows slowly with length and quality stays high on "
    "every benchmark we consider including held out tasks and noisy inputs"
).split()
#: Text that only the bibliography holds: it must never reach a document.
BIB_MARK = "Quuxberg"


@dataclass(frozen=True)
class TexPaper:
    paper_id: str
    title: str
    tex: str
    #: (number, title) of every section, as LaTeX numbers them
    sections: tuple[tuple[str, str], ...]
    #: the cells of each table, by number
    tables: dict[str, list[list[str]]]
    #: sentences the paper holds word for word (for quotes)
    sentences: tuple[str, ...]


def _prose(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        words = rng.sample(WORDS, 12)
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def make_paper(index: int, *, paragraphs: int = 5) -> TexPaper:
    """A paper of realistic shape: sections and subsections, three tables, figures, equations,
    lists, an appendix and a bibliography; `paragraphs` per subsection sets its length."""
    rng = random.Random(index)
    topic = TOPICS[index % len(TOPICS)]
    name = f"Model{chr(65 + index)}"
    title = f"{name}: {topic.title()} for Long-Context Language Models"
    acc = [round(60 + rng.random() * 20, 1) for _ in range(6)]
    f1 = [round(50 + rng.random() * 20, 1) for _ in range(6)]
    steps, batch = 10000 + 1000 * index, 128 * (1 + index % 3)
    result_sentence = (
        f"{name} reaches an accuracy of {max(acc)} on LongBench, against {min(acc)} for the "
        "strongest baseline."
    )
    setup_sentence = f"We train for {steps:,} steps with a batch size of {batch}."
    limit_sentence = "Our evaluation covers English text only and two model sizes."
    sections = [
        ("1", "Introduction"),
        ("2", "Related Work"),
        ("3", "Method"),
        ("3.1", "Routing"),
        ("3.2", "Training Objective"),
        ("4", "Experimental Setup"),
        ("5", "Results"),
        ("5.1", "Main Results"),
        ("5.2", "Ablations"),
        ("6", "Limitations"),
        ("7", "Conclusion"),
        ("A", "Additional Results"),
    ]
    tables = {
        "1": [["Model", "Acc", "F1"]]
        + [[f"Baseline {k}", f"{acc[k]}", f"{f1[k]}"] for k in range(5)]
        + [[name, f"{max(acc)}", f"{max(f1)}"]],
        "2": [["Variant", "Acc"], ["w/o router", f"{acc[1]}"], ["w/o loss", f"{acc[2]}"]],
        "3": [["Size", "Steps", "Batch"], ["small", f"{steps}", f"{batch}"]],
    }

    def tabular(number: str, caption: str, label: str) -> str:
        rows = tables[number]
        spec = "l" + "c" * (len(rows[0]) - 1)
        body = "\n".join(
            " & ".join(r"\textbf{" + c + "}" if i == 0 and k == 0 else c for k, c in enumerate(row))
            + r" \\"
            + (r" \hline" if i == 0 else "")
            for i, row in enumerate(rows)
        )
        return (
            "\\begin{table}[h]\n\\centering\n"
            f"\\caption{{{caption}}}\n\\label{{{label}}}\n"
            f"\\begin{{tabular}}{{{spec}}}\n\\hline\n{body}\n\\hline\n\\end{{tabular}}\n"
            "\\end{table}\n"
        )

    def paras(k: int = paragraphs) -> str:
        return "\n\n".join(_prose(rng, 5) for _ in range(k))

    tex = rf"""\documentclass{{article}}
\usepackage{{amsmath}}
\usepackage{{graphicx}}
\title{{{title}}}
\author{{First Author \and Second Author}}
\begin{{document}}
\maketitle
\begin{{abstract}}
Long contexts are costly. We propose {name}, a method for {topic}. {result_sentence}
\end{{abstract}}
\section{{Introduction}}
\label{{sec:intro}}
{paras()}

Our contributions are as follows. We introduce {name} for {topic}, and we evaluate it on
LongBench with the setup of Section~\ref{{sec:setup}}.
\begin{{itemize}}
\item A router that keeps memory bounded.
\item An objective that balances experts.
\end{{itemize}}
\section{{Related Work}}
{paras(2)} Prior work \cite{{quux2020}} studied routing.
\section{{Method}}
\label{{sec:method}}
{paras(2)}
\subsection{{Routing}}
Each token $x_t$ is routed by $r(x_t) = \mathrm{{softmax}}(W x_t)$.
\begin{{equation}}
\mathcal{{L}} = \sum_{{t}} \ell(x_t) + \lambda \lVert W \rVert_2^2
\label{{eq:loss}}
\end{{equation}}
{paras()}
\subsection{{Training Objective}}
We minimise Equation~\eqref{{eq:loss}} with AdamW. {paras()}
\section{{Experimental Setup}}
\label{{sec:setup}}
{setup_sentence} {paras(3)}
{tabular("3", "Training settings.", "tab:settings").replace("table}[h]", "table}[h]")}
\section{{Results}}
\subsection{{Main Results}}
{result_sentence} Table~\ref{{tab:main}} lists every model.
{tabular("1", "Main results on LongBench (accuracy and F1).", "tab:main")}
\begin{{figure}}[h]
\centering
\caption{{Accuracy as the context grows.}}
\label{{fig:curve}}
\end{{figure}}
{paras()}
\subsection{{Ablations}}
Removing the router costs accuracy (Table~\ref{{tab:ablation}}).
{tabular("2", f"Ablations of {name}.", "tab:ablation")}
{paras(2)}
\section{{Limitations}}
{limit_sentence} {paras(2)}
\section{{Conclusion}}
{name} makes long contexts cheaper. {paras(1)}
\appendix
\section{{Additional Results}}
{paras(2)}
\begin{{thebibliography}}{{9}}
\bibitem{{quux2020}} A. {BIB_MARK}. Routing tokens in the {BIB_MARK} style. 2020.
\end{{thebibliography}}
\end{{document}}
"""
    # the tables are numbered in the order they appear: settings first
    order = {"3": "1", "1": "2", "2": "3"}
    renumbered = {order[k]: v for k, v in tables.items()}
    return TexPaper(
        paper_id=f"2601.{20000 + index:05d}",
        title=title,
        tex=tex,
        sections=tuple(sections),
        tables=renumbered,
        sentences=(result_sentence, setup_sentence, limit_sentence),
    )


@dataclass(frozen=True)
class Built:
    paper: TexPaper
    html: bytes
    tar_gz: bytes
    tex_gz: bytes
    pdf: bytes


def require(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise RuntimeError(
            f"the full-text tests need {tool}: apt-get install latexml (scripts/test.sh does)"
        )
    return found


def build(paper: TexPaper, work: Path) -> Built:
    """The paper through LaTeXML and pdflatex, as arXiv would serve it."""
    folder = work / paper.paper_id
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "main.tex"
    source.write_text(paper.tex, encoding="utf-8")
    subprocess.run(
        [
            require("latexmlc"),
            "--quiet",
            "--quiet",
            "--dest=main.html",
            "--format=html5",
            "--nodefaultresources",
            "--timeout=120",
            "main.tex",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    for _ in range(2):  # twice, for the references
        subprocess.run(
            [require("pdflatex"), "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w:gz") as archive:
        archive.add(source, arcname="main.tex")
        extra = folder / "figure.txt"  # a member that is not TeX
        extra.write_text("not a figure", encoding="utf-8")
        archive.add(extra, arcname="figs/figure.txt")
    return Built(
        paper,
        (folder / "main.html").read_bytes(),
        tar.getvalue(),
        gzip.compress(paper.tex.encode("utf-8")),
        (folder / "main.pdf").read_bytes(),
    )


#: arXiv's page for a paper without HTML
STUB_PAGE = (
    b"<!DOCTYPE html><html><head><title>No HTML for 2601.29999</title></head><body>"
    b"<h1>HTML is not available for the source.</h1><p>This could be due to the source files "
    b"not being HTML, LaTeX, or a conversion failure.</p></body></html>"
)


def fatal_page(html: bytes) -> bytes:
    """A LaTeXML page under arXiv's banner for a conversion that stopped with a fatal error."""
    banner = (
        b'<div class="package-alerts ltx_document" role="status"><p>Conversion to HTML had a '
        b"Fatal error and exited abruptly. This document may be truncated or damaged.</p></div>"
    )
    return html.replace(b"<body>", b"<body>" + banner, 1)


def encrypted_pdf(pdf: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf(pages: int = 3) -> bytes:
    """Pages with no text layer (as a scanner makes them: images only; here, blank)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def huge_pdf(pdf: bytes, size: int) -> bytes:
    """A real PDF padded past `size` bytes (a comment after %%EOF, as scanners' files bloat)."""
    return pdf + b"\n%" + b"x" * size
