"""The exception tree. Every error a user can cause or meet is a `DigestError`.

    DigestError                 user-facing; the CLI prints it as one line and exits non-zero
    ├── ConfigError             a malformed or unknown setting (names the file and key)
    ├── UsageError              a command asked for something that cannot be (exit 2, as click)
    ├── StoreError              the database cannot be opened, migrated or written
    ├── ImportFormatError       an input file is not in a format we read (names file and line)
    ├── NotFoundError           a day, paper or digest the user asked for is not in the store
    ├── SummarizeError          a summarizer backend cannot be set up
    │   └── MissingExtraError   an optional feature whose extra is not installed
    ├── OutputError             an output file cannot be written (disk full, no permission)
    ├── DeliveryError           an email or webhook could not be delivered
    ├── LockedError             another run holds the store's lock
    ├── ServiceError            an outside service (Zotero) failed, answered garbage or too late
    └── FetchError              arXiv cannot be reached or answered with something unusable
        ├── StaleFeedError      the feed still serves an older day than the one expected
        └── IncompleteDayError  some papers of the day could not be fetched (they are named)

Each class carries an `exit_code` so scripts can tell failures apart.
"""

from __future__ import annotations

import logging
import re


class DigestError(Exception):
    """Base for errors shown to the user as one line."""

    exit_code = 1

    def __str__(self) -> str:
        # One line, always, and never a bearer token or a password inside a URL, whatever
        # message a server or a library handed us.
        return redact(" ".join(super().__str__().split()))


class ConfigError(DigestError):
    exit_code = 2


class UsageError(DigestError):
    exit_code = 2


class StoreError(DigestError):
    exit_code = 3


class ImportFormatError(DigestError):
    exit_code = 4


class NotFoundError(DigestError):
    exit_code = 5


class SummarizeError(DigestError):
    exit_code = 6


class MissingExtraError(SummarizeError):
    """An optional feature is used without its extra: says the exact command that installs it."""

    def __init__(self, feature: str, command: str) -> None:
        super().__init__(f"{feature}: {command}")
        self.command = command


def require_modules(feature: str, extra: str, *modules: str) -> None:
    """Raise MissingExtraError unless every module can be imported (nothing is imported)."""
    import importlib.util

    if any(importlib.util.find_spec(name) is None for name in modules):
        raise MissingExtraError(feature, f"pip install 'arxiv-digest[{extra}]'")


class UnsupportedAnswer(DigestError):
    """`ask` got an answer whose quotes or numbers are not in the paper: it is shown, marked,
    and the exit code says not to rely on it."""

    exit_code = 8


class OutputError(DigestError):
    exit_code = 7


class FetchError(DigestError):
    exit_code = 10


class StaleFeedError(FetchError):
    exit_code = 11


class IncompleteDayError(FetchError):
    exit_code = 12


class DeliveryError(DigestError):
    exit_code = 14


class LockedError(DigestError):
    exit_code = 13


class ServiceError(DigestError):
    exit_code = 15


_BEARER = re.compile(
    r"(?i)\b(bearer|basic|token|api[-_]?key|x-api-key|zotero-api-key|authorization)"
    r"([\s:=\"']+)(?!\*\*\*)[A-Za-z0-9._~+/=-]{8,}"
)
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")

#: secrets this process handles (API keys, webhook URLs, passwords), kept out of every message
#: and log line whether or not the code that writes it knows about them
_KNOWN: set[str] = set()


def remember_secret(*values: str | None) -> None:
    """Add secrets to those `redact` always removes (and the HTTP libraries' logs with it)."""
    import base64

    for value in values:
        if value and len(value) >= 6:
            _KNOWN.add(value)
            _KNOWN.add(base64.b64encode(value.encode()).decode().rstrip("="))


def redact(text: str, *secrets: str | None) -> str:
    """`text` with every secret (an API key, a webhook URL or its token path, a password and
    its base64 form) replaced by ***, and, whatever the caller knows, the values of Bearer,
    Basic, api-key, x-api-key and Zotero-API-Key headers and credentials inside URLs too."""
    given = {s for s in secrets if s and len(s) >= 4} | _KNOWN
    for secret in sorted(given, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return mask_userinfo(text)


def mask_userinfo(text: str) -> str:
    """`text` with the user name and password inside every URL replaced by ***."""
    return _URL_USERINFO.sub(r"\1***@", text)


class _Redacting(logging.Filter):
    """Log records of the HTTP and SDK libraries, secrets cut out (httpx logs each URL at INFO,
    a webhook's token included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


for _name in ("httpx", "httpcore.http11", "httpcore.connection", "openai", "openai._base_client"):
    logging.getLogger(_name).addFilter(_Redacting())
