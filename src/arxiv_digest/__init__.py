"""arxiv-digest: daily arXiv digests with structured summaries, ranking and publishing."""

__version__ = "0.1.0"

__all__ = ["__version__"]
