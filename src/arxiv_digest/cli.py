"""The command line: one command per pipeline stage, a thin shell over `arxiv_digest.pipeline`.

Commands read options, call the pipeline and print its reports; errors become one line and an
exit code (see `errors.py`).
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import click

from arxiv_digest import __version__, cli_collection, cli_fulltext, collection, pipeline
from arxiv_digest.cli_options import (
    AppContext,
    DigestGroup,
    ListsRegistry,
    RegistryChoice,
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
from arxiv_digest.errors import SummarizeError
from arxiv_digest.plugins import BACKENDS, CHANNELS, FORMATS
from arxiv_digest.summarize.report import SummarizeOptions


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


# -- summarize -------------------------------------------------------------------------------


@cli.command(name="summarize", cls=ListsRegistry, registry=BACKENDS, title="Backends")
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
        options = SummarizeOptions(retry_failed, redo, budget, bar)
        report = pipeline.summarize(config, store, day, options)
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


@cli.command(name="interests")
@click.pass_obj
def interests_cmd(app: AppContext) -> None:
    """List the interests your library and stars split into, to name them.

    Each interest is learned on its own and sure of its places in "For you". Without
    [[rank.interests]] they are found by arXiv category (`min_interest` papers or more); name
    one in the config under [rank.interest_names], by the key shown: "cs.IR" = "Retrieval".
    """
    from arxiv_digest.rank.stage import describe_interests

    config = app.config()
    with app.open_store(config) as store:
        if not (config.rank.library or config.rank.zotero or config.rank.interests) and not any(
            kind == "star" for _p, kind in store.feedback.all()
        ):
            click.echo("no interests: no library in [rank], no [[rank.interests]], no stars")
            return
        found = describe_interests(store, config.rank)
    if not found:
        click.echo(
            "one interest: no two arXiv categories hold "
            f"{config.rank.min_interest} of your papers (library and stars) each, and there "
            "are no [[rank.interests]] in the config"
        )
        return
    click.echo(f"{len(found)} interests:")
    for interest in found:
        named = "" if interest.key == interest.name else f"  [{interest.key}]"
        click.echo(f"  {interest.name}{named}: {interest.papers} papers")
        if interest.words:
            click.echo(f"    words: {', '.join(interest.words)}")
        for title in interest.titles:
            click.echo(f"    - {title[:90]}")
    if not config.rank.interests:
        click.echo("name them in the config:")
        click.echo("  [rank.interest_names]")
        for interest in found:
            click.echo(f'  "{interest.key}" = "{interest.name}"')


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


@cli.command(name="render", cls=ListsRegistry, registry=FORMATS, title="Formats")
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
    """Render stored digests in a registered format (the formats below, plug-ins included)."""
    config = app.config()
    with app.open_store(config) as store:
        rendered = pipeline.render(config, store, fmt, output=output, **kw)
    for note in rendered.notes:
        click.echo(note, err=True)
    if output is not None and str(output) == "-":
        click.echo(rendered.text, nl=False)
        return
    echo_lines(rendered.lines)


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
    options = SummarizeOptions(budget=budget, progress=progress_bar)
    pipeline.run_day(config, day, options=options, db=app.db_path, on_line=click.echo, **kw)


# -- send ------------------------------------------------------------------------------------


@cli.command(name="send", cls=ListsRegistry, registry=CHANNELS, title="Channels")
@click.argument("channel", type=RegistryChoice(CHANNELS.names))
@date_option("The day to send (default: the latest).")
@click.option("--name", help="Only the target with this name (a webhook, a recipient).")
@flag("--force", "Send again to targets that already got it.")
@click.pass_obj
def send_cmd(app: AppContext, channel: str, day: str | None, name: str | None, force: bool) -> None:
    """Deliver a day's digest through CHANNEL, as configured (email, webhook, or a plug-in's).

    Each target gets the day once; a failed send says why, exits non-zero, and can simply be
    repeated (it reaches only those who did not get it). Sends and runs take turns on the
    store, so two started at once do not send twice.
    """
    config, db = app.config(), app.db_path
    pipeline.send_day(
        config, day, channels=[channel], name=name, force=force, db=db, on_line=click.echo
    )


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


for _command in (
    cli_collection.config_group,
    cli_collection.init_cmd,
    cli_collection.import_cmd,
    cli_collection.star_cmd,
    cli_collection.hide_cmd,
    cli_collection.batch_group,
    cli_collection.search_cmd,
    cli_collection.related_cmd,
    cli_collection.failures_cmd,
    cli_collection.stats_cmd,
    cli_fulltext.read_cmd,
    cli_fulltext.ask_cmd,
):
    cli.add_command(_command)


def main() -> None:
    """The `arxiv-digest` command."""
    try:
        cli(prog_name="arxiv-digest")
    finally:
        # what is still alive is left to the operating system: collecting it object by object
        # (the openai SDK's thousands of model classes) kept the process 0.25 s past its work
        gc.freeze()
