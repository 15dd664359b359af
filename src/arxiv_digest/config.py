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
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, ValidationError, ValidationInfo, field_validator

from arxiv_digest.config_sections import (
    ArxivConfig,
    CheckConfig,
    EmailConfig,
    FulltextConfig,
    InterestConfig,
    Price,
    RankConfig,
    SummarizerConfig,
    WebhookConfig,
    ZoteroConfig,
    _no_userinfo,
    _Section,
)
from arxiv_digest.errors import ConfigError
from arxiv_digest.plugins import BACKENDS, CHANNELS, FORMATS
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
    "ARXIV_DIGEST_HTML_URL": "arxiv.html_url",
    "ARXIV_DIGEST_EPRINT_URL": "arxiv.eprint_url",
    "ARXIV_DIGEST_PDF_URL": "arxiv.pdf_url",
}
LIST_KEYS = frozenset({"categories", "outputs"})

__all__ = [
    "APP_NAME",
    "CONFIG_FILE",
    "ArxivConfig",
    "CheckConfig",
    "Config",
    "EmailConfig",
    "FulltextConfig",
    "InterestConfig",
    "Price",
    "RankConfig",
    "SummarizerConfig",
    "WebhookConfig",
    "ZoteroConfig",
    "default_db_path",
    "load_config",
]


class Config(_Section):
    """The effective settings of one invocation."""

    #: arXiv categories, in the order of the digest's sections.
    categories: list[str] = Field(default_factory=lambda: ["cs.LG", "cs.AI", "cs.IR"])
    #: The summaries' language: Chinese, English, 日本語, ...
    language: str = "Chinese"
    #: Markdown, the site and the feeds go here.
    output_dir: Path = Path("digests")
    #: The SQLite store (unset: arxiv-digest.db in the user data directory; --db wins).
    db: Path | None = None
    #: Also list papers cross-listed into a configured category (under the first one they match).
    include_cross: bool = False
    #: Also list replaced (new version) papers.
    include_replacements: bool = False
    summarizer: SummarizerConfig = Field(default_factory=SummarizerConfig)
    arxiv: ArxivConfig = Field(default_factory=ArxivConfig)
    check: CheckConfig = Field(default_factory=CheckConfig)
    rank: RankConfig = Field(default_factory=RankConfig)
    fulltext: FulltextConfig = Field(default_factory=FulltextConfig)
    #: Where the site is published (links in emails and feeds), e.g. https://me.github.io/arxiv
    site_url: str | None = None
    #: The Atom feeds hold the papers of this many latest days (their size grows with it).
    feed_days: int = Field(default=3, ge=1, le=60)
    #: `run --deliver` publishes and sends nothing when more than this share of the day's papers
    #: has no summary (an outage, a spent quota); `--deliver-anyway` overrides it.
    hold_delivery_above: float = Field(default=0.5, ge=0, le=1)
    email: EmailConfig | None = None
    webhooks: list[WebhookConfig] = Field(default_factory=list)
    #: What the daily run writes for the day: registered formats, in order (`run`); with
    #: `--deliver` the site ("html") is built too, for the messages link to it.
    outputs: list[str] = Field(default_factory=lambda: ["markdown"])
    #: Settings of plug-ins, one table each ([backends.NAME], [formats.NAME], [channels.NAME]),
    #: checked against the plug-in's own `config_model` with the same one-line errors.
    backends: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: [formats.NAME]: settings of a plug-in format.
    formats: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: [channels.NAME]: settings of a plug-in channel.
    channels: dict[str, dict[str, Any]] = Field(default_factory=dict)

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

    @field_validator("outputs")
    @classmethod
    def _outputs(cls, value: list[str]) -> list[str]:
        known = FORMATS.names()
        unknown = [name for name in value if name not in known]
        if unknown:
            raise ValueError(f"formats among {', '.join(known)} (not {', '.join(unknown)})")
        if len(set(value)) != len(value):
            raise ValueError("each format once")
        return value

    @field_validator("backends", "formats", "channels")
    @classmethod
    def _plugin_tables(
        cls, value: dict[str, dict[str, Any]], info: ValidationInfo
    ) -> dict[str, dict[str, Any]]:
        kind = str(info.field_name)
        for name, table in value.items():
            plugin_settings(kind, name, table)
        return value

    def plugin_settings(self, kind: str, name: str) -> Any:
        """The settings of the plug-in `name` of `kind` ("backends", "formats", "channels"):
        its table read through the plug-in's `config_model`; None when it declares none."""
        return plugin_settings(kind, name, getattr(self, kind).get(name, {}))

    def store_path(self, db: str | Path | None = None) -> Path:
        """The store in use: `db`, else $ARXIV_DIGEST_DB, else the config's, else the default."""
        return Path(db or os.environ.get("ARXIV_DIGEST_DB") or self.db or default_db_path())


#: the plug-in tables and the registries whose entries they configure
PLUGIN_KINDS = {"backends": BACKENDS, "formats": FORMATS, "channels": CHANNELS}


def plugin_settings(kind: str, name: str, table: Mapping[str, Any]) -> Any:
    """`table` validated by the `config_model` the plug-in `name` declares (a pydantic model,
    as a class attribute of a format or channel, or an attribute of a backend's factory). A
    ValueError that names the key when the table is wrong, or the plug-in unknown."""
    registry = PLUGIN_KINDS[kind]
    if name not in registry.names():
        raise ValueError(f"key '{kind}.{name}': no {registry.kind} is called {name!r}")
    model = getattr(registry.get(name), "config_model", None)
    if model is None:
        if table:
            raise ValueError(f"key '{kind}.{name}': the {registry.kind} {name!r} takes no settings")
        return None
    try:
        return model.model_validate(dict(table))
    except ValidationError as exc:
        raise ValueError(_explain(exc, prefix=f"{kind}.{name}")) from None


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


def _explain(exc: ValidationError, prefix: str = "") -> str:
    err = exc.errors()[0]
    key = ".".join([prefix, *(str(p) for p in err["loc"])] if prefix else map(str, err["loc"]))
    if err["type"] == "extra_forbidden":
        return f"unknown setting '{key}'"
    msg = err["msg"]
    if msg.startswith(("Value error, key '", "Value error, unknown setting")):
        return msg[len("Value error, ") :]  # a plug-in's table, explained already
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
