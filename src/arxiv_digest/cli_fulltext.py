"""The commands that read a whole paper: `read` (its deep read) and `ask` (a question answered
with quotes from it). Plain Click commands; `cli.py` adds them to the group."""

from __future__ import annotations

from typing import Any

import click

from arxiv_digest import pipeline
from arxiv_digest.cli_options import AppContext, date_option, echo_lines
from arxiv_digest.errors import NotFoundError, SummarizeError, UnsupportedAnswer
from arxiv_digest.fulltext.records import PART_LABELS, PARTS, Answer, DeepRead
from arxiv_digest.summarize.report import Budget


def backend_flags(fn: Any) -> Any:
    """The backend settings `read` and `ask` share with `summarize`."""
    for option in reversed(
        [
            click.option("--backend", help="Backend: openai (default from the config), local, …"),
            click.option("--model", help="Model name."),
            click.option("--base-url", help="OpenAI-compatible endpoint URL."),
            click.option("--language", help="Language of the answer (default: Chinese)."),
        ]
    ):
        fn = option(fn)
    return fn


def _flags(kw: dict[str, Any]) -> dict[str, Any]:
    return {
        "summarizer.backend": kw["backend"],
        "summarizer.model": kw["model"],
        "summarizer.base_url": kw["base_url"],
        "language": kw["language"],
    }


def deep_read_lines(read: DeepRead) -> list[str]:
    lines: list[str] = []
    for part in (*PARTS, "faq"):
        items = read.parts.get(part) or []
        if not items:
            continue
        lines.append(f"{PART_LABELS[part]}:")
        for s in items:
            where = f" ({', '.join(s.where)})" if s.where else ""
            if s.question:
                lines.append(f"  Q: {s.question}")
                lines.append(f"     {s.text}{where}")
            else:
                lines.append(f"  - {s.text}{where}")
            lines += [f"    ! {w}" for w in s.warnings]
    return lines


@click.command(name="read")
@click.argument("paper_id", required=False)
@date_option("Without PAPER_ID: the stored day whose top papers to read (default: the latest).")
@click.option(
    "--top",
    type=click.IntRange(0, 100),
    help="Without PAPER_ID: read the day's top N papers (default: [fulltext] top).",
)
@click.option(
    "--max-cost", type=float, help="Without PAPER_ID: start no deep read past this many US dollars."
)
@click.option(
    "--max-minutes",
    type=float,
    help="Without PAPER_ID: start no deep read after this many minutes.",
)
@backend_flags
@click.pass_obj
def read_cmd(
    app: AppContext,
    /,
    paper_id: str | None,
    day: str | None,
    top: int | None,
    max_cost: float | None,
    max_minutes: float | None,
    **kw: Any,
) -> None:
    """Fetch a paper's full text (any arXiv id) and write its deep read; without an id, the
    deep reads of a day's top papers and starred papers.

    The full text comes from arXiv's HTML, else the TeX source, else the PDF. The deep read
    gives key results, setup, method details, limitations and a short FAQ, each naming the
    section or table it comes from; numbers and places are checked against the paper, and a
    statement that fails a check is marked with "!".
    """
    config = app.config(**_flags(kw), **{"fulltext.top": top})
    with app.open_store(config) as store:
        if paper_id is None:
            budget = Budget(max_cost=max_cost, max_minutes=max_minutes)
            report = pipeline.deep_read_day(config, store, day, budget=budget)
            echo_lines(report.lines())
            if report.stopped is not None:
                raise report.stopped
            return
        outcome = pipeline.read(config, store, paper_id)
    click.echo(f"{outcome.paper.title}")
    click.echo(outcome.line())
    read = outcome.deep_read
    if read is not None and read.ok:
        echo_lines(deep_read_lines(read))
    elif outcome.fulltext.document is None:
        raise NotFoundError(f"{paper_id} has no full text ({outcome.fulltext.status})")
    elif read is not None:
        raise SummarizeError(f"the deep read of {paper_id} failed: {read.error}")


def answer_lines(answer: Answer) -> list[str]:
    marks = {
        "supported": "supported: every quote is in the paper",
        "unsupported": "UNSUPPORTED: do not rely on this answer",
        "not_said": "the paper does not say",
        "failed": "no answer",
    }
    lines = [answer.text, f"[{marks[answer.status]}]"]
    for quote in answer.quotes:
        where = quote.where if quote.found else "NOT IN THE PAPER"
        lines.append(f"  > “{quote.text}” ({where})")
    lines += [f"  ! {p}" for p in answer.problems]
    return lines


@click.command(name="ask")
@click.argument("paper_id")
@click.argument("question")
@backend_flags
@click.pass_obj
def ask_cmd(app: AppContext, /, paper_id: str, question: str, **kw: Any) -> None:
    """Answer a question about a paper from its full text, with quoted passages.

    Each quote is looked up word for word in the paper: an answer whose quotes are not there
    is marked UNSUPPORTED (exit 8). "The paper does not say" is a valid answer. Answers are
    kept, by paper version, question and model.
    """
    config = app.config(**_flags(kw))
    with app.open_store(config) as store:
        answer = pipeline.ask(config, store, paper_id, question)
    echo_lines(answer_lines(answer))
    if answer.status == "unsupported":
        raise UnsupportedAnswer("the answer is not supported by the paper's text; see above")
