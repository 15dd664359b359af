"""Chinese words on the reference digests: precision and recall of `search`, per word.

Words of 2-5 Chinese characters are taken from the reference summaries with jieba (every word in
at least two papers, spread over frequencies, plus 模型, 检索, 强化学习, 大语言模型). For each, the
papers that should be found are those whose title, abstract or summary holds it, read from the
files themselves; the search runs over the imported store with no limit in the way.

    python bench/search_words.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from arxiv_digest.store import Store
from arxiv_digest.store.search import parse_query

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.helpers import chinese_words, import_references, reference_texts  # noqa: E402


def main() -> None:
    texts = reference_texts()
    words = chinese_words(texts)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "w.db") as store:
        import_references(store)
        total = store.count("papers")
        worst_p = worst_r = 1.0
        print(f"{'word':8s} {'papers':>6s} {'found':>5s} {'precision':>9s} {'recall':>6s}")
        for word in words:
            expected = {pid for pid, text in texts.items() if word in text}
            found = {h["id"] for h in store.search.search(parse_query(word), limit=total)}
            right = len(found & expected)
            precision = right / len(found) if found else 1.0
            recall = right / len(expected) if expected else 1.0
            worst_p, worst_r = min(worst_p, precision), min(worst_r, recall)
            print(f"{word:8s} {len(expected):6d} {len(found):5d} {precision:9.2f} {recall:6.2f}")
        print(f"{len(words)} words: lowest precision {worst_p:.2f}, lowest recall {worst_r:.2f}")


if __name__ == "__main__":
    main()
