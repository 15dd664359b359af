"""The summarizer interface: one async method, a paper in, five fields out.

Backends never touch the store (a `DaySummarizer`, which hands a whole day to a batch
engine, records its jobs through the store's own API); the summarize stage (`stage.py`)
handles caching, concurrency, persistence and reporting around them, so a new backend is one
class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from arxiv_digest.errors import SummarizeError
from arxiv_digest.models import Paper, SummaryFields

if TYPE_CHECKING:
    from arxiv_digest.config import Config
    from arxiv_digest.store import Store
    from arxiv_digest.summarize.report import SummarizeOptions, SummarizeReport


@dataclass(frozen=True, slots=True)
class SummaryResult:
    """What one backend call produced: the fields, or why there are none."""

    fields: SummaryFields | None
    error: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    #: the failure may heal by itself (the endpoint timed out, answered 5xx): the next ordinary
    #: run tries again; a failure of the paper's own (an unusable answer) waits for --retry-failed
    transient: bool = False

    @property
    def ok(self) -> bool:
        return self.fields is not None


@dataclass(frozen=True, slots=True)
class Reply:
    """One model answer: its text and the tokens it cost."""

    text: str | None
    tokens_in: int = 0
    tokens_out: int = 0


class Summarizer(ABC):
    """A backend that writes the five-field summary of a paper."""

    #: Short backend name stored with every summary ("extractive", "openai", "local").
    backend: str = ""
    #: Model identifier; part of the cache key.
    model: str = ""
    #: Version of the prompt or algorithm; part of the cache key. Bump it when output changes.
    prompt_version: str = ""
    #: Papers in flight at once unless `summarizer.concurrency` says otherwise.
    default_concurrency: int = 8
    #: Other papers' answers are on their way while one is checked (an endpoint): the checks
    #: run off the event loop. False for answers already in hand (a batch's output file).
    answers_waiting: bool = True
    #: Capabilities, declared instead of known by name. `offline`: no network and no cost (the
    #: top-K split gives it every paper, nothing is priced). `quotes`: its fields are the
    #: abstract's own sentences (never replacing a model's summary, exempt from the copy
    #: check, nothing to verify). `needs_key`: it reads an API key. `languages`: the summary
    #: languages it can write (empty: any it is asked for).
    offline: bool = False
    quotes: bool = False
    needs_key: bool = False
    languages: tuple[str, ...] = ()

    @property
    def service(self) -> str:
        """How a failure names this backend: "the openai backend (model m at host)"."""
        return f"the {self.backend} backend (model {self.model})"

    def output_language(self, requested: str) -> str:
        """The language this backend will actually write when asked for `requested`.

        A backend that cannot write `requested` at all raises SummarizeError here, before any
        paper is tried, with one line that names the alternatives."""
        return requested

    @abstractmethod
    async def summarize(self, paper: Paper, language: str) -> SummaryResult:
        """Summarize one paper. Must not raise for a bad answer: return a failed result."""

    async def ask(self, messages: list[dict[str, str]]) -> Reply:
        """One free-form chat call answered with a JSON object (the verify pass uses it).
        Backends without a model cannot: they raise SummarizeError."""
        raise SummarizeError(
            f"the {self.backend} backend has no model to verify with: name one in the config "
            '([summarizer] backend = "openai" and model = "...") or in the environment '
            "(ARXIV_DIGEST_BACKEND=openai ARXIV_DIGEST_MODEL=...)"
        )

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections or models."""


class DaySummarizer(Summarizer):
    """A backend that answers a whole day at once (a batch engine): the pipeline hands it the
    day instead of one paper at a time. It keeps the stage's promises itself: the same cache
    key, nothing asked twice, every answer validated and checked, a report of the same shape."""

    @abstractmethod
    async def summarize_whole_day(
        self,
        store: Store,
        config: Config,
        day: str,
        options: SummarizeOptions,
    ) -> SummarizeReport:
        """Summarize the papers of `day` (or `options.only` those) that need it."""
