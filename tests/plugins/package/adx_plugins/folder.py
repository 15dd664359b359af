"""A channel that drops each day's digest into a folder (a synced drive, a mail spool)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from arxiv_digest.config import Config
from arxiv_digest.deliver.channels import Channel, Delivery, Target


class FolderSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: Path


class FolderChannel(Channel):
    """A text file per day in the folder set in [channels.folder]."""

    name = "folder"
    config_model = FolderSettings

    def targets(self, config: Config) -> list[Target]:
        if "folder" not in config.channels:
            return []
        settings = config.plugin_settings("channels", "folder")
        return [Target("folder", (str(settings.path),), f"folder {settings.path}")]

    def send(self, job: Delivery) -> str:
        for recipient in job.recipients:
            folder = Path(recipient)
            folder.mkdir(parents=True, exist_ok=True)
            lines = [f"{e.paper.id}\t{e.tldr}" for e in job.digest.entries]
            (folder / f"{job.digest.date}.txt").write_text("\n".join(lines) + "\n", "utf-8")
            job.done(recipient)
        return f"folder: {len(job.digest.entries)} papers of {job.digest.date}"
