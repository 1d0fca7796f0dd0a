"""`govwatch extract`: one page through the crawler's eyes, for an inspector asking "why?"."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from config.vocabulary import PAGE_KIND_WORDS
from crawler.columns import classify
from crawler.encoding import decode_html
from crawler.extract import extract_page
from crawler.render import render_reason
from crawler.settings import USER_AGENT
from govwatch.cli._common import AsOf, JsonOpt, emit_json, fail, out, parse_as_of
from reports.plain import Wrapped, plain, ptext

# Why the crawl reads a page in the browser (crawler.render.render_reason), in the users' words.
RENDER_REASONS = {
    "challenge page": "反爬虫验证页面，需浏览器通过验证后才能读到内容",
    "meta refresh": "页面自动跳转（meta refresh），内容在跳转后的页面",
    "JavaScript redirect": "页面由脚本跳转，内容在跳转后的页面",
    "list in an iframe": "列表在内嵌框架（iframe）中",
    "list built by script": "列表由脚本生成，原始网页中没有",
}

_NOT_THE_PAGE = frozenset({"challenge page", "meta refresh", "JavaScript redirect"})


def _load(source: str, page_url: str | None) -> tuple[bytes, str | None, str, int | None]:
    """The page's bytes, its declared charset, its URL and HTTP status (None for a file)."""
    if source.startswith(("http://", "https://")):
        try:
            response = httpx.get(source, follow_redirects=True, timeout=15, headers={"User-Agent": USER_AGENT})
        except httpx.HTTPError as exc:
            raise ValueError(f"{source}: {exc.__class__.__name__}: {exc}") from exc
        charset = response.charset_encoding if "charset" in response.headers.get("content-type", "") else None
        return response.content, charset, page_url or str(response.url), response.status_code
    path = Path(source)
    if not path.is_file():
        raise ValueError(f"{source}: no such file")
    return path.read_bytes(), None, page_url or path.resolve().as_uri().replace("file://", "http://localhost"), None


def extract_source(source: str, page_url: str | None, as_of: date) -> dict[str, Any]:
    body, charset, url, status = _load(source, page_url)
    page = decode_html(body, charset)
    result = extract_page(page.text, url, as_of)
    meta = result.meta
    category, category_source = classify(meta.get("ColumnName", ""), meta.get("ColumnType"))
    # The crawl reads such a page in the browser before judging it: an empty raw list is not the
    # page an inspector sees, so "blank" stays unknown. Content already in the raw HTML stays (a
    # browser only adds to it), except on a challenge or redirect page, which is not the page at all.
    code = render_reason(status, page.text, result)
    render = {"needed": code is not None, "reason": RENDER_REASONS.get(code, code) if code else None, "code": code}
    unknown = code is not None and (result.blank or code in _NOT_THE_PAGE)
    return {
        "url": url,
        "title": result.title,
        "encoding": page.encoding,
        "kind": result.kind,
        "page_kind": result.page_kind,
        "entry_url": result.entry_url,
        "latest_date": result.latest_date.isoformat() if result.latest_date else None,
        "page_date": result.page_date.isoformat() if result.page_date else None,
        "blank": None if unknown else result.blank,
        "blank_reason": f"需用浏览器查看后判断：{render['reason']}" if unknown else result.blank_reason,
        "render": render,
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
    """The page as the crawler sees it; every crawled string printed as plain text (reports/plain.py)."""
    console.print(Wrapped([(plain(data["title"]) or "（无标题）", "bold"), "  ", plain(data["url"])], indent=2))
    render = data["render"]
    if data["blank"] is None:
        blank = "未知（需浏览器）"
    else:
        blank = f"是（{plain(data['blank_reason'])}）" if data["blank"] else "否"
    console.print(Wrapped(f"页面类型 {data['kind']}   最新日期 {data['latest_date'] or '—'}   "
                          f"页面日期 {data['page_date'] or '—'}   空白 {blank}   编码 {data['encoding']}", indent=2))
    console.print(Wrapped(f"浏览器渲染 需要：{render['reason']}" if render["needed"] else "浏览器渲染 不需要",
                          indent=2))
    kind = PAGE_KIND_WORDS.get(data["page_kind"], data["page_kind"])
    lead = f"页面性质 {kind}" + ("，网站从它引向的页面读取：" + plain(data["entry_url"]) if data["entry_url"] else "")
    console.print(Wrapped(lead, indent=2))
    if data["column_meta"]:
        console.print(Wrapped("meta " + "  ".join(f"{k}={plain(v)}" for k, v in data["column_meta"].items()),
                              indent=2))
    table = Table(title=f"带日期的条目（{len(data['items'])}）", title_justify="left")
    for name in ("#", "日期", "标题", "网址", "日期来源"):
        table.add_column(name, overflow="fold", no_wrap=name in ("#", "日期"))
    for item in data["items"]:
        table.add_row(str(item["position"]), item["date"] or "—",
                      Text(("[置顶] " if item["pinned"] else "") + plain(item["title"])), ptext(item["url"]),
                      ptext(item["date_source"] or ""))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(extract)


def extract(
    source: Annotated[str, typer.Argument(help="HTML 文件或网址。")],
    url: Annotated[str | None, typer.Option("--url", help="该页面自己的网址（读文件时）。")] = None,
    as_of: AsOf = None,
    json_out: JsonOpt = False,
) -> None:
    """一个页面在抓取程序眼中的样子。

    带日期的条目、最新日期、是否空白、栏目信息。"""
    when = parse_as_of(as_of)
    try:
        result = extract_source(source, url, when)
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None
    if json_out:
        emit_json(result)
    else:
        print_extract(out, result)

