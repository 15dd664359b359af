"""Echo: a summarizer whose fields repeat the title after a configured prefix."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from arxiv_digest.config import SummarizerConfig
from arxiv_digest.models import Paper, SummaryFields
from arxiv_digest.summarize import Summarizer, SummaryResult


class EchoSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefix: str


class EchoSummarizer(Summarizer):
    backend = "echo"
    model = "echo-1"
    prompt_version = "e1"
    offline = True

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    async def summarize(self, paper: Paper, language: str) -> SummaryResult:
        said = f"{self.prefix}: {paper.title}"
        return SummaryResult(SummaryFields(said, said, said, said, said), tokens_in=1)


def create(settings: SummarizerConfig, options: EchoSettings) -> EchoSummarizer:
    """Echo: each field is the paper's title after the prefix set in [backends.echo]."""
    return EchoSummarizer(options.prefix)


create.config_model = EchoSettings  # type: ignore[attr-defined]
