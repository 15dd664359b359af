"""The command line: one command per pipeline stage, a thin shell over `arxiv_digest.pipeline`.

Commands read options, call the pipeline and print its reports; errors become one line and an
exit code (see `errors.py`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from arxiv_digest import __version__, collection, pipeline
from arxiv_digest.cli_options import (
    AppContext,
    DigestGroup,
    RegistryChoice,
    batch_days,
    budget_from,
    categories_flag,
    date_option,
    echo_lines,
    flag,
    format_names,
    path_option,
    progress_bar,
    summarizer_flags,
    summarizer_options,
)
from arxiv_digest.config import CONFIG_FILE, load_config, render_config, write_starter
from arxiv_digest.errors import ImportFormatError, SummarizeError
from arxiv_digest.files import write_atomic


@click.group(cls=DigestGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="arxiv-digest")
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="ARXIV_DIGEST_CONFIG",
    help="Config file (default: ./arxiv-digest.toml, then the user config directory).",
)
@click.option(
    "--db",
    "db_path",
    metavar="PATH",
    envvar="ARXIV_DIGEST_DB",
    help="SQLite store (default: arxiv-digest.db in the user data directory).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, db_path: str | None) -> None:
    """Daily arXiv digests: fetch, summarize, rank, render and deliver.

    \b
    Quick start (offline, no API key):
      arxiv-digest demo --out demo-out
    """
    ctx.obj = AppContext(config_path, db_path)


# -- config ----------------------------------------------------------------------------------


@cli.group(name="config")
def config_group() -> None:
    """Show the effective configuration and where it comes from."""


@cli.command(name="init")
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


@cli.command(name="import")
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


# -- summarize -------------------------------------------------------------------------------


@cli.command(name="summarize")
@date_option("The stored day to summarize (default: the latest).")
@flag("--retry-failed", "Also retry papers whose summary failed.")
@flag("--redo", "Write every summary again, even those already done in this setting.")
@summarizer_options
@click.pass_obj
def summarize_cmd(
    app: AppContext, /, day: str | None, retry_failed: bool, redo: bool, **kw: Any
) -> None:
    """Write the five-field summary of every paper of a day that has none yet.

    Finished summaries are saved one by one, so an interrupted run loses nothing and the next
    one does only what is missing. Ends with a report of tokens, cost and speed.
    """
    config = app.config(**summarizer_flags(kw))
    budget, bar = budget_from(kw), progress_bar
    with app.open_store(config) as store:
        report = pipeline.summarize(
            config, store, day, retry_failed=retry_failed, redo=redo, budget=budget, progress=bar
        )
    echo_lines(report.lines())
    failure = report.outcome()
    if failure is not None:  # its cause is the last line, and the exit code says so
        raise failure


# -- rank, feedback and checks -----------------------------------------------------------------


@cli.command(name="rank")
@date_option("The stored day to rank (default: the latest).")
@click.option(
    "--ask",
    type=click.IntRange(0, 100),
    default=0,
    help="Then show the N papers the ranker is least sure of, to star (s) or hide (h).",
)
@click.pass_obj
def rank_cmd(app: AppContext, day: str | None, ask: int) -> None:
    """Score a day's papers against your interest profile ([rank] in the config), with reasons.

    Keywords, followed authors, favoured categories, similarity to your library (BibTeX,
    CSL-JSON or arXiv ids) and your stars and hides add up to each paper's score. `order =
    "score"` sorts sections by it; `min_score` and `exclude` drop papers (and say how many).
    """
    config = app.config()
    with app.open_store(config) as store:
        report = pipeline.rank(config, store, day, ask=ask)
        off = "ranking is off: no [rank] profile in the config and no starred or hidden papers"
        echo_lines(report.lines() if report is not None else [off])
        if not ask or report is None:
            return
        if not report.uncertain:
            click.echo("nothing to ask: the SVM needs a library or a starred paper (method svm)")
            return
        click.echo(f"the {len(report.uncertain)} papers it is least sure of:")
        answered = 0
        for paper_id, title, decision in report.uncertain:
            click.echo(f"  {paper_id}  {title[:90]}  ({decision:+.2f})")
            try:
                answer = click.prompt(
                    "    star, hide or skip? [s/h/Enter]", default="", show_default=False
                )
            except click.Abort:  # no more input: keep what was answered
                break
            kind = {"s": "star", "h": "hide"}.get(answer.strip().lower()[:1])
            if kind is not None:
                echo_lines(
                    ["    " + line for line in collection.set_feedback(store, [paper_id], kind)]
                )
                answered += 1
        again = pipeline.rank(config, store, day) if answered else None
        if again is not None:
            click.echo(f"ranking again with {answered} new answers:")
            echo_lines(again.lines())


def _feedback(app: AppContext, paper_ids: tuple[str, ...], kind: str | None) -> None:
    with app.open_store(app.config()) as store:
        echo_lines(collection.set_feedback(store, paper_ids, kind))


@cli.command(name="star")
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


@cli.command(name="hide")
@click.argument("paper_ids", nargs=-1, required=True)
@click.option("--undo", is_flag=True, help="Un-hide.")
@click.pass_obj
def hide_cmd(app: AppContext, paper_ids: tuple[str, ...], undo: bool) -> None:
    """Hide papers: papers like them rank lower."""
    _feedback(app, paper_ids, None if undo else "hide")


@cli.command(name="check")
@date_option("The stored day to check (default: the latest).")
@click.option("--all", "all_days", is_flag=True, help="Check every stored day.")
@click.option(
    "--verify",
    is_flag=True,
    help="First ask the configured model whether each summary is supported by its abstract "
    "(one call a paper; verdicts are kept).",
)
@click.pass_obj
def check_cmd(app: AppContext, day: str | None, all_days: bool, verify: bool) -> None:
    """List the quality warnings of a day's summaries.

    Checks: numbers the title and abstract cannot account for, English copied from the
    abstract or left in a Chinese field, fields cut mid-phrase, placeholders and garbage, names
    from another paper, fields that repeat each other, the wrong language, a long TL;DR. With
    --verify the model also judges each field supported, unsupported or contradicted.
    """
    config = app.config()
    with app.open_store(config) as store:
        report = pipeline.check(
            store, day, all_days=all_days, verify_with=config if verify else None
        )
        echo_lines(report.lines())
        checked = report.verify
        if checked is not None and checked.stopped is not None:
            raise checked.stopped
        if checked is not None and checked.failed:
            causes = "; ".join(f"{n} × {cause}" for cause, n in checked.causes()[:3])
            raise SummarizeError(
                f"{len(checked.failed)} of {checked.asked} summaries asked about got no verdict "
                f"({causes}); the next check --verify asks about them again"
            )


# -- render and serve ------------------------------------------------------------------------


@cli.command(name="render")
@date_option("The stored day to render (default: the latest).")
@click.option(
    "--format",
    "fmt",
    type=RegistryChoice(format_names),
    default="markdown",
    show_default=True,
    help="Output format.",
)
@path_option(
    "-o", "--output", help="Output file, '-' for standard output (default: in OUTPUT_DIR)."
)
@path_option(
    "--out", "site_dir", help="Site directory for --format html (default: OUTPUT_DIR/site)."
)
@click.option(
    "--days",
    "feed_days",
    type=click.IntRange(1, 60),
    help="Days in the Atom feeds (default: feed_days in the config, 3).",
)
@flag("--force", "html: rebuild every page, not only changed days.")
@click.pass_obj
def render_cmd(app: AppContext, /, fmt: str, output: Path | None, **kw: Any) -> None:
    """Render stored digests: Markdown (the reference format), a static web site, an Atom
    feed, JSON, or daily-arXiv-ai-enhanced's JSONL.

    \b
    markdown  one day, byte-exact reference format      OUTPUT_DIR/DATE.md
    html      the whole site: index, a page per day,     OUTPUT_DIR/site/
              feed.xml and DATE.json; only changed days are rewritten
    atom      an Atom feed of the latest --days days     OUTPUT_DIR/feed.xml
    json      one day as JSON (schema in the README)     OUTPUT_DIR/DATE.json
    jsonl     one day as DATE_AI_enhanced_LANG.jsonl     OUTPUT_DIR/
    """
    config = app.config()
    with app.open_store(config) as store:
        rendered = pipeline.render(config, store, fmt, output=output, **kw)
    for note in rendered.notes:
        click.echo(note, err=True)
    if output is not None and str(output) == "-":
        click.echo(rendered.text, nl=False)
        return
    echo_lines(rendered.lines)


@cli.group(name="batch")
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
@click.pass_obj
def batch_export_cmd(
    app: AppContext,
    /,
    day: str | None,
    start: str | None,
    end: str | None,
    model: str | None,
    output: Path,
) -> None:
    """Write the OpenAI Batch API requests (JSONL) for every paper without a summary: the very
    request the live openai backend would send, one line a paper."""
    from arxiv_digest.files import open_atomic
    from arxiv_digest.summarize.batch import export_requests

    config = app.config()
    with app.open_store(config) as store:
        days = batch_days(store, day, start, end)
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

    config = app.config()
    with app.open_store(config) as store:
        date = day or store.digests.latest()
        batch = run_batch_day(
            store,
            config,
            date,
            wait=False if no_wait else None,
            repair_live=True if repair_live else None,
            progress=progress_bar,
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
    from arxiv_digest.summarize.batch import import_results

    config = app.config()
    with app.open_store(config) as store:
        days = batch_days(store, day, start, end) if (day or start or end) else None
        report = run_sync(import_results(store, config, results, days))
    echo_lines(report.lines())


@cli.command(name="serve")
@click.option("--port", type=int, default=8000, show_default=True, help="Port on localhost.")
@path_option("--dir", "site_dir", help="Site directory (default: OUTPUT_DIR/site).")
@click.pass_obj
def serve_cmd(app: AppContext, port: int, site_dir: Path | None) -> None:
    """Serve the built site on http://127.0.0.1:PORT for browsing (read-only, local only)."""
    from arxiv_digest.web import serve

    root = site_dir or app.config().output_dir / "site"
    serve(root, port, announce=lambda url: click.echo(f"serving {root} at {url} (Ctrl-C stops)"))
    click.echo("stopped")


# -- fetch and run ---------------------------------------------------------------------------


@cli.command(name="fetch")
@click.option("--categories", metavar="CAT,CAT", help="Categories (default from config).")
@date_option("The announcement day expected (default: today in US Eastern time).")
@date_option("Backfill past days from this date through OAI-PMH (with --to).", "--from", "start")
@date_option("Last day of the backfill.", "--to", "end")
@flag("--allow-partial", "Build the digest even if some papers could not be fetched.")
@click.pass_obj
def fetch_cmd(app: AppContext, /, categories: str | None, start: str | None, **kw: Any) -> None:
    """Fetch an announcement day: one RSS request, then the API in batches of 100.

    The day is the one the feed announces (its pubDate). An empty feed means arXiv announced
    nothing (weekends, holidays) and makes no digest. With --from/--to, past days are harvested
    through OAI-PMH and grouped by the date of each paper's first version, which approximates
    the day arXiv announced it.

    \b
    Exit codes: 0 done or no announcement, 10 arXiv unreachable or unusable answer,
    11 stale feed, 12 day incomplete (the missing papers are named).
    """
    config = app.config(categories=categories_flag(categories))
    end = kw.pop("end")
    if (start or end) and (not (start and end) or start > end):
        raise click.UsageError("--from and --to go together, --from first")
    with app.open_store(config) as store:
        if not (start and end):
            echo_lines(pipeline.fetch(config, store, **kw).lines())
            return
        reports = pipeline.backfill(config, store, start, end)
    lines = [line for report in reports for line in report.lines()]
    echo_lines(lines or [f"no new papers found between {start} and {end}"])


@cli.command(name="run")
@click.option("--categories", metavar="CAT,CAT", help="Categories (default from config).")
@date_option("The announcement day expected (default: today in US Eastern time).")
@path_option("--out", "out_dir", help="Directory for the digest (default: output_dir from config).")
@flag("--deliver", "Also build the site and send the email and webhooks that are configured.")
@flag("--deliver-anyway", "Deliver even a day most of whose summaries are missing.")
@flag("--wait", "If another run holds the store, wait for it instead of exiting.")
@summarizer_options
@click.pass_obj
def run_cmd(app: AppContext, /, categories: str | None, day: str | None, **kw: Any) -> None:
    """Fetch, rank, summarize and render one announcement day (and with --deliver publish and
    send it). Safe to run again: what is done is kept, and nothing is sent twice.

    Runs hold a lock on the store, so two scheduled runs never overlap: the second exits with
    a clear message (exit 13), or waits with --wait.

    A second run of the same day makes only the RSS check, no summary call, and writes the same
    bytes.
    """
    config = app.config(categories=categories_flag(categories), **summarizer_flags(kw))
    budget = budget_from(kw)  # what is left in kw are run_day's own options
    pipeline.run_day(
        config, day, budget=budget, db=app.db_path, progress=progress_bar, on_line=click.echo, **kw
    )


# -- send ------------------------------------------------------------------------------------


@cli.group(name="send")
def send_group() -> None:
    """Deliver a day's digest: by email, or to Slack / Feishu webhooks."""


@send_group.command(name="email")
@date_option("The day to send (default: the latest).")
@click.option("--force", is_flag=True, help="Send again to recipients who already got it.")
@click.pass_obj
def send_email_cmd(app: AppContext, day: str | None, force: bool) -> None:
    """Email the day's digest (HTML with a plain-text part) to the configured recipients.

    Each recipient gets a message of their own, once; a failed send says why, exits non-zero,
    and can simply be repeated (it reaches only those who did not get it). Sends and runs take
    turns on the store, so two started at once do not send twice.
    """
    config, db = app.config(), app.db_path
    pipeline.send_day(config, day, channels=["email"], force=force, db=db, on_line=click.echo)


@send_group.command(name="webhook")
@date_option("The day to send (default: the latest).")
@click.option("--name", help="Only the webhook with this name.")
@click.option("--force", is_flag=True, help="Send again even if it was sent.")
@click.pass_obj
def send_webhook_cmd(app: AppContext, day: str | None, name: str | None, force: bool) -> None:
    """Post the day's top papers to the configured Slack / Feishu webhooks."""
    config, db = app.config(), app.db_path
    pipeline.send_day(
        config, day, channels=["webhook"], name=name, force=force, db=db, on_line=click.echo
    )


# -- search and stats ------------------------------------------------------------------------


@cli.command(name="search")
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


@cli.command(name="related")
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


@cli.command(name="failures")
@date_option("The stored day (default: the latest).")
@click.pass_obj
def failures_cmd(app: AppContext, day: str | None) -> None:
    """List a day's papers without a summary: cause, attempts, and when or how they are retried."""
    with app.open_store(app.config()) as store:
        echo_lines(collection.failures(store, day))


@cli.command(name="stats")
@click.pass_obj
def stats_cmd(app: AppContext) -> None:
    """Papers per day and category, failed summaries, tokens and cost per day."""
    with app.open_store(app.config()) as store:
        echo_lines(collection.stats(store).lines())


@cli.command(name="demo")
@path_option(
    "--out", "out_dir", default=Path("demo-out"), show_default=True, help="Where the digest goes."
)
@click.pass_obj
def demo_cmd(app: AppContext, out_dir: Path) -> None:
    """Run the whole pipeline offline on a bundled day of real arXiv papers.

    Loads the papers into a fresh store, summarizes them with the configured backend (the
    offline extractive one when none is configured), and renders the Markdown digest.
    """
    pipeline.demo(app.config(), out_dir, progress=progress_bar, on_line=click.echo)


def main() -> None:
    cli(prog_name="arxiv-digest")
