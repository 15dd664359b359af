"""The `openai` backend: any OpenAI-compatible chat-completions endpoint, through the official SDK.

Works unchanged against OpenAI, DeepSeek, Qwen (compatible mode), vLLM, Ollama and llama.cpp's
server. Structured output is asked for with `response_format` `json_object` carrying the schema
as a decoding grammar (llama.cpp's and vLLM's form), with the fields defined in the prompt; an
endpoint that rejects that form (an error that names it, as OpenAI's does) is switched to plain
`json_object` for the rest of the run (`json_schema` can be set; it costs the schema's tokens);
any other 400 (a context-length error, say) fails that paper only. Answers are validated
(five non-empty fields, bounded, in the requested language) with one repair attempt that feeds the
problem back. Rate limits, 5xx, timeouts and dropped connections are retried with exponential
back-off and jitter, honouring `Retry-After`.

The API key is read from the environment variable the config names and is never logged, stored or
shown: errors are reduced to their class and HTTP status.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import ssl
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import openai

from arxiv_digest.config import SummarizerConfig
from arxiv_digest.errors import ConfigError, SummarizeError, redact, remember_secret
from arxiv_digest.models import Paper
from arxiv_digest.retry import RetryPolicy, TooLong, Transient, parse_retry_after
from arxiv_digest.summarize.base import Reply, Summarizer, SummaryResult
from arxiv_digest.summarize.prompt import (
    GRAMMAR_SCHEMA,
    PROMPT_VERSION,
    SCHEMA,
    CallFailed,
    ask_with_repair,
)

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
#: "auto" tries these in order. The schema as a decoding grammar (llama.cpp, vLLM) costs no
#: prompt tokens; `json_schema` puts it in the prompt on OpenAI (117 tokens a paper, see
#: bench/summarize.py), so it is used only when asked for.
FORMATS = ("json_object_schema", "json_object")


def response_format_for(fmt: str) -> dict[str, Any]:
    if fmt == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": "paper_summary", "strict": True, "schema": SCHEMA},
        }
    if fmt == "json_object_schema":  # llama.cpp's server: a schema-driven grammar
        return {"type": "json_object", "schema": GRAMMAR_SCHEMA}
    return {"type": "json_object"}


def chat_request(
    model: str,
    messages: list[dict[str, str]],
    fmt: str,
    max_tokens: int,
    temperature: float | None,
) -> dict[str, Any]:
    """The chat-completion request the live backend sends (and a batch line carries)."""
    kwargs: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "max_tokens": max_tokens,
        "response_format": response_format_for(fmt),
    }
    if temperature is not None:
        kwargs["temperature"] = temperature
    return kwargs


def reply_from(data: object) -> Reply:
    """The answer's text and token counts from a chat-completion body (parsed JSON)."""
    if not isinstance(data, dict):
        return Reply(None)
    choices = data.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    usage = data.get("usage")
    if not isinstance(usage, dict):
        usage = {}
    return Reply(
        content if isinstance(content, str) else None,
        _tokens(usage.get("prompt_tokens")),
        _tokens(usage.get("completion_tokens")),
    )


def _tokens(value: object) -> int:
    """A token count as an endpoint reports it; 0 when it is not a plausible count (a string,
    NaN, negative, or beyond what any request holds: 10**30 would overflow the store)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if value != value or not 0 <= value < 10**9:  # NaN, or out of range
        return 0
    return int(value)


def _reply(body: bytes) -> Reply:
    """The answer's text and token counts, from a chat-completion body of any shape; a body that
    is not a completion gives no text (the repair loop then says so)."""
    try:
        data = json.loads(body)
    except ValueError:  # not JSON, or not UTF-8
        raise CallFailed("the endpoint answered with something that is not JSON") from None
    return reply_from(data)


class FatalBackendError(SummarizeError):
    """The endpoint cannot serve this run (bad key, unknown model, spent quota, unreachable, a
    wait longer than the run may take): stop the stage; the papers stay pending."""


#: Consecutive failures to reach the endpoint (refused, DNS, reset), across all requests in
#: flight, after which it counts as unreachable for this run.
UNREACHABLE_AFTER = 12


def _quota_spent(exc: openai.APIStatusError) -> bool:
    """OpenAI and compatible providers say `insufficient_quota` in a 429 when the money is gone:
    no wait will help."""
    text = f"{getattr(exc, 'code', '')} {getattr(exc, 'type', '')} {exc.body}".lower()
    return exc.status_code in (402, 429) and (
        "insufficient_quota" in text or "quota" in text and "exceeded your current" in text
    )


def _tls_failure(exc: BaseException) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _describe(exc: BaseException) -> str:
    """A one-line description: class, status and the provider's message (secrets are cut out by
    the caller, which knows the key)."""
    status = getattr(exc, "status_code", None)
    text = type(exc).__name__ + (f" (HTTP {status})" if status else "")
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        message = body.get("message") or (body.get("error") or {}).get("message")
        if isinstance(message, str):
            text += f": {' '.join(message.split())[:200]}"
    return text


def _rejects_format(exc: openai.APIStatusError, fmt: str) -> bool:
    """Did the endpoint refuse the response_format? (400/422 naming it; llama.cpp's server says
    500.) Another 400, such as a context-length error, is about the paper, not the format."""
    if exc.status_code not in (400, 422, 500):
        return False
    text = str(exc.body or exc.message).lower()
    return any(word in text for word in ("response_format", "json_schema", "json_object", fmt))


class OpenAISummarizer(Summarizer):
    backend = "openai"
    needs_key = True
    prompt_version = PROMPT_VERSION

    @property
    def service(self) -> str:
        host = urlsplit(self.base_url).netloc or self.base_url
        return f"the LLM endpoint {host} (model {self.model})"

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        temperature: float | None = 0.2,
        max_tokens: int = 1024,
        timeout: float = 60.0,
        max_attempts: int = 5,
        backoff: float = 1.0,
        response_format: str = "auto",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        key = os.environ.get(api_key_env)
        if not key:
            if base_url is None:
                raise SummarizeError(
                    f"the openai backend needs an API key in the environment variable "
                    f"{api_key_env} (or set summarizer.base_url for a local server)"
                )
            key = "not-needed"  # local servers (llama.cpp, Ollama, vLLM) accept any key
        remember_secret(key)
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.max_attempts = max(1, max_attempts)
        self.policy = RetryPolicy(
            attempts=self.max_attempts, backoff=backoff, max_wait=120.0, jitter=backoff, rng=rng
        )
        self.sleep = sleep
        self.timeout = timeout
        self.base_url = base_url or "https://api.openai.com/v1"
        self._secrets = (key, f"Bearer {key}")
        self._unreachable = 0  # consecutive failures to reach the endpoint
        # "auto" walks down this list when the endpoint rejects a format (HTTP 400 or 422) and
        # remembers the first one it accepts for the rest of the run.
        self.formats = list(FORMATS) if response_format == "auto" else [response_format]
        self.client = openai.AsyncOpenAI(
            api_key=key, base_url=base_url, timeout=timeout, max_retries=0
        )

    @property
    def format(self) -> str:
        return self.formats[0]

    def _request(self, messages: list[dict[str, str]], fmt: str) -> dict[str, Any]:
        return chat_request(self.model, messages, fmt, self.max_tokens, self.temperature)

    def _safe(self, text: str) -> str:
        """`text` with the API key (and any bearer token or URL password) cut out: an endpoint may
        echo the request's headers into its error, and errors are stored and published."""
        return redact(text, *self._secrets)

    def _fatal(self, cause: str) -> FatalBackendError:
        return FatalBackendError(self._safe(cause))

    async def _attempt(self, messages: list[dict[str, str]], plain: bool = False) -> bytes:
        """One chat completion within its deadline. A failure that may heal is raised as
        `Transient` for the retry policy; one that cannot heal in this run as FatalBackendError."""
        while True:
            fmt = self.format
            try:
                # The request body is plain JSON already: posted through the SDK's client as is,
                # it skips the SDK's per-field type transform (1.2 ms of CPU a request, which
                # at 16 in flight delayed every wave by a tenth) and keeps keys the SDK would drop
                # from response_format (llama.cpp's "schema"). The answer is read as plain JSON
                # too, from its bytes (`_reply`): three values are all we need of it, and the
                # bytes spare the import of an HTTP library of our own for the SDK's response
                # type. The SDK's timeout bounds each gap between bytes; the deadline bounds the
                # whole answer (a server that drips a byte a second never trips a read timeout).
                async with asyncio.timeout(self.timeout):
                    response = await self.client.post(
                        "/chat/completions",
                        body=self._request(messages, "json_object" if plain else fmt),
                        cast_to=bytes,
                    )
                self._unreachable = 0
                return response
            except TimeoutError:
                self._unreachable = 0
                raise Transient(f"no complete answer within {self.timeout:g} s") from None
            except (
                openai.AuthenticationError,
                openai.PermissionDeniedError,
                openai.NotFoundError,
            ) as exc:
                raise self._fatal(
                    f"{self.service} refused the request: {_describe(exc)}; check the model name, "
                    "base URL and API key"
                ) from None
            except openai.APIStatusError as exc:
                self._unreachable = 0
                if _quota_spent(exc):
                    raise self._fatal(
                        f"the provider says the quota is spent: {_describe(exc)}; add credit or "
                        "use another key, then run again (the papers are still pending)"
                    ) from None
                if not plain and _rejects_format(exc, fmt) and fmt != self.formats[-1]:
                    if self.formats[0] == fmt:  # concurrent requests may have moved on already
                        self.formats.pop(0)  # remembered for the rest of the run
                    continue
                if exc.status_code not in RETRYABLE_STATUS:
                    raise CallFailed(self._safe(_describe(exc))) from None
                after = parse_retry_after(exc.response.headers.get("retry-after"))
                raise Transient(self._safe(_describe(exc)), after) from None
            except openai.APITimeoutError as exc:
                raise Transient(_describe(exc)) from None
            except openai.APIConnectionError as exc:
                if _tls_failure(exc):
                    raise self._fatal(
                        f"TLS with {self.base_url} failed: {_describe(exc)}; check the URL and "
                        "the server's certificate"
                    ) from None
                self._unreachable += 1
                if self._unreachable >= UNREACHABLE_AFTER:
                    raise self._fatal(
                        f"cannot reach {self.base_url}: {_describe(exc)} "
                        f"({self._unreachable} tries in a row); check summarizer.base_url and "
                        "the network, then run again (the papers are still pending)"
                    ) from None
                raise Transient(_describe(exc)) from None

    async def _complete(self, messages: list[dict[str, str]], plain: bool = False) -> bytes:
        """One chat completion, retried on transient failures. `plain`: any JSON object, not
        the summary's schema (the verify pass)."""
        try:
            return await self.policy.acall(
                partial(self._attempt, messages, plain), sleep=self.sleep
            )
        except TooLong as exc:
            raise self._fatal(
                f"{self.service} asked to wait {exc.wait:.0f} s ({exc.problem}), longer than this "
                "run waits; the rest is left for the next run"
            ) from None
        except Transient as exc:
            raise CallFailed(
                f"{exc.problem} (after {self.max_attempts} attempts)", transient=True
            ) from None

    async def summarize(self, paper: Paper, language: str) -> SummaryResult:
        async def ask(messages: list[dict[str, str]], _repair: bool) -> Reply:
            try:
                response = await self._complete(messages)
            except openai.OpenAIError as exc:  # anything the SDK raises that is not sorted above
                raise CallFailed(self._safe(_describe(exc))) from None
            return _reply(response)

        # under llama.cpp's schema grammar a field that reaches its cap was cut there
        grammar = self.format == "json_object_schema"
        return await ask_with_repair(ask, paper, language, grammar=grammar)

    async def ask(self, messages: list[dict[str, str]]) -> Reply:
        try:
            response = await self._complete(messages, plain=True)
        except openai.OpenAIError as exc:
            raise CallFailed(self._safe(_describe(exc))) from None
        return _reply(response)

    async def aclose(self) -> None:
        await self.client.close()


def create(settings: SummarizerConfig) -> OpenAISummarizer:
    if not settings.model:
        raise ConfigError("the openai backend needs a model: set summarizer.model or pass --model")
    return OpenAISummarizer(
        model=settings.model,
        base_url=settings.base_url,
        api_key_env=settings.api_key_env,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout,
        max_attempts=settings.max_attempts,
        response_format=settings.response_format,
    )
