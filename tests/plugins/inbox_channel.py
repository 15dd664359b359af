"""A delivery channel added by the test suite: one module, one registration."""

from __future__ import annotations

from typing import ClassVar

from arxiv_digest.config import Config
from arxiv_digest.deliver.channels import Channel, Delivery, Target, register_channel


class InboxChannel(Channel):
    name = "inbox"
    sent: ClassVar[list[tuple[str, str, int]]] = []  # (recipient, date, papers)

    def targets(self, config: Config) -> list[Target]:
        return [Target("inbox", ("me", "you"), "inbox", many=True)]

    def send(self, job: Delivery) -> str:
        for recipient in job.recipients:
            self.sent.append((recipient, job.digest.date, len(job.digest.entries)))
            job.done(recipient)
        return f"inbox for {job.digest.date} got {len(job.recipients)}"


register_channel("inbox", InboxChannel)
