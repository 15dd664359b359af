"""Deep reads through batches: `batch export --deep-reads` writes one request a paper (the very
request the live backend sends: the same passages, prompt and settings), `batch import` stores
the answers, checked against the full text as live answers are; with the `batch` backend a
day's deep reads go to the provider's Batch API as one batch (`run_deep_batch`, through the
summaries' `Exchange`: recorded, resumable, collected by the next run).

The full text is fetched (politely, once) when the requests are written, so the answers can be
checked on import without arXiv. The `custom_id` is `deep|ID|vN|PROMPT|LANGUAGE|MODEL`: an
answer lands only on the deep read it was asked for, and one written for another prompt version
is refused. An answer that would need a repair is stored as failed; the next live `read` asks
again. Batch tokens cost their batch price (`summarizer.prices.MODEL.batch`).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from arxiv_digest.config import Config
from arxiv_digest.errors import ConfigError, ImportFormatError, NotFoundError
from arxiv_digest.fetch.run import arxiv_client
from arxiv_digest.fulltext.deepread import (
    DEEP_READ_VERSION,
    build_messages,
    check_parts,
    parse_deep_read,
)
from arxiv_digest.fulltext.get import obtain
from arxiv_digest.fulltext.records import DeepRead
from arxiv_digest.fulltext.run import DayDeepReport, ReadOutcome, day_papers
from arxiv_digest.fulltext.select import approx_tokens, select
from arxiv_digest.models import Paper, split_arxiv_id
from arxiv_digest.sources.http import PoliteClient
from arxiv_digest.store import Store
from arxiv_digest.summarize.base import Reply
from arxiv_digest.summarize.batch import CHAT_URL, DEEP_PREFIX, SEPARATOR, batch_model
from arxiv_digest.summarize.batch_exchange import (
    MAX_BYTES,
    MAX_LINES,
    BatchRunReport,
    Chunks,
    Exchange,
    client_for,
    patient,
)
from arxiv_digest.summarize.openai_backend import chat_request, reply_from

PREFIX = DEEP_PREFIX.rstrip(SEPARATOR)  # "deep": the summaries' import skips these lines
BACKEND = "batch"


def deep_custom_id(paper_id: str, version: int, language: str, model: str) -> str:
    return SEPARATOR.join((PREFIX, paper_id, f"v{version}", DEEP_READ_VERSION, language, model))


def is_deep(custom_id: object) -> bool:
    return isinstance(custom_id, str) and custom_id.startswith(DEEP_PREFIX)


@dataclass(frozen=True, slots=True)
class DeepKey:
    paper_id: str
    version: int
    prompt_version: str
    language: str
    model: str


def parse_deep_id(text: str) -> DeepKey:
    parts = text.split(SEPARATOR, 5)
    if len(parts) != 6 or not parts[2].startswith("v") or not parts[2][1:].isdigit():
        raise ValueError(f"custom_id {text[:80]!r} is not one this tool wrote")
    paper_id, _ = split_arxiv_id(parts[1])
    return DeepKey(paper_id, int(parts[2][1:]), parts[3], parts[4], parts[5])


@dataclass
class DeepExportReport:
    lines: int = 0
    cached: int = 0
    without: list[str] = field(default_factory=list)  # papers with no full text
    tokens: list[int] = field(default_factory=list)  # the passages given, per request

    def describe(self) -> list[str]:
        out = [f"{self.lines} deep-read requests; {self.cached} papers already have theirs"]
        if self.without:
            out.append(f"{len(self.without)} papers have no full text: {', '.join(self.without)}")
        return out


def export_deep_reads(
    store: Store,
    config: Config,
    client: PoliteClient,
    dates: Iterable[str],
    out: object,
    *,
    model: str | None = None,
) -> DeepExportReport:
    """Write a request line for each paper of `dates` that gets a deep read (the day's top N,
    its starred papers) and has none by `model` in the configured language."""
    name = model or config.summarizer.model
    if not name:
        raise ConfigError("a batch needs a model: set summarizer.model or pass --model")
    report = DeepExportReport()
    seen: set[str] = set()
    for date in dates:
        for paper in day_papers(config, store, date)[1]:
            line_id = deep_custom_id(paper.id, paper.version, config.language, name)
            if line_id in seen:
                continue
            seen.add(line_id)
            known = store.deep_reads.get(
                paper.id, paper.version, name, config.language, DEEP_READ_VERSION
            )
            if known is not None and known.ok:
                report.cached += 1
                continue
            found = obtain(config, store, client, paper.id, paper.version)
            if found.document is None:
                report.without.append(paper.id)
                continue
            passages = select(found.document, config.fulltext.max_input_tokens)
            messages = build_messages(paper.title, passages, config.language)
            body = chat_request(
                name,
                messages,
                "json_object",
                max(config.summarizer.max_tokens, config.fulltext.max_output_tokens),
                config.summarizer.temperature,
            )
            line = json.dumps(
                {"custom_id": line_id, "method": "POST", "url": CHAT_URL, "body": body},
                ensure_ascii=False,
            )
            out.write(line + "\n")  # type: ignore[attr-defined]
            report.lines += 1
            report.tokens.append(sum(approx_tokens(m["content"]) for m in messages))
    return report


@dataclass
class DeepImportReport:
    answers: int = 0
    stored: int = 0
    failed: int = 0
    again: int = 0
    unknown: list[str] = field(default_factory=list)  # no stored full text to check against

    def lines(self) -> list[str]:
        if not self.answers:
            return []
        out = [
            f"{self.answers} deep-read answers read: {self.stored} stored, {self.failed} failed "
            f"for now (the next live read asks again), {self.again} already there"
        ]
        if self.unknown:
            out.append(f"{len(self.unknown)} about papers without a stored full text, not stored")
        return out


def _answers(path: Path) -> Iterable[tuple[DeepKey, Reply | None, str | None]]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise NotFoundError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        for number, data in enumerate(handle, 1):
            try:
                line = json.loads(data.decode("utf-8")) if data.strip() else None
            except (UnicodeDecodeError, ValueError):
                continue  # the summaries' import names this line
            if not isinstance(line, dict) or not is_deep(line.get("custom_id")):
                continue
            try:
                key = parse_deep_id(line["custom_id"])
            except ValueError as exc:
                raise ImportFormatError(f"{path}:{number}: {exc}") from None
            response = line.get("response") if isinstance(line.get("response"), dict) else None
            if line.get("error") or response is None or response.get("status_code") != 200:
                yield key, None, f"the batch engine failed this line ({path.name}:{number})"
                continue
            yield key, reply_from(response.get("body")), None


def import_deep_reads(store: Store, config: Config, paths: Iterable[Path]) -> DeepImportReport:
    """Store the deep-read answers of batch output files, checked against the full text."""
    report = DeepImportReport()
    prices = {m: p.for_batch() for m, p in config.summarizer.prices.items()}
    for path in paths:
        for key, reply, error in _answers(path):
            report.answers += 1
            if key.prompt_version != DEEP_READ_VERSION:
                raise ImportFormatError(
                    f"{path}: deep reads written for prompt {key.prompt_version}, this version "
                    f"asks with {DEEP_READ_VERSION}: export the requests again"
                )
            known = store.deep_reads.get(
                key.paper_id, key.version, key.model, key.language, key.prompt_version
            )
            if known is not None and known.ok:
                report.again += 1
                continue
            found = store.fulltexts.get(key.paper_id, key.version)
            if found is None or found.document is None:
                report.unknown.append(key.paper_id)
                continue
            parts = None
            tokens_in = reply.tokens_in if reply else 0
            tokens_out = reply.tokens_out if reply else 0
            if reply is not None:
                try:
                    parts = parse_deep_read(reply.text, key.language)
                except ValueError as exc:
                    error = f"the batch answer needs a repair ({exc}); the next live read asks"
            price = prices.get(key.model)
            cited = {p for items in (parts or {}).values() for s in items for p in s.where}
            record = DeepRead(
                paper_id=key.paper_id,
                version=key.version,
                model=key.model,
                language=key.language,
                prompt_version=key.prompt_version,
                backend=BACKEND,
                status="ok" if parts is not None else "failed",
                parts=check_parts(parts, found.document) if parts is not None else {},
                source=found.document.source,
                error=error if parts is None else None,
                tokens_in=tokens_in,
                tokens_out=tokens_out,
                cost=price.cost(tokens_in, tokens_out) if price else None,
                anchors={p: a for p, a in found.document.places().items() if a and p in cited},
            )
            store.deep_reads.save(record)
            report.stored += parts is not None
            report.failed += parts is None
    return report


@dataclass
class DeepBatchOutcome:
    exported: DeepExportReport
    imported: DeepImportReport
    run: BatchRunReport


async def run_deep_batch(
    store: Store,
    config: Config,
    date: str,
    http: PoliteClient,
    *,
    wait: bool | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> DeepBatchOutcome:
    """The day's deep reads through the provider's Batch API (the `batch` backend): export,
    upload (recorded at once), create, poll, import; a batch in flight from a killed run is
    followed, not sent again. Failed lines stay failed: the next run sends them again."""
    settings = config.summarizer
    wait = settings.batch_wait if wait is None else wait
    model = batch_model(config, None)
    client, secrets = client_for(settings)
    run_report = BatchRunReport()
    exported, imported = DeepExportReport(), DeepImportReport()

    async def importer(paths: list[Path]) -> None:
        done = import_deep_reads(store, config, paths)
        for name in ("answers", "stored", "failed", "again"):
            setattr(imported, name, getattr(imported, name) + getattr(done, name))
        imported.unknown += done.unknown

    exchange = Exchange(
        store,
        config,
        date,
        model,
        client,
        patient(secrets, sleep, settings.timeout * 5),
        sleep,
        clock,
        clock() + settings.batch_wait_hours * 3600,
        None,
        run_report,
        prompt_version=DEEP_READ_VERSION,
        importer=importer,
    )
    try:
        if not exchange.mine():
            with tempfile.TemporaryDirectory(prefix="arxiv-digest-deep-") as tmp:
                chunks = Chunks(Path(tmp), MAX_LINES, MAX_BYTES)
                exported = export_deep_reads(store, config, http, [date], chunks, model=model)
                chunks.close()
                if exported.lines:
                    await exchange.submit(chunks)
        else:
            run_report.resumed = len(exchange.mine())
        for job in exchange.mine():
            if job.batch_id is None:
                await exchange.create(job)
        jobs = exchange.mine()
        if jobs and wait:
            await exchange.follow(jobs)
        elif jobs:
            run_report.waiting = [j.batch_id or f"upload {j.file_id}" for j in jobs]
    finally:
        await client.close()
    return DeepBatchOutcome(exported, imported, run_report)


async def batch_day(
    config: Config,
    store: Store,
    date: str,
    papers: list[Paper],
    client: PoliteClient | None,
    report: DayDeepReport,
) -> DayDeepReport:
    """The day's deep reads as one batch (`fulltext/batch.py`), reported as the live ones."""
    model = config.summarizer.model or ""
    with arxiv_client(config, client) as http:
        before = http.log.requests
        done = await run_deep_batch(store, config, date, http)
        report.requests = http.log.requests - before
    for paper in papers:
        found = store.fulltexts.get(paper.id, paper.version)
        if found is None:
            continue
        outcome = ReadOutcome(paper, found)
        outcome.deep_read = store.deep_reads.get(
            paper.id, paper.version, model, config.language, DEEP_READ_VERSION
        )
        report.outcomes.append(outcome)
        if outcome.deep_read is not None:
            report.spend(outcome.deep_read)
    if done.run.waiting:
        report.notes.append(
            f"deep reads in flight: {', '.join(done.run.waiting)} (the next run collects them)"
        )
    report.notes += [f"batch {ended}" for ended in done.run.ended]
    return report
