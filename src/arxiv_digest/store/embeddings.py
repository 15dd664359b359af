"""The embedding cache: the only writer of `embeddings`."""

from __future__ import annotations

from collections.abc import Sequence

from arxiv_digest.store._table import Table


class EmbeddingCache(Table):
    def get(self, keys: Sequence[str], model: str) -> dict[str, bytes]:
        rows = self.store.select_in(
            "SELECT key, vector FROM embeddings WHERE model = ? AND key IN ({marks})",
            keys,
            (model,),
        )
        return {r["key"]: r["vector"] for r in rows}

    def save(self, model: str, vectors: dict[str, bytes]) -> None:
        with self.store.transaction():
            self.store.executemany(
                "INSERT OR IGNORE INTO embeddings (key, model, vector) VALUES (?,?,?)",
                [(k, model, v) for k, v in vectors.items()],
            )
