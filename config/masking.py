"""Secrets never reach a terminal or a log: the password of a database or Redis URL is masked."""

from __future__ import annotations

import re

# scheme://user:password@host  or  scheme://:password@host (Redis)
_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)(?P<password>[^\s@/]+)(?=@)")


def mask_secrets(text: str) -> str:
    """`text` with every URL password replaced by ***, e.g. in an error message that quotes the URL."""
    return _PASSWORD.sub(lambda m: m.group("head") + "***", str(text))
