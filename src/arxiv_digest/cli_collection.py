"""The commands about the stored collection rather than the day's run: the configuration,
importing digests, stars and hides, search, failures and statistics, and batch files. Each is a
plain Click command; `cli.py` adds them to the group."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from arxiv_digest import collection, pipeline
from arxiv_digest.cli_options import (
    AppContext,
    batch_days,
    date_option,
    echo_lines,
    flag,
    path_option,
    progress_bar,
)
from arxiv_digest.config import CONFIG_FILE, load_config
from arxiv_digest.config_text import render_config, write_starter
from arxiv_digest.errors import ImportFormatError
from arxiv_digest.files import write_atomic

# -- config ----------------------------------------------------------------------------------


@click.group(name="config")
def config_group() -> None:
    """Show the effective configuration and where it comes from."""


@click.command(name="init")
@path_option("--path", default=Path(CONFIG_FILE), show_default=True, help="Where to write it.")
@flag("--force", "Replace an existing file.")
def init_cmd(path: Path, force: bool) -> None:
    """Write a commented configuration to start from, and say what to run next."""
    click.echo(f"wrote {write_starter(path, force=force)}: set your categories and summarizer")
    click.echo(f"next: arxiv-digest --config {path} run   (or `demo` to see it offline first)")


@config_group.command(name="show")
@click.pass_obj
def config_show(app: AppContext) -> None:
    """Print the effective configuration as TOML, secrets masked."""
    config, source = load_config(app.config_path)
    click.echo(f"# config file: {source if source else 'none (defaults)'}")
    click.echo(render_config(config), nl=False)


@config_group.command(name="path")
@click.pass_obj
def config_path(app: AppContext) -> None:
    """Print the config file and the store in use."""
    config, source = load_config(app.config_path)
    click.echo(f"config: {source if source else 'none (defaults)'}")
    click.echo(f"store: {pipeline.store_path(config, app.db_path)}")


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@date_option("The day these digests are for (default: the YYYY-MM-DD in each file name).")
@click.pass_obj
def import_cmd(app: AppContext, files: tuple[Path, ...], day: str | None) -> None:
    """Import digests: reference Markdown, reference JSONL, or daily-arXiv-ai-enhanced JSONL.

    FILES may be files or folders (daily-arXiv-ai-enhanced's data/ folder as it is: summarized
    days in both schemas, and raw days, whose papers wait for the next summarize). Each file is
    checked completely before anything of it is written; a bad file is reported with its line
    and the others are imported, and the command then exits 4. Importing again changes nothing.
    """
    config = app.config()
    with app.open_store(config) as store:
        report = collection.import_files(
            store, files, day, language=config.language, on_line=click.echo
        )
    if len(report.bad) == 1:
        raise ImportFormatError(report.bad[0])
    if report.bad:
        raise ImportFormatError(
            f"{len(report.bad)} of {report.files} files were not imported (the first: "
            f"{report.bad[0]})"
        )


def _feedback(app: AppContext, paper_ids: tuple[str, ...], kind: str | None) -> None:
    with app.open_store(app.config()) as store:
        echo_lines(collection.set_feedback(store, paper_ids, kind))


@click.command(name="star")
@click.argument("paper_ids", nargs=-1)
@click.option("--undo", is_flag=True, help="Remove the star.")
@path_option(
    "--import",
    "import_file",
    help="Star the papers a file names: the site's starred export (JSON), BibTeX, or ids.",
)
@click.pass_obj
def star_cmd(
    app: AppContext, paper_ids: tuple[str, ...], undo: bool, import_file: Path | None
) -> None:
    """Star papers: papers like them rank higher. The site's stars come in with
    `star --import starred.json` (or the BibTeX export)."""
    if import_file is not None:
        if paper_ids or undo:
            raise click.UsageError("--import takes no paper ids and no --undo")
        with app.open_store(app.config()) as store:
            echo_lines(collection.import_stars(store, import_file))
        return
    if not paper_ids:
        raise click.UsageError("name the papers to star, or --import FILE")
    _feedback(app, paper_ids, None if undo else "star")


@click.command(name="hide")
@click.argument("paper_ids", nargs=-1, required=True)
@click.option("--undo", is_flag=True, help="Un-hide.")
@click.pass_obj
def hide_cmd(app: AppContext, paper_ids: tuple[str, ...], undo: bool) -> None:
    """Hide papers: papers like them rank lower."""
    _feedback(app, paper_ids, None if undo else "hide")


@click.group(name="batch")
def batch_group() -> None:
    """Summaries through batch engines: export the requests, import the answers.

    \b
    arxiv-digest batch export --date D -o requests.jsonl
    vllm run-batch -i requests.jsonl -o results.jsonl --model M   (on a GPU node)
    arxiv-digest batch import results.jsonl
    """


@batch_group.command(name="export")
@date_option("The stored day (default: the latest).")
@date_option("First day of a range (with --to).", "--from", "start")
@date_option("Last day of the range.", "--to", "end")
@click.option("--model", help="The model the engine serves (default: summarizer.model).")
@path_option("-o", "--output", required=True, help="The requests file ('-': standard output).")
@flag(
    "--deep-reads",
    "The deep reads of the days' top and starred papers ([fulltext] top) instead of summaries "
    "(their full text is fetched now, once).",
)
@click.pass_obj
def batch_export_cmd(
    app: AppContext,
    /,
    day: str | None,
    start: str | None,
    end: str | None,
    model: str | None,
    output: Path,
    deep_reads: bool,
) -> None:
    """Write the OpenAI Batch API requests (JSONL) for every paper without a summary: the very
    request the live openai backend would send, one line a paper."""
    from arxiv_digest.files import open_atomic
    from arxiv_digest.summarize.batch import export_requests

    config = app.config()
    with app.open_store(config) as store:
        days = batch_days(store, day, start, end)
        if deep_reads:
            from arxiv_digest.fetch.run import arxiv_client
            from arxiv_digest.fulltext.batch import export_deep_reads

            with arxiv_client(config) as client:
                if str(output) == "-":
                    export_deep_reads(store, config, client, days, sys.stdout, model=model)
                    return
                with open_atomic(output) as handle:
                    deep = export_deep_reads(store, config, client, days, handle, model=model)
            echo_lines([*deep.describe(), f"wrote {output}"])
            return
        if str(output) == "-":
            export_requests(store, config, days, sys.stdout, model=model)
            return
        with open_atomic(output) as handle:  # streamed: a year of papers is not held whole
            report = export_requests(store, config, days, handle, model=model)
    echo_lines([*report.describe(), f"wrote {output}"])


@batch_group.command(name="run")
@date_option("The stored day (default: the latest).")
@flag("--no-wait", "Submit the batch and exit; a later run collects it.")
@flag("--repair-live", "Ask the lines that failed live, not in a follow-up batch.")
@click.pass_obj
def batch_run_cmd(app: AppContext, /, day: str | None, no_wait: bool, repair_live: bool) -> None:
    """Summarize a day through the provider's Batch API (summarizer.base_url, model and key):
    upload, record, poll, import; a killed run resumes the batch it submitted. The same as
    `summarize --backend batch`."""
    from arxiv_digest.aio import run_sync
    from arxiv_digest.summarize.batch_api import run_batch_day
    from arxiv_digest.summarize.report import SummarizeOptions

    config = app.config()
    with app.open_store(config) as store:
        date = day or store.digests.latest()
        batch = run_batch_day(
            store,
            config,
            date,
            SummarizeOptions(progress=progress_bar),
            wait=False if no_wait else None,
            repair_live=True if repair_live else None,
        )
        report = run_sync(batch)
    echo_lines(report.lines())
    if report.summary.stopped is not None:
        raise report.summary.stopped


@batch_group.command(name="import")
@click.argument("results", type=click.Path(path_type=Path))
@date_option("Only this stored day.")
@date_option("First day of a range (with --to).", "--from", "start")
@date_option("Last day of the range.", "--to", "end")
@click.pass_obj
def batch_import_cmd(
    app: AppContext, /, results: Path, day: str | None, start: str | None, end: str | None
) -> None:
    """Read a batch output file (OpenAI Batch API or `vllm run-batch` format) and store its
    answers, validated and checked as live answers are."""
    from arxiv_digest.aio import run_sync
    from arxiv_digest.fulltext.batch import import_deep_reads
    from arxiv_digest.summarize.batch import import_results

    config = app.config()
    with app.open_store(config) as store:
        days = batch_days(store, day, start, end) if (day or start or end) else None
        report = run_sync(import_results(store, config, results, days))
        deep = import_deep_reads(store, config, [results])
    echo_lines(report.lines() + deep.lines())


# -- search and stats ------------------------------------------------------------------------


@click.command(name="search")
@click.argument("query")
@date_option("Only papers announced on or after this day.", "--since")
@click.option("--category", help="Only papers in this category.")
@click.option("--author", help="Only papers with an author matching this text.")
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(min=1, max=10_000),
    default=20,
    show_default=True,
    help="Results.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "atom"]),
    default="text",
    show_default=True,
    help="atom: the matches as an Atom feed, to follow a topic across days.",
)
@path_option("-o", "--output", help="Write there instead of standard output.")
@click.pass_obj
def search_cmd(
    app: AppContext, /, query: str, fmt: str, output: Path | None, **filters: Any
) -> None:
    """Search every stored paper and summary (title, authors, abstract, summary).

    \b
    Words must all match; "quoted phrases" match in order; a trailing * matches a prefix
    (diffus*); OR between words matches either. Chinese words match where their characters
    stand together (强化学习). Best matches first, with a snippet.
    """
    config = app.config()
    with app.open_store(config) as store:
        report = collection.search(store, query, **filters)
    if fmt == "text" and output is None:
        echo_lines(report.lines())
        return
    from arxiv_digest.render.feeds import render_search_atom

    text = (
        render_search_atom(query, report.hits, filters=filters, site_url=config.site_url)
        if fmt == "atom"
        else "\n".join(report.lines()) + "\n"
    )
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"{len(report.hits)} results written to {output}")


@click.command(name="related")
@click.argument("paper")
@click.option(
    "-n", "--limit", type=click.IntRange(min=1, max=10_000), default=10, show_default=True
)
@click.pass_obj
def related_cmd(app: AppContext, paper: str, limit: int) -> None:
    """The stored papers most like PAPER (an arXiv id): "more like this", from the words that
    set its title and abstract apart. The site lists the best three under each paper."""
    with app.open_store(app.config()) as store:
        echo_lines(collection.related(store, paper, limit=limit).lines())


@click.command(name="failures")
@date_option("The stored day (default: the latest).")
@click.pass_obj
def failures_cmd(app: AppContext, day: str | None) -> None:
    """List a day's papers without a summary: cause, attempts, and when or how they are retried."""
    with app.open_store(app.config()) as store:
        echo_lines(collection.failures(store, day))


@click.command(name="stats")
@click.pass_obj
def stats_cmd(app: AppContext) -> None:
    """Papers per day and category, failed summaries, tokens and cost per day."""
    with app.open_store(app.config()) as store:
        echo_lines(collection.stats(store).lines())
