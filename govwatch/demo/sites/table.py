"""`table`: an old township site (动易/PowerEasy-style ASP) laid out with nested tables and <font>.

What it exercises: query-string URLs (/Article/ShowClass.asp?ClassID=3, ShowArticle.asp?ArticleID=N),
dates in table cells as 2023/11/8 (not zero-padded) and 2023.11.08, articles without any date
<meta> ("更新时间：2023/11/8" in the text), a <marquee> notice block, a pinned [置顶] notice, a home
page nobody republished for 22 days while some columns did get news, five blank columns of all
kinds (暂无信息 twice, 正在建设中, an empty list table, and a column page that 302-redirects to the
home page: its "items" would be the home page's), a 404 PDF link on the home page and an attachment
link on the 通知公告 page that always answers 500.
Indicators beyond the columns: a 镇长信箱 guestbook over two pages (ASP "下一页" links) showing the ask
date and 已回复/未回复, one letter unanswered for 4 months (W-V5 (2)); no service at all (便民服务 is
blank: W-V6 (1)); no search form; a .com domain declared in <meta name="SiteDomain">; a footer
without 公安备案 and 党政机关网站标识.
Design verdict: fail by W-V3 (home newest item 22 days old), W-V4 (c) (five blank columns), W-V5 and
W-V6.
"""

from __future__ import annotations

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
from .truth import ExpectedProfile, SiteFeatures

HOME_MIN_AGE = 22  # the home page was last republished this many days before T0
ASSETS = ("/Skin/Default/style.css", "/Skin/Default/top.jpg", "/Skin/Default/arrow.gif",
          "/Skin/Default/bg.gif", "/favicon.ico")
DEAD_PDF = "/UploadFiles/2022/ndbb.pdf"
ERROR_500_PATH = "/Article/UploadFiles/DownLoad.asp?ID=37"
WIDE = '<table width="778" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#FFFFFF">'
FULL = '<table width="100%" border="0" cellspacing="0" cellpadding="0"'

GZDT = [
    "石桥镇召开冬季安全生产工作部署会",
    "石桥镇开展冬春火灾防控宣传活动",
    "镇党委理论学习中心组开展专题学习",
    "石桥镇召开村“两委”干部述职评议会",
    "石桥镇开展农村人居环境整治集中行动",
    "石桥镇组织收听收看全县经济工作会议",
    "镇领导走访慰问困难老党员",
    "石桥镇开展防汛应急演练",
]
CWDT = [
    "石桥村召开村民代表大会",
    "下湾村完成村级道路硬化工程",
    "柳坪村开展移风易俗宣传",
    "新塘村组织农技培训",
    "上屋村开展党员志愿服务活动",
]
TZGG = [
    "关于印发石桥镇村级财务管理制度的通知",
    "石桥镇关于开展冬季森林防火工作的通告",
    "关于做好城乡居民医疗保险征缴工作的通知",
    "石桥镇公益性岗位招聘公告",
    "关于开展农村危房排查工作的通知",
    "石桥镇关于秸秆禁烧的通告",
    "关于做好防汛救灾工作的通知",
]
ZCFG = [
    "石桥镇农村宅基地管理实施细则",
    "石桥镇村级公益事业一事一议筹资筹劳办法",
    "石桥镇集体经济组织收益分配办法",
    "石桥镇网格化管理工作制度",
]
ZZXX = ["关于村口路灯维修的建议", "咨询农村合作医疗报销比例", "反映集镇垃圾清运不及时", "关于农村饮水安全的反映",
        "咨询宅基地审批流程", "反映村道破损问题"]
# Letters (days before T0): the fourth, asked 120 days before T0, was never answered (W-V5 (2)).
ZZXX_ASKED = [40, 55, 90, 120, 150, 200]
ZZXX_REPLIED = [30, 50, 88, None, 140, 190]
BOARD_PAGE = 3  # letters per page of the guestbook
DECLARED_DOMAIN = "www.yxsqz.com"  # the township's old .com domain, declared in <meta name="SiteDomain">
ZQJJ = (
    "石桥镇位于云溪县东部，距县城18公里，总面积96平方公里，辖12个行政村、1个社区，总人口2.3万人。"
    "境内交通便利，县道穿境而过，盛产水稻、油茶和茶叶，是全县重要的粮食生产基地。"
)
LDZC = (
    "镇党委书记：陈建国，主持镇党委全面工作。镇长：林海波，主持镇政府全面工作。"
    "副镇长：黄丽，负责农业农村、乡村振兴工作。"
)


def spec() -> SiteSpec:
    """The columns of 石桥镇人民政府; ages are days before T0. Verdict: fail by W-V3 and W-V4 (c)."""
    columns = [
        Column("工作动态", "/Article/ShowClass.asp?ClassID=1", "news", date_style="slash",
               items=items(GZDT, [5, 9, 13, 22, 26, 31, 40, 48])),
        Column("村务动态", "/Article/ShowClass.asp?ClassID=2", "news", date_style="dot",
               items=items(CWDT, [18, 24, 35, 47, 63])),
        Column("通知公告", "/Article/ShowClass.asp?ClassID=3", "notice", date_style="dot",
               items=items(TZGG, [500, 30, 44, 61, 90, 130, 170], pinned=[0])),
        Column("政策法规", "/Article/ShowClass.asp?ClassID=4", "policy", date_style="slash",
               items=items(ZCFG, [100, 160, 250, 380])),
        Column("人事信息", "/Article/ShowClass.asp?ClassID=5", "should_update", kind="placeholder",
               text="暂无信息"),
        Column("规划计划", "/Article/ShowClass.asp?ClassID=6", "should_update", kind="redirect"),
        Column("财政预决算", "/Article/ShowClass.asp?ClassID=7", "should_update", kind="empty"),
        Column("统计数据", "/Article/ShowClass.asp?ClassID=8", "should_update", kind="placeholder",
               text="本栏目正在建设中，敬请期待！"),
        Column("便民服务", "/Article/ShowClass.asp?ClassID=9", "service", kind="placeholder",
               text="暂无信息"),
        Column("镇情简介", "/About.asp?ID=1", "static", kind="static", text=ZQJJ),
        Column("领导之窗", "/About.asp?ID=2", "static", kind="static", text=LDZC),
        Column("镇长信箱", "/GuestBook/Index.asp", "interaction", date_style="slash",
               items=letters(ZZXX, ZZXX_ASKED, ZZXX_REPLIED), board=True, page_size=BOARD_PAGE),
    ]
    return SiteSpec(
        key="table", name="云溪县石桥镇人民政府", code="3699250012", unit="云溪县石桥镇人民政府",
        group="乡镇政府网站", columns=columns, vetoes={"W-V3", "W-V4", "W-V5", "W-V6"}, verdict="fail",
        profiles=PROFILES,
    )


# A township site: not scored nationally; 河南 scores it. It offers no service at all (便民服务 is blank).
_COMMON = {"W-V1": "manual", "W-V2": "insufficient", "W-V3": "fail", "W-V4": "fail", "W-V5": "fail", "W-V6": "fail",
           "W-D4": "problem", "W-D7": "not_testable", "W-D13": "problem", "W-D14": "problem", "W-D15": "problem",
           "W-D16": "not_testable", "W-D17": "problem", "W-B": "manual"}
PROFILES = {
    "national-2019": ExpectedProfile(
        verdict="fail", score=None, vetoes={"W-V3", "W-V4", "W-V5", "W-V6"},
        problems="首页不更新(单否);栏目不更新(单否);留言超过3个月未回应(单否);未提供办事服务(单否)",
        statuses={**_COMMON, "W-D8": "problem", "W-D9": "problem", "W-D10-PUB": "problem", "W-D11": "problem"},
    ),
    "henan": ExpectedProfile(
        verdict="fail", score=None, vetoes={"W-V3", "W-V4", "W-V5", "W-V6"},
        problems="首页不更新(单否);栏目不更新(单否);互动回应差(单否);未提供办事服务(单否);历史信件展示、统计-3;"
                 "政务服务链接-5;信箱、调查征集-3;在线信访、办事大厅-6;空白栏目-10;办事统计-2",
        statuses={**_COMMON, "W-D10-PUB": "deducted", "W-D9-MISSING": "deducted", "HN-MAILBOX-SURVEY": "deducted",
                  "HN-PETITION-HALL": "deducted", "HN-BLANK": "deducted", "W-D8": "deducted"},
    ),
}


def column_path(col: Column) -> str:
    return col.slug


class _Site:
    """Renders every page of the site from its spec."""

    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.spec = spec()
        self.pages: dict[str, Response] = {}
        self.art: dict[int, str] = {}
        self.next_id = 1201

    def head(self, title: str) -> str:
        return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc(title)}</title>
<meta name="keywords" content="石桥镇,石桥镇人民政府,云溪县">
<meta name="SiteDomain" content="{DECLARED_DOMAIN}">
<link href="/Skin/Default/style.css" rel="stylesheet" type="text/css">
</head>
<body leftmargin="0" topmargin="0" marginwidth="0" marginheight="0" background="/Skin/Default/bg.gif">
<table width="778" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td><img src="/Skin/Default/top.jpg" width="778" height="120" border="0"></td></tr>
<tr><td height="28" bgcolor="#0066CC" align="center">{self.nav()}</td></tr>
</table>
"""

    def nav(self) -> str:
        links = ['<a href="/"><font color="#FFFFFF">首页</font></a>']
        links += [f'<a href="{column_path(c)}"><font color="#FFFFFF">{c.name}</font></a>'
                  for c in self.spec.columns]
        return " | ".join(links)

    def bottom(self) -> str:
        return f"""<table width="778" border="0" align="center" cellpadding="0" cellspacing="0"
 bgcolor="#E8F0FA">
<tr><td height="60" align="center"><font color="#666666">版权所有：{self.spec.unit}
　地址：云溪县石桥镇政府大院　电话：0799-6581001<br>
网站标识码：{self.spec.code}　赣ICP备08004567号　您是第<font color="#FF0000">86532</font>位访客
</font></td></tr>
</table>
</body>
</html>
"""

    def emit(self, path: str, text: str) -> None:
        self.pages[path] = html_page(text)

    def assign_articles(self) -> None:
        for col in self.spec.columns:
            for item in col.items:
                if col.category == "interaction":
                    self.art[id(item)] = f"/GuestBook/Show.asp?ID={self.next_id}"
                else:
                    self.art[id(item)] = f"/Article/ShowArticle.asp?ArticleID={self.next_id}"
                self.next_id += 1

    def href(self, page: str, target: str) -> str:
        """Links as an ASP site writes them: relative within the same folder, else from the root."""
        page_dir, target_dir = page.rsplit("/", 1)[0], target.rsplit("/", 1)[0]
        return target.rsplit("/", 1)[1] if page_dir == target_dir and page_dir else target

    def article(self, col: Column, item: Item) -> None:
        path = self.art[id(item)]
        d = self.ctx.day(item.age)
        where = f'<a href="{self.href(path, column_path(col))}">{col.name}</a>'
        hits = f'<font color="#FF0000">{item.age * 3 + 17}</font>'
        text = self.head(f"{item.title}-{self.spec.name}") + f"""{WIDE}
<tr><td height="26">　您现在的位置：<a href="/">{self.spec.name}</a> &gt;&gt; {where} &gt;&gt; 正文</td></tr>
<tr><td align="center" height="50"><font size="4" color="#CC0000"><b>{esc(item.title)}</b></font></td></tr>
<tr><td align="center" height="24"><font color="#666666">作者：党政办　来源：本站原创　点击数：{hits}
　更新时间：{fmt_date(d, "slash")}</font></td></tr>
{self.body(item) if col.board else self.text(item)}
</table>
""" + self.bottom()
        self.emit(path, text)

    def text(self, item: Item) -> str:
        return (f'<tr><td style="padding:10px;line-height:180%"><p>　　{esc(item.title)}。镇党委、镇政府高度重视，\n'
                "召开专题会议研究部署，明确责任分工，确保工作落到实处。</p></td></tr>")

    def body(self, item: Item) -> str:
        """A guestbook letter: asked when, answered when (or not yet)."""
        rows = [f"留言时间：{fmt_date(self.ctx.day(item.age), 'slash')}", f"留言内容：{esc(item.title)}，请领导关注。"]
        if item.answered:
            rows += [f"回复时间：{fmt_date(self.ctx.day(item.reply_age), 'slash')}",
                     "回复内容：您好，您反映的问题镇党政办已转相关村（社区）办理，现已处理完毕。"]
        else:
            rows.append("状态：未回复")
        return "".join(f'<tr><td style="padding:4px 10px">{r}</td></tr>' for r in rows)

    def guestbook(self, col: Column) -> None:
        """The 镇长信箱 board: its letters, BOARD_PAGE a page, with 下一页 links."""
        listed = col.all_items()
        chunks = [listed[i:i + col.page_size] for i in range(0, len(listed), col.page_size)]
        for n, shown in enumerate(chunks, 1):
            path = col.slug if n == 1 else f"{col.slug}?page={n}"
            rows = ['<tr><td width="16"></td><td align="center">留言标题</td><td width="90">留言时间</td>'
                    '<td width="60">状态</td></tr>']
            for item in shown:
                title = esc(item.title)
                link = f'<a href="{self.href(path, self.art[id(item)])}" target="_blank" title="{title}">{title}</a>'
                state = "已回复" if item.answered else '<font color="#FF0000">未回复</font>'
                rows.append(f"""<tr>
<td width="16" height="24" align="center"><img src="/Skin/Default/arrow.gif" width="5" height="5"></td>
<td align="left">{link}</td>
<td width="90" align="right"><font color="#999999">{fmt_date(self.ctx.day(item.age), col.date_style)}</font></td>
<td width="60" align="center">{state}</td>
</tr>""")
            links = []
            if n > 1:
                links.append(f'<a href="{self.href(path, col.slug)}">首页</a>')
                prev = col.slug if n == 2 else f"{col.slug}?page={n - 1}"
                links.append(f'<a href="{self.href(path, prev)}">上一页</a>')
            if n < len(chunks):
                links.append(f'<a href="{self.href(path, f"{col.slug}?page={n + 1}")}">下一页</a>')
                links.append(f'<a href="{self.href(path, f"{col.slug}?page={len(chunks)}")}">尾页</a>')
            pager = (f'<tr><td align="center" height="30">共 <b>{len(listed)}</b> 条留言　{" ".join(links)}　'
                     f"页次：<b>{n}</b>/{len(chunks)}页</td></tr>")
            content = f'{FULL} class="listtable">\n' + "\n".join(rows) + "\n</table>"
            self.emit(path, self.frame(col, content, pager, ""))
        for item in col.items:
            self.article(col, item)

    def list_table(self, path: str, col: Column) -> str:
        rows = []
        for item in col.all_items():
            d = self.ctx.day(item.age)
            pin = '<font color="#FF0000">[置顶]</font>' if item.pinned else ""
            title = esc(item.title)
            href = self.href(path, self.art[id(item)])
            link = f'<a href="{href}" target="_blank" title="{title}">{title}</a>'
            rows.append(f"""<tr>
<td width="16" height="24" align="center"><img src="/Skin/Default/arrow.gif" width="5" height="5"></td>
<td align="left">{pin}{link}</td>
<td width="90" align="right"><font color="#999999">{fmt_date(d, col.date_style)}</font></td>
</tr>""")
        return f'{FULL} class="listtable">\n' + "\n".join(rows) + "\n</table>"

    def column_page(self, col: Column) -> None:
        path = column_path(col)
        if col.board:
            self.guestbook(col)
            return
        if col.kind == "redirect":
            self.pages[path] = Response(
                status=302,
                headers={"Location": self.ctx.base + "/"},
                body=b'<head><title>Object moved</title></head><body><h1>Object Moved</h1>'
                b'This object may be found <a HREF="/">here</a>.</body>',
            )
            return
        pager = ""
        if col.kind == "list":
            pager = (f'<tr><td align="center" height="30">共 <b>{len(col.items)}</b> 篇文章　'
                     "首页 上一页 下一页 尾页　页次：<b>1</b>/1页　<b>20</b>篇文章/页</td></tr>")
            content = self.list_table(path, col)
        elif col.kind == "empty":
            pager = ('<tr><td align="center" height="30">共 <b>0</b> 篇文章　首页 上一页 下一页 尾页　'
                     "页次：<b>1</b>/0页</td></tr>")
            content = f'{FULL} class="listtable">\n</table>'
        elif col.kind == "placeholder":
            content = (f'<table width="100%"><tr><td align="center" height="80">'
                       f'<font color="#999999">{col.text}</font></td></tr></table>')
        elif col.kind == "static":
            content = "".join(f"<p>　　{s}。</p>" for s in col.text.split("。") if s)
        else:
            raise AssertionError(col.kind)
        attach = ""
        if col.name == "通知公告":
            attach = (f'<tr><td height="24">　附件下载：<a href="{ERROR_500_PATH}">'
                      "石桥镇村级财务管理制度.doc</a></td></tr>")
        self.emit(path, self.frame(col, content, pager, attach))
        for item in col.items:
            self.article(col, item)

    def frame(self, col: Column, content: str, pager: str, attach: str) -> str:
        return self.head(f"{col.name}-{self.spec.name}") + f"""{WIDE}
<tr>
<td width="180" valign="top" bgcolor="#F2F7FC">{FULL}>
<tr><td height="30" bgcolor="#3A7FC9" align="center"><font color="#FFFFFF"><b>{col.name}</b></font></td></tr>
<tr><td height="120" align="center"><font color="#666666">石桥镇人民政府<br>值班电话：0799-6581001</font>
</td></tr>
</table></td>
<td width="598" valign="top">{FULL}>
<tr><td height="26" background="/Skin/Default/bg.gif">　您现在的位置：<a href="/">{self.spec.name}</a>
 &gt;&gt; {col.name}</td></tr>
<tr><td style="padding:8px">{content}</td></tr>
{pager}
{attach}
</table></td>
</tr>
</table>
""" + self.bottom()

    def home(self) -> list[date]:
        path = "/"
        dates: list[date] = []
        cols = {c.name: c for c in self.spec.columns}

        def rows(name: str, count: int) -> str:
            col = cols[name]
            out = []
            for item in [i for i in col.all_items() if i.age >= HOME_MIN_AGE][:count]:
                d = self.ctx.day(item.age)
                dates.append(d)
                href = self.href(path, self.art[id(item)])
                link = f'<a href="{href}" target="_blank">{esc(item.title)}</a>'
                out.append(f'<tr><td height="22">·{link}</td><td width="80" align="right">'
                           f'<font color="#999999">{fmt_date(d, col.date_style)}</font></td></tr>')
            return "\n".join(out)

        def box(name: str, count: int, marquee: bool = False) -> str:
            body = f"{FULL}>{rows(name, count)}</table>"
            if marquee:
                body = (f'<marquee direction="up" scrollamount="2" height="150" onmouseover="this.stop()"'
                        f' onmouseout="this.start()">{body}</marquee>')
            more = f'<a href="{column_path(cols[name])}">更多&gt;&gt;</a>'
            return f"""{FULL} style="margin-bottom:6px">
<tr><td height="28" background="/Skin/Default/bg.gif"><font color="#003399"><b>　{name}</b></font></td>
<td align="right" background="/Skin/Default/bg.gif">{more}　</td></tr>
<tr><td colspan="2" style="padding:4px">{body}</td></tr>
</table>"""

        friends = (f'<a href="{self.ctx.peers["trs"]}" target="_blank">云溪县人民政府</a>　'
                   f'<a href="{self.ctx.peers["hanweb"]}" target="_blank">清江市生态环境局</a>')
        text = self.head(self.spec.name) + f"""{WIDE}
<tr>
<td width="520" valign="top" style="padding:6px">
{box("工作动态", 6)}
{box("村务动态", 5)}
{box("政策法规", 4)}
</td>
<td width="258" valign="top" style="padding:6px">
{box("通知公告", 6, marquee=True)}
{FULL}>
<tr><td height="28" background="/Skin/Default/bg.gif"><font color="#003399"><b>　下载专区</b></font></td></tr>
<tr><td height="24">·<a href="{DEAD_PDF}" target="_blank">石桥镇政府网站年度工作报表</a></td></tr>
</table>
</td>
</tr>
<tr><td colspan="2" height="30" align="center">友情链接：{friends}</td></tr>
</table>
""" + self.bottom()
        self.emit(path, text)
        return dates

    def build(self) -> SiteBuild:
        self.assign_articles()
        for col in self.spec.columns:
            self.column_page(col)
        home_dates = self.home()
        self.pages[ERROR_500_PATH] = Response(
            status=500,
            body=b"<font face=\"Arial\" size=2><p>Microsoft VBScript runtime error '800a01a8'</p>"
            b"<p>Object required</p><p>/Article/UploadFiles/DownLoad.asp, line 12</p></font>",
        )
        for a in ASSETS:
            self.pages[a] = asset(a)[1]
        return finish_site(self.spec, self.ctx, self.pages, column_path, home_dates, {DEAD_PDF},
                           features=self.features())

    def features(self) -> SiteFeatures:
        board = next(c for c in self.spec.columns if c.board)

        def path_of(item: Item) -> str:
            return self.art[id(item)]

        return SiteFeatures(
            channels={"consult": ["镇长信箱"], "mailbox": ["镇长信箱"]},
            boards=[board_truth(board, column_path(board), path_of, self.ctx.t0,
                                -(-len(board.items) // board.page_size))],
            surveys=[], portal_links=[], guides=[], service_stats=None, service_entry=False, hall=False,
            policy_docs=policy_sample(self.spec.columns, path_of),
            search="none",
            footer={"site_code": self.spec.code, "icp": "赣ICP备08004567号", "police": None, "party_mark": False},
            declared_domain=DECLARED_DOMAIN, error_report=False, floating_share=0.0,
        )


def build(ctx: BuildContext) -> SiteBuild:
    """All pages of the `table` site and its truth, for this monitoring time point and these ports."""
    return _Site(ctx).build()
