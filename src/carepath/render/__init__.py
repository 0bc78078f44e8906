"""Renderers: results, explanations and diagnostics as JSON or for a terminal; the only users of rich besides the CLI."""
