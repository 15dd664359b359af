"""Small builders shared by tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from arxiv_digest.models import Paper


def make_paper(paper_id: str = "2501.00001", **overrides: Any) -> Paper:
    values: dict[str, Any] = {
        "id": paper_id,
        "title": f"A Study of Things {paper_id}",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "abstract": (
            "Large models remain costly to train. However, existing methods fail to scale. "
            "We propose ThingNet, a sparse mixture of experts. Specifically, it routes tokens "
            "with a learned gate. Experiments show that ThingNet outperforms baselines by 12%. "
            "Overall, this work suggests that sparsity is a promising direction."
        ),
        "primary_category": "cs.LG",
        "categories": ("cs.LG",),
    }
    values.update(overrides)
    return Paper(**values)


def seed_day(store: Any, n: int, date: str = "2026-01-06", seed: int = 3) -> list[Paper]:
    """Store a synthetic announcement day of `n` papers and build its digest."""
    from arxiv_digest.fetch.sections import build_digest
    from arxiv_digest.models import Announcement
    from tests.fakes.arxiv import synthetic_day

    papers = []
    cats = ["cs.LG", "cs.AI", "cs.IR"]
    with store.transaction():
        for synth in synthetic_day(n, cats, seed=seed):
            paper = Paper(
                id=synth.id,
                title=synth.title,
                authors=tuple(synth.authors),
                abstract=synth.abstract,
                primary_category=synth.primary,
                categories=tuple(synth.categories),
                comment=synth.comment,
            )
            store.papers.upsert(paper)
            store.papers.announce(Announcement(date, paper.id, 1, "new"))
            papers.append(paper)
    build_digest(store, date, cats, language="Chinese", source="test")
    return papers


@contextmanager
def llama_server() -> Iterator[str]:
    """The real `python -m llama_cpp.server` with the bundled SmolLM2 model on a free loopback
    port; yields its OpenAI-compatible base URL once uvicorn says it listens (no sleeping)."""
    import os
    import socket
    import subprocess
    import sys

    from arxiv_digest.summarize.local_backend import default_model_path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(default_model_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--model_alias",
            "smollm2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "Uvicorn running on" in line:
            break
    else:
        proc.wait()
        raise RuntimeError("llama_cpp.server did not start:\n" + "".join(lines[-20:]))
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
