"""Batch files for engines without a live endpoint, in the OpenAI Batch API's JSONL.

`batch export` writes one request line a paper that needs a summary, exactly the request the
live `openai` backend sends (the same prompt, schema and model settings), as
`{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}`; `vllm run-batch -i
requests.jsonl -o results.jsonl --model M` on a GPU node, or a provider's Batch API, answers it.
`batch import` reads such an output file (`{"custom_id", "response": {"status_code", "body"},
"error"}`) and stores every answer through the summarize stage, with the same validation and
checks as a live answer.

The `custom_id` is the paper and its cache key (`2501.00001|v1|p3|Chinese|MODEL`), so an
answer lands only on the summary it was asked for, and a file written for another prompt
version is refused. The schema goes as `json_schema` (what OpenAI's Batch API and vLLM take),
unless `summarizer.response_format` names another. An answer that would need a repair is not
repaired here: it is stored as failed for now, and the next ordinary `summarize` with the live
backend asks again; so is a line the engine could not answer.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from arxiv_digest.config import Config
from arxiv_digest.errors import ConfigError, ImportFormatError, NotFoundError
from arxiv_digest.models import Paper, SummaryKey, split_arxiv_id
from arxiv_digest.store import Store
from arxiv_digest.summarize.base import Reply, Summarizer, SummaryResult
from arxiv_digest.summarize.openai_backend import chat_request, reply_from
from arxiv_digest.summarize.prompt import (
    PROMPT_VERSION,
    CallFailed,
    ask_with_repair,
    build_messages,
)
from arxiv_digest.summarize.report import SummarizeOptions, SummarizeReport
from arxiv_digest.summarize.stage import due, plan, summarize_day

BATCH_BACKEND = "batch"
CHAT_URL = "/v1/chat/completions"
SEPARATOR = "|"
#: how a deep read's request starts its custom_id (fulltext/batch.py writes and reads those)
DEEP_PREFIX = "deep|"


def custom_id(key: SummaryKey) -> str:
    return SEPARATOR.join(
        (key.paper_id, f"v{key.version}", key.prompt_version, key.language, key.model)
    )


def parse_custom_id(text: object) -> SummaryKey:
    if not isinstance(text, str) or text.count(SEPARATOR) < 4:
        raise ValueError(f"custom_id {str(text)[:80]!r} is not one this tool wrote")
    paper_id, version, prompt_version, language, model = text.split(SEPARATOR, 4)
    paper_id, _ = split_arxiv_id(paper_id)
    if not version.startswith("v") or not version[1:].isdigit() or not model:
        raise ValueError(f"custom_id {text[:80]!r} is not one this tool wrote")
    return SummaryKey(paper_id, int(version[1:]), model, language, prompt_version)


class _Planner(Summarizer):
    """Stands for the live backend when choosing which papers need a request (same key)."""

    backend = BATCH_BACKEND
    prompt_version = PROMPT_VERSION

    def __init__(self, model: str) -> None:
        self.model = model

    async def summarize(self, paper: Paper, language: str) -> SummaryResult:
        raise NotImplementedError  # only planned, never called


def batch_model(config: Config, model: str | None) -> str:
    chosen = model or config.summarizer.model
    if not chosen:
        raise ConfigError("a batch needs a model: set summarizer.model or pass --model")
    if SEPARATOR in chosen:
        raise ConfigError(f"a model name with {SEPARATOR!r} cannot go into a batch's custom_id")
    return chosen


@dataclass
class ExportReport:
    lines: int = 0
    bytes: int = 0
    cached: int = 0
    held: int = 0  # failed papers not asked again yet (a backoff, or --retry-failed needed)
    left: int = 0  # not written: over the `limit` of papers
    days: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # the papers asked about, in order

    def describe(self) -> list[str]:
        out = [
            f"{self.lines} requests ({self.bytes / 1e6:.2f} MB) for {len(self.days)} days; "
            f"{self.cached} papers already have their summary"
        ]
        if self.held:
            out.append(
                f"{self.held} failed papers wait for their retry time "
                "(`arxiv-digest failures`; --retry-failed asks them now)"
            )
        return out


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def export_requests(
    store: Store,
    config: Config,
    dates: Iterable[str],
    out: Writer,
    *,
    model: str | None = None,
    only: Collection[str] | None = None,
    retry_failed: bool = False,
    redo: bool = False,
    hurry: bool = False,
    limit: int | None = None,
) -> ExportReport:
    """Write a request line for each paper of `dates` (or `only` those) without a usable
    summary by `model` in the configured language (a paper on several days once).

    A failed paper is asked again as the live backend would ask it: a failure that may heal
    once its retry time has come (or at once with `hurry`, a follow-up batch), any failure with
    `retry_failed`. `redo` asks every paper again. At most `limit` papers are written."""
    name = batch_model(config, model)
    planner = _Planner(name)
    settings = config.summarizer
    fmt = "json_schema" if settings.response_format == "auto" else settings.response_format
    report = ExportReport()
    seen: set[str] = set()
    for date in dates:
        wanted = SummarizeOptions(
            retry_failed=True, redo=redo, only=None if only is None else frozenset(only)
        )
        pending, cached = plan(store, date, planner, config.language, wanted)
        report.cached += cached
        report.days.append(date)
        for entry in pending:
            key = SummaryKey(
                entry.paper.id, entry.paper.version, name, config.language, PROMPT_VERSION
            )
            found = None if redo else store.summaries.get(key)
            if (
                found is not None
                and found.status == "failed"
                and not retry_failed
                and not (found.transient and (hurry or due(found)))
            ):
                if found.id is not None:  # the day shows this failure, as a live run would
                    store.digests.attach(date, entry.paper.id, found.id)
                report.held += 1
                continue
            line_id = custom_id(key)
            if line_id in seen:
                continue
            if limit is not None and len(seen) >= limit:
                report.left += 1
                continue
            seen.add(line_id)
            messages = build_messages(entry.paper, config.language)
            body = chat_request(name, messages, fmt, settings.max_tokens, settings.temperature)
            line = json.dumps(
                {"custom_id": line_id, "method": "POST", "url": CHAT_URL, "body": body},
                ensure_ascii=False,
            )
            out.write(line + "\n")
            report.lines += 1
            report.bytes += len(line.encode("utf-8")) + 1
            report.ids.append(entry.paper.id)
    return report


@dataclass(frozen=True)
class _Answer:
    reply: Reply | None
    error: str | None = None
    line: str = ""  # the output line's own id: a failure names it, so a re-read is known

    def mark(self, text: str) -> str:
        return f"{text} [batch line {self.line}]" if self.line else text


def read_results(path: Path) -> Iterator[tuple[SummaryKey, _Answer]]:
    """The answers of an OpenAI-format batch output file, line by line; a line that is not
    one names its number."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise NotFoundError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        for number, data in enumerate(handle, 1):
            if not data.strip():
                continue
            try:
                raw = data.decode("utf-8")
                line = json.loads(raw)
                if not isinstance(line, dict):
                    raise ValueError("not a JSON object")
                if str(line.get("custom_id", "")).startswith(DEEP_PREFIX):
                    continue  # a deep read's answer (fulltext/batch.py stores those)
                key = parse_custom_id(line.get("custom_id"))
            except UnicodeDecodeError as exc:
                raise ImportFormatError(
                    f"{path}:{number}: not UTF-8 (byte {exc.start + 1} of the line)"
                ) from None
            except RecursionError:
                raise ImportFormatError(f"{path}:{number}: JSON nested too deeply") from None
            except ValueError as exc:
                raise ImportFormatError(f"{path}:{number}: {exc}") from None
            error = line.get("error")
            line_id = str(line.get("id") or f"{path.name}:{number}")
            response = line.get("response") if isinstance(line.get("response"), dict) else None
            status = response.get("status_code") if response else None
            if error or response is None or status != 200:
                said = error.get("message") if isinstance(error, dict) else error
                if not said and response is not None and isinstance(response.get("body"), dict):
                    inner = response["body"].get("error")
                    said = inner.get("message") if isinstance(inner, dict) else inner
                how = f"answered {status}" if status is not None else "failed this line"
                text = f"the batch engine {how}: {said or 'no body'}"
                yield key, _Answer(None, text, line_id)
                continue
            yield key, _Answer(reply_from(response.get("body")), None, line_id)


class _Replay(Summarizer):
    """Answers from a batch output file, validated as the live backend validates its own."""

    backend = BATCH_BACKEND
    default_concurrency = 4
    answers_waiting = False

    def __init__(self, model: str, prompt_version: str, answers: dict[str, _Answer]) -> None:
        self.model = model
        self.prompt_version = prompt_version
        self.answers = answers

    async def summarize(self, paper: Paper, language: str) -> SummaryResult:
        answer = self.answers[paper.id]
        if answer.reply is None:
            return SummaryResult(None, answer.mark(answer.error or "no answer"), transient=True)

        async def ask(messages: list[dict[str, str]], repair: bool) -> Reply:
            if repair:  # the problem is the last message: say it, and leave it to a live run
                problem = messages[-1]["content"].splitlines()[0][:200]
                raise CallFailed(
                    answer.mark(f"the batch answer needs a repair ({problem}); the next run asks"),
                    transient=True,
                )
            assert answer.reply is not None
            return answer.reply

        return await ask_with_repair(ask, paper, language)


@dataclass
class ImportReport:
    answers: int = 0
    again: int = 0
    stale: list[str] = field(default_factory=list)
    days: set[str] = field(default_factory=set)
    reports: list[SummarizeReport] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    duplicates: int = 0

    def lines(self) -> list[str]:
        ok = sum(r.ok for r in self.reports)
        failed = sum(r.failed for r in self.reports)
        cached = sum(r.cached for r in self.reports) + self.again
        out = [
            f"{self.answers} answers read: {ok} summaries stored, {failed} failed for now "
            f"(the next live run asks again), {cached} already there, on {len(self.days)} days"
        ]
        if self.stale:
            out.append(
                f"{len(self.stale)} answers about an older version of their paper, not stored "
                "(export again): " + ", ".join(self.stale[:5])
            )
        if self.duplicates:
            out.append(
                f"{self.duplicates} answers repeat a request answered again later in the file"
            )
        if self.unknown:
            out.append(
                f"{len(self.unknown)} answers for papers on no stored day, not stored: "
                + ", ".join(self.unknown[:5])
            )
        return out


#: Answers stored per pass: memory stays flat however long the output file is.
BLOCK = 2_000


async def import_results(
    store: Store,
    config: Config,
    paths: Path | Sequence[Path],
    dates: Iterable[str] | None = None,
) -> ImportReport:
    """Store the answers of `paths` (an output file and its error file, say) on every stored day
    (or `dates`) that lists their papers, BLOCK answers at a time."""
    report = ImportReport()
    allowed = set(dates) if dates is not None else None
    block: list[tuple[SummaryKey, _Answer]] = []
    for path in [paths] if isinstance(paths, Path) else paths:
        for key, answer in read_results(path):
            block.append((key, answer))
            if len(block) >= BLOCK:
                await _store_block(store, config, path, block, allowed, report)
                block = []
        if block:
            await _store_block(store, config, path, block, allowed, report)
            block = []
    return report


async def _store_block(
    store: Store,
    config: Config,
    path: Path,
    block: list[tuple[SummaryKey, _Answer]],
    allowed: set[str] | None,
    report: ImportReport,
) -> None:
    groups: dict[tuple[str, str, str], dict[str, _Answer]] = {}
    for key, answer in block:
        stored = store.papers.get(key.paper_id)
        if stored is not None and stored.version != key.version:
            report.answers += 1
            report.stale.append(key.paper_id)  # asked about another version of the paper
            continue
        recorded = store.summaries.get(key)
        if recorded is not None and (
            recorded.usable
            or (answer.line and f"[batch line {answer.line}]" in (recorded.error or ""))
        ):
            report.answers += 1
            report.again += 1  # stored already: a good summary, or this very line (read twice)
            continue
        if key.prompt_version != PROMPT_VERSION:
            raise ImportFormatError(
                f"{path}: written for prompt {key.prompt_version}, this version asks with "
                f"{PROMPT_VERSION}: export the requests again"
            )
        group = groups.setdefault((key.model, key.language, key.prompt_version), {})
        report.answers += 1
        if key.paper_id in group:
            report.duplicates += 1  # the same request answered twice in the file: the last counts
        group[key.paper_id] = answer
    wanted = {pid for answers in groups.values() for pid in answers}
    # batch tokens cost their discounted price (summarizer.prices.MODEL.batch)
    batch_prices = {m: p.for_batch() for m, p in config.summarizer.prices.items()}
    placed: set[str] = set()
    for date, listed in sorted(store.digests.days_of(wanted).items(), reverse=True):
        if allowed is not None and date not in allowed:
            continue
        placed |= listed
        for (model, language, prompt_version), answers in groups.items():
            here = listed & set(answers)
            if not here:
                continue
            replay = _Replay(model, prompt_version, answers)
            # one commit for the block, not four a paper: a run killed here has not marked its
            # batch collected, so the next one reads the same answers again (at no cost)
            with store.transaction():
                done = await summarize_day(
                    store,
                    date,
                    replay,
                    language,
                    # an answer in hand is stored, whatever waits for a retry
                    SummarizeOptions(retry_failed=True, only=frozenset(here)),
                    concurrency=replay.default_concurrency,
                    prices=batch_prices,
                )
            report.days.add(date)
            report.reports.append(done)
    report.unknown += sorted(wanted - placed)
