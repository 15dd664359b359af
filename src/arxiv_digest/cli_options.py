"""What the commands share: the application context, one-line errors, option helpers, option
types that read the plug-in registries, and the progress bar. No pipeline logic lives here."""

from __future__ import annotations

import inspect
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import Any, TypeVar

import click

from arxiv_digest import pipeline
from arxiv_digest.config import Config, load_config
from arxiv_digest.errors import DigestError, NotFoundError, UsageError
from arxiv_digest.plugins import Registry
from arxiv_digest.render.formats import FORMATS
from arxiv_digest.store import Store
from arxiv_digest.summarize.registry import backend_names
from arxiv_digest.summarize.report import Budget

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
        except sqlite3.DatabaseError as exc:  # read while iterating rows: past the store's map
            from arxiv_digest.store import store_error

            app = ctx.find_object(AppContext)
            try:
                where: object = pipeline.store_path(app.config(), app.db_path) if app else "?"
            except DigestError:
                where = app.db_path if app else "?"
            error = store_error(exc, where)
            if os.environ.get("ARXIV_DIGEST_RAISE_ERRORS"):
                raise error from exc
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo(
                "interrupted: finished work is saved; run the command again to go on", err=True
            )
            sys.exit(130)


def valid_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return Date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def date_option(help_text: str, *decls: str) -> Callable[[F], F]:
    names = decls or ("--date", "day")
    return click.option(*names, callback=valid_date, metavar="YYYY-MM-DD", help=help_text)


def path_option(*decls: str, help: str, **kw: Any) -> Callable[[F], F]:  # noqa: A002
    return click.option(*decls, type=click.Path(path_type=Path), help=help, **kw)


def flag(name: str, help: str) -> Callable[[F], F]:  # noqa: A002
    return click.option(name, is_flag=True, help=help)


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


def describe(obj: object) -> str:
    """What a registry entry is, for `--help`: the first paragraph of its docstring (a
    factory function without one: its module's)."""
    doc = inspect.getdoc(obj) or inspect.getdoc(inspect.getmodule(obj)) or ""
    return " ".join(doc.split("\n\n")[0].split())


class ListsRegistry(click.Command):
    """A command whose `--help` ends with what a registry holds, plug-ins included, each
    described by its own docstring: a new format or channel needs no help text edited."""

    def __init__(self, *args: Any, registry: Registry[Any], title: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registry, self.title = registry, title

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        rows = []
        for name in self.registry.names():
            try:
                rows.append((name, describe(self.registry.get(name))))
            except DigestError as exc:  # a plug-in that cannot load still shows, with why
                rows.append((name, f"(cannot load: {exc})"))
        with formatter.section(self.title):
            formatter.write_dl(rows)


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
            help="Summarizer backend: extractive (default), openai, batch (the openai backend's "
            "requests through a Batch API, at the batch price), local, or a plug-in's.",
        ),
        click.option("--model", help="Model name for the openai and batch backends."),
        click.option("--base-url", help="OpenAI-compatible endpoint URL."),
        click.option(
            "--concurrency",
            type=int,
            help="Requests in flight at once (default 8; 1 for the local backend).",
        ),
        click.option(
            "--model-path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="GGUF model file for the local backend.",
        ),
        click.option("--language", help="Language of the summaries (default: Chinese)."),
        click.option("--max-papers", type=int, help="Stop after this many papers this run."),
        click.option("--max-tokens", type=int, help="Stop after this many tokens this run."),
        click.option("--max-cost", type=float, help="Stop after this many US dollars this run."),
        click.option(
            "--max-minutes",
            type=float,
            help="Start no paper after this many minutes (batch: wait no longer for answers).",
        ),
        click.option(
            "--no-wait",
            is_flag=True,
            help="batch backend: submit the batch and exit; the next run collects it.",
        ),
        click.option(
            "--repair-live",
            is_flag=True,
            help="batch backend: ask failed lines live, at the live price, not in a new batch.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def summarizer_flags(kw: dict[str, Any]) -> dict[str, Any]:
    keys = {"backend": "summarizer.", "model": "summarizer.", "base_url": "summarizer."}
    keys |= {"concurrency": "summarizer.", "model_path": "summarizer.", "language": ""}
    flags = {prefix + name: kw.pop(name) for name, prefix in keys.items()}
    flags["summarizer.batch_wait"] = False if kw.pop("no_wait") else None
    flags["summarizer.repair_live"] = True if kw.pop("repair_live") else None
    return flags


def budget_from(kw: dict[str, Any]) -> Budget:
    names = ("max_papers", "max_tokens", "max_cost", "max_minutes")
    return Budget(*(kw.pop(name) for name in names))


def categories_flag(value: str | None) -> list[str] | None:
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


def format_names() -> list[str]:
    return FORMATS.names()


def batch_days(store: Store, day: str | None, start: str | None, end: str | None) -> list[str]:
    """The stored days a batch covers: one day (default: the latest), or those from `start`
    to `end`."""
    if start or end:
        if not (start and end) or start > end:
            raise UsageError("--from and --to go together, --from first")
        days = [d for d in sorted(store.digests.dates()) if start <= d <= end]
        if not days:
            raise NotFoundError(f"no stored day from {start} to {end}")
        return days
    return [day or store.digests.latest()]
