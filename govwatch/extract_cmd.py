"""`govwatch extract`: one page through the crawler's eyes, for an inspector asking "why?"."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from crawler.columns import classify
from crawler.encoding import decode_html
from crawler.extract import extract_page
from crawler.settings import USER_AGENT


def _load(source: str, page_url: str | None) -> tuple[bytes, str | None, str]:
    if source.startswith(("http://", "https://")):
        try:
            response = httpx.get(source, follow_redirects=True, timeout=15, headers={"User-Agent": USER_AGENT})
        except httpx.HTTPError as exc:
            raise ValueError(f"{source}: {exc.__class__.__name__}: {exc}") from exc
        charset = response.charset_encoding if "charset" in response.headers.get("content-type", "") else None
        return response.content, charset, page_url or str(response.url)
    path = Path(source)
    if not path.is_file():
        raise ValueError(f"{source}: no such file")
    return path.read_bytes(), None, page_url or path.resolve().as_uri().replace("file://", "http://localhost")


def extract_source(source: str, page_url: str | None, as_of: date) -> dict[str, Any]:
    body, charset, url = _load(source, page_url)
    page = decode_html(body, charset)
    result = extract_page(page.text, url, as_of)
    meta = result.meta
    category, category_source = classify(meta.get("ColumnName", ""), meta.get("ColumnType"))
    return {
        "url": url,
        "title": result.title,
        "encoding": page.encoding,
        "kind": result.kind,
        "latest_date": result.latest_date.isoformat() if result.latest_date else None,
        "page_date": result.page_date.isoformat() if result.page_date else None,
        "blank": result.blank,
        "blank_reason": result.blank_reason,
        "column_meta": {k: v for k, v in meta.items() if k.startswith(("Column", "Site"))},
        "meta": meta,
        "category": category if category_source != "default" else None,
        "page_count": result.page_count,
        "items": [
            {**{k: v for k, v in asdict(item).items() if k != "date"},
             "date": item.date.isoformat() if item.date else None}
            for item in result.items
        ],
        "links": len(result.links),
    }


def print_extract(console: Console, data: dict[str, Any]) -> None:
    console.print(f"[bold]{data['title'] or '(no title)'}[/]  {data['url']}")
    console.print(
        f"kind {data['kind']}   latest_date {data['latest_date'] or '—'}   page_date {data['page_date'] or '—'}   "
        f"blank {'yes (' + (data['blank_reason'] or '') + ')' if data['blank'] else 'no'}   encoding {data['encoding']}"
    )
    if data["column_meta"]:
        console.print("meta " + "  ".join(f"{k}={v}" for k, v in data["column_meta"].items()))
    table = Table(title=f"dated items ({len(data['items'])})", title_justify="left")
    for name in ("#", "date", "title", "url", "from"):
        table.add_column(name, overflow="fold")
    for item in data["items"]:
        table.add_row(str(item["position"]), item["date"] or "—", ("[置顶] " if item["pinned"] else "") + item["title"],
                      item["url"], item["date_source"] or "")
    console.print(table)
