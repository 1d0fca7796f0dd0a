"""Running the real `govwatch` command in a child process, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.stdout)


def govwatch(home: Path, *args: str, timeout: float = 240, env: dict[str, str] | None = None) -> Result:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("GOVWATCH_")}
    environ |= {"GOVWATCH_HOME": str(home), "PYTHONPATH": str(ROOT), "COLUMNS": "200", "GOVWATCH_TIMEOUT": "8"}
    environ |= env or {}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "govwatch.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=environ, cwd=ROOT)
    return Result(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
