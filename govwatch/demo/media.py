"""Simulated platforms for 政务新媒体 collection, served from 127.0.0.1 (standard library only). They follow the
platforms, not the collectors: the m.weibo.cn container API (paged by `since_id`, a pinned old post first,
year-less dates, a 432 until visitor cookies are set, the visitor redirect of the mobile page, `ok:-100` to
visitors for a login-only timeline, a custom domain, a deleted account); 搜狗微信 account search (names with
`<em>` highlighting, 微信号, a relative `/link?url=` with `&amp;` in it, look-alike rows, no-result and
no-latest-article pages, an empty answer, the captcha as a 302 to `/antispider/`); WeChat article pages, the
合集 page as HTML unless `f=json` (and blocked / expired / verify answers), the 公众平台 backend (`searchbiz`,
`appmsg?action=list_ex`, cookie + token, 5 a page, an expired session), `profile_ext?action=getmsg` with a
client key; an RSS feed; a slow answer; Bilibili's API on its own host (`serve_platforms`) with the dynamics
feed (videos, 图文, reposts, a pinned 图文) and the space page that requests its video list from there; a
今日头条 profile page that requests its `profile_all` feed; a 快手 page whose list marks its pinned video with
`profileUserTopPhoto`. Every request is recorded in `SEEN` (path, query, headers) for the tests."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from html import escape
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse
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
WEIBO["1006"] = [[(bj(2024, 6, 18, 9, 30), False, "06-18")]]  # timeline answers ok:-100 to visitors
# An account whose posts' text has what the content scan must find (crawler/media/content.py): a leader's wrong
# title and an ID number (11010519491231002X, the GB 11643 standard's own example), a typo of 政府; one clean.
WEIBO["1007"] = [[(bj(2024, 6, 14, 9, 0), False, "06-14"), (bj(2024, 6, 12, 10, 0), False, "06-12"),
                  (bj(2024, 6, 10, 8, 30), False, "06-10")]]
TEXTS = {("1007", 0): "【学习】6月14日，全县干部收看习近平总理重要讲话。会议要求，各乡镇、各部门要认真组织学习，结合实际抓好贯彻"
                      "落实，切实把思想和行动统一到决策部署上来，以实干实绩推动全县经济社会高质量发展，确保各项目标任务"
                      "按期完成。附：培训报名人张某，身份证号11010519491231002X，请于周五前到县政务服务中心确认。",
         ("1007", 1): "县攻府召开常务会议，研究部署防汛工作。",
         ("1007", 2): "市委书记李强调研乡村振兴工作，路口交通秩序良好。"}
BLOCKED = {"1003"}  # always 432
DELETED = {"1004"}
LOGIN_ONLY = {"1006"}
WEIBO_LOGIN = "SUB=office-login-secret"  # the office's Weibo login cookie
DOMAINS = {"gzfb": "1001"}  # weibo.com/{custom domain} → /u/{uid}
SEEN: list[tuple[str, dict[str, str], dict[str, str]]] = []  # every request: path, query, headers


def _mblog(moment: datetime, pinned: bool, shown: str, n: int, text: str | None = None) -> dict:
    mid = mid_for(moment, n)
    mblog = {"created_at": shown, "id": mid, "mid": mid, "bid": f"B{n}", "text": text or f"政务发布 第{n}条",
             "mblogtype": 2 if pinned else 0}
    if pinned:
        mblog["isTop"] = 1
    return {"card_type": 9, "mblog": mblog}


SOGOU_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{query}的相关微信公众号 – 搜狗微信搜索</title>
</head><body><div class="news-box"><ul class="news-list2">{rows}</ul></div>{extra}</body></html>"""
SOGOU_ROW = """<li id="sogou_vr_11002301_box_{n}"><div class="gzh-box2"><div class="txt-box">
<p class="tit"><a target="_blank" uigs="account_name_{n}" href="/link?url=acc{n}&amp;type=1">{name}</a></p>
<p class="info">微信号：<label name="em_weixinhao">{wxid}</label></p></div></div>
<dl><dt>功能介绍：</dt><dd>发布政务信息</dd></dl>{latest}</li>"""
SOGOU_LATEST = """<dl><dt>最近文章：</dt><dd><a target="_blank" uigs="account_article_{n}"
href="/link?url=dn9a_-gY295K0Rci_xozVXfdMkSQTLW6cwJThYulHEtVjXrGTiVgS&amp;type=1&amp;query=q&amp;timestamp=1718359200&amp;signature=sig{n}">{title}</a>
<span><script>document.write(timeConvert('{ts}'))</script></span></dd></dl>"""
SOGOU_NONE = "<div class=\"no-sosuo\"><p>暂无与<em>{query}</em>相关的官方认证订阅号。</p></div>"


def _ts(*args: int) -> int:
    return int(bj(*args).timestamp())


def _highlight(name: str) -> str:
    """搜狗 wraps the matched part of a name in <em><!--red_beg-->…<!--red_end--></em>."""
    if len(name) < 3:
        return f"<em><!--red_beg-->{escape(name)}<!--red_end--></em>"
    return f"{escape(name[:2])}<em><!--red_beg-->{escape(name[2:4])}<!--red_end--></em>{escape(name[4:])}"


# query → rows (name, 微信号, latest (title, ts) or None); unknown queries: the queried name and a look-alike
SOGOU = {
    "山东高考指南": [("山东高考指南", "sdgkzn", ("高考志愿填报提醒", _ts(2024, 6, 16, 20)))],
    "sdgkzn": [("山东高考指南", "sdgkzn", ("高考志愿填报提醒", _ts(2024, 6, 16, 20)))],
    "无文章号": [("无文章号", "wuwenzhang", None)],
    "名称不明号": [("", "", ("不知是谁的文章", _ts(2024, 6, 19, 9))), ("别的号", "biede", ("别的号的文章", _ts(2024, 6, 19)))],
}


def sogou_rows(query: str) -> list[tuple[str, str, tuple[str, int] | None]]:
    if query in SOGOU:
        return SOGOU[query]
    return [(f"{query}服务中心", "lookalike", (f"{query}服务中心：通知", _ts(2024, 6, 19, 8))),
            (query, "wxgov001", (f"{query}：本周政务要闻", _ts(2024, 6, 14, 18)))]


def sogou_page(query: str) -> str:
    if query == "无结果号":
        return SOGOU_PAGE.format(query=escape(query), rows="", extra=SOGOU_NONE.format(query=escape(query)))
    rows = []
    for n, (name, wxid, latest) in enumerate(sogou_rows(query)):
        shown = SOGOU_LATEST.format(n=n, title=escape(latest[0]), ts=latest[1]) if latest else ""
        rows.append(SOGOU_ROW.format(n=n, name=_highlight(name) if name else "", wxid=wxid, latest=shown))
    return SOGOU_PAGE.format(query=escape(query), rows="".join(rows), extra="")


# 公众平台 backend: the office's login, and the accounts its searchbiz finds
MP_COOKIE = "slave_sid=SIM-SECRET-SID-0001; slave_user=gh_office0001; data_ticket=TICKET-SECRET"
MP_TOKEN = "987654321"
BIZ = "MzA4ODUzNjAxOA=="  # 3088536018
BIZ_OTHER = "MzI0NTQ1NjQ1Mg=="
MP_ACCOUNTS = [{"fakeid": BIZ, "nickname": "示例市人民政府", "alias": "shishislszf", "service_type": 1},
               {"fakeid": BIZ_OTHER, "nickname": "示例市人民政府办公室", "alias": "slsbgs", "service_type": 1}]


def backend_articles(fakeid: str) -> list[dict]:
    """12 articles of 7 群发 (the first群发 has 3 articles, the second 2), newest first."""
    out, n = [], 0
    for i, per in enumerate([3, 2, 1, 1, 2, 1, 2]):
        when = _ts(2024, 6, 18, 20) - i * 3 * 86400
        for idx in range(1, per + 1):
            n += 1
            out.append({"aid": f"{2650000000 + i}_{idx}", "appmsgid": 2650000000 + i, "itemidx": idx,
                        "title": f"政务要闻第{n}篇", "create_time": when, "update_time": when + 3600,
                        "link": f"http://mp.weixin.qq.com/s?__biz={fakeid}&amp;mid={2650000000 + i}&amp;idx={idx}"
                                f"&amp;sn=abc#rd"})
    return out[:12]


def getmsg_page(offset: int) -> dict:
    """`profile_ext?action=getmsg`: 10 群发 a page; `general_msg_list` is a JSON string."""
    items = []
    for i in range(offset, min(offset + 10, 14)):
        when = _ts(2024, 6, 18, 19) - i * 2 * 86400
        items.append({"comm_msg_info": {"id": 1000000 + i, "type": 49, "datetime": when, "fakeid": "3088536018",
                                        "status": 2},
                      "app_msg_ext_info": {"title": f"历史消息第{i + 1}条", "content_url":
                                           f"http://mp.weixin.qq.com/s?__biz={BIZ}&amp;mid={i}&amp;idx=1#rd",
                                           "is_multi": 0, "multi_app_msg_item_list": []}})
    more = offset + 10 < 14
    return {"ret": 0, "errmsg": "ok", "msg_count": len(items), "can_msg_continue": int(more),
            "next_offset": offset + 10, "general_msg_list": json.dumps({"list": items}, ensure_ascii=False)}


ALBUM_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>合集</title></head><body>
<div id="js_album_list"><ul><li class="album__list-item" data-link="/s/a2" data-title="合集第二篇">
<span class="js_article_create_time">1718078400</span></li></ul></div>
<script>window.cgiData = {{ title: '防汛专题', article_count: '{count}' }};</script></body></html>"""

RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>市政府发布</title>
<item><title>关于做好防汛工作的通知</title><link>http://example.gov.cn/a/1.html</link>
<pubDate>Fri, 14 Jun 2024 09:30:00 +0800</pubDate><guid>a1</guid></item>
<item><title>6月政务公开工作动态</title><link>http://example.gov.cn/a/2.html</link>
<pubDate>Mon, 03 Jun 2024 16:00:00 +0800</pubDate><guid>a2</guid></item></channel></rss>"""

BILI_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>UP主空间</title></head><body><div id="app">加载中</div>
<script>
fetch('{api}/x/space/top/arc?vmid={mid}').then(r => r.json());
fetch('{api}/x/space/wbi/arc/search?mid={mid}&pn=1&ps=25&w_rid=pagesigned').then(r => r.json()).then(d => {{
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


BILI_VIDEOS = [(_ts(2024, 6, 1, 10), "政策解读：防汛"), (_ts(2024, 5, 25, 15), "办事指南"),
               (_ts(2024, 5, 18, 9), "走进政务服务中心"), (_ts(2024, 5, 11, 9), "安全生产月"),
               (_ts(2024, 5, 4, 9), "五四青年节")]
BILI_COOKIE = "SESSDATA=bili-secret-sessdata; buvid3=bili-buvid"


def _bili_list() -> dict:
    vlist = [{"aid": i + 1, "bvid": f"BV1gov00000{i + 1}", "title": title, "created": when}
             for i, (when, title) in enumerate(BILI_VIDEOS)]
    return {"code": 0, "message": "0", "data": {"list": {"vlist": vlist},
                                                "page": {"pn": 1, "ps": 25, "count": len(vlist)}}}


def _bili_top() -> dict:
    return {"code": 0, "data": {"aid": 9, "bvid": "BV1gov000009", "title": "置顶：欢迎关注",
                                "pubdate": int(bj(2021, 3, 1, 8).timestamp())}}


def bili_dynamics() -> list[dict]:
    """12 dynamics, newest first after the pinned one: a pinned 图文 (2021), a 图文 inside the two weeks before
    2024-06-20, the 5 videos and 5 reposts."""
    def item(n: int, kind: str, when: int, text: str, pinned: bool = False, bvid: str | None = None) -> dict:
        major = {"archive": {"bvid": bvid, "title": text}} if bvid else {"opus": {"title": text}}
        modules = {"module_author": {"pub_ts": when, "pub_time": "", "mid": 12345, "name": "某市B站号"},
                   "module_dynamic": {"desc": {"text": text}, "major": major if kind != "DYNAMIC_TYPE_FORWARD" else None}}
        if pinned:
            modules["module_tag"] = {"text": "置顶"}
        return {"id_str": str(900000000000000000 + n), "type": kind, "modules": modules}

    items = [item(1, "DYNAMIC_TYPE_DRAW", _ts(2021, 3, 1, 8), "置顶：欢迎关注", pinned=True),
             item(2, "DYNAMIC_TYPE_DRAW", _ts(2024, 6, 17, 18), "防汛图文提示")]
    reposts = [_ts(2024, 6, 3, 9), _ts(2024, 5, 28, 9), _ts(2024, 5, 20, 9), _ts(2024, 5, 14, 9), _ts(2024, 5, 6, 9)]
    merged = sorted([(w, "v", i) for i, (w, _) in enumerate(BILI_VIDEOS)] + [(w, "f", i) for i, w in enumerate(reposts)],
                    reverse=True)
    for n, (when, kind, i) in enumerate(merged, start=3):
        if kind == "v":
            items.append(item(n, "DYNAMIC_TYPE_AV", when, BILI_VIDEOS[i][1], bvid=f"BV1gov00000{i + 1}"))
        else:
            items.append(item(n, "DYNAMIC_TYPE_FORWARD", when, f"转发：省政务发布第{i + 1}条"))
    return items


@dataclass
class Platforms:
    """The served simulation: the platforms' pages, and Bilibili's API on a host of its own."""

    base: str
    bilibili_api: str


class _Handler(BaseHTTPRequestHandler):
    api_base = ""  # where the Bilibili space page sends its API requests (its own host when empty)
    api_only = False  # the API host answers its API paths only

    def log_message(self, *args: object) -> None:
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

    def _json(self, payload: object, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False), "application/json; charset=utf-8", headers)

    def _redirect(self, location: str, headers: dict[str, str] | None = None) -> None:
        self._send(302, "", headers={"Location": location, **(headers or {})})

    @property
    def cookie(self) -> str:
        return self.headers.get("Cookie") or ""

    def do_GET(self) -> None:
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        SEEN.append((url.path, q, {k: v for k, v in self.headers.items()}))
        if url.path.startswith("/x/"):
            return self._bilibili_api(url.path, q)
        if self.api_only:
            return self._send(404, "not found")
        if url.path == "/api/container/getIndex":
            return self._weibo(q)
        if url.path == "/api/config":
            return self._json({"ok": 1, "data": {"login": WEIBO_LOGIN in self.cookie}})
        if url.path.startswith("/u/"):  # the mobile page: a visitor without cookies is sent to the visitor system
            if "SUB=" not in self.cookie:
                return self._redirect(f"/visitor/visitor?entry=sinawap&url={quote(url.path)}")
            return self._send(200, "<html><body>微博</body></html>")
        if url.path == "/visitor/visitor":
            return self._redirect(q.get("url", "/"), {"Set-Cookie": "SUB=visitor; Path=/"})
        if url.path.strip("/") in DOMAINS:
            return self._redirect(f"/u/{DOMAINS[url.path.strip('/')]}")
        if url.path == "/weixin":
            return self._sogou(q)
        if url.path.startswith("/antispider"):
            return self._send(200, (CORPUS / "wechat_sogou_antispider_page.html").read_bytes())
        if url.path.startswith("/cgi-bin/"):
            return self._backend(url.path, q)
        if url.path == "/mp/profile_ext":
            if q.get("action") != "getmsg":
                return self._send(200, "<html><body>请在微信客户端打开链接</body></html>")
            if q.get("key") != "KEY-OK" or not q.get("uin"):
                return self._json({"ret": -3, "errmsg": "no session", "cookie_count": 0})
            return self._json(getmsg_page(int(q.get("offset") or 0)))
        if url.path == "/s":
            if q.get("mid") == "gone":
                return self._send(200, "<html><body><p>临时链接已失效</p></body></html>")
            return self._send(200, (CORPUS / "wechat_article_changjiangribao_2018.html").read_bytes())
        if url.path == "/s/expired":
            return self._send(200, (CORPUS / "wechat_article_expired_page.html").read_bytes())
        if url.path == "/s/article":
            return self._send(200, (CORPUS / "wechat_article_changjiangribao_2018.html").read_bytes())
        if url.path == "/mp/appmsgalbum":
            return self._album(q)
        if url.path == "/mp/wappoc_appmsgcaptcha":
            return self._send(200, "<html><body><p>当前环境异常，完成验证后即可继续访问。</p><a>去验证</a></body></html>")
        if url.path == "/feed.xml":
            return self._send(200, RSS, "application/rss+xml; charset=utf-8")
        if url.path == "/app/rss":  # a 客户端's feed served as text/html, as some CMSs do
            return self._send(200, RSS, "text/html; charset=utf-8")
        if url.path == "/app/latest.jsp":  # a feed behind an address that does not look like one
            return self._send(200, RSS, "text/xml; charset=utf-8")
        if url.path == "/slow.xml":
            time.sleep(float(q.get("s", "3")))
            return self._send(200, RSS, "application/rss+xml; charset=utf-8")
        if url.path.startswith("/profile/"):  # 快手: the page's own request; timestamps in milliseconds
            return self._send(200, KS_PAGE)
        if url.path == "/rest/v/profile/feed":
            feeds = [{"photo": {"id": "k2", "caption": "政务快讯",
                                "timestamp": int(bj(2024, 6, 13, 9).timestamp() * 1000)}},
                     {"photo": {"id": "k1", "caption": "置顶：服务指南", "profileUserTopPhoto": True,
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
            return self._send(200, BILI_PAGE.format(mid=url.path.split("/")[1], api=self.api_base))
        return self._send(404, "not found")

    def _sogou(self, q: dict[str, str]) -> None:
        query = q.get("query", "")
        if query == "频繁访问号":  # 搜狗's captcha: a 302 to /antispider/ with the search it interrupted
            return self._redirect(f"/antispider/?from=%2Fweixin%3Ftype%3D1%26query%3D{quote(query)}")
        if query == "空白号":
            return self._send(200, b"")
        return self._send(200, sogou_page(query))

    def _album(self, q: dict[str, str]) -> None:
        album = q.get("album_id", "")
        if album == "blocked":
            return self._send(200, "<html><body><p>此账号已被屏蔽, 内容无法查看</p></body></html>")
        if album == "temp":
            return self._send(200, "<html><body><p>临时链接已失效</p></body></html>")
        if album == "verify":
            return self._redirect("/mp/wappoc_appmsgcaptcha?poc_token=x&target_url=album")
        items = [{"title": "合集第二篇", "url": "/s?__biz=X&amp;mid=2&amp;idx=1", "create_time": str(_ts(2024, 6, 11, 12)),
                  "msgid": "2", "itemidx": "1"},
                 {"title": "合集第一篇", "url": "/s?__biz=X&amp;mid=1&amp;idx=1", "create_time": str(_ts(2024, 5, 2, 12)),
                  "msgid": "1", "itemidx": "1"}]
        if q.get("f") != "json":  # the page a browser gets: HTML, its list rendered by script
            return self._send(200, ALBUM_HTML.format(count=len(items) + 1))
        if q.get("begin_msgid"):  # the next page: older than the last item; one article is an object, not a list
            return self._json({"base_resp": {"ret": 0}, "getalbum_resp": {
                "article_list": {"title": "合集第零篇", "url": "/s?__biz=X&amp;mid=0&amp;idx=1", "msgid": "0",
                                 "itemidx": "1", "create_time": str(_ts(2024, 4, 2, 12))},
                "continue_flag": "0", "reverse_continue_flag": "1"}})
        return self._json({"base_resp": {"ret": 0}, "getalbum_resp": {
            "article_list": items, "continue_flag": "1", "reverse_continue_flag": "0",
            "base_info": {"title": "防汛专题", "article_count": "3"}}})

    def _backend(self, path: str, q: dict[str, str]) -> None:
        session_ok = all(part in self.cookie for part in ("slave_sid=SIM-SECRET-SID-0001", "data_ticket=TICKET"))
        if not session_ok or q.get("token") != MP_TOKEN:
            return self._json({"base_resp": {"ret": 200003, "err_msg": "invalid session"}})
        if q.get("f") != "json" or q.get("ajax") != "1":
            return self._send(200, "<html><body>公众平台</body></html>")
        if path == "/cgi-bin/searchbiz":
            query = q.get("query", "")
            found = [a for a in MP_ACCOUNTS if query and (query in a["nickname"] or query == a["alias"])]
            return self._json({"base_resp": {"ret": 0, "err_msg": "ok"}, "list": found[:int(q.get("count", 5))],
                               "total": len(found)})
        if path == "/cgi-bin/appmsg" and q.get("action") == "list_ex":
            if int(q.get("count", "5")) > 5:  # the web client asks for 5; more draws frequency control
                return self._json({"base_resp": {"ret": 200013, "err_msg": "freq control"}})
            articles = backend_articles(q.get("fakeid", ""))
            begin = int(q.get("begin", "0"))
            return self._json({"base_resp": {"ret": 0, "err_msg": "ok"}, "app_msg_cnt": len(articles),
                               "app_msg_list": articles[begin:begin + 5]})
        return self._json({"base_resp": {"ret": -1, "err_msg": "unknown"}})

    def _bilibili_api(self, path: str, q: dict[str, str]) -> None:
        cors = {"Access-Control-Allow-Origin": self.headers.get("Origin") or "*",
                "Access-Control-Allow-Credentials": "true"}
        logged_in = "SESSDATA=bili-secret-sessdata" in self.cookie
        risky = q.get("mid") == "666" or q.get("vmid") == "666" or q.get("host_mid") == "666"
        if risky and not logged_in:
            return self._json({"code": -352, "message": "风控校验失败", "ttl": 1, "data": {"v_voucher": "x"}},
                              headers=cors)
        if path == "/x/space/wbi/arc/search":
            return self._json(_bili_list(), headers=cors)
        if path == "/x/space/top/arc":
            return self._json(_bili_top(), headers=cors)
        if path == "/x/web-interface/nav":
            return self._json({"code": 0 if logged_in else -101, "data": {"isLogin": logged_in}}, headers=cors)
        if path == "/x/polymer/web-dynamic/v1/feed/space":
            items = bili_dynamics()
            start = int(q.get("offset") or 0)
            page = items[start:start + 7]
            more = start + 7 < len(items)
            return self._json({"code": 0, "message": "0", "ttl": 1, "data": {
                "has_more": more, "offset": str(start + 7) if more else "", "items": page}}, headers=cors)
        return self._json({"code": -404, "message": "啥都木有"}, headers=cors)

    def _weibo(self, q: dict[str, str]) -> None:
        uid = q.get("value", "")
        cookie = self.cookie
        if uid in BLOCKED or (uid == "1002" and "SUB=visitor" not in cookie):
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
        if uid in LOGIN_ONLY and WEIBO_LOGIN not in cookie:
            return self._json({"ok": -100, "url": "https://passport.weibo.cn/signin/welcome?entry=mweibo"})
        since = q.get("since_id") or "S1"
        page = int(since[1:]) if since[:1] == "S" and since[1:].isdigit() else 1
        pages = WEIBO[uid]
        if page > len(pages):
            return self._json({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})
        cards = [_mblog(t, pinned, shown, page * 100 + i, TEXTS.get((uid, i)) if page == 1 else None)
                 for i, (t, pinned, shown) in enumerate(pages[page - 1])]
        info = {"containerid": q["containerid"], "total": sum(len(p) for p in pages)}
        if page < len(pages):
            info["since_id"] = f"S{page + 1}"
        return self._json({"ok": 1, "data": {"cardlistInfo": info, "cards": cards}})


class _ApiHandler(_Handler):
    api_only = True


@contextmanager
def serve_media() -> Iterator[str]:
    """Serve the simulated platforms; yields the base URL (http://127.0.0.1:PORT). Bilibili's API answers on
    the same host here (a mirror); `serve_platforms` gives it a host of its own."""
    with serve_handler(_Handler) as url:
        yield url.rstrip("/")


@contextmanager
def serve_platforms() -> Iterator[Platforms]:
    """The platforms and Bilibili's API host, each on its own port; yields `Platforms`."""
    with serve_handler(_ApiHandler) as api:
        handler = type("_PageHandler", (_Handler,), {"api_base": api.rstrip("/")})
        with serve_handler(handler) as url:
            yield Platforms(url.rstrip("/"), api.rstrip("/"))
