"""Each page fetched once (issue 22 item 3), end to end through real Scrapy and `govwatch crawl`: the
content scan reads an article from its link check's answer instead of asking for it again, and a link
to another site that two sites carry is checked once for both, its result stored for each."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler

import yaml

from govwatch.demo.sites.server import serve_handler
from tests.cli_support import govwatch

AS_OF = "2023-11-20"
COLUMNS = ["政务要闻", "通知公告", "政策文件", "人事信息"]


def counting_handler(pages: dict[str, str], seen: Counter, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, with_body: bool) -> None:
            agent = "spider" if "Baiduspider" in (self.headers.get("User-Agent") or "") else "browser"
            with lock:
                seen[(self.server.server_address[1], self.command, self.path, agent)] += 1
            body = pages.get(self.path, "<html><body>404 页面不存在</body></html>").encode()
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def site_pages(name: str, portal: str) -> dict[str, str]:
    head = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head><body>'
    nav = "".join(f'<li><a href="/col{c}/">{title}</a></li>' for c, title in enumerate(COLUMNS))
    nav = f'<div class="nav"><ul>{nav}</ul></div>'
    foot = f'<div class="footer">主办：{name}办公室 <a href="{portal}">政务服务网</a></div></body></html>'
    pages = {"/": f"{head}{nav}<div class='news'><ul>"
                  + "".join(f'<li><a href="/news/n{k}.html">要闻{k}</a><span>2023-11-1{k}</span></li>' for k in range(3))
                  + f"</ul></div>{foot}"}
    # The home page's news are its own articles: a page listed by two list pages is read from its link
    # check only when the second asks while the check is under way (see the issue 22 note).
    for k in range(3):
        pages[f"/news/n{k}.html"] = (f"{head}{nav}<h1>要闻{k}</h1><p>发布时间：2023-11-1{k}</p>"
                                     f"<div class='content'><p>{'本县召开会议。' * 20}</p></div>{foot}")
    for c, title in enumerate(COLUMNS):
        rows = "".join(f'<li><a href="/col{c}/a{k}.html">{title}信息{k}</a><span>2023-11-1{k}</span></li>'
                       for k in range(3))
        pages[f"/col{c}/"] = f"{head}{nav}<div class='list'><ul>{rows}</ul></div>{foot}"
        for k in range(3):
            words = "本县攻府召开会议。" if (c, k) == (1, 2) else "本县召开会议。"
            pages[f"/col{c}/a{k}.html"] = (f"{head}{nav}<h1>{title}信息{k}</h1><p>发布时间：2023-11-1{k}</p>"
                                           f"<div class='content'><p>{words * 20}</p></div>{foot}")
    return pages


def test_each_page_is_fetched_once_and_a_shared_link_checked_once(tmp_path):
    seen: Counter = Counter()
    lock = threading.Lock()
    portal_pages = {"/": "<html><head><title>政务服务网</title></head><body><p>在线办事</p></body></html>"}
    with serve_handler(counting_handler(portal_pages, seen, lock)) as portal:
        portal_port = int(portal.rstrip("/").rsplit(":", 1)[1])
        with serve_handler(counting_handler(site_pages("甲县人民政府", portal), seen, lock)) as first, \
                serve_handler(counting_handler(site_pages("乙县人民政府", portal), seen, lock)) as second:
            registry = tmp_path / "sites.yaml"
            registry.write_text(yaml.safe_dump({"sites": [
                {"code": "9900000101", "name": "甲县人民政府", "url": first},
                {"code": "9900000102", "name": "乙县人民政府", "url": second},
            ]}, allow_unicode=True), encoding="utf-8")
            assert govwatch(tmp_path, "sites", "import", str(registry)).code == 0
            result = govwatch(tmp_path, "crawl", "--as-of", AS_OF, "--json", env={"GOVWATCH_BROWSER": "0"})
            assert result.code == 0, result.stderr[-3000:]
    site_ports = {int(u.rstrip("/").rsplit(":", 1)[1]) for u in (first, second)}
    asked_twice = {key: n for key, n in seen.items() if n > 1}
    assert asked_twice == {}, (asked_twice, portal_port, site_ports)  # no page asked twice in the same way (the spider view has its own UA)
    for port in site_ports:
        articles = {path for (p, method, path, agent) in seen if p == port and path.endswith(".html")}
        assert len(articles) == 4 * 3 + 3  # every article was fetched, once (its link check)
    assert sum(n for (p, *_), n in seen.items() if p == portal_port) == 1  # one check for both sites

    db = sqlite3.connect(tmp_path / "govwatch.db")
    try:
        portal_rows = db.execute("select s.code, l.outcome from link_checks l join crawl_runs r on r.id = l.run_id "
                                 "join sites s on s.id = r.site_id where l.url = ?", (portal,)).fetchall()
        hits = db.execute("select s.code, o.data from observations o join crawl_runs r on r.id = o.run_id "
                          "join sites s on s.id = r.site_id where o.kind = 'content_hit'").fetchall()
        per_page = db.execute("select count(*), count(distinct run_id || ' ' || url) from link_checks "
                              "where outcome = 'ok'").fetchone()
    finally:
        db.close()
    assert sorted(portal_rows) == [("9900000101", "ok"), ("9900000102", "ok")]  # stored for each site, once
    # the article bodies were scanned from the link checks' answers: the typo in 通知公告's third article
    assert {code for code, data in hits if json.loads(data)["wrong"] == "攻府"} == {"9900000101", "9900000102"}
    assert per_page[0] == per_page[1]  # a working link is stored once per run, not once per page
