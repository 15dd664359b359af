"""A delivery channel added by the test suite: one module, one registration."""

from __future__ import annotations

from typing import ClassVar

from arxiv_digest.config import Config
from arxiv_digest.deliver.channels import Channel, DeliverOptions, Target, register_channel
from arxiv_digest.models import Digest


class InboxChannel(Channel):
    name = "inbox"
    sent: ClassVar[list[tuple[str, str, int]]] = []  # (recipient, date, papers)

    def targets(self, config: Config) -> list[Target]:
        return [Target("inbox", ("me", "you"), "inbox", many=True)]

    def send(
        self,
        target: Target,
        digest: Digest,
        recipients: list[str],
        config: Config,
        options: DeliverOptions,
    ) -> str:
        self.sent.extend((r, digest.date, len(digest.entries)) for r in recipients)
        return f"inbox for {digest.date} got {len(recipients)}"


register_channel("inbox", InboxChannel)
