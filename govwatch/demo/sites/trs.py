"""`trs`: a county government portal on TRS WCM, served as GBK with the charset only in <meta>.

What it exercises: GBK bytes declared as gb2312 (titles use 喆 and —, which GB2312 lacks), no charset
in the Content-Type header, relative links everywhere (./202311/t20231118_512301.html, ../../),
`createPageHTML(5, 0, "index", "html")` pagination with index_1.html..index_4.html served, TRS meta
tags (SiteIDCode, ColumnName, ColumnType, PubDate), a pinned (置顶) year-old item above fresh news,
year-less "11-19" dates in the home page news block, a JavaScript clock that writes today's date,
an aggregating 政策文件 column with three level-2 sub-columns (one stale, which must not count
under W-V4 (a) because it is not level 1), two blank columns (暂无信息, an empty list), a dead
article link (404), a friend link to a closed port (refused), and one article that answers in ~2 s.
Indicators beyond the columns: a 县长信箱 board over three createPageHTML pages whose list shows ask
and reply dates and a 信件统计 line (all answered in time; the one answered late was asked over a
year before T0; the newest is being handled), a 意见征集 column, a 网上信访 link, four service
guides (two complete with downloadable forms, one missing four key elements, one missing one), a
link to the province's 政务服务网 and a 办件统计 page, policy documents linked to their 解读 (one 解读
does not link back) and documents without, a working site search (TRS WAS5, GBK), and a footer
with every identity mark and the 我为政府网站找错 entry.
Design verdict: pass (national-2019: 100; henan: 84).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import unquote_to_bytes

from .model import (
    DOC,
    BuildContext,
    Column,
    Guide,
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
    relative,
)
from .truth import ExpectedGuide, ExpectedProfile, SiteFeatures

ENCODING = "gbk"
SLOW_SECONDS = 2.0
ASSETS = ("/images/style.css", "/images/jquery.min.js", "/images/logo.png", "/images/banner.jpg",
          "/favicon.ico", "/images/red.png", "/images/jiucuo.png")
# <meta name="ColumnType"> by category; it classifies like the column name (column_categories.yaml).
COLUMN_TYPES = {"news": "新闻动态", "notice": "通知公告", "policy": "政策文件", "service": "办事服务",
                "interaction": "互动交流", "static": "概况信息"}

ZWYW = [
    "县委常委会召开会议 传达学习全省经济工作会议精神",
    "县政府召开第二十八次常务会议",
    "我县召开冬季森林防火工作部署会",
    "县领导调研重点项目建设推进情况",
    "云溪县举行秋冬季重大项目集中开工仪式",
    "全县安全生产工作会议召开",
    "我县开展消防安全宣传进社区活动",
    "县人大常委会召开第十五次会议",
    "县政协召开主席会议 协商议政助推高质量发展",
    "我县举办农民丰收节系列活动——庆丰收 迎盛会",
    "县委理论学习中心组举行专题学习会",
    "云溪县获评省级生态文明建设示范县",
    "县长主持召开优化营商环境工作推进会",
    "我县召开耕地保护工作调度会",
    "全县教育工作会议召开",
    "县领导督导检查防汛抗旱工作",
    "云溪县与清江职业技术学院签署校地合作协议",
    "我县启动城乡居民医保集中参保缴费工作",
    "县委召开巡察工作动员部署会",
    "全县乡村振兴重点工作推进会召开",
    "我县举行重点招商项目签约仪式",
    "县政府与国网云溪县供电公司座谈",
    "我县开展食品安全专项检查",
    "全县文明城市创建工作推进会召开",
]
PINNED_ZWYW = "云溪县开展“我为群众办实事”实践活动工作方案"
BMDT = [
    "县市场监管局开展电动自行车安全隐患全链条整治",
    "县人社局举办秋季专场招聘会",
    "县卫健委开展健康义诊进乡村活动",
    "县住建局召开建筑施工安全警示教育会",
    "县农业农村局推进秋冬种生产",
    "县交通运输局开展道路交通安全隐患排查",
    "县自然资源局开展耕地保护宣传月活动",
    "县教体局举办中小学生运动会",
]
XZDT = [
    "石桥镇开展人居环境整治“百日攻坚”行动",
    "白水乡召开产业发展座谈会",
    "城关镇开展防范电信网络诈骗宣传",
    "龙潭镇举办农村实用技术培训班",
    "青石乡推进高标准农田建设",
    "桃源镇开展敬老月慰问活动",
]
TPXW = [
    "秋色云溪 层林尽染",
    "云溪县第九届全民运动会开幕",
    "高标准农田建设现场",
    "云溪古镇迎来旅游旺季",
    "全县秋粮收购工作有序开展",
]
TZGG = [
    "云溪县人民政府关于公布县级行政许可事项清单的公告",
    "关于开展冬季森林防火专项整治的通告",
    "云溪县城区部分路段临时交通管制的通告",
    "关于公开招聘社区工作者的公告",
    "云溪县国有建设用地使用权挂牌出让公告",
    "关于调整城乡居民基本养老保险缴费档次的通知",
    "云溪县第三次全国土壤普查工作公示",
    "关于做好秋冬季疫病防控工作的通知",
]
XZFWJ = [
    "云溪县人民政府关于印发云溪县促进民营经济高质量发展若干措施的通知",
    "云溪县人民政府办公室关于印发云溪县城乡供水一体化实施方案的通知",
    "云溪县人民政府关于进一步加强安全生产工作的意见",
    "云溪县人民政府办公室关于加快发展银发经济的实施意见",
    "云溪县人民政府关于公布第五批县级非物质文化遗产代表性项目名录的通知",
]
GFXWJ = [
    "云溪县城市居民最低生活保障实施办法",
    "云溪县征收集体土地上房屋补偿安置办法",
    "云溪县县级储备粮管理办法",
    "云溪县政府投资项目管理办法",
]
ZCJD = [
    "图解：《云溪县促进民营经济高质量发展若干措施》",
    "一图读懂云溪县城乡供水一体化实施方案",
    "《关于进一步加强安全生产工作的意见》政策解读",
    "《云溪县加快发展银发经济的实施意见》解读",
]
RSXX = [
    "云溪县人民政府关于王喆等同志职务任免的通知",
    "云溪县人民政府关于李明华同志任职的通知",
    "云溪县公开招聘事业单位工作人员拟聘用人员公示",
    "云溪县人民政府关于张伟等同志免职的通知",
    "云溪县公开选调机关工作人员公告",
    "云溪县人民政府关于刘晓峰同志任职的通知",
]
GHJH = [
    "云溪县国民经济和社会发展第十四个五年规划纲要",
    "云溪县国土空间总体规划（草案）公示",
    "云溪县县城总体规划实施评估报告",
    "云溪县全域旅游发展规划",
]
XZXX = [
    "关于城东路路灯不亮的问题",
    "咨询新生儿医保办理流程",
    "建议增设县医院公交站点",
    "反映幸福小区物业收费问题",
    "关于农村危房改造补助的咨询",
    "咨询住房公积金提取条件",
    "关于城区学区划分的咨询",
    "反映清水河河道垃圾清理问题",
    "咨询灵活就业人员社保缴费",
    "建议延长县图书馆开放时间",
    "反映农贸市场周边占道经营",
    "关于老旧小区改造的建议",
]
# Letters: asked and answered (days before T0). All answered within 3 months in the year before T0; the
# one answered late was asked more than a year ago (outside the W-V5 window); the newest is in hand.
XZXX_ASKED = [2, 6, 9, 17, 30, 45, 70, 110, 160, 250, 330, 420]
XZXX_REPLIED = [None, 3, 5, 8, 21, 38, 60, 95, 150, 235, 300, 280]
XZXX_STATS = "信件统计：2023年共收到来信186件，已办结185件，办结率99.5%"
YJZJ = [
    "关于《云溪县城区养犬管理规定（征求意见稿）》公开征求意见的公告",
    "云溪县“十四五”教育事业发展规划公开征求意见",
    "关于城区公交线路优化调整方案征求意见的公告",
]
BSZN = [
    Guide("居民身份证办理", "/zwfw/bszn/fw101.html", forms=(("居民身份证申领登记表.doc", "/zwfw/bszn/files/sfz.doc"),)),
    Guide("不动产登记办理", "/zwfw/bszn/fw102.html", forms=(("不动产登记申请表.doc", "/zwfw/bszn/files/bdc.doc"),)),
    Guide("城乡居民养老保险参保登记", "/zwfw/bszn/fw103.html", missing=("设定依据", "收费标准", "办理时间", "联系电话")),
    Guide("个体工商户设立登记", "/zwfw/bszn/fw104.html", missing=("办理流程",)),
]
PORTAL_NAME = "江西政务服务网"
STATS_PATH = "/zwfw/bjtj/index.html"
STATS_AGE = 20
PETITION_PATH = "/hdjl/wsxf/index.html"
SEARCH_PATH = "/was5/web/search"
XQGK = (
    "云溪县位于清江市东南部，总面积1862平方公里，辖9镇5乡，总人口38.6万人。"
    "县境内山清水秀，森林覆盖率达71.3%，是省级生态文明建设示范县。"
    "2022年，全县实现地区生产总值186.3亿元，一般公共预算收入12.4亿元。"
)
JGZN = (
    "云溪县人民政府是县人民代表大会的执行机关，是县级国家行政机关，"
    "对县人民代表大会和清江市人民政府负责并报告工作。"
    "主要职能：（一）执行县人民代表大会及其常务委员会的决议，以及上级国家行政机关的决定和命令，"
    "规定行政措施，发布决定和命令；（二）领导所属各工作部门和各乡镇人民政府的工作；"
    "（三）管理本县的经济、教育、科学、文化、卫生、体育事业、城乡建设事业和财政、民政、公安、"
    "司法行政等行政工作。"
)


def spec() -> SiteSpec:
    """The columns of 云溪县人民政府; ages are days before T0. Verdict: pass."""
    zwyw_ages = [1, 2, 3, 5, 6, 8, 9, 12, 14, 16, 19, 21, 23, 26, 28, 30, 33, 35, 37, 40, 44, 47, 51, 55]
    zwyw = [Item(PINNED_ZWYW, 400, pinned=True), *items(ZWYW, zwyw_ages, fate={2: "slow"})]
    news, gk = "新闻中心", "政务公开"
    # Documents and their 解读, linked both ways except the third 解读 (it does not link back).
    docs = [replace(d, refs=(("相关解读", ZCJD[n]),)) if n < 4 else d
            for n, d in enumerate(items(XZFWJ, [10, 40, 95, 150, 220]))]
    jd = [replace(j, refs=(("相关文件", XZFWJ[n]),)) if n != 2 else j
          for n, j in enumerate(items(ZCJD, [9, 39, 94, 149]))]
    zcwj = Column("政策文件", "zwgk/zcwj", "policy", kind="aggregate", section=gk, children=[
        Column("县政府文件", "zwgk/zcwj/xzfwj", "policy", items=docs),
        Column("规范性文件", "zwgk/zcwj/gfxwj", "policy", items=items(GFXWJ, [300, 410, 520, 700])),
        Column("政策解读", "zwgk/zcwj/zcjd", "policy", items=jd),
    ])
    bmdt = items(BMDT, [5, 8, 11, 15, 20, 27, 33, 41], fate={3: "404"})
    columns = [
        Column("政务要闻", "xwzx/zwyw", "news", items=zwyw, section=news, page_size=5),
        Column("部门动态", "xwzx/bmdt", "news", items=bmdt, section=news),
        Column("乡镇动态", "xwzx/xzdt", "news", items=items(XZDT, [25, 31, 38, 46, 52, 60]), section=news),
        Column("图片新闻", "xwzx/tpxw", "news", items=items(TPXW, [30, 45, 61, 80, 95]), section=news),
        Column("通知公告", "zwgk/tzgg", "notice", section=gk,
               items=items(TZGG, [200, 3, 7, 13, 22, 35, 50, 71], pinned=[0])),
        zcwj,
        Column("人事信息", "zwgk/rsxx", "should_update", items=items(RSXX, [60, 88, 130, 200, 290, 380]),
               section=gk),
        Column("规划计划", "zwgk/ghjh", "should_update", items=items(GHJH, [500, 620, 800, 1100]),
               section=gk),
        Column("财政预决算", "zwgk/czyjs", "should_update", kind="placeholder", text="暂无信息", section=gk),
        Column("统计信息", "zwgk/tjxx", "should_update", kind="empty", section=gk),
        Column("办事指南", "zwfw/bszn", "service", kind="links", links=[(g.title, g.path) for g in BSZN],
               section="政务服务"),
        Column("县长信箱", "hdjl/xzxx", "interaction", items=letters(XZXX, XZXX_ASKED, XZXX_REPLIED),
               section="互动交流", board=True, shows_reply=True, page_size=5, stats=XZXX_STATS),
        Column("意见征集", "hdjl/yjzj", "interaction", items=items(YJZJ, [40, 75, 130]), section="互动交流"),
        Column("县情概况", "zjyx/xqgk", "static", kind="static", text=XQGK, section="走进云溪"),
        Column("机构职能", "zjyx/jgzn", "static", kind="static", text=JGZN, section="走进云溪"),
    ]
    return SiteSpec(
        key="trs", name="云溪县人民政府", code="3699250001", unit="云溪县人民政府办公室",
        group="县（市、区）政府门户网站", columns=columns, vetoes=set(), verdict="pass", encoding=ENCODING,
        profiles=PROFILES,
    )


# What the inspection concludes (a county portal: scored nationally). Statuses not listed are "pass".
_COMMON = {"W-V1": "manual", "W-V2": "insufficient", "W-V4": "problem", "W-V6": "problem", "W-D4": "problem",
           "W-D15": "problem", "W-D16": "not_testable", "W-B": "manual"}
PROFILES = {
    "national-2019": ExpectedProfile(
        verdict="pass", score=100, vetoes=set(), problems="无",
        statuses={**_COMMON, "W-D7": "problem"},
    ),
    "henan": ExpectedProfile(
        verdict="pass", score=84, vetoes=set(), problems="政务服务-3;在线信访、办事大厅-3;空白栏目-10",
        statuses={**_COMMON, "W-D7": "deducted", "HN-PETITION-HALL": "deducted", "HN-BLANK": "deducted"},
    ),
}


def column_path(col: Column) -> str:
    return f"/{col.slug}/index.html"


CREATE_PAGE_HTML = """<script type="text/javascript">
//WCM置标
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var s = "";
  if(_nCurrIndex == 0){ s += "<span>首页</span> <span>上一页</span> "; }
  else {
    s += "<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a> ";
    var prev = (_nCurrIndex == 1) ? _sPageName : _sPageName + "_" + (_nCurrIndex-1);
    s += "<a href=\\"" + prev + "." + _sPageExt + "\\">上一页</a> ";
  }
  if(_nCurrIndex == _nPageCount-1){ s += "<span>下一页</span> <span>尾页</span>"; }
  else {
    s += "<a href=\\"" + _sPageName + "_" + (_nCurrIndex+1) + "." + _sPageExt + "\\">下一页</a> ";
    s += "<a href=\\"" + _sPageName + "_" + (_nPageCount-1) + "." + _sPageExt + "\\">尾页</a>";
  }
  document.write(s + " 共" + _nPageCount + "页");
}
</script>"""

CLOCK = """<script type="text/javascript">
<!--
var today = new Date();
var week = ["星期日","星期一","星期二","星期三","星期四","星期五","星期六"];
document.write("今天是：" + today.getFullYear() + "年" + (today.getMonth()+1) + "月" + today.getDate() + "日 "
  + week[today.getDay()]);
//-->
</script>"""


class _Site:
    """Renders every page of the site from its spec."""

    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.spec = spec()
        self.pages: dict[str, Response] = {}
        self.intended_404: set[str] = set()
        self.art: dict[int, str] = {}  # id(item) -> article path
        self.next_id = 512301

    # -- shared chrome -------------------------------------------------------------------------
    def head(self, path: str, title: str, metas: dict[str, str]) -> str:
        meta = "\n".join(f'<meta name="{k}" content="{esc(v)}">' for k, v in metas.items())
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{esc(title)}</title>
<meta name="SiteName" content="{self.spec.name}">
<meta name="SiteDomain" content="www.yunxi.gov.cn">
<meta name="SiteIDCode" content="{self.spec.code}">
{meta}
<link href="{relative(path, "/images/style.css")}" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="{relative(path, "/images/jquery.min.js")}"></script>
</head>
"""

    def top(self, path: str) -> str:
        sections: dict[str, list[Column]] = {}
        for col in self.spec.columns:
            sections.setdefault(col.section, []).append(col)
        nav = [f'<li class="nav_index"><a href="{relative(path, "/")}">首页</a></li>']
        for section, cols in sections.items():
            links = "".join(f'<a href="{relative(path, column_path(c))}">{c.name}</a>' for c in cols)
            nav.append(f'<li class="nav_li"><a href="javascript:void(0);">{section}</a>'
                       f'<div class="subnav">{links}</div></li>')
        nav_html = "\n".join(nav)
        return f"""<body>
<div class="top"><div class="wrap">
<div class="logo"><img src="{relative(path, "/images/logo.png")}" alt="{self.spec.name}" /></div>
<div class="search"><form name="searchform" action="{relative(path, SEARCH_PATH)}" method="get">
<input type="hidden" name="channelid" value="200001" />
<input type="text" name="searchword" class="text" value="请输入关键字" />
<input type="submit" value="搜索" /></form></div>
</div></div>
<div class="nav"><div class="wrap"><ul class="clearfix">
{nav_html}
</ul></div></div>
"""

    def bottom(self, path: str) -> str:
        jiucuo = f"{self.ctx.peers['zfwzzc']}check_web/errorInfo_querySiteInfo.action?sitecode={self.spec.code}"
        return f"""<div class="footer"><div class="wrap">
<div class="bs"><span id="_ideConac"><img src="{relative(path, "/images/red.png")}" alt="党政机关网站标识" /></span>
<a href="{jiucuo}" target="_blank"><img src="{relative(path, "/images/jiucuo.png")}" alt="我为政府网站找错" /></a></div>
<p>主办：{self.spec.unit}　承办：云溪县大数据中心　联系电话：0799-6221234</p>
<p>网站标识码：{self.spec.code}　赣ICP备05001234号　赣公网安备 36092502000123号</p>
<p>建议使用1280×800分辨率 IE9以上版本浏览器浏览本站</p>
</div></div>
</body>
</html>
"""

    def emit(self, path: str, text: str) -> None:
        # Content-Type without charset: the charset is only in <meta> (and it says gb2312).
        self.pages[path] = html_page(text, ENCODING, content_type="text/html")

    def crumbs(self, path: str, trail: list[tuple[str, str]]) -> str:
        links = [f'<a href="{relative(path, "/")}" class="CurrChnlCls">首页</a>']
        links += [f'<a href="{relative(path, target)}" class="CurrChnlCls">{name}</a>'
                  for name, target in trail]
        return '<div class="position">当前位置：' + "&nbsp;&gt;&nbsp;".join(links) + "</div>"

    # -- articles ------------------------------------------------------------------------------
    def assign_articles(self) -> None:
        for top in self.spec.columns:
            for col in top.walk():
                for item in col.items:
                    d = self.ctx.day(item.age)
                    self.art[id(item)] = f"/{col.slug}/{d:%Y%m}/t{d:%Y%m%d}_{self.next_id}.html"
                    self.next_id += 1

    def path_of(self, title: str) -> str:
        for top in self.spec.columns:
            for col in top.walk():
                for item in col.items:
                    if item.title == title:
                        return self.art[id(item)]
        raise KeyError(title)

    def letter(self, col: Column, item: Item) -> None:
        """A letter's own page: who asked when, and the answer (or that it is being handled)."""
        path = self.art[id(item)]
        asked = self.ctx.day(item.age)
        if item.answered:
            answer = (f"<tr><th>回复时间</th><td>{self.ctx.day(item.reply_age):%Y-%m-%d}</td></tr>"
                      "<tr><th>回复单位</th><td>云溪县人民政府办公室</td></tr>"
                      "<tr><th>回复内容</th><td>您好！您反映的问题已转交相关部门办理，现答复如下：已安排专人核实处理。</td></tr>")
        else:
            answer = "<tr><th>办理状态</th><td>办理中</td></tr>"
        text = self.head(path, f"{item.title}_{col.name}_{self.spec.name}", {"ColumnName": col.name}) + self.top(
            path) + f"""
<div class="wrap main">
{self.crumbs(path, [(col.name, column_path(col))])}
<div class="xj_detail"><table width="100%">
<tr><th>信件标题</th><td>{esc(item.title)}</td></tr>
<tr><th>来信时间</th><td>{asked:%Y-%m-%d}</td></tr>
<tr><th>来信内容</th><td>{esc(item.title)}，望予以答复。</td></tr>
{answer}
</table></div>
</div>
""" + self.bottom(path)
        self.emit(path, text)

    def article(self, col: Column, item: Item) -> None:
        path = self.art[id(item)]
        if item.fate == "404":
            self.intended_404.add(path)
            return
        if col.board:
            self.letter(col, item)
            return
        d = self.ctx.day(item.age)
        stamp = f"{d:%Y-%m-%d} {8 + item.age % 9:02d}:30"
        metas = {"ArticleTitle": item.title, "PubDate": stamp, "ContentSource": self.spec.unit,
                 "ColumnName": col.name}
        body = (f"{esc(item.title)}。近日，云溪县围绕这项工作作出部署，要求各乡镇、各部门提高思想认识，"
                "压实工作责任，确保各项任务落到实处。")
        sizes = ((16, "大"), (14, "中"), (12, "小"))
        zoom = " ".join(f'<a href="javascript:doZoom({n})">{size}</a>' for n, size in sizes)
        refs = "".join(f'<div class="xgjd">{label}：<a href="{relative(path, self.path_of(target))}" '
                       f'target="_blank">{esc(target)}</a></div>' for label, target in item.refs)
        text = self.head(path, f"{item.title}_{col.name}_{self.spec.name}", metas) + self.top(path) + f"""
<div class="wrap main">
{self.crumbs(path, [(col.name, column_path(col))])}
<div class="article">
<h1>{esc(item.title)}</h1>
<div class="info">发布时间：{stamp}　来源：{self.spec.unit}　【字体：{zoom}】</div>
<div class="TRS_Editor"><p>{body}</p><p>下一步，将持续跟踪推进，及时通报工作进展。</p></div>
{refs}
</div>
</div>
""" + self.bottom(path)
        self.emit(path, text)
        if item.fate == "slow":
            self.pages[path].delay = SLOW_SECONDS

    # -- column pages --------------------------------------------------------------------------
    def left_nav(self, path: str, col: Column, parent: Column | None) -> str:
        section = parent.section if parent else col.section
        peers = [c for c in self.spec.columns if c.section == section]
        rows = "\n".join(f'<li><a href="{relative(path, column_path(c))}" target="_parent">{c.name}</a></li>'
                         for c in peers)
        sub = ""
        owner = parent or (col if col.children else None)
        if owner:
            subs = "\n".join(f'<li><a href="{relative(path, column_path(c))}">{c.name}</a></li>'
                             for c in owner.children)
            sub = f'<div class="subnav_title">{owner.name}</div><ul class="sub_list">\n{subs}\n</ul>'
        return (f'<div class="left"><div class="left_title">{section}</div>'
                f'<ul class="left_list">\n{rows}\n</ul>{sub}</div>')

    def list_rows(self, path: str, col: Column, shown: list[Item]) -> str:
        rows = []
        for item in shown:
            d = self.ctx.day(item.age)
            when = fmt_date(d, col.date_style)
            href = relative(path, self.art[id(item)])
            title = esc(item.title)
            link = f'<a href="{href}" target="_blank" title="{title}">{title}</a>'
            if col.board:
                replied = fmt_date(self.ctx.day(item.reply_age), col.date_style) if item.answered else "—"
                state = "已回复" if item.answered else "办理中"
                rows.append(f'<tr><td class="bt">{link}</td><td>{when}</td><td>{replied}</td><td>{state}</td></tr>')
            elif col.name == "图片新闻":
                img = f"/{col.slug}/{d:%Y%m}/W0{d:%Y%m%d}{len(rows) + 1:03d}.jpg"
                self.pages[img] = asset(img)[1]
                rows.append(f'<li><a href="{href}" target="_blank"><img src="{relative(path, img)}" '
                            f'width="200" height="140" /></a><p>{link}</p><span>{when}</span></li>')
            else:
                zd = '<span class="zd">[置顶]</span>' if item.pinned else ""
                rows.append(f"<li>{zd}{link}<span>{when}</span></li>")
        if col.board:
            return ('<table class="xxlist" width="100%">\n'
                    "<tr><th>信件标题</th><th>来信时间</th><th>回复时间</th><th>办理状态</th></tr>\n"
                    + "\n".join(rows) + "\n</table>" + (f'\n<div class="xjtj">{col.stats}</div>' if col.stats else ""))
        return '<ul class="list">\n' + "\n".join(rows) + "\n</ul>"

    def pager(self, count: int, index: int) -> str:
        call = f'createPageHTML({count}, {index}, "index", "html");'
        return f'<div class="page">{CREATE_PAGE_HTML}\n<script type="text/javascript">{call}</script></div>'

    def column_page(self, col: Column, parent: Column | None) -> None:
        base = column_path(col)
        metas = {"ColumnName": col.name, "ColumnDescription": f"{self.spec.name}{col.name}",
                 "ColumnKeywords": col.name, "ColumnType": COLUMN_TYPES.get(col.category, col.name)}
        listed = col.all_items()
        pages: list[list[Item]] = [listed]
        if col.page_size and listed:
            pages = [listed[i:i + col.page_size] for i in range(0, len(listed), col.page_size)]
        trail = [(parent.name, column_path(parent))] if parent else []
        trail.append((col.name, base))
        for n, shown in enumerate(pages):
            path = base if n == 0 else base.replace("index.html", f"index_{n}.html")
            if col.kind in ("list", "aggregate"):
                content = self.list_rows(path, col, shown) + "\n" + self.pager(len(pages), n)
            elif col.kind == "empty":
                content = '<ul class="list">\n</ul>\n' + self.pager(0, 0)
            elif col.kind == "placeholder":
                content = f'<div class="list_box"><p class="nodata" align="center">{col.text}</p></div>'
            elif col.kind == "static":
                paras = "".join(f"<p>{s}。</p>" for s in col.text.split("。") if s)
                content = f'<div class="TRS_Editor">{paras}</div>'
            elif col.kind == "links":
                rows = "\n".join(f'<li><a href="{relative(path, href)}" target="_blank">{t}</a></li>'
                                 for t, href in col.links)
                content = f'<ul class="bszn">\n{rows}\n</ul>'
            else:
                raise AssertionError(col.kind)
            text = self.head(path, f"{col.name}_{self.spec.name}", metas) + self.top(path) + f"""
<div class="wrap main clearfix">
{self.left_nav(path, col, parent)}
<div class="right">
{self.crumbs(path, trail)}
<div class="right_title">{col.name}</div>
{content}
</div>
</div>
""" + self.bottom(path)
            self.emit(path, text)
        for item in col.items:
            self.article(col, item)
        for guide in (g for g in BSZN if col.kind == "links" and (g.title, g.path) in col.links):
            page = guide.path
            body = (f'<div class="wrap main"><h1>{guide.title}</h1><div class="TRS_Editor">'
                    f"{guide.table(lambda target, page=page: relative(page, target))}</div></div>")
            head = self.head(page, f"{guide.title}_{self.spec.name}", {"ColumnName": col.name})
            self.emit(page, head + self.top(page) + body + self.bottom(page))
            for _, form in guide.forms:
                self.pages[form] = DOC
        for child in col.children:
            self.column_page(child, col)

    # -- home ----------------------------------------------------------------------------------
    def home(self) -> list[date]:
        path = "/"
        dates: list[date] = []
        cols = {c.name: c for c in self.spec.columns}

        def block(name: str, count: int, style: str) -> str:
            col = cols[name]
            rows = []
            for item in [i for i in col.all_items() if i.fate == "ok"][:count]:
                d = self.ctx.day(item.age)
                dates.append(d)
                shown = f"{d:%m-%d}" if style == "md" else fmt_date(d, style)
                title = esc(item.title)
                rows.append(f'<li><a href="{relative(path, self.art[id(item)])}" target="_blank" '
                            f'title="{title}">{title}</a><span class="date">{shown}</span></li>')
            more = f'<a href="{relative(path, column_path(col))}" class="more">更多&gt;&gt;</a>'
            return (f'<div class="box"><div class="box_title"><h3>{name}</h3>{more}</div>'
                    '<ul class="news_list">\n' + "\n".join(rows) + "\n</ul></div>")

        pics = "".join(
            f'<li><a href="{relative(path, self.art[id(i)])}" target="_blank">{esc(i.title)}</a></li>'
            for i in cols["图片新闻"].items[:3]
        )
        friends = [
            ("清江市生态环境局", self.ctx.peers["hanweb"]),
            ("云溪县石桥镇人民政府", self.ctx.peers["table"]),
            ("云溪县融媒体中心", self.ctx.refused_url),
        ]
        friend_html = "".join(f'<a href="{u}" target="_blank">{t}</a>' for t, u in friends)
        head = self.head(path, self.spec.name, {"ColumnName": "首页", "ColumnType": "首页"})
        text = head + self.top(path) + f"""
<div class="wrap date_bar">{CLOCK}</div>
<div class="wrap banner"><img src="{relative(path, "/images/banner.jpg")}" width="1200" height="160" /></div>
<div class="wrap main clearfix">
<div class="pic_news"><div class="box_title"><h3>图片新闻</h3></div><ul>{pics}</ul></div>
{block("政务要闻", 7, "md")}
{block("通知公告", 6, "iso")}
{block("政策文件", 6, "iso")}
{block("部门动态", 6, "iso")}
{block("乡镇动态", 5, "iso")}
</div>
<div class="wrap fwhd clearfix">
<div class="box"><div class="box_title"><h3>政务服务</h3></div><ul class="fw_list">
<li><a href="{self.ctx.peers["zwfw"]}" target="_blank">{PORTAL_NAME}</a></li>
<li><a href="{relative(path, column_path(cols["办事指南"]))}">办事指南</a></li>
<li><a href="{relative(path, STATS_PATH)}">办件统计</a></li>
</ul></div>
<div class="box"><div class="box_title"><h3>互动交流</h3></div><ul class="hd_list">
<li><a href="{relative(path, column_path(cols["县长信箱"]))}">县长信箱</a></li>
<li><a href="{relative(path, PETITION_PATH)}">网上信访</a></li>
<li><a href="{relative(path, column_path(cols["意见征集"]))}">意见征集</a></li>
</ul></div>
</div>
<div class="wrap links"><span>友情链接：</span>{friend_html}</div>
""" + self.bottom(path)
        self.emit(path, text)
        return dates

    def page(self, path: str, title: str, body: str, metas: dict[str, str] | None = None) -> str:
        return (self.head(path, f"{title}_{self.spec.name}", metas or {}) + self.top(path)
                + f'<div class="wrap main"><div class="article"><h1>{esc(title)}</h1>{body}</div></div>'
                + self.bottom(path))

    def extra_pages(self) -> None:
        day = self.ctx.day(STATS_AGE)
        rows = "".join(f"<tr><td>{unit}</td><td>{n}</td><td>{n}</td><td>100%</td></tr>"
                       for unit, n in (("县行政审批局", 1268), ("县人社局", 842), ("县不动产登记中心", 517)))
        self.emit(STATS_PATH, self.page(
            STATS_PATH, "云溪县2023年10月政务服务办件统计",
            f'<div class="info">发布时间：{day:%Y-%m-%d} 09:00</div><div class="TRS_Editor"><table>'
            f"<tr><th>单位</th><th>受理件数</th><th>办结件数</th><th>办结率</th></tr>{rows}</table></div>",
            {"ColumnName": "办件统计", "PubDate": f"{day:%Y-%m-%d} 09:00"}))
        self.emit(PETITION_PATH, self.page(
            PETITION_PATH, "网上信访",
            '<div class="TRS_Editor"><p>信访事项请通过江西省网上信访信息系统提交，本站不受理信访事项。</p>'
            "<p>信访接待时间：工作日上午8:30-12:00，下午14:30-17:30。</p></div>"))

    def search(self, query: str) -> Response:
        """The site search (TRS WAS5): items whose title holds the words searched for."""
        params: dict[str, str] = {}
        for part in query.split("&"):
            name, _, value = part.partition("=")
            raw = unquote_to_bytes(value.replace("+", " "))
            for encoding in ("utf-8", "gb18030"):
                try:
                    params[name] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
        word = params.get("searchword", "").strip()
        hits: dict[int, Item] = {}
        for top in self.spec.columns:
            for col in top.walk():
                for item in col.items:
                    if word and word in item.title and item.fate != "404":
                        hits[id(item)] = item
        rows = "".join(f'<li><a href="{relative(SEARCH_PATH, self.art[i])}" target="_blank">{esc(item.title)}</a>'
                       f"<span>{self.ctx.day(item.age):%Y-%m-%d}</span></li>" for i, item in hits.items())
        body = (f'<div class="search_result"><p>检索“{esc(word)}”，共找到{len(hits)}条结果</p>'
                f'<ul class="result_list">{rows}</ul></div>')
        return html_page(self.page(SEARCH_PATH, "站内搜索", body), ENCODING, content_type="text/html")

    def features(self) -> SiteFeatures:
        cols = {c.name: c for c in self.spec.columns}
        board = cols["县长信箱"]
        pages = -(-len(board.items) // board.page_size)

        def path_of(item: Item) -> str:
            return self.art[id(item)]

        return SiteFeatures(
            channels={"consult": ["县长信箱"], "mailbox": ["县长信箱"], "petition": ["网上信访"], "survey": ["意见征集"]},
            boards=[board_truth(board, column_path(board), path_of, self.ctx.t0, pages)],
            surveys=[("意见征集", max(self.ctx.day(i.age) for i in cols["意见征集"].items))],
            portal_links=[(self.ctx.peers["zwfw"], True)],
            guides=[ExpectedGuide(g.title, g.path, g.missing_in_order(), [f for _, f in g.forms]) for g in BSZN],
            service_stats=self.ctx.day(STATS_AGE), service_entry=True, hall=False,
            policy_docs=policy_sample(self.spec.columns, path_of),
            search="working",
            footer={"site_code": self.spec.code, "icp": "赣ICP备05001234号", "police": "赣公网安备 36092502000123号",
                    "party_mark": True},
            declared_domain="www.yunxi.gov.cn", error_report=True, floating_share=0.0,
        )

    def build(self) -> SiteBuild:
        self.assign_articles()
        for col in self.spec.columns:
            self.column_page(col, None)
        home_dates = self.home()
        self.extra_pages()
        for a in ASSETS:
            self.pages[a] = asset(a)[1]
        self.pages["/robots.txt"] = Response(body=b"User-agent: *\nDisallow:\n", content_type="text/plain")
        return finish_site(self.spec, self.ctx, self.pages, column_path, home_dates, self.intended_404,
                           features=self.features(), dynamic={SEARCH_PATH: self.search})


def build(ctx: BuildContext) -> SiteBuild:
    """All pages of the `trs` site and its truth, for this monitoring time point and these ports."""
    return _Site(ctx).build()
