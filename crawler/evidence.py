"""A content-addressed evidence folder: screenshots and fetched HTML, named by their SHA-256.

The same bytes are stored once however often they are seen, files are written atomically, and a
path in the database stays valid for as long as the folder is kept.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str  # of the original bytes (before compression)
    path: str  # relative to the evidence root
    size: int  # original size in bytes


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, data: bytes, suffix: str, *, compress: bool = False) -> StoredFile:
        digest = hashlib.sha256(data).hexdigest()
        name = f"{digest}{suffix}{'.gz' if compress else ''}"
        relative = f"{digest[:2]}/{digest[2:4]}/{name}"
        target = self.root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            payload = gzip.compress(data, compresslevel=6, mtime=0) if compress else data
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return StoredFile(digest, relative, len(data))

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> bytes:
        data = self.path(relative).read_bytes()
        return gzip.decompress(data) if relative.endswith(".gz") else data
