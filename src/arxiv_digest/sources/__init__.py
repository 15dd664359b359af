"""Sources: the only code that reads papers from outside (arXiv, digest files)."""
