"""`hanweb`: a city department site on Hanweb JCMS (大汉版通), UTF-8.

What it exercises: columns at /col/col1201/index.html whose list records sit in CDATA inside
`<script type="text/xml"><datastore>...` followed by the script that renders them (a browser shows
them, an HTML parser sees only script text); article URLs /art/2023/11/18/art_1201_5001.html
(month and day not zero-padded, as JCMS writes them); dates as 2023-11-18, 2023年11月18日 and the
year-less [11-18]; `<meta name="Maketime">` stamped with T0 on every page (the page was regenerated,
its content was not: not an update); a home page with tabs, the second hidden (display:none) and
holding the newest item; a blank column whose datastore has an empty recordset; a deleted article
that answers 200 with an error page (soft 404); a link on the home page that always answers 500.
Indicators beyond the columns: a 咨询投诉 board whose list shows only the ask date and a status, so
the letters' own pages tell the reply dates (one letter answered after 4 months: W-V5 (2)); no
信件统计, no 征集调查, no 信访 link; three service guides with one key element of ten; a "政务服务网"
link to a county site (the wrong platform); one policy document linked to its 解读 both ways, two
without; a search form submitted by script; a footer without 公安备案 and 党政机关网站标识; a big
floating window (飘窗) over the first screen (河南: 首页布局混乱).
Design verdict: fail by W-V4 (a): six stale 动态/通知公告/政策文件 columns, with a fresh home page, and
by W-V5 (2).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from .model import (
    BuildContext,
    Column,
    Item,
    Response,
    SiteBuild,
    SiteSpec,
    asset,
    board_truth,
    esc,
    finish_site,
    fmt_date,
    html_page,
    items,
    letters,
    policy_sample,
)
from .truth import ExpectedGuide, ExpectedProfile, SiteFeatures

ASSETS = (
    "/module/jslib/jquery/jquery.js",
    "/module/web/jpage/jpage.js",
    "/images/12/style.css",
    "/images/12/logo.png",
    "/images/12/banner.jpg",
    "/favicon.ico",
)
WEBID = 12
ERROR_500_PATH = "/module/xxgk/nb.jsp?webid=12&year=2022"

GZDT = [
    "市生态环境局召开重点行业挥发性有机物治理推进会",
    "市生态环境局开展秋冬季大气污染防治督导帮扶",
    "市生态环境局举办生态环境法律法规培训班",
    "市生态环境局开展饮用水水源地环境专项检查",
    "市生态环境局召开第三季度环境形势分析会",
    "清江市开展入河排污口排查整治",
    "市生态环境局赴云溪县调研农村生活污水治理",
    "市生态环境局开展“六五环境日”宣传活动",
]
HBYW = [
    "全省生态环境保护大会召开",
    "省生态环境厅通报第三季度环境空气质量",
    "长江流域生态环境保护工作推进会召开",
    "清江市空气质量优良天数比例同比提升",
    "全国碳市场第二个履约周期顺利收官",
    "我市入选全省美丽河湖优秀案例",
]
QXDT = [
    "云溪县开展畜禽养殖污染专项整治",
    "江北区推进工业园区污水管网建设",
    "南湖区开展噪声污染防治宣传",
    "云溪县完成农村黑臭水体治理年度任务",
    "东山县开展秸秆禁烧巡查",
]
TZGG = [
    "清江市生态环境局关于启用新版办公电话的公告",
    "关于开展重点排污单位自行监测帮扶的通知",
    "清江市生态环境局关于公布年度环境监管重点单位名录的通知",
    "关于开展环境影响评价文件复核工作的通知",
    "清江市生态环境局关于征集生态环境违法行为有奖举报线索的公告",
    "关于举办生态环境执法大练兵的通知",
]
HPGS = [
    "清江市城东污水处理厂扩建工程环境影响报告书受理公示",
    "清江化工园区危废处置中心项目环评审批前公示",
    "云溪县生活垃圾焚烧发电项目环评批复公告",
    "清江港三期码头工程环境影响评价拟审批公示",
]
ZCWJ = [
    "清江市生态环境局关于印发《清江市生态环境行政处罚裁量基准》的通知",
    "清江市大气污染防治条例",
    "清江市生态环境保护工作责任规定",
    "清江市排污许可管理实施细则",
]
ZCJD = [
    "《清江市生态环境行政处罚裁量基准》解读",
    "一图读懂《清江市大气污染防治条例》",
    "《清江市排污许可管理实施细则》政策解读",
]
RSRM = [
    "清江市生态环境局关于赵喆同志任职的通知",
    "清江市生态环境局事业单位公开招聘拟聘人员公示",
    "清江市生态环境局关于孙立新同志免职的通知",
    "清江市生态环境局公开遴选公务员公告",
]
ZXTS = [
    "关于化工园区夜间异味的投诉",
    "咨询建设项目环评审批时限",
    "反映城南工地夜间施工噪声扰民",
    "关于河道排污口的举报",
    "咨询排污许可证延续办理材料",
    "反映城西养殖场粪污直排问题",
]
# Letters (days before T0): the last one, asked 200 days before T0, was answered 120 days later: a
# valid letter left more than 3 months without an answer in the year before T0 (W-V5 (2)).
ZXTS_ASKED = [1, 4, 10, 16, 27, 200]
ZXTS_REPLIED = [None, 2, 6, 12, 20, 80]
GUIDES = [
    ("建设项目环境影响评价文件审批办事指南", "/zwfw/bszn_1.html"),
    ("排污许可证核发办事指南", "/zwfw/bszn_2.html"),
    ("危险废物经营许可证核发办事指南", "/zwfw/bszn_3.html"),
]
# The only key element the guides show ("受理地点：..."): the other nine are missing.
GUIDE_MISSING = ["事项名称", "设定依据", "申请条件", "办理材料", "办理机构", "收费标准", "办理时间", "联系电话", "办理流程"]
PORTAL_NAME = "清江市政务服务网云溪县分厅"  # a county site's service page, not the province's 政务服务网
FLOATING = (520, 420)  # the 飘窗: width x height in pixels, fixed over the first screen (1280 x 800)
JGZN = (
    "清江市生态环境局是市政府工作部门，为正处级。"
    "主要职责：（一）负责建立健全生态环境基本制度；（二）负责重大生态环境问题的统筹协调和监督管理；"
    "（三）负责监督管理减排目标的落实；（四）负责环境污染防治的监督管理；"
    "（五）负责生态环境监测工作；（六）负责生态环境监督执法。"
    "内设机构：办公室、法规与标准科、综合科、环境影响评价与排放管理科、大气环境科、水生态环境科、土壤生态环境科。"
)


def spec() -> SiteSpec:
    """The columns of 清江市生态环境局; ages are days before T0. Verdict: fail by W-V4 (a) and W-V5 (2)."""
    # The first document links its 解读 and back; the other two sampled have none (the 解读 of the second
    # links to it, but the document does not link the 解读).
    docs = [replace(d, refs=(("相关解读", ZCJD[0]),)) if n == 0 else d
            for n, d in enumerate(items(ZCWJ, [300, 340, 420, 510]))]
    jd = [replace(j, refs=(("相关文件", ZCWJ[(0, 1, 3)[n]]),)) for n, j in enumerate(items(ZCJD, [220, 301, 345]))]
    columns = [
        Column("工作动态", "1201", "news", section="新闻动态",
               items=items(GZDT, [3, 6, 9, 12, 18, 25, 33, 41], fate={3: "soft-404"})),
        Column("环保要闻", "1202", "news", items=items(HBYW, [30, 38, 47, 59, 70, 84]), section="新闻动态"),
        Column("区县动态", "1203", "news", items=items(QXDT, [45, 52, 66, 80, 101]), section="新闻动态",
               date_style="md"),
        Column("通知公告", "1204", "notice", items=items(TZGG, [700, 200, 230, 270, 330, 400], pinned=[0]),
               section="信息公开"),
        Column("环评公示", "1205", "notice", items=items(HPGS, [240, 262, 290, 350]), section="信息公开"),
        Column("政策文件", "1206", "policy", items=docs, section="信息公开", date_style="cn"),
        Column("政策解读", "1207", "policy", items=jd, section="信息公开", date_style="cn"),
        Column("人事任免", "1208", "should_update", items=items(RSRM, [90, 150, 260, 390]),
               section="信息公开", date_style="cn"),
        Column("规划计划", "1209", "should_update", kind="empty", section="信息公开"),
        Column("机构职能", "1210", "static", kind="static", text=JGZN, section="信息公开"),
        Column("咨询投诉", "1211", "interaction", items=letters(ZXTS, ZXTS_ASKED, ZXTS_REPLIED), section="互动交流",
               board=True),
        Column("办事服务", "1212", "service", kind="links", section="办事服务", links=list(GUIDES)),
    ]
    return SiteSpec(
        key="hanweb", name="清江市生态环境局", code="3699000018", unit="清江市生态环境局",
        group="市政府部门网站", columns=columns, vetoes={"W-V4", "W-V5"}, verdict="fail", profiles=PROFILES,
    )


# A department site: not scored nationally (the deduction part applies to portals); 河南 scores it.
_COMMON = {"W-V1": "manual", "W-V2": "insufficient", "W-V4": "fail", "W-V5": "fail", "W-V6": "problem",
           "W-D4": "problem", "W-D13": "not_testable", "W-D14": "problem", "W-D15": "problem",
           "W-D16": "not_testable", "W-D17": "problem", "W-B": "manual"}
PROFILES = {
    "national-2019": ExpectedProfile(
        verdict="fail", score=None, vetoes={"W-V4", "W-V5"}, problems="栏目不更新(单否);留言超过3个月未回应(单否)",
        statuses={**_COMMON, "W-D3": "problem", "W-D7": "problem", "W-D8": "problem", "W-D9": "problem",
                  "W-D10-PUB": "problem", "W-D11": "problem", "HOME-LAYOUT": "problem"},
    ),
    "henan": ExpectedProfile(
        verdict="fail", score=None, vetoes={"W-V4", "W-V5", "HOME-LAYOUT"},
        problems="栏目不更新(单否);互动回应差(单否);首页布局混乱(单否);历史信件展示、统计-3;政务服务-3;"
                 "政务服务链接错误-10;信箱、调查征集-6;在线信访、办事大厅-6;空白栏目-5;政策文件-5;办事统计-2",
        statuses={**_COMMON, "HOME-LAYOUT": "fail", "W-D10-PUB": "deducted", "W-D7": "deducted",
                  "W-D9-WRONG": "deducted", "HN-MAILBOX-SURVEY": "deducted", "HN-PETITION-HALL": "deducted",
                  "HN-BLANK": "deducted", "W-D3": "deducted", "W-D8": "deducted"},
    ),
}


def column_path(col: Column) -> str:
    return f"/col/col{col.slug}/index.html"


RENDER = """<script type="text/javascript">
(function(){
  var box = document.getElementById("%(unit)s");
  var xml = box.getElementsByTagName("script")[0].text;
  var recs = xml.match(/<record><!\\[CDATA\\[[\\s\\S]*?\\]\\]><\\/record>/g) || [];
  var html = "";
  for (var i = 0; i < recs.length && i < %(per)d; i++) {
    html += recs[i].replace(/^<record><!\\[CDATA\\[/, "").replace(/\\]\\]><\\/record>$/, "");
  }
  var ul = document.createElement("ul");
  ul.className = "list";
  ul.innerHTML = html;
  box.appendChild(ul);
})();
</script>"""

SHOW_TAB = """<script type="text/javascript">
function Show(pre, cls, n, total){
  for (var i = 0; i < total; i++) {
    document.getElementById(pre + "_tab_" + i).className = (i == n) ? cls + "On" : cls;
    document.getElementById(pre + "_cont_" + i).style.display = (i == n) ? "block" : "none";
  }
}
</script>"""


class _Site:
    """Renders every page of the site from its spec."""

    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.spec = spec()
        self.pages: dict[str, Response] = {}
        self.art: dict[int, str] = {}
        self.next_id = 5001

    def head(self, title: str, extra: str = "") -> str:
        return f"""<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(title)}</title>
<meta name="Generator" content="大汉版通">
<meta name="SiteName" content="{self.spec.name}">
<meta name="SiteDomain" content="sthjj.qingjiang.gov.cn">
<meta name="SiteIDCode" content="{self.spec.code}">
<meta name='Maketime' content='{self.ctx.t0:%Y-%m-%d} 06:00:12'>
{extra}
<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>
<link href="/images/12/style.css" rel="stylesheet" type="text/css">
</head>
"""

    def top(self) -> str:
        sections: dict[str, list[Column]] = {}
        for col in self.spec.columns:
            sections.setdefault(col.section, []).append(col)
        nav = ['<li class="nav-home"><a href="/index.html">首页</a></li>']
        for section, cols in sections.items():
            subs = "".join(f'<li><a href="{column_path(c)}" target="_self">{c.name}</a></li>' for c in cols)
            nav.append(f'<li class="nav-item"><a href="javascript:;">{section}</a>'
                       f'<ul class="nav-sub">{subs}</ul></li>')
        return f"""<body>
<div class="header"><div class="w1200">
<div class="logo"><a href="/index.html"><img src="/images/12/logo.png" alt="{self.spec.name}"></a></div>
<div class="search"><form action="javascript:;" method="get" target="_blank">
<input name="q" type="text" placeholder="请输入关键字"><input type="submit" value="搜索"></form></div>
</div></div>
<div class="nav"><ul class="w1200">
{"".join(nav)}
</ul></div>
"""

    def bottom(self) -> str:
        return f"""<div class="footer"><div class="w1200">
<p>主办单位：{self.spec.unit}　地址：清江市行政中心6号楼　邮编：332000</p>
<p>网站标识码：{self.spec.code}　赣ICP备10002345号-1　技术支持：大汉网络</p>
</div></div>
</body>
</html>
"""

    def emit(self, path: str, text: str) -> None:
        self.pages[path] = html_page(text)

    def assign_articles(self) -> None:
        for col in self.spec.columns:
            for item in col.items:
                d = self.ctx.day(item.age)
                self.art[id(item)] = f"/art/{d.year}/{d.month}/{d.day}/art_{col.slug}_{self.next_id}.html"
                self.next_id += 1

    def article(self, col: Column, item: Item) -> None:
        path = self.art[id(item)]
        if item.fate == "soft-404":
            # The CMS deleted the document; its error page answers 200.
            page = html_page("""<!doctype html><html><head><meta charset="utf-8">
<title>404-页面不存在</title></head>
<body><div class="err404"><img src="/images/12/logo.png" alt=""><h2>您访问的页面不存在</h2>
<p>该页面可能已被删除、更名或暂时不可用。<a href="/index.html">返回首页</a></p></div></body></html>
""")
            page.soft404 = True
            self.pages[path] = page
            return
        d = self.ctx.day(item.age)
        extra = (f'<meta name="ArticleTitle" content="{esc(item.title)}">\n'
                 f'<meta name="PubDate" content="{d:%Y-%m-%d} 10:{item.age % 60:02d}">\n'
                 f'<meta name="ContentSource" content="{self.spec.name}">\n'
                 f'<meta name="ColumnName" content="{col.name}">')
        sizes = ((18, "大"), (16, "中"), (14, "小"))
        zoom = " ".join(f'<a href="javascript:doZoom({n})">{size}</a>' for n, size in sizes)
        text = self.head(f"{item.title} - {col.name} - {self.spec.name}", extra) + self.top() + f"""
<div class="w1200 main">
<div class="bt-position">当前位置：<a href="/index.html">首页</a> &gt;
<a href="{column_path(col)}">{col.name}</a></div>
<div class="main-txt">
<h1 class="title">{esc(item.title)}</h1>
<div class="info">发布日期：{d:%Y-%m-%d}　来源：{self.spec.name}
　浏览次数：<span id="hits">{item.age * 7 + 31}</span>
<span class="zh">字号：[ {zoom} ]</span></div>
{self.body(col, item)}
</div>
</div>
""" + self.bottom()
        self.emit(path, text)

    def body(self, col: Column, item: Item) -> str:
        if col.board:  # a letter: asked when, answered when (or not yet)
            d = self.ctx.day(item.age)
            if item.answered:
                answer = (f"<p>回复时间：{self.ctx.day(item.reply_age):%Y-%m-%d}</p><p>回复单位：{self.spec.name}</p>"
                          "<p>回复内容：您好！您反映的问题我局已组织执法人员现场核查，并依法处理。感谢您的监督。</p>")
            else:
                answer = "<p>办理状态：未回复</p>"
            return (f'<div id="zoom"><p>来信内容：{esc(item.title)}，请予答复。</p><p>来信时间：{d:%Y-%m-%d}</p>'
                    f"{answer}</div>")
        refs = "".join(f'<div class="xgjd">{label}：<a href="{self.path_of(target)}" target="_blank">{esc(target)}</a>'
                       "</div>" for label, target in item.refs)
        return (f'<div id="zoom"><p>{esc(item.title)}。按照工作安排，我局相关科室和执法支队精心组织、周密部署，\n'
                f"确保各项工作取得实效。</p></div>{refs}")

    def path_of(self, title: str) -> str:
        for col in self.spec.columns:
            for item in col.items:
                if item.title == title:
                    return self.art[id(item)]
        raise KeyError(title)

    def record(self, col: Column, item: Item) -> str:
        d = self.ctx.day(item.age)
        title = ("【置顶】" if item.pinned else "") + item.title
        link = f'<a href="{self.art[id(item)]}" title="{esc(item.title)}" target="_blank">{esc(title)}</a>'
        state = ("<em>已回复</em>" if item.answered else "<em>未回复</em>") if col.board else ""
        return f"<record><![CDATA[\n<li>{link}<span>{fmt_date(d, col.date_style)}</span>{state}</li>\n]]></record>"

    def datastore(self, col: Column, unit: int) -> str:
        listed = col.all_items()
        records = "\n".join(self.record(col, i) for i in listed)
        proxy = (f"/module/web/jpage/dataproxy.jsp?page=1&webid={WEBID}&path=/&columnid={col.slug}"
                 f"&unitid={unit}&webname=qjssthjj&permissiontype=0")
        self.pages[proxy] = Response(
            body=b'<?xml version="1.0" encoding="UTF-8"?><datastore><recordset></recordset></datastore>',
            content_type="text/xml; charset=utf-8",
        )
        return f"""<div id="{unit}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{proxy}"></a>]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore></script></div>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
{RENDER % {"unit": unit, "per": 15}}
<div class="page">共 {len(listed)} 条记录 1/1 页</div>"""

    def column_page(self, col: Column) -> None:
        path = column_path(col)
        unit = 34700 + int(col.slug) % 100
        if col.kind in ("list", "empty"):
            content = self.datastore(col, unit)
        elif col.kind == "static":
            content = '<div class="main-txt" id="zoom">' + "".join(
                f"<p>{s}。</p>" for s in col.text.split("。") if s) + "</div>"
        elif col.kind == "links":
            rows = [f'<li><a href="{href}" target="_blank">{t}</a></li>' for t, href in col.links]
            rows.append(f'<li><a href="{self.ctx.peers["trs"]}zwfw/bszn/index.html" target="_blank">'
                        f"{PORTAL_NAME}</a></li>")
            content = '<ul class="bszn-list">' + "".join(rows) + "</ul>"
        else:
            raise AssertionError(col.kind)
        peers = "".join(f'<li><a href="{column_path(c)}">{c.name}</a></li>'
                        for c in self.spec.columns if c.section == col.section)
        extra = (f'<meta name="ColumnName" content="{col.name}">\n'
                 f'<meta name="ColumnType" content="{col.name}">')
        text = self.head(f"{col.name} - {self.spec.name}", extra) + self.top() + f"""
<div class="w1200 main clearfix">
<div class="main-left"><div class="left-title">{col.section}</div><ul class="left-nav">{peers}</ul></div>
<div class="main-right">
<div class="bt-position">当前位置：<a href="/index.html">首页</a> &gt; <a href="{path}">{col.name}</a></div>
<div class="list-title">{col.name}</div>
{content}
</div>
</div>
""" + self.bottom()
        self.emit(path, text)
        for item in col.items:
            self.article(col, item)
        for title, href in col.links:
            guide = (f'<div class="w1200 main"><h1>{title}</h1><div id="zoom"><p>'
                     "受理条件、申请材料、办理流程、法定时限和承诺时限详见本页。"
                     "受理地点：清江市政务服务中心三楼环保窗口。</p></div></div>")
            self.emit(href, self.head(f"{title} - {self.spec.name}") + self.top() + guide + self.bottom())

    def home(self) -> list[date]:
        dates: list[date] = []
        cols = {c.name: c for c in self.spec.columns}

        def rows(name: str, count: int, style: str) -> str:
            out = []
            for item in [i for i in cols[name].all_items() if i.fate == "ok"][:count]:
                d = self.ctx.day(item.age)
                dates.append(d)
                shown = f"{d:%m-%d}" if style == "md" else fmt_date(d, style)
                title = esc(item.title)
                out.append(f"<tr><td width='290' align='left'><a href='{self.art[id(item)]}' title='{title}'"
                           f" target='_blank' class='bt_link1'>{title}</a></td>"
                           f'<td width="54" style="color:#a0a0a0;text-align:center;">{shown}</td></tr>')
            table = "<table width='100%' border='0' cellspacing='0' cellpadding='0'>"
            return table + "".join(out) + "</table>"

        def box(name: str, count: int) -> str:
            more = f'<a href="{column_path(cols[name])}" class="more">更多</a>'
            return (f'<div class="box"><div class="box-title"><span>{name}</span>{more}</div>'
                    f'{rows(name, count, "iso")}</div>')

        friends = "".join(f'<li><a href="{u}" target="_blank">{t}</a></li>' for t, u in (
            ("云溪县人民政府", self.ctx.peers["trs"]), ("云溪县石桥镇人民政府", self.ctx.peers["table"])))
        tabs = [("工作动态", "block"), ("咨询投诉", "none")]
        tab_heads = "".join(
            f'<li class="{"jtjjOn" if n == 0 else "jtjj"}" id="jtjj_tab_{n}" '
            f"onmouseover=\"Show('jtjj','jtjj',{n},{len(tabs)});\">{name}</li>"
            for n, (name, _) in enumerate(tabs))
        tab_bodies = "".join(
            f'<div id="jtjj_cont_{n}" style="display:{disp};" class="jtjj_lp10">{rows(name, 6, "md")}'
            f'<a href="{column_path(cols[name])}" class="more">更多&gt;&gt;</a></div>'
            for n, (name, disp) in enumerate(tabs))
        text = self.head(self.spec.name) + self.top() + f"""
{SHOW_TAB}
<div class="w1200 banner"><img src="/images/12/banner.jpg" width="1200" height="180" alt=""></div>
<div id="piaochuang" style="position:fixed;left:380px;top:160px;width:{FLOATING[0]}px;height:{FLOATING[1]}px;
z-index:9999;background:#fff;border:2px solid #c00;overflow:hidden;">
<img src="/images/12/banner.jpg" width="{FLOATING[0]}" height="{FLOATING[1] - 40}" alt="">
<p style="margin:8px;">秋冬季大气污染防治攻坚行动　共建蓝天碧水净土</p></div>
<div class="w1200 main clearfix">
<div class="jtjj1"><ul class="jtjj_center">{tab_heads}</ul>
{tab_bodies}
</div>
{box("通知公告", 5)}
{box("环评公示", 4)}
{box("政策文件", 4)}
<div class="box"><div class="box-title"><span>信息公开</span></div><ul class="xxgk-links">
<li><a href="{column_path(cols["机构职能"])}">机构职能</a></li>
<li><a href="{ERROR_500_PATH}" target="_blank">政府信息公开年报</a></li>
</ul></div>
</div>
<div class="w1200 links"><div class="links-title">相关链接</div><ul>{friends}</ul></div>
""" + self.bottom()
        self.emit("/", text)
        return dates

    def build(self) -> SiteBuild:
        self.assign_articles()
        for col in self.spec.columns:
            self.column_page(col)
        home_dates = self.home()
        self.pages[ERROR_500_PATH] = Response(
            status=500,
            body=b"<html><head><title>500 Internal Server Error</title></head><body><h1>HTTP Status 500 - "
            b"java.lang.NullPointerException</h1></body></html>",
        )
        for a in ASSETS:
            self.pages[a] = asset(a)[1]
        self.pages["/robots.txt"] = Response(body=b"User-agent: *\nDisallow:\n", content_type="text/plain")
        return finish_site(self.spec, self.ctx, self.pages, column_path, home_dates, set(), features=self.features())

    def features(self) -> SiteFeatures:
        cols = {c.name: c for c in self.spec.columns}
        board = cols["咨询投诉"]

        def path_of(item: Item) -> str:
            return self.art[id(item)]

        return SiteFeatures(
            channels={"consult": ["咨询投诉"]},
            boards=[board_truth(board, column_path(board), path_of, self.ctx.t0, 1)],
            surveys=[],
            portal_links=[(f"{self.ctx.peers['trs']}zwfw/bszn/index.html", False)],
            guides=[ExpectedGuide(title, path, list(GUIDE_MISSING)) for title, path in GUIDES],
            service_stats=None, service_entry=True, hall=False,
            policy_docs=policy_sample(self.spec.columns, path_of),
            search="script",
            footer={"site_code": self.spec.code, "icp": "赣ICP备10002345号-1", "police": None, "party_mark": False},
            declared_domain="sthjj.qingjiang.gov.cn", error_report=False,
            floating_share=round(FLOATING[0] * FLOATING[1] / (1280 * 800), 3),
        )


def build(ctx: BuildContext) -> SiteBuild:
    """All pages of the `hanweb` site and its truth, for this monitoring time point and these ports."""
    return _Site(ctx).build()
