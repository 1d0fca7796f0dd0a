"""The `govwatch` command line: one module per command group (see docs/architecture.md)."""

from govwatch.cli.app import app, main

__all__ = ["app", "main"]
