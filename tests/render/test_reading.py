"""What the site pulls out of arXiv's text: code links, the comment's venue and counts, short
author lists, LaTeX as safe MathML, the day's topics, and warnings in the reader's language."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET

import pytest

from arxiv_digest.check import check_summary
from arxiv_digest.models import DigestEntry, Summary, SummaryFields
from arxiv_digest.render.glance import topics
from arxiv_digest.render.i18n import READER_KINDS, failure_banner, reader_warning
from arxiv_digest.render.reading import (
    code_links,
    comment_facts,
    math_segments,
    short_authors,
    with_math,
)
from arxiv_digest.store import Store
from tests.helpers import ARXIV_DIR, REFERENCE_DIR, import_references, make_paper


def reference_rows() -> list[dict[str, object]]:
    rows = []
    for path in sorted(REFERENCE_DIR.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return rows


# -- code links -------------------------------------------------------------------------------


def test_code_links_from_real_abstracts() -> None:
    found = {str(r["id"]): code_links(str(r["abstract"])) for r in reference_rows()}
    with_github = [r for r in reference_rows() if "github.com/" in str(r["abstract"])]
    assert len(with_github) >= 10
    for row in with_github:
        links = found[str(row["id"])]
        assert any(link.kind == "GitHub" for link in links), row["id"]
        for link in links:
            assert link.url in str(row["abstract"]) or link.url.removeprefix("https://") in str(
                row["abstract"]
            )
            assert not link.url.endswith((".", ",", ")"))
    # a project page that is not a code host
    assert code_links("videos: https://hybriddiffusion.github.io/") == [
        type(found[str(with_github[0]["id"])][0])("project", "https://hybriddiffusion.github.io/")
    ]


def test_code_links_order_dedupe_and_refusals() -> None:
    links = code_links(
        "Project page (https://site.example.org/p). Code: github.com/a/b.git and "
        "https://www.github.com/a/b/. Weights at https://huggingface.co/org/model.",
        "See https://arxiv.org/abs/2501.00001, https://github.com, javascript:alert(1), "
        "https://user:pw@evil.example/x and https://doi.org/10.1/x",
    )
    assert [(k.kind, k.url) for k in links] == [
        ("GitHub", "https://github.com/a/b.git"),
        ("Hugging Face", "https://huggingface.co/org/model"),
        ("project", "https://site.example.org/p"),
    ]


# -- the comment --------------------------------------------------------------------------------


def real_comments() -> list[str]:
    comments = []
    for path in ARXIV_DIR.glob("*.xml"):
        comments += re.findall(r"<arxiv:comment[^>]*>([^<]*)<", path.read_text("utf-8"))
    return comments


@pytest.mark.parametrize(
    ("comment", "venue", "pages", "figures"),
    [
        (
            "62 pages including 16 figures and 9 tables. Submitted to Acta Astronomica.",
            None,
            62,
            16,
        ),
        (
            "Accepted by the ACM SIGSOFT International Symposium on Software Testing and "
            "Analysis (ISSTA 2020)",
            "ISSTA 2020",
            None,
            None,
        ),
        (
            "13 pages, 6 figures, In Proceedings of the 31st ACM SIGSOFT International Symposium "
            "on Software Testing and Analysis (ISSTA) 2022",
            "ISSTA 2022",
            13,
            6,
        ),
        (
            "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022",
            "ICST 2022 workshop",  # a workshop stays a workshop
            None,
            None,
        ),
        ("GUI Testing, Test case generation", None, None, None),
        ("This work is relevant for COVID-19 testing", None, None, None),
        ("Accepted to NeurIPS 2025 (Spotlight). 9 pages", "NeurIPS 2025", 9, None),
        (
            "Accepted at the Workshop on Foundation Models at ICML 2025",
            "Workshop on Foundation Models at ICML 2025",
            None,
            None,
        ),
    ],
)
def test_comment_facts(
    comment: str, venue: str | None, pages: int | None, figures: int | None
) -> None:
    assert any(comment in real for real in real_comments()) or "2025" in comment
    facts = comment_facts(comment)
    assert (facts.venue, facts.pages, facts.figures) == (venue, pages, figures)


def test_comment_facts_never_invent_on_real_comments() -> None:
    """Every venue read from the recorded comments is words the comment holds."""
    read = [(c, comment_facts(c)) for c in real_comments()]
    venues = [(c, f.venue) for c, f in read if f.venue]
    assert len(venues) >= 5
    for comment, venue in venues:
        assert venue is not None
        assert all(part in comment for part in venue.rstrip("…").split()), (comment, venue)


def test_journal_ref_is_the_venue_when_the_comment_names_none() -> None:
    assert comment_facts("12 pages", "Phys. Rev. D 110, 012345 (2024)").venue is not None


# -- authors ------------------------------------------------------------------------------------


def test_long_author_lists_are_shortened() -> None:
    names = tuple(f"Author {i}" for i in range(359))
    first, rest, more = short_authors(names)
    assert first == "Author 0, Author 1, Author 2, Author 3" and more == 355
    assert rest.split(", ") == list(names[4:])
    assert short_authors(names[:5]) == (", ".join(names[:5]), "", 0)  # "+1" saves nothing


# -- LaTeX --------------------------------------------------------------------------------------


def test_real_latex_becomes_mathml() -> None:
    texts = [str(r[k]) for r in reference_rows() for k in ("abstract", "title")]
    with_dollars = [t for t in texts if re.search(r"\$[^$]+\$", t)]
    assert len(with_dollars) >= 5
    rendered = [str(with_math(t)) for t in with_dollars]
    assert sum("<math" in r for r in rendered) >= 5
    for html in rendered:
        if "<math" in html:
            ET.fromstring(f"<div>{html}</div>")  # well-formed
    assert "<mo>×</mo>" in str(with_math(r"$1.6\times$ faster"))


@pytest.mark.parametrize(
    "tex",
    [
        r"$\text{<script>alert(1)</script>}$",
        r"$\href{javascript:alert(1)}{x}$",
        r'$\color{red" onmouseover="alert(1)}{x}$',
        r"$\mathrm{</math><img src=x onerror=alert(1)>}$",
    ],
)
def test_math_lets_no_markup_through(tex: str) -> None:
    html = str(with_math(f"before {tex} after"))
    assert "<script" not in html and "<img" not in html
    tree = ET.fromstring(f"<div>{html}</div>")
    for element in tree.iter():
        # what the TeX said may only live, escaped, in the alttext that screen readers read
        assert set(element.attrib) <= {"alttext", "display", "mathvariant", "stretchy"}
    assert {e.tag for e in tree.iter()} <= {
        "div",
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "mtext",
        "mstyle",
        "mspace",
    }


def test_dollars_that_are_prices_stay_text() -> None:
    assert str(with_math("from $5 and $10 to $20")) == "from $5 and $10 to $20"
    assert math_segments("no math") == ["no math"]
    assert str(with_math("<b>x</b> $x^2$")).startswith("&lt;b&gt;x&lt;/b&gt; <math")


# -- topics -------------------------------------------------------------------------------------


def test_topics_of_a_real_day(store: Store) -> None:
    days = import_references(store)
    digest = store.digests.load(days[1])
    assert digest is not None
    found = topics(e.paper for e in digest.entries)
    assert 4 <= len(found) <= 8
    counts = dict(found)
    titles = [e.paper.title.lower() for e in digest.entries]
    for topic, n in found:
        assert n >= 2
        # the count is the number of titles that say it (singular or plural)
        stem = topic.lower().rstrip("s")
        assert sum(stem in t for t in titles) >= n, topic
    assert not {"learning", "model", "models", "towards", "via"} & {t.lower() for t in counts}


# -- warnings in the reader's language ---------------------------------------------------------


def planted_warnings() -> list[str]:
    paper = make_paper(abstract="We train ThingNet on 12 tasks. It improves accuracy by 3.4%.")
    bad = SummaryFields(
        "ThingNet提升准确率7.9%。",
        "现有方法成本高。",
        "提出ThingNet。This sentence was left in English by the model for no reason.",
        "准确率提升7.9%，准确率提升7.9%。",
        "准确率提升7.9%，准确率提升7.9%。",
    )
    return check_summary(bad, paper, "Chinese", "openai")


def test_warnings_are_sentences_in_the_readers_language() -> None:
    warnings = planted_warnings()
    kinds = {w.split(":", 1)[0] for w in warnings}
    assert {"number", "english", "repeat"} <= kinds
    for warning in warnings:
        kind = warning.split(":", 1)[0]
        zh, en = reader_warning(warning, "zh"), reader_warning(warning, "en")
        if kind not in READER_KINDS:
            assert zh is None and en is None
            continue
        assert zh is not None and en is not None
        assert not zh.startswith(kind) and f"{kind}:" not in zh and f"{kind}:" not in en
        assert re.search(r"[\u4e00-\u9fff]", zh)
    number = next(w for w in warnings if w.startswith("number:"))
    assert reader_warning(number, "zh") == "要点：数字 7.9% 在标题和摘要中找不到"
    assert reader_warning(number, "en") == "TL;DR: 7.9% does not appear in the title or abstract"
    assert reader_warning("not a warning at all", "zh") is None
    assert reader_warning("tldr-length: tldr: 300 characters (limit 250): “…”", "zh") is None


def test_one_banner_with_count_and_cause(store: Store) -> None:
    days = import_references(store)
    failed_day = store.digests.load(days[2])
    assert failed_day is not None
    banner = failure_banner(failed_day.entries, "zh")
    assert banner is not None and banner.missing == banner.total == len(failed_day.entries)
    assert banner.cause == "导入的摘要文件里只有占位文字"  # the tool's own cause, in Chinese
    english = failure_banner(failed_day.entries, "en")
    assert english is not None and english.cause == "the imported digest shows placeholders"
    good = store.digests.load(days[0])
    assert good is not None and failure_banner(good.entries, "zh") is None


def test_banner_says_what_the_next_run_does() -> None:
    paper = make_paper()
    retry = Summary(paper.id, 1, "openai", "m", "Chinese", "p3", "failed", None, error="HTTP 503")
    retry = dataclasses.replace(retry, transient=True)
    entries = [
        DigestEntry(1, "cs.LG", paper, None),
        DigestEntry(2, "cs.LG", make_paper("2501.00002"), retry),
    ]
    banner = failure_banner(entries, "en")
    assert banner is not None and banner.missing == 2 and banner.cause == "HTTP 503"
    assert "1 not written yet" in banner.parts


RAW_TEX = [
    "We propose \\textbf{LUVE}, a \\emph{lightweight} \\textit{video} encoder \\underline{for} "
    "\\textsc{all}; \\modelname{} and \\methodname run at $\\sim$$1.50 per hour.",
    "\\texttt{ftrace}'s \\texttt{function\\_graph} tracer",
    "IfYouCan: Bringing Open Set metrics to $\\textit{near} $, $ \\textit{far} $ and beyond",
    "The agent is not the data ($A\\not\\equiv\ns$); a cost of \\$500 vs. \\$100,000.",
    "We define $$angle_H(u,v):= \\min_{c \\in F_q^n} d_H(u, cv)$$ on pairs of vectors.",
    # nested macros, from the shared days
    "challenges posed by audio natures, \\emph{\\ie}, (1) feature confusion",
    "\\keywords{Continual Learning \\and Audio-Visual Segmentation \\and Multi-Modal Learning}",
]


@pytest.mark.parametrize("text", RAW_TEX)
def test_no_raw_tex_reaches_a_reader(text: str) -> None:
    shown = "".join(part for part in math_segments(text) if isinstance(part, str))
    assert not re.search(r"\\[A-Za-z]+", shown), shown  # no \command outside MathML
    assert not re.search(r"\$(?!\d)", shown), shown  # no TeX dollar left (currency stays)


def test_a_code_link_comes_from_the_href_url_not_its_text() -> None:
    links = code_links("Code: \\href{https://luve.github.io/site}{https://github.io/LUVE/}.")
    assert [link.url for link in links] == ["https://luve.github.io/site"]


@pytest.mark.parametrize(
    ("text", "math"),
    [
        ("遗憾上界为O(1+V_T+H_{2,T})，优于以往方法。", ["O(1+V_T+H_{2,T})"]),
        ("差异显著（p<10^{-15}）。", ["p<10^{-15}"]),
        ("where \\(S_n=X_1+\\cdots+X_n\\) is a sum", ["S_n=X_1+\\cdots+X_n"]),
        ("复杂度从O(N^2)降到线性", ["O(N^2)"]),
        # identifiers, model names and links are not math
        ("the function_graph tracer and snake_case names", []),
        ("Qwen2.5_7B 与 Llama-3_8B 对比", []),
        ("代码见 https://github.com/a_b/c_d 和 www.github.com/x_y/z", []),
    ],
)
def test_tex_outside_dollars_is_math_and_names_stay_text(text: str, math: list[str]) -> None:
    """TeX-looking runs an LLM wrote without dollars render as MathML (from the real days)."""
    parts = math_segments(text)
    assert [p[1]["alttext"] for p in parts if isinstance(p, list)] == math
    shown = "".join(p for p in parts if isinstance(p, str))
    assert not re.search(r"[A-Za-z0-9)}][_^][{A-Za-z0-9]", shown) or not math, shown
