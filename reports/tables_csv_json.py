"""The notice for machines: one CSV per attachment table (UTF-8 with BOM, so Excel opens it) and one JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from reports.notice import Notice, notice_json


def write_csv(notice: Notice, folder: Path, stem: str) -> list[Path]:
    """`{stem}-{n}-{key}.csv` per table: a 分组 column first when the table has sections."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, table in enumerate(notice.tables, 1):
        path = folder / f"{stem}-{n}-{table.key}.csv"
        sectioned = any(title for title, _ in table.sections)
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow((["分组"] if sectioned else []) + table.headers)
            for title, rows in table.sections:
                for row in rows:
                    writer.writerow(([title or ""] if sectioned else []) + ["" if v is None else v for v in row])
        paths.append(path)
    return paths


def write_json(notice: Notice, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notice_json(notice), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
