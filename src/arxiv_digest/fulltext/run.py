"""The full-text stage's entry points: `read` (one paper's deep read, on demand), `ask` (a
question about one paper) and `deep_read_day` (the day's top papers and starred papers).

Documents are fetched one after another through the one polite arXiv client, then the model
calls run concurrently. Every document and every paid answer is saved the moment it arrives, so
a run killed midway loses nothing, and the next run neither fetches nor pays for it again.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from arxiv_digest.aio import run_sync
from arxiv_digest.config import Config
from arxiv_digest.errors import DigestError, NotFoundError, SummarizeError, UsageError
from arxiv_digest.fetch.run import arxiv_client
from arxiv_digest.fulltext.ask import ASK_VERSION, answer, retrieve
from arxiv_digest.fulltext.deepread import DEEP_READ_VERSION, deep_read
from arxiv_digest.fulltext.get import obtain
from arxiv_digest.fulltext.records import Answer, DeepRead
from arxiv_digest.fulltext.select import select
from arxiv_digest.models import Paper, split_arxiv_id
from arxiv_digest.sources.api import fetch_entries
from arxiv_digest.sources.http import PoliteClient
from arxiv_digest.store import Store
from arxiv_digest.store.fulltext import FullText
from arxiv_digest.summarize.base import Summarizer
from arxiv_digest.summarize.registry import make_summarizer
from arxiv_digest.summarize.report import Budget, Spent

__all__ = ["ask", "ask_async", "deep_read_day", "deep_read_day_async", "read", "read_async"]


def fulltext_backend(config: Config) -> Summarizer:
    """The configured backend, allowed the longer answers a deep read writes."""
    settings = config.summarizer.model_copy(
        update={"max_tokens": max(config.summarizer.max_tokens, config.fulltext.max_output_tokens)}
    )
    return make_summarizer(settings, config.plugin_settings("backends", settings.backend))


def resolve(config: Config, store: Store, client: PoliteClient, raw_id: str) -> Paper:
    """The paper `raw_id` names (any arXiv id, with or without a version): from the store when
    it holds that version, else from the arXiv API (and then stored)."""
    try:
        paper_id, version = split_arxiv_id(raw_id)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    stored = store.papers.get(paper_id)
    if stored is not None and version in (None, stored.version):
        return stored
    wanted = f"{paper_id}v{version}" if version else paper_id
    found, _missing = fetch_entries(client, config.arxiv.api_url, [wanted])
    entry = found.get(paper_id)
    if entry is None:
        raise NotFoundError(f"arXiv has no paper {wanted}")
    paper = Paper(
        id=entry.id,
        version=version or entry.version,
        title=entry.title,
        authors=entry.authors,
        abstract=entry.abstract,
        primary_category=entry.primary_category,
        categories=entry.categories,
        comment=entry.comment,
        journal_ref=entry.journal_ref,
        doi=entry.doi,
        published=entry.published,
        updated=entry.updated,
    )
    if stored is None or paper.version >= stored.version:
        store.papers.upsert(paper)
    return paper


@dataclass(slots=True)
class ReadOutcome:
    paper: Paper
    fulltext: FullText
    deep_read: DeepRead | None = None
    cached: bool = False

    def line(self) -> str:
        head = f"{self.paper.id}v{self.paper.version}"
        if self.fulltext.document is None:
            return f"{head}: no full text ({self.fulltext.status}: {self.fulltext.detail})"
        read = self.deep_read
        if read is None:
            return f"{head}: full text from {self.fulltext.source}, not read"
        if not read.ok:
            return f"{head}: deep read failed: {read.error}"
        flagged = len(read.warnings)
        return (
            f"{head}: deep read from {read.source} ({read.input_tokens} tokens given"
            + (", cached" if self.cached else f", {read.tokens_in}+{read.tokens_out} tokens")
            + (f", {flagged} statements flagged" if flagged else "")
            + ")"
        )


@dataclass(slots=True)
class DayDeepReport:
    day: str
    outcomes: list[ReadOutcome] = field(default_factory=list)
    requests: int = 0
    stopped: DigestError | None = None
    #: what the deep reads asked for cost this run (cached ones cost nothing)
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = 0.0
    #: papers not read because the run's budget ran out (`limit` says which limit)
    left: int = 0
    limit: str | None = None
    notes: list[str] = field(default_factory=list)  # batches in flight or lost

    def spend(self, read: DeepRead) -> None:
        self.tokens_in += read.tokens_in
        self.tokens_out += read.tokens_out
        if self.cost is not None:
            self.cost = None if read.cost is None else self.cost + read.cost

    @property
    def read(self) -> int:
        return sum(1 for o in self.outcomes if o.deep_read is not None and o.deep_read.ok)

    def lines(self) -> list[str]:
        lines = [f"deep reads for {self.day}: {self.read} of {len(self.outcomes)} papers"]
        lines += [f"  {o.line()}" for o in self.outcomes]
        lines += [f"  {note}" for note in self.notes]
        if self.left:
            lines.append(f"  {self.left} not read: the budget ({self.limit}) ran out")
        if self.stopped is not None:
            lines.append(f"  stopped: {self.stopped}")
        return lines


async def _deep_read_one(
    config: Config, store: Store, backend: Summarizer, outcome: ReadOutcome
) -> bool:
    """Write the deep read of `outcome`'s paper (from the store when it has one); True when a
    model was asked."""
    document = outcome.fulltext.document
    if document is None:
        return False
    paper = outcome.paper
    key = (paper.id, paper.version, backend.model, config.language, DEEP_READ_VERSION)
    known = store.deep_reads.get(*key)
    if known is not None and known.ok:
        outcome.deep_read, outcome.cached = known, True
        return False
    passages = select(document, config.fulltext.max_input_tokens)
    started = time.monotonic()
    result = await deep_read(backend.ask, paper.title, document, passages, config.language)
    price = config.summarizer.prices.get(backend.model)
    cited = {p for items in (result.parts or {}).values() for s in items for p in s.where}
    record = DeepRead(
        paper_id=paper.id,
        version=paper.version,
        model=backend.model,
        language=config.language,
        prompt_version=DEEP_READ_VERSION,
        backend=backend.backend,
        status="ok" if result.parts is not None else "failed",
        parts=result.parts or {},
        source=document.source,
        error=result.error,
        tokens_in=result.tokens_in,
        tokens_out=result.tokens_out,
        cost=price.cost(result.tokens_in, result.tokens_out) if price else None,
        seconds=round(time.monotonic() - started, 3),
        input_tokens=result.input_tokens,
        anchors={p: a for p, a in document.places().items() if a and p in cited},
    )
    store.deep_reads.save(record)  # a paid answer is kept the moment it arrives
    outcome.deep_read = record
    return True


async def read_async(
    config: Config, store: Store, raw_id: str, *, client: PoliteClient | None = None
) -> ReadOutcome:
    """Fetch one paper's full text (any arXiv id) and write its deep read."""
    backend = fulltext_backend(config)
    try:
        with arxiv_client(config, client) as http:
            paper = resolve(config, store, http, raw_id)
            outcome = ReadOutcome(paper, obtain(config, store, http, paper.id, paper.version))
        await _deep_read_one(config, store, backend, outcome)
    finally:
        await backend.aclose()
    return outcome


async def ask_async(
    config: Config,
    store: Store,
    raw_id: str,
    question: str,
    *,
    client: PoliteClient | None = None,
) -> Answer:
    """Answer `question` about a paper from its full text, with checked quotes."""
    question = " ".join(question.split())
    if not question:
        raise UsageError("ask needs a question")
    backend = fulltext_backend(config)
    try:
        with arxiv_client(config, client) as http:
            paper = resolve(config, store, http, raw_id)
            found = obtain(config, store, http, paper.id, paper.version)
        if found.document is None:
            raise NotFoundError(
                f"{paper.id}v{paper.version} has no full text to answer from "
                f"({found.status}: {found.detail})"
            )
        key = (paper.id, paper.version, backend.model, config.language, ASK_VERSION, question)
        cached = store.answers.get(*key)
        if cached is not None:
            return cached
        passages = retrieve(found.document, question, config.fulltext.passages)
        result = await answer(
            backend.ask, paper.title, found.document, question, config.language, passages
        )
    finally:
        await backend.aclose()
    price = config.summarizer.prices.get(backend.model)
    judged = result.judged
    record = Answer(
        paper_id=paper.id,
        version=paper.version,
        model=backend.model,
        language=config.language,
        prompt_version=ASK_VERSION,
        question=question,
        status=judged.status if judged is not None else "failed",
        text=judged.text if judged is not None else "",
        quotes=judged.quotes if judged is not None else (),
        problems=judged.problems if judged is not None else (),
        error=result.error,
        tokens_in=result.tokens_in,
        tokens_out=result.tokens_out,
        cost=price.cost(result.tokens_in, result.tokens_out) if price else None,
    )
    store.answers.save(record)
    if judged is None:
        raise SummarizeError(f"no answer about {paper.id}: {result.error}")
    return record


def day_papers(config: Config, store: Store, day: str | None) -> tuple[str, list[Paper]]:
    """The papers of a day that get a deep read: its top N (by score when it is ranked, else
    the first N), and the starred ones."""
    digest = store.digests.require(day)
    chosen: dict[str, Paper] = {}
    if config.fulltext.top:
        for entry in digest.top(config.fulltext.top):
            chosen[entry.paper.id] = entry.paper
    if config.fulltext.starred:
        starred = {p.id for p, kind in store.feedback.all() if kind == "star"}
        for entry in digest.entries:
            if entry.paper.id in starred:
                chosen.setdefault(entry.paper.id, entry.paper)
    return digest.date, list(chosen.values())


async def deep_read_day_async(
    config: Config,
    store: Store,
    day: str | None = None,
    *,
    client: PoliteClient | None = None,
    budget: Budget | None = None,
    spent: Spent | None = None,
) -> DayDeepReport:
    """Deep-read the day's top papers (`[fulltext] top`) and its starred papers. `budget`
    holds for the whole run: `spent` is what the run spent before (its summaries); no deep read
    is started once a limit is reached."""
    date, papers = day_papers(config, store, day)
    report = DayDeepReport(date)
    if not papers:
        return report
    if config.summarizer.backend == "batch":  # through the provider's Batch API
        from arxiv_digest.fulltext.batch import batch_day

        return await batch_day(config, store, date, papers, client, report)
    outcomes: list[ReadOutcome] = []
    with arxiv_client(config, client) as http:
        before = http.log.requests
        for paper in papers:
            try:
                found = obtain(config, store, http, paper.id, paper.version)
            except DigestError as exc:  # arXiv unreachable: what was fetched is kept
                report.stopped = exc
                break
            outcomes.append(ReadOutcome(paper, found))
        report.requests = http.log.requests - before
    report.outcomes = outcomes
    backend = fulltext_backend(config)
    limit = asyncio.Semaphore(config.summarizer.concurrency or backend.default_concurrency)
    started = time.monotonic()
    asked = 0

    def over() -> str | None:
        if budget is None:
            return None
        total = DayDeepReport(date)
        total.tokens_in = report.tokens_in + (spent.tokens_in if spent else 0)
        total.tokens_out = report.tokens_out + (spent.tokens_out if spent else 0)
        before = spent.cost if spent is not None else 0.0
        total.cost = None if report.cost is None or before is None else report.cost + before
        return budget.hit(total, asked, (time.monotonic() - started) / 60)

    async def one(outcome: ReadOutcome) -> None:
        nonlocal asked
        async with limit:
            if report.stopped is not None:
                return
            reached = over() if outcome.fulltext.document is not None else None
            if reached is not None:
                report.left += 1
                report.limit = reached
                return
            try:
                if await _deep_read_one(config, store, backend, outcome):
                    asked += 1
                    if outcome.deep_read is not None:
                        report.spend(outcome.deep_read)
            except DigestError as exc:  # the endpoint cannot serve this run
                report.stopped = exc

    try:
        await asyncio.gather(*(one(o) for o in outcomes))
    finally:
        await backend.aclose()
    return report


def read(
    config: Config, store: Store, raw_id: str, *, client: PoliteClient | None = None
) -> ReadOutcome:
    """`read_async`, from code with or without a running event loop."""
    return run_sync(read_async(config, store, raw_id, client=client))


def ask(
    config: Config,
    store: Store,
    raw_id: str,
    question: str,
    *,
    client: PoliteClient | None = None,
) -> Answer:
    """`ask_async`, from code with or without a running event loop."""
    return run_sync(ask_async(config, store, raw_id, question, client=client))


def deep_read_day(
    config: Config,
    store: Store,
    day: str | None = None,
    *,
    client: PoliteClient | None = None,
    budget: Budget | None = None,
    spent: Spent | None = None,
) -> DayDeepReport:
    """`deep_read_day_async`, from code with or without a running event loop."""
    return run_sync(
        deep_read_day_async(config, store, day, client=client, budget=budget, spent=spent)
    )
