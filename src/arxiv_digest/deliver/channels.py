"""The delivery channels: one `Channel` per way of reaching a reader, found by name in
`CHANNELS`.

A channel lists its configured targets (one per recipient list or webhook) and sends a day's
digest to some recipients of one target. What was sent is the pipeline's bookkeeping, not the
channel's: the `deliveries` table records it so that nothing is sent twice. Adding a channel is
one module with a `Channel` subclass and one registration (see `plugins.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from arxiv_digest.deliver import email, webhook
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


@dataclass(frozen=True)
class Delivery:
    """One send: the digest of a day to some recipients of one target."""

    target: Target
    digest: Digest
    recipients: list[str]
    config: Config
    options: DeliverOptions


class Channel(ABC):
    name: ClassVar[str]

    @abstractmethod
    def targets(self, config: Config) -> list[Target]:
        """The configured targets of this channel (empty when it is not configured)."""

    @abstractmethod
    def send(self, job: Delivery) -> str:
        """Send the digest to the job's recipients; return the line that says so. Raise
        DeliveryError, saying why, when it cannot be sent."""


class EmailChannel(Channel):
    name = "email"

    def targets(self, config: Config) -> list[Target]:
        if config.email is None:
            return []
        return [Target("email", tuple(config.email.recipients), "email", many=True)]

    def send(self, job: Delivery) -> str:
        settings = job.config.email
        assert settings is not None
        message = email.build_message(
            job.digest,
            settings,
            job.recipients,
            site_url=job.options.site_url,
            for_you=job.options.for_you,
            threshold=job.options.threshold,
        )
        email.send(message, settings, job.recipients)
        return f"email for {job.digest.date} sent to {len(job.recipients)} recipients"


class WebhookChannel(Channel):
    name = "webhook"

    def targets(self, config: Config) -> list[Target]:
        return [
            Target(f"webhook:{h.name}", (h.name,), f"webhook {h.name}") for h in config.webhooks
        ]

    def send(self, job: Delivery) -> str:
        hook = next(h for h in job.config.webhooks if f"webhook:{h.name}" == job.target.channel)
        webhook.post(hook, webhook.payload_for(hook, job.digest, job.options.site_url))
        return f"webhook {hook.name} ({hook.kind}) for {job.digest.date} sent"


CHANNELS: Registry[type[Channel]] = Registry(
    "delivery channel",
    "arxiv_digest.channels",
    {
        "email": "arxiv_digest.deliver.channels:EmailChannel",
        "webhook": "arxiv_digest.deliver.channels:WebhookChannel",
    },
)
register_channel = CHANNELS.register
