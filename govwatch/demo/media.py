"""Simulated platforms for 政务新媒体 collection, served from 127.0.0.1 (standard library only): the m.weibo.cn
container API (paged, a pinned old post first, year-less dates, a 432 until visitor cookies are set in Chromium,
a deleted account), 搜狗微信 (the latest-article entry and its HTTP-200 captcha), an expired article link, a
WeChat 合集 JSON, an RSS feed, a slow answer, a Bilibili space page whose own script requests its list, and a
今日头条 profile page that requests its `profile_all` feed (publish_time ≠ behot_time, an old 置顶 item, a
微头条 and a video; a verification page and an empty WAF answer in place of the list)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from govwatch.demo.sites.server import serve_handler

BEIJING = ZoneInfo("Asia/Shanghai")
# the repository sits beside shared/ (as in CI); a worktree under /work/wt reads /work/shared
CORPUS = next((p for p in (Path(__file__).resolve().parents[3] / "shared" / "corpus" / "new-media",
                           Path("/work/shared/corpus/new-media")) if p.exists()), Path("/work/shared/corpus/new-media"))


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


def mid_for(moment: datetime, low: int = 12345) -> str:
    return str(((int(moment.timestamp()) - 515483463) << 22) + low)


# uid -> pages of (time, pinned, created_at display text); the posts' exact times come from the mid
WEIBO = {
    "1001": [
        [(bj(2023, 1, 5, 9, 0), True, "2023-01-05"), (bj(2024, 6, 14, 20, 38, 3), False, "06-14"),
         (bj(2024, 6, 13, 8, 0), False, "06-13")],
        [(bj(2024, 6, 10, 17, 51, 59), False, "06-10"), (bj(2024, 6, 1, 23, 23, 3), False, "06-01")],
    ],
    "1002": [[(bj(2024, 6, 15, 10, 0), False, "昨天 10:00")]],  # 432 until the visitor cookie is set
    "1005": [[(bj(2024, 6, 16, 20 - i, 0), False, f"{i + 1}小时前")] for i in range(12)],  # longer than a limit
}
BLOCKED = {"1003"}  # always 432
DELETED = {"1004"}


def _mblog(moment: datetime, pinned: bool, shown: str, n: int) -> dict:
    mid = mid_for(moment, n)
    mblog = {"created_at": shown, "id": mid, "mid": mid, "bid": f"B{n}", "text": f"政务发布 第{n}条",
             "mblogtype": 2 if pinned else 0}
    if pinned:
        mblog["isTop"] = 1
    return {"card_type": 9, "mblog": mblog}


SOGOU_ENTRY = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>搜狗微信</title></head><body>
<ul class="news-list2"><li><div class="gzh-box2"><p class="tit"><a>{name}</a></p></div>
<dl><dt>最近文章：</dt><dd><a href="/link?url=abc">{title}</a>
<span><script>document.write(timeConvert('{ts}'))</script></span></dd></dl></li></ul></body></html>"""

RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>市政府发布</title>
<item><title>关于做好防汛工作的通知</title><link>http://example.gov.cn/a/1.html</link>
<pubDate>Fri, 14 Jun 2024 09:30:00 +0800</pubDate><guid>a1</guid></item>
<item><title>6月政务公开工作动态</title><link>http://example.gov.cn/a/2.html</link>
<pubDate>Mon, 03 Jun 2024 16:00:00 +0800</pubDate><guid>a2</guid></item></channel></rss>"""

BILI_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>UP主空间</title></head><body><div id="app">加载中</div>
<script>
fetch('/x/space/top/arc?vmid={mid}').then(r => r.json());
fetch('/x/space/wbi/arc/search?mid={mid}&pn=1&ps=25&w_rid=pagesigned').then(r => r.json()).then(d => {{
  document.getElementById('app').textContent = d.data.list.vlist.map(v => v.title).join(' ');
}});
</script></body></html>"""


KS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>快手</title></head><body><div id="app"></div>
<script>fetch('/rest/v/profile/feed?user_id=3x').then(r => r.json()).then(d => {
  document.getElementById('app').textContent = d.feeds.length; });</script></body></html>"""

NEWS_LIST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻列表 - 示例市客户端</title></head><body>
<div class="list"><ul>
<li><a href="/news/3.html">示例市召开政务公开工作会议</a><span>2024-06-14</span></li>
<li><a href="/news/2.html">关于开展安全生产检查的通知</a><span>2024-06-07</span></li>
<li><a href="/news/1.html">示例市发布夏季防汛提示</a><span>2024-05-28</span></li>
</ul></div></body></html>"""


TOUTIAO_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{token} - 今日头条</title></head><body>
<div class="profile-tab-feed">加载中</div>
<script>
fetch('/api/pc/list/feed?category=profile_all&token={token}&max_behot_time=0&entrance_gid=&aid=24'
      + '&app_name=toutiao_web&a_bogus=pagesigned').then(r => r.json()).then(d => {{
  document.querySelector('.profile-tab-feed').textContent = d.data.length;
}});
</script></body></html>"""

TOUTIAO_VERIFY = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>验证码中间页</title></head><body>
<div id="captcha-verify-image"></div><p>请完成下列验证后继续</p></body></html>"""


def toutiao_feed() -> dict:
    """`api/pc/list/feed?category=profile_all`: cells by cell_type (60 article, 0 video, 32 微头条); behot_time
    is when a cell entered the feed, later than its publish_time; the pinned cell is old and first."""
    def ts(*args: int) -> int:
        return int(bj(*args).timestamp())

    data = [
        {"cell_type": 60, "group_id": "7070000000000000001", "title": "置顶：办事指南汇总", "is_stick": True,
         "stick_label": "置顶", "publish_time": ts(2022, 3, 1, 9, 0), "behot_time": ts(2024, 6, 18, 8, 0)},
        {"cell_type": 60, "group_id": "7380000000000000002", "title": "关于做好防汛工作的通知", "abstract": "各乡镇…",
         "publish_time": ts(2024, 6, 17, 18, 30, 5), "behot_time": ts(2024, 6, 18, 7, 0)},
        {"cell_type": 0, "id": "7380000000000000003", "title": "政策解读视频", "publish_time": ts(2024, 6, 12, 10, 0),
         "behot_time": ts(2024, 6, 13, 9, 0)},
        {"cell_type": 32, "id": "7370000000000000004", "content": "今天上午，市政务服务中心举行开放日活动。",
         "publish_time": ts(2024, 6, 5, 7, 45, 30), "behot_time": ts(2024, 6, 6, 12, 0)},
        {"cell_type": 60, "group_id": "7380000000000000005", "title": "只有推荐时间的条目",
         "behot_time": ts(2024, 6, 19, 12, 0)},  # no publish_time: its feed time is not a publish time
    ]
    return {"message": "success", "has_more": True, "next": {"max_behot_time": ts(2024, 6, 6, 12, 0)}, "data": data}


def _bili_list() -> dict:
    vlist = [{"aid": 1, "bvid": "BV1gov000001", "title": "政策解读：防汛", "created": int(bj(2024, 6, 12, 10).timestamp())},
             {"aid": 2, "bvid": "BV1gov000002", "title": "办事指南", "created": int(bj(2024, 5, 30, 15).timestamp())}]
    return {"code": 0, "message": "0", "data": {"list": {"vlist": vlist}, "page": {"pn": 1, "ps": 25, "count": 2}}}


def _bili_top() -> dict:
    return {"code": 0, "data": {"aid": 9, "bvid": "BV1gov000009", "title": "置顶：欢迎关注",
                                "pubdate": int(bj(2021, 3, 1, 8).timestamp())}}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: ANN002
        pass

    def _send(self, status: int, body: str | bytes, content_type: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, payload: object, status: int = 200) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False), "application/json; charset=utf-8")

    def do_GET(self) -> None:
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/api/container/getIndex":
            return self._weibo(q)
        if url.path.startswith("/u/"):  # the mobile page: sets the visitor cookie, as m.weibo.cn's visitor system
            return self._send(200, "<html><body>微博</body></html>", headers={"Set-Cookie": "SUB=visitor; Path=/"})
        if url.path == "/weixin":
            name = q.get("query", "")
            if name == "频繁访问号":
                return self._send(200, (CORPUS / "wechat_sogou_antispider_page.html").read_bytes())
            return self._send(200, SOGOU_ENTRY.format(name=name, title=f"{name}：本周政务要闻",
                                                      ts=int(bj(2024, 6, 14, 18).timestamp())))
        if url.path == "/s/expired":
            return self._send(200, (CORPUS / "wechat_article_expired_page.html").read_bytes())
        if url.path == "/s/article":
            return self._send(200, (CORPUS / "wechat_article_changjiangribao_2018.html").read_bytes())
        if url.path == "/mp/appmsgalbum":
            items = [{"title": "合集第二篇", "url": "/s/a2", "create_time": str(int(bj(2024, 6, 11, 12).timestamp())),
                      "msgid": "2"},
                     {"title": "合集第一篇", "url": "/s/a1", "create_time": str(int(bj(2024, 5, 2, 12).timestamp())),
                      "msgid": "1"}]
            return self._json({"base_resp": {"ret": 0}, "getalbum_resp": {"article_list": items}})
        if url.path == "/feed.xml":
            return self._send(200, RSS, "application/rss+xml; charset=utf-8")
        if url.path == "/slow.xml":
            time.sleep(float(q.get("s", "3")))
            return self._send(200, RSS, "application/rss+xml; charset=utf-8")
        if url.path.startswith("/profile/"):  # 快手: the page's own request; timestamps in milliseconds
            return self._send(200, KS_PAGE)
        if url.path == "/rest/v/profile/feed":
            feeds = [{"photo": {"id": "k2", "caption": "政务快讯",
                                "timestamp": int(bj(2024, 6, 13, 9).timestamp() * 1000)}},
                     {"photo": {"id": "k1", "caption": "置顶：服务指南", "isTop": True,
                                "timestamp": int(bj(2020, 1, 2, 9).timestamp() * 1000)}}]
            return self._json({"result": 1, "feeds": feeds})
        if url.path.startswith("/c/user/token/"):  # 今日头条: the profile page requests its own feed
            token = url.path.split("/")[4]
            return self._send(200, TOUTIAO_VERIFY if token == "verify" else TOUTIAO_PAGE.format(token=token))
        if url.path == "/api/pc/list/feed":
            if q.get("token") == "waf":  # "Empty html. The request may be filtered by WAF"
                return self._send(200, "", "text/html; charset=utf-8")
            return self._json(toutiao_feed())
        if url.path.startswith("/user/"):  # 抖音: a WAF page in place of the profile, no list requested
            return self._send(200, "<html><body><p>当前环境异常，请稍后再试</p></body></html>")
        if url.path == "/news/list.html":  # a 客户端's web news list, read by the website extractor
            return self._send(200, NEWS_LIST)
        if url.path == "/login-wall":
            return self._send(200, "<html><body><div>请先登录</div><a href='/a'>扫码登录</a></body></html>")
        if url.path.endswith("/upload/video"):
            return self._send(200, BILI_PAGE.format(mid=url.path.split("/")[1]))
        if url.path == "/x/space/wbi/arc/search":
            return self._json(_bili_list() if q.get("mid") != "666" else {"code": -352, "message": "风控校验失败"})
        if url.path == "/x/space/top/arc":
            return self._json(_bili_top() if q.get("vmid") != "666" else {"code": -352, "message": "风控校验失败"})
        return self._send(404, "not found")

    def _weibo(self, q: dict[str, str]) -> None:
        uid = q.get("value", "")
        if uid in BLOCKED or (uid == "1002" and "SUB=visitor" not in (self.headers.get("Cookie") or "")):
            return self._send(432, "")
        if uid in DELETED:
            return self._json({"ok": 0, "msg": "用户不存在"})
        if uid not in WEIBO:
            return self._json({"ok": 0, "msg": "这里还没有内容"})
        if "containerid" not in q:
            tabs = [{"tab_type": "profile", "containerid": f"230283{uid}"},
                    {"tab_type": "weibo", "containerid": f"107603{uid}"}]
            return self._json({"ok": 1, "data": {"userInfo": {"id": int(uid), "screen_name": f"账号{uid}"},
                                                 "tabsInfo": {"selectedTab": 1, "tabs": tabs}}})
        page = int(q.get("page", "1"))
        pages = WEIBO[uid]
        if page > len(pages):
            return self._json({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})
        cards = [_mblog(t, pinned, shown, page * 100 + i) for i, (t, pinned, shown) in enumerate(pages[page - 1])]
        return self._json({"ok": 1, "data": {"cardlistInfo": {"containerid": q["containerid"], "page": page + 1},
                                             "cards": cards}})


@contextmanager
def serve_media() -> Iterator[str]:
    """Serve the simulated platforms; yields the base URL (http://127.0.0.1:PORT)."""
    with serve_handler(_Handler) as url:
        yield url.rstrip("/")
