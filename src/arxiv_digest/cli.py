"""The command line: one command per pipeline stage, and `demo` to see it all work offline."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from arxiv_digest import __version__
from arxiv_digest.config import Config, default_db_path, load_config, render_config
from arxiv_digest.errors import DigestError, NotFoundError
from arxiv_digest.store import Store

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    config_path: str | None
    db_path: str | None

    def config(self, **flags: Any) -> Config:
        config, _ = load_config(self.config_path, flags=flags)
        return config

    def store_path(self, config: Config) -> Path:
        return Path(
            self.db_path or os.environ.get("ARXIV_DIGEST_DB") or config.db or default_db_path()
        )

    def open_store(self, config: Config) -> Store:
        return Store(self.store_path(config))


def _fail(exc: DigestError) -> NoReturn:
    click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


class DigestGroup(click.Group):
    """Turns user-facing errors into one line and an exit code; Ctrl-C into exit 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DigestError as exc:
            if os.environ.get("ARXIV_DIGEST_RAISE_ERRORS"):
                raise
            _fail(exc)
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
    path = app.db_path or os.environ.get("ARXIV_DIGEST_DB") or config.db or default_db_path()
    click.echo(f"store: {path}")


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
    from arxiv_digest.ingest import store_imported
    from arxiv_digest.sources.importers import read_digest_file

    parsed = [read_digest_file(path, day) for path in files]
    dates = [d.date for d in parsed]
    if len(set(dates)) != len(dates):
        raise NotFoundError(
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


def _progress_run(
    store: Store, day: str, config: Config, *, retry_failed: bool, budget: Any = None
) -> Any:
    """Summarize a day; with `rank.summarize_top = K` only the top K go to the configured
    backend and the rest get the extractive summary."""
    from arxiv_digest.summarize import make_summarizer
    from arxiv_digest.summarize.extractive import ExtractiveSummarizer
    from arxiv_digest.summarize.stage import Price, plan, summarize_day

    summarizer = make_summarizer(config)
    prices = {name: Price(p.input, p.output) for name, p in config.summarizer.prices.items()}
    only: set[str] | None = None
    if config.rank.summarize_top is not None and summarizer.backend != "extractive":
        from arxiv_digest.rank.stage import top_ids

        only = top_ids(store, day, config.rank.summarize_top)
    pending, _cached = plan(
        store, day, summarizer, config.language, retry_failed=retry_failed, only=only
    )

    def go(on_done: Any = None) -> Any:
        return asyncio.run(
            summarize_day(
                store,
                day,
                summarizer,
                config.language,
                retry_failed=retry_failed,
                concurrency=config.summarizer.concurrency,
                budget=budget,
                prices=prices,
                on_done=on_done,
                only=only,
            )
        )

    if not sys.stderr.isatty() or not pending:  # a bar is for people, not for logs
        report = go()
    else:
        with click.progressbar(
            length=len(pending), label="Summarizing", file=sys.stderr, show_pos=True, show_eta=True
        ) as bar:
            report = go(lambda _s: bar.update(1))
    if only is not None:  # the rest: the extractive summary, at no cost
        rest = asyncio.run(summarize_day(store, day, ExtractiveSummarizer(), config.language))
        report.total += rest.total
        report.ok += rest.ok
        report.cached += rest.cached
    return report


def _ranking_on(config: Config, store: Store) -> bool:
    return config.rank.enabled() or bool(store.feedback())


def _rank(config: Config, store: Store, day: str) -> Any:
    from arxiv_digest.rank.stage import rank_day

    similarity = None
    if config.rank.method == "embeddings":
        from arxiv_digest.rank.embeddings import Embedder

        similarity = Embedder(store).similarity
    return rank_day(store, day, config.rank, similarity=similarity)


def _markdown(config: Config, store: Store, digest: Any) -> str:
    from arxiv_digest.render.markdown import render_markdown

    if not _ranking_on(config, store):
        return render_markdown(digest)
    return render_markdown(digest, for_you=config.rank.for_you, threshold=config.rank.threshold)


def summarizer_options(fn: F) -> F:
    """The backend settings shared by `summarize` and `run`."""
    options = [
        click.option(
            "--backend",
            type=click.Choice(["extractive", "openai", "local"]),
            help="Summarizer backend (default from config: extractive).",
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
    return {
        "summarizer.backend": kw.pop("backend"),
        "summarizer.model": kw.pop("model"),
        "summarizer.base_url": kw.pop("base_url"),
        "summarizer.concurrency": kw.pop("concurrency"),
        "language": kw.pop("language"),
    }


def _budget(kw: dict[str, Any]) -> Any:
    from arxiv_digest.summarize.stage import Budget

    return Budget(kw.pop("max_papers"), kw.pop("max_tokens"), kw.pop("max_cost"))


def _latest_day(store: Store) -> str:
    days = store.digest_dates()
    if not days:
        raise NotFoundError("the store holds no digest yet: fetch or import a day first")
    return days[0]


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
    budget = _budget(kw)
    with app.open_store(config) as store:
        day = day or _latest_day(store)
        report = _progress_run(store, day, config, retry_failed=retry_failed, budget=budget)
    for line in report.lines():
        click.echo(line)


# -- rank and feedback -------------------------------------------------------------------------


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
        if not _ranking_on(config, store):
            click.echo(
                "ranking is off: no [rank] profile in the config and no starred or hidden papers"
            )
            return
        day = day or _latest_day(store)
        report = _rank(config, store, day)
    for line in report.lines():
        click.echo(line)


def _feedback(app: AppContext, paper_ids: tuple[str, ...], kind: str | None) -> None:
    from arxiv_digest.models import split_arxiv_id

    config = app.config()
    with app.open_store(config) as store:
        for raw in paper_ids:
            try:
                paper_id, _ = split_arxiv_id(raw)
            except ValueError:
                raise NotFoundError(f"{raw!r} is not an arXiv id") from None
            if store.get_paper(paper_id) is None:
                raise NotFoundError(f"paper {paper_id} is not in the store")
            store.set_feedback(paper_id, kind)
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


# -- check -----------------------------------------------------------------------------------


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
    counts: dict[str, int] = {}
    flagged = total = 0
    with app.open_store(config) as store:
        days = store.digest_dates() if all_days else [day or _latest_day(store)]
        for one_day in days:
            digest = store.load_digest(one_day)
            if digest is None:
                raise NotFoundError(f"no digest stored for {one_day}")
            for entry in digest.entries:
                total += 1
                summary = entry.summary
                if summary is None or not summary.warnings:
                    continue
                flagged += 1
                click.echo(f"{one_day} {entry.paper.id} {entry.paper.title}")
                for warning in summary.warnings:
                    click.echo(f"  - {warning}")
                    kind = warning.split(":", 1)[0]
                    counts[kind] = counts.get(kind, 0) + 1
    summary_line = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "none"
    click.echo(f"{flagged} of {total} summaries have warnings ({summary_line})")


# -- render ----------------------------------------------------------------------------------


@cli.command(name="render")
@date_option("The stored day to render (default: the latest).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html", "atom", "json", "jsonl"]),
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
def render_cmd(
    app: AppContext,
    day: str | None,
    fmt: str,
    output: Path | None,
    site_dir: Path | None,
    feed_days: int,
    force: bool,
) -> None:
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
    from arxiv_digest.files import write_atomic
    from arxiv_digest.render import feeds

    config = app.config()
    with app.open_store(config) as store:
        if fmt == "html":
            from arxiv_digest.render.html import SiteBuilder

            target_dir = site_dir or config.output_dir / "site"
            ranked = _ranking_on(config, store)
            report = SiteBuilder(
                store,
                target_dir,
                feed_days=feed_days,
                for_you=config.rank.for_you if ranked else 0,
                threshold=config.rank.threshold,
            ).build(force=force)
            click.echo(
                f"site {target_dir}: {report.days_rendered} day pages rendered, "
                f"{report.days_skipped} unchanged, {len(report.written)} files written "
                f"in {report.seconds:.2f} s"
            )
            return
        if fmt == "atom":
            dates = store.digest_dates()[:feed_days]
            if not dates:
                raise NotFoundError("the store holds no digest yet")
            digests = [d for d in (store.load_digest(x) for x in dates) if d is not None]
            text = feeds.render_atom(digests)
            default = config.output_dir / "feed.xml"
        else:
            day = day or _latest_day(store)
            digest = store.load_digest(day)
            if digest is None:
                raise NotFoundError(f"no digest stored for {day}")
            if fmt == "markdown":
                text, default = _markdown(config, store, digest), config.output_dir / f"{day}.md"
            elif fmt == "json":
                text, default = feeds.render_json(digest), config.output_dir / f"{day}.json"
            else:
                text = feeds.render_anchor_jsonl(digest)
                default = config.output_dir / f"{day}_AI_enhanced_{digest.language}.jsonl"
            missing = sum(1 for e in digest.entries if e.summary is None)
            if missing:
                click.echo(
                    f"note: {missing} papers have no summary yet and show placeholders", err=True
                )
    if output is not None and str(output) == "-":
        click.echo(text, nl=False)
        return
    target = output or default
    changed = write_atomic(target, text)
    click.echo(f"{'wrote' if changed else 'unchanged'} {target}")


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


def polite_client(config: Config) -> Any:
    import httpx

    from arxiv_digest.sources.http import PoliteClient

    http = httpx.Client(timeout=config.arxiv.timeout, follow_redirects=True)
    return PoliteClient(
        http, min_interval=config.arxiv.min_interval, max_attempts=config.arxiv.max_attempts
    )


def _fetch(
    app: AppContext, config: Config, store: Store, day: str | None, allow_partial: bool
) -> Any:
    from arxiv_digest.fetch import fetch_day

    client = polite_client(config)
    try:
        report = fetch_day(store, client, config, day=day, allow_partial=allow_partial)
    finally:
        client.client.close()
    for line in report.lines():
        click.echo(line)
    return report


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
    with app.open_store(config) as store:
        if start or end:
            if not (start and end) or start > end:
                raise click.UsageError("--from and --to go together, --from first")
            from arxiv_digest.fetch import backfill

            client = polite_client(config)
            try:
                reports = backfill(store, client, config, start, end)
            finally:
                client.client.close()
            for report in reports:
                for line in report.lines():
                    click.echo(line)
            if not reports:
                click.echo(f"no new papers found between {start} and {end}")
            return
        _fetch(app, config, store, day, allow_partial)


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
    from arxiv_digest.files import write_atomic
    from arxiv_digest.lock import run_lock

    config = app.config(categories=_categories_flag(categories), **_summarizer_flags(kw))
    budget = _budget(kw)
    with run_lock(app.store_path(config), wait=wait), app.open_store(config) as store:
        report = _fetch(app, config, store, day, allow_partial=False)
        if report.status == "empty":
            return
        if _ranking_on(config, store):
            for line in _rank(config, store, report.date).lines()[:2]:
                click.echo(line)
        report_s = _progress_run(store, report.date, config, retry_failed=False, budget=budget)
        for line in report_s.lines():
            click.echo(line)
        digest = store.load_digest(report.date)
        if digest is None:
            raise NotFoundError(f"no paper of {report.date} matches {', '.join(config.categories)}")
        target = (out_dir or config.output_dir) / f"{report.date}.md"
        changed = write_atomic(target, _markdown(config, store, digest))
        click.echo(f"{'wrote' if changed else 'unchanged'} {target}")
        if deliver:
            _deliver_all(config, store, report.date, out_dir or config.output_dir)


def _deliver_all(config: Config, store: Store, day: str, out_dir: Path) -> None:
    from arxiv_digest.render.html import SiteBuilder

    ranked = _ranking_on(config, store)
    site = SiteBuilder(
        store,
        out_dir / "site",
        site_url=config.site_url,
        for_you=config.rank.for_you if ranked else 0,
        threshold=config.rank.threshold,
    ).build()
    click.echo(f"site {out_dir / 'site'}: {site.days_rendered} day pages rendered")
    if config.email is not None:
        _send_email(config, store, day, force=False)
    for hook in config.webhooks:
        _send_webhook(config, store, day, hook, force=False)


# -- send ------------------------------------------------------------------------------------


@cli.group(name="send")
def send_group() -> None:
    """Deliver a day's digest: by email, or to Slack / Feishu webhooks."""


def _send_email(config: Config, store: Store, day: str, *, force: bool) -> None:
    from arxiv_digest.deliver import email

    if config.email is None:
        raise NotFoundError("no [email] section in the config")
    digest = store.load_digest(day)
    if digest is None:
        raise NotFoundError(f"no digest stored for {day}")
    todo = [r for r in config.email.recipients if force or not store.delivered(day, "email", r)]
    if not todo:
        click.echo(f"email for {day} was already sent to every recipient (--force sends again)")
        return
    ranked = _ranking_on(config, store)
    message = email.build_message(
        digest,
        config.email,
        todo,
        site_url=config.site_url,
        for_you=config.rank.for_you if ranked else 0,
        threshold=config.rank.threshold,
    )
    email.send(message, config.email, todo)
    store.mark_delivered(day, "email", todo)
    click.echo(f"email for {day} sent to {len(todo)} recipients")


def _send_webhook(config: Config, store: Store, day: str, hook: Any, *, force: bool) -> None:
    from arxiv_digest.deliver import webhook

    channel = f"webhook:{hook.name}"
    if not force and store.delivered(day, channel, hook.name):
        click.echo(f"webhook {hook.name} for {day} was already sent (--force sends again)")
        return
    digest = store.load_digest(day)
    if digest is None:
        raise NotFoundError(f"no digest stored for {day}")
    webhook.post(hook, webhook.payload_for(hook, digest, config.site_url))
    store.mark_delivered(day, channel, [hook.name])
    click.echo(f"webhook {hook.name} ({hook.kind}) for {day} sent")


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
        _send_email(config, store, day or _latest_day(store), force=force)


@send_group.command(name="webhook")
@date_option("The day to send (default: the latest).")
@click.option("--name", help="Only the webhook with this name.")
@click.option("--force", is_flag=True, help="Send again even if it was sent.")
@click.pass_obj
def send_webhook_cmd(app: AppContext, day: str | None, name: str | None, force: bool) -> None:
    """Post the day's top papers to the configured Slack / Feishu webhooks."""
    config = app.config()
    hooks = [h for h in config.webhooks if name is None or h.name == name]
    if not hooks:
        raise NotFoundError("no matching [[webhooks]] in the config")
    with app.open_store(config) as store:
        day = day or _latest_day(store)
        for hook in hooks:
            _send_webhook(config, store, day, hook, force=force)


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
def search_cmd(
    app: AppContext,
    query: str,
    since: str | None,
    category: str | None,
    author: str | None,
    limit: int,
) -> None:
    """Search every stored paper and summary (title, authors, abstract, summary).

    \b
    Words must all match; "quoted phrases" match in order; a trailing * matches a prefix
    (diffus*); OR between words matches either. Best matches first, with a snippet.
    """
    from arxiv_digest.search import fts_query

    config = app.config()
    with app.open_store(config) as store:
        try:
            match = fts_query(query)
        except ValueError:
            raise click.UsageError("the query is empty") from None
        hits = store.search(match, since=since, category=category, author=author, limit=limit)
    for hit in hits:
        authors = ", ".join(hit["authors"][:3]) + (" et al." if len(hit["authors"]) > 3 else "")
        click.echo(
            f"{hit['day'] or '----------'}  {hit['id']}  [{hit['category']}]  {hit['title']}"
        )
        click.echo(f"    {authors}")
        click.echo(f"    {hit['snippet']}")
    click.echo(f"{len(hits)} results")


@cli.command(name="stats")
@click.pass_obj
def stats_cmd(app: AppContext) -> None:
    """Papers per day and category, failed summaries, tokens and cost per day."""
    config = app.config()
    with app.open_store(config) as store:
        rows = store.stats()
    days: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        days.setdefault(row["date"], []).append(row)
    click.echo(
        f"{'day':10s}  {'papers':>6s}  {'failed':>6s}  {'tokens in':>9s}  "
        f"{'out':>8s}  {'cost':>9s}  categories"
    )
    for date, items in days.items():
        papers = sum(r["papers"] for r in items)
        failed = sum(r["failed"] for r in items)
        tin = sum(r["tokens_in"] for r in items)
        tout = sum(r["tokens_out"] for r in items)
        costs = [r["cost"] for r in items if r["cost"] is not None]
        unknown = any(r["unpriced"] for r in items)
        cost = "unknown" if unknown else f"${sum(costs):.4f}"
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
    from arxiv_digest.digest import build_digest
    from arxiv_digest.files import write_atomic
    from arxiv_digest.render.markdown import render_markdown
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
            click.echo(
                f"Loaded {count} papers announced on {sample.date} "
                f"({', '.join(sample.categories)})."
            )
            report = _progress_run(store, sample.date, config, retry_failed=False)
            digest = store.load_digest(sample.date)
    assert digest is not None
    target = out_dir / f"{sample.date}.md"
    write_atomic(target, render_markdown(digest))
    for line in report.lines():
        click.echo(line)
    click.echo(f"Digest written to {target} in {time.monotonic() - started:.1f} s")


def main() -> None:
    cli(prog_name="arxiv-digest")
