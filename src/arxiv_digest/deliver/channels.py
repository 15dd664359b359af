"""The delivery channels: one `Channel` per way of reaching a reader, found by name in
`CHANNELS`.

A channel lists its configured targets (one per recipient list or webhook) and sends a day's
digest to some recipients of one target. What was sent is the pipeline's bookkeeping, not the
channel's: the `deliveries` table records it so that nothing is sent twice. Adding a channel is
one module with a `Channel` subclass and one registration (see `plugins.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

from arxiv_digest import plugins
from arxiv_digest.plugins import Registry

if TYPE_CHECKING:
    from arxiv_digest.config import Config
    from arxiv_digest.models import Digest


@dataclass(frozen=True)
class Target:
    channel: str  # the key under which deliveries are recorded: "email", "webhook:NAME"
    recipients: tuple[str, ...]
    label: str  # how messages name it: "email", "webhook NAME"
    many: bool = False  # several recipients: "already sent to every recipient"


@dataclass(frozen=True)
class DeliverOptions:
    site_url: str | None = None
    for_you: int = 0  # the "For you" list's length; 0 when ranking is off
    threshold: float = 1.0
    #: the day's deep reads by paper id: shown under the papers that have one
    deep_reads: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """One send: the digest of a day to some recipients of one target."""

    target: Target
    digest: Digest
    recipients: list[str]
    config: Config
    options: DeliverOptions
    #: the channel calls this for each recipient the moment it got the digest
    done: Callable[[str], None] = lambda _recipient: None


class Channel(ABC):
    """A way to deliver a day. Its docstring's first line is its line in `send --help`."""

    name: ClassVar[str]
    #: a pydantic model for the channel's [channels.NAME] table (plug-ins), read with
    #: `config.plugin_settings("channels", name)`; None: no settings
    config_model: ClassVar[Any] = None

    @abstractmethod
    def targets(self, config: Config) -> list[Target]:
        """The configured targets of this channel (empty when it is not configured)."""

    @abstractmethod
    def send(self, job: Delivery) -> str:
        """Send the digest to the job's recipients; return the line that says so. Raise
        DeliveryError, saying why, when it cannot be sent."""


CHANNELS = cast("Registry[type[Channel]]", plugins.CHANNELS)
register_channel = CHANNELS.register
