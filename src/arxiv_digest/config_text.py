"""The configuration as text: shown with its secrets masked (`config show`), and the commented
starting file (`config init`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from arxiv_digest.config import Config
from arxiv_digest.errors import ConfigError, mask_userinfo

# -- showing the configuration -------------------------------------------------------------

SECRET_WORDS = ("key", "token", "secret", "password")


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
        return "***" if _is_secret(key) else mask_userinfo(data)
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
