"""The command line: one command per pipeline stage, a thin shell over `arxiv_digest.pipeline`.

Commands read options, call the pipeline and print its reports; errors become one line and an
exit code (see `errors.py`).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import Any, TypeVar

import click

from arxiv_digest import __version__, pipeline
from arxiv_digest.config import Config, load_config, render_config
from arxiv_digest.errors import DigestError, NotFoundError
from arxiv_digest.models import split_arxiv_id
from arxiv_digest.render.formats import FORMATS
from arxiv_digest.store import Store
from arxiv_digest.store.search import fts_query
from arxiv_digest.summarize.registry import backend_names
from arxiv_digest.summarize.stage import Budget

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    config_path: str | None
    db_path: str | None

    def config(self, **flags: Any) -> Config:
        return load_config(self.config_path, flags=flags)[0]

    def open_store(self, config: Config) -> Store:
        return pipeline.open_store(config, self.db_path)


class DigestGroup(click.Group):
    """Turns user-facing errors into one line and an exit code; Ctrl-C into exit 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DigestError as exc:
            if os.environ.get("ARXIV_DIGEST_RAISE_ERRORS"):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo(
                "interrupted: finished work is saved; run the command again to go on", err=True
            )
            sys.exit(130)


def _valid_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return Date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def date_option(help_text: str) -> Callable[[F], F]:
    return click.option("--date", "day", callback=_valid_date, metavar="YYYY-MM-DD", help=help_text)


def echo_lines(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


class RegistryChoice(click.Choice):  # type: ignore[type-arg]
    """A choice among a registry's names, read when asked (plug-ins included), so `--help` and
    the error for a wrong name list what is installed."""

    def __init__(self, names: Callable[[], list[str]]) -> None:
        self._names = names
        super().__init__([])

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self._names())

    @choices.setter
    def choices(self, _value: object) -> None:
        pass


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


# -- import ----------------------------------------------------------------------------------


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@date_option("The day these digests are for (default: the YYYY-MM-DD in each file name).")
@click.pass_obj
def import_cmd(app: AppContext, files: tuple[Path, ...], day: str | None) -> None:
    """Import digests: reference Markdown, reference JSONL, or daily-arXiv-ai-enhanced JSONL.

    Every file is checked completely before anything is written; a bad file is reported with
    its line and nothing of it is stored. Importing the same file again changes nothing.
    """
    from arxiv_digest.fetch.ingest import store_imported
    from arxiv_digest.sources.importers import read_digest_file

    parsed = [read_digest_file(path, day) for path in files]
    dates = [d.date for d in parsed]
    if len(set(dates)) != len(dates):
        raise click.UsageError(
            "two of the files are for the same day; import them one at a time with --date"
        )
    config = app.config()
    with app.open_store(config) as store:
        for digest in parsed:
            result = store_imported(store, digest)
            state = "imported" if result.changed else "unchanged"
            failed = f", {result.failed} failed summaries" if result.failed else ""
            click.echo(f"{digest.path}: {state}, {result.date}, {result.papers} papers{failed}")


# -- summarize -------------------------------------------------------------------------------


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[], None]]:
    """A bar for people at a terminal; nothing for logs."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    with click.progressbar(
        length=total, label="Summarizing", file=sys.stderr, show_pos=True, show_eta=True
    ) as bar:
        yield lambda: bar.update(1)


def summarizer_options(fn: F) -> F:
    """The backend settings shared by `summarize` and `run`."""

    options = [
        click.option(
            "--backend",
            type=RegistryChoice(backend_names),
            help="Summarizer backend: extractive (default), openai, local, or a plug-in's.",
        ),
        click.option("--model", help="Model name for the openai backend."),
        click.option("--base-url", help="OpenAI-compatible endpoint URL."),
        click.option("--concurrency", type=int, help="Requests in flight at once (default 8)."),
        click.option("--language", help="Language of the summaries (default: Chinese)."),
        click.option("--max-papers", type=int, help="Stop after this many papers this run."),
        click.option("--max-tokens", type=int, help="Stop after this many tokens this run."),
        click.option("--max-cost", type=float, help="Stop after this many US dollars this run."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _summarizer_flags(kw: dict[str, Any]) -> dict[str, Any]:
    keys = {"backend": "summarizer.", "model": "summarizer.", "base_url": "summarizer."}
    keys |= {"concurrency": "summarizer.", "language": ""}
    return {prefix + name: kw.pop(name) for name, prefix in keys.items()}


def _budget(kw: dict[str, Any]) -> Budget:
    return Budget(kw.pop("max_papers"), kw.pop("max_tokens"), kw.pop("max_cost"))


@cli.command(name="summarize")
@date_option("The stored day to summarize (default: the latest).")
@click.option("--retry-failed", is_flag=True, help="Also retry papers whose summary failed.")
@summarizer_options
@click.pass_obj
def summarize_cmd(app: AppContext, /, day: str | None, retry_failed: bool, **kw: Any) -> None:
    """Write the five-field summary of every paper of a day that has none yet.

    Finished summaries are saved one by one, so an interrupted run loses nothing and the next
    one does only what is missing. Ends with a report of tokens, cost and speed.
    """
    config = app.config(**_summarizer_flags(kw))
    with app.open_store(config) as store:
        report = pipeline.summarize(
            config,
            store,
            day,
            retry_failed=retry_failed,
            budget=_budget(kw),
            progress=progress_bar,
        )
    echo_lines(report.lines())


# -- rank, feedback and checks -----------------------------------------------------------------


@cli.command(name="rank")
@date_option("The stored day to rank (default: the latest).")
@click.pass_obj
def rank_cmd(app: AppContext, day: str | None) -> None:
    """Score a day's papers against your interest profile ([rank] in the config), with reasons.

    Keywords, followed authors, favoured categories, similarity to your library (BibTeX,
    CSL-JSON or arXiv ids) and your stars and hides add up to each paper's score. `order =
    "score"` sorts sections by it; `min_score` and `exclude` drop papers (and say how many).
    """
    config = app.config()
    with app.open_store(config) as store:
        report = pipeline.rank(config, store, day)
    if report is None:
        click.echo(
            "ranking is off: no [rank] profile in the config and no starred or hidden papers"
        )
        return
    echo_lines(report.lines())


def _feedback(app: AppContext, paper_ids: tuple[str, ...], kind: str | None) -> None:

    config = app.config()
    with app.open_store(config) as store:
        for raw in paper_ids:
            try:
                paper_id, _ = split_arxiv_id(raw)
            except ValueError:
                raise click.BadParameter(f"{raw!r} is not an arXiv id") from None
            if store.papers.get(paper_id) is None:
                raise NotFoundError(f"paper {paper_id} is not in the store")
            store.feedback.set(paper_id, kind)
            click.echo(f"{paper_id}: {kind or 'cleared'}")


@cli.command(name="star")
@click.argument("paper_ids", nargs=-1, required=True)
@click.option("--undo", is_flag=True, help="Remove the star.")
@click.pass_obj
def star_cmd(app: AppContext, paper_ids: tuple[str, ...], undo: bool) -> None:
    """Star papers: papers like them rank higher."""
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
@click.pass_obj
def check_cmd(app: AppContext, day: str | None, all_days: bool) -> None:
    """List the quality warnings of a day's summaries.

    Checks: numbers that appear nowhere in the title or abstract, a field that copies the
    abstract, fields that repeat each other, the wrong language, a TL;DR over the length limit.
    """
    config = app.config()
    with app.open_store(config) as store:
        echo_lines(pipeline.check(store, day, all_days=all_days).lines())


# -- render and serve ------------------------------------------------------------------------


def _format_names() -> list[str]:
    return FORMATS.names()


@cli.command(name="render")
@date_option("The stored day to render (default: the latest).")
@click.option(
    "--format",
    "fmt",
    type=RegistryChoice(_format_names),
    default="markdown",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Output file, '-' for standard output (default: in OUTPUT_DIR).",
)
@click.option(
    "--out",
    "site_dir",
    type=click.Path(path_type=Path),
    help="Site directory for --format html (default: OUTPUT_DIR/site).",
)
@click.option(
    "--days", "feed_days", type=int, default=3, show_default=True, help="Days in the Atom feed."
)
@click.option("--force", is_flag=True, help="html: rebuild every page, not only changed days.")
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


@cli.command(name="serve")
@click.option("--port", type=int, default=8000, show_default=True, help="Port on localhost.")
@click.option(
    "--dir",
    "site_dir",
    type=click.Path(path_type=Path),
    help="Site directory (default: OUTPUT_DIR/site).",
)
@click.pass_obj
def serve_cmd(app: AppContext, port: int, site_dir: Path | None) -> None:
    """Serve the built site on http://127.0.0.1:PORT for browsing (read-only, local only)."""
    from arxiv_digest.web import serve

    config = app.config()
    root = site_dir or config.output_dir / "site"
    if not (root / "index.html").is_file():
        raise NotFoundError(f"no site in {root}: run `arxiv-digest render --format html` first")
    serve(root, port, announce=lambda url: click.echo(f"serving {root} at {url} (Ctrl-C stops)"))


# -- fetch and run ---------------------------------------------------------------------------


def _categories_flag(value: str | None) -> list[str] | None:
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


@cli.command(name="fetch")
@click.option("--categories", metavar="CAT,CAT", help="Categories (default from config).")
@date_option("The announcement day expected (default: today in US Eastern time).")
@click.option(
    "--from",
    "start",
    callback=_valid_date,
    metavar="YYYY-MM-DD",
    help="Backfill past days from this date through OAI-PMH (with --to).",
)
@click.option(
    "--to", "end", callback=_valid_date, metavar="YYYY-MM-DD", help="Last day of the backfill."
)
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Build the digest even if some papers could not be fetched.",
)
@click.pass_obj
def fetch_cmd(
    app: AppContext,
    categories: str | None,
    day: str | None,
    start: str | None,
    end: str | None,
    allow_partial: bool,
) -> None:
    """Fetch an announcement day: one RSS request, then the API in batches of 100.

    The day is the one the feed announces (its pubDate). An empty feed means arXiv announced
    nothing (weekends, holidays) and makes no digest. With --from/--to, past days are harvested
    through OAI-PMH and grouped by the date of each paper's first version, which approximates
    the day arXiv announced it.

    \b
    Exit codes: 0 done or no announcement, 10 arXiv unreachable or unusable answer,
    11 stale feed, 12 day incomplete (the missing papers are named).
    """
    config = app.config(categories=_categories_flag(categories))
    if (start or end) and (not (start and end) or start > end):
        raise click.UsageError("--from and --to go together, --from first")
    with app.open_store(config) as store:
        if start and end:
            reports = pipeline.backfill(config, store, start, end)
            for report in reports:
                echo_lines(report.lines())
            if not reports:
                click.echo(f"no new papers found between {start} and {end}")
            return
        echo_lines(pipeline.fetch(config, store, day=day, allow_partial=allow_partial).lines())


@cli.command(name="run")
@click.option("--categories", metavar="CAT,CAT", help="Categories (default from config).")
@date_option("The announcement day expected (default: today in US Eastern time).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Directory for the digest (default: output_dir from config).",
)
@click.option(
    "--deliver",
    is_flag=True,
    help="Also build the site and send the email and webhooks that are configured.",
)
@click.option(
    "--wait", is_flag=True, help="If another run holds the store, wait for it instead of exiting."
)
@summarizer_options
@click.pass_obj
def run_cmd(
    app: AppContext,
    /,
    categories: str | None,
    day: str | None,
    out_dir: Path | None,
    deliver: bool,
    wait: bool,
    **kw: Any,
) -> None:
    """Fetch, rank, summarize and render one announcement day (and with --deliver publish and
    send it). Safe to run again: what is done is kept, and nothing is sent twice.

    Runs hold a lock on the store, so two scheduled runs never overlap: the second exits with
    a clear message (exit 13), or waits with --wait.

    A second run of the same day makes only the RSS check, no summary call, and writes the same
    bytes.
    """
    config = app.config(categories=_categories_flag(categories), **_summarizer_flags(kw))
    pipeline.run_day(
        config,
        day,
        deliver=deliver,
        out_dir=out_dir,
        budget=_budget(kw),
        db=app.db_path,
        wait=wait,
        progress=progress_bar,
        on_line=click.echo,
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

    A day is sent once per recipient; a failed send says why, exits non-zero, and can simply be
    repeated.
    """
    config = app.config()
    with app.open_store(config) as store:
        pipeline.deliver(config, store, day, channels=["email"], force=force, on_line=click.echo)


@send_group.command(name="webhook")
@date_option("The day to send (default: the latest).")
@click.option("--name", help="Only the webhook with this name.")
@click.option("--force", is_flag=True, help="Send again even if it was sent.")
@click.pass_obj
def send_webhook_cmd(app: AppContext, day: str | None, name: str | None, force: bool) -> None:
    """Post the day's top papers to the configured Slack / Feishu webhooks."""
    config = app.config()
    with app.open_store(config) as store:
        pipeline.deliver(
            config, store, day, channels=["webhook"], name=name, force=force, on_line=click.echo
        )


# -- search and stats ------------------------------------------------------------------------


@cli.command(name="search")
@click.argument("query")
@click.option(
    "--since",
    callback=_valid_date,
    metavar="YYYY-MM-DD",
    help="Only papers announced on or after this day.",
)
@click.option("--category", help="Only papers in this category.")
@click.option("--author", help="Only papers with an author matching this text.")
@click.option("-n", "--limit", type=int, default=20, show_default=True)
@click.pass_obj
def search_cmd(app: AppContext, /, query: str, **filters: Any) -> None:
    """Search every stored paper and summary (title, authors, abstract, summary).

    \b
    Words must all match; "quoted phrases" match in order; a trailing * matches a prefix
    (diffus*); OR between words matches either. Best matches first, with a snippet.
    """

    try:
        match = fts_query(query)
    except ValueError:
        raise click.UsageError("the query is empty") from None
    config = app.config()
    with app.open_store(config) as store:
        hits = store.search.search(match, **filters)
    for hit in hits:
        authors = ", ".join(hit["authors"][:3]) + (" et al." if len(hit["authors"]) > 3 else "")
        day = hit["day"] or "----------"
        click.echo(f"{day}  {hit['id']}  [{hit['category']}]  {hit['title']}")
        click.echo(f"    {authors}")
        click.echo(f"    {hit['snippet']}")
    click.echo(f"{len(hits)} results")


@cli.command(name="stats")
@click.pass_obj
def stats_cmd(app: AppContext) -> None:
    """Papers per day and category, failed summaries, tokens and cost per day."""
    config = app.config()
    with app.open_store(config) as store:
        rows = store.digests.stats()
    days: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        days.setdefault(row["date"], []).append(row)
    click.echo(
        f"{'day':10s}  {'papers':>6s}  {'failed':>6s}  {'tokens in':>9s}  "
        f"{'out':>8s}  {'cost':>9s}  categories"
    )
    for date, items in days.items():
        papers, failed = sum(r["papers"] for r in items), sum(r["failed"] for r in items)
        tin, tout = sum(r["tokens_in"] for r in items), sum(r["tokens_out"] for r in items)
        known = sum(r["cost"] for r in items if r["cost"] is not None)
        cost = "unknown" if any(r["unpriced"] for r in items) else f"${known:.4f}"
        cats = ", ".join(f"{r['section']} {r['papers']}" for r in items)
        click.echo(f"{date:10s}  {papers:6d}  {failed:6d}  {tin:9d}  {tout:8d}  {cost:>9s}  {cats}")
    click.echo(f"{len(days)} days")


# -- demo ------------------------------------------------------------------------------------


@cli.command(name="demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="Directory for the rendered digest.",
)
@click.pass_obj
def demo_cmd(app: AppContext, out_dir: Path) -> None:
    """Run the whole pipeline offline on a bundled day of real arXiv papers.

    Loads the papers into a fresh store, summarizes them with the configured backend (the
    offline extractive one when none is configured), and renders the Markdown digest.
    """
    from arxiv_digest.fetch.sections import build_digest
    from arxiv_digest.sources.sample import load_sample, store_sample

    started = time.monotonic()
    config = app.config()
    if "backend" not in config.summarizer.model_fields_set:
        click.echo(
            "No summarizer configured: using the offline extractive backend "
            "(it quotes the abstract's own sentences)."
        )
    sample = load_sample()
    with tempfile.TemporaryDirectory(prefix="arxiv-digest-demo-") as tmp:
        with Store(Path(tmp) / "demo.db") as store:
            store_sample(store, sample)
            count = build_digest(
                store, sample.date, sample.categories, language=config.language, source="demo"
            )
            cats = ", ".join(sample.categories)
            click.echo(f"Loaded {count} papers announced on {sample.date} ({cats}).")
            report = pipeline.summarize(config, store, sample.date, progress=progress_bar)
            rendered = pipeline.render(config, store, "markdown", day=sample.date, out_dir=out_dir)
    echo_lines(report.lines())
    click.echo(f"Digest written to {rendered.target} in {time.monotonic() - started:.1f} s")


def main() -> None:
    cli(prog_name="arxiv-digest")
