"""Example plug-ins for arxiv-digest, installed as a package of their own (tests/plugins)."""
