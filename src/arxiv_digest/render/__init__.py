"""Renderers: a stored digest in, a document out."""
