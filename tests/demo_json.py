"""The demo's `--json` in a form that two runs can be compared in: what varies from run to run (ports, the
evidence store's paths, crawl times and run ids, the order columns are discovered in) is taken out; every
verdict, score, finding, column, date, count and word is kept."""

from __future__ import annotations

import json
import re
from typing import Any

VOLATILE = {"started_at", "finished_at", "run_id"}


def _text(value: str) -> str:
    value = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", value)
    value = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d 开始", "TIME 开始", value)  # when the crawl began
    value = re.sub(r"/[^\s\"]*/evidence/[0-9a-f/]+\.(\w+(?:\.gz)?)", r"EVIDENCE.\1", value)
    # lists joined in discovery order ("政策解读、政策文件…未更新"): the same characters, in any order
    return "".join(sorted(value)) if "、" in value or "；" in value else value


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (sorted(v) if k == "evidence" and isinstance(v, dict) else normalise(v))
                for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return sorted((normalise(v) for v in value), key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    if isinstance(value, str):
        return _text(value)
    return value
