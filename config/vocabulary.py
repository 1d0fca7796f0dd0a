"""The words users read, in one place: verdicts, the status of a finding, the word for what could not be read.

Users cite these words in official notices, so each concept has exactly one word, the same in the terminal,
JSON, xlsx and docx. The unknown verdict is 无法核验 everywhere (what could not be read — a timeout, a block, a
login wall, a year without a calendar — is never 不合格). The older word 无法判定, once used for the same
unknown in the terminal and the site tables, is not used anywhere any more: one concept, one word. Platform words
live with the platform (crawler/media/platforms.py, one record per platform), the notice's headings and a
profile's purpose in the profile YAML.
"""

from __future__ import annotations

PASS, FAIL, UNKNOWN = "合格", "不合格", "无法核验"
VERDICT_WORDS: dict[str, str] = {"pass": PASS, "fail": FAIL, "unknown": UNKNOWN}
UNKNOWN_NOTE = f"{UNKNOWN}，请人工核查"  # the notice's cell for an account or site that could not be read

# A finding's status, as the terminal and the evidence pages show it.
FINDING_STATUS_WORDS: dict[str, str] = {
    "pass": "符合", "fail": "单项否决", "deducted": "扣分", "bonus": "加分", "problem": "存在问题",
    "insufficient": "证据不足", "not_testable": "无法检测", "overridden": "已人工更正", "manual": "需人工检查",
    "unknown": "未检查",
}

# What kind of page a page is (crawler/extract.py page_kind): whether "blank" applies at all.
PAGE_KIND_WORDS: dict[str, str] = {"home": "首页", "gateway": "入口页（引导页）", "column": "栏目页",
                                   "article": "文章页", "search": "搜索页"}

# Registry words (网站类型, 网站状态, 账号类型, 账号状态) as the office's files write them and exports repeat them.
SITE_KIND_WORDS: dict[str, str] = {"portal": "门户", "department": "部门"}
ACCOUNT_TYPE_WORDS: dict[str, str] = {"subscription": "订阅号", "service": "服务号"}
ACCOUNT_STATUS_WORDS: dict[str, str] = {"normal": "正常", "closed": "关停", "cancelled": "注销"}


def verdict_word(verdict: str | None) -> str:
    """合格 / 不合格 / 无法核验; — for no verdict at all."""
    return VERDICT_WORDS.get(verdict or "", "—")


# Why something could not be read, as stored with the observation and shown as it is (terminal, JSON, xlsx,
# docx). One template per cause, filled by `reason()`; English technical detail appears only inside a field
# (a server's Content-Type, a browser's own error code), never as the sentence.
REASONS: dict[str, str] = {
    # a site's home page: the run's error, so the site is 无法核验 with this reason
    "home_unreachable": "首页 {url} 无法访问：{error}",
    "home_status": "首页 {url} 返回 HTTP {status}",
    "home_not_html": "首页 {url} 不是网页（Content-Type: {content_type}）",
    "home_unreadable": "首页无法读取：{error}",
    "home_not_rendered": "浏览器无法打开首页 {url}：{error}",
    "home_challenge": "首页 {url} 在浏览器中仍停留在反爬虫验证页面",
    "page_unreadable": "无法读取 {url}：{error}",
    "run_interrupted": "检查被中断：{error}",
    "gave_up": "（已重试{attempts}次，放弃）",
    # how one request failed (pages, link checks)
    "timeout": "等待应答超时",
    "refused": "连接被拒绝",
    "dns": "域名无法解析",
    "redirect_loop": "重定向循环或重定向次数过多",
    "tls": "网站证书或加密连接有问题：{error}",
    "status": "网站返回 HTTP {status}",
    "too_large": "页面超过{mb} MB，未下载完",
    "reset": "连接被重置，没有收到完整应答",
    "not_web_address": "重定向到非网页地址 {target}",
    "not_a_link": "链接不是网页地址：{target}",
    "read_failed": "读取失败（{name}）",
    "read_failed_detail": "读取失败（{name}）：{message}",
    "browser": "浏览器出错：{error}",
    # the bytes of a page
    "binary": "不是网页：内容是{what}",
    "bom_mismatch": "内容以 {codec} 字节顺序标记开头，却不是 {codec} 文本（第 {offset} 个字节起无法解码）",
    "undecodable": "{size} 个字节无法按任何编码读取（试过 {tried}；{declared}）",
    "declared": "网页声明的编码为 {charset}",
    "nothing_declared": "网页没有声明编码",
    "bad_byte": "{codec}（第 {offset} 个字节起无法解码）",
    "unknown_codec": "{codec}（不认识的编码）",
    # availability probes (W-V2) and certificates
    "probe_incomplete": "{limit:g} 秒内没有完整应答",
    "probe_incomplete_status": "{limit:g} 秒内没有完整应答（已开始返回 HTTP {status}）",
    "probe_slow": "应答用了 {took:.1f} 秒（限时 {limit:g} 秒）",
    "probe_not_html": "不是网页（Content-Type: {content_type}）",
    "cert_untrusted": "证书不受信任：{error}",
    "tls_handshake": "加密连接握手失败：{error}",
    "tls_connect": "检查证书时无法连接：{error}",
}
BINARY_WORDS: dict[str, str] = {  # what a non-text body is, for "binary"
    "PDF": "PDF 文件", "ZIP": "ZIP 压缩包（或 Office 文档）", "PNG": "PNG 图片", "GIF": "GIF 图片", "JPEG": "JPEG 图片",
    "OLE": "Office 文档（doc/xls）", "GZIP": "gzip 压缩数据", "RAR": "RAR 压缩包", "7Z": "7z 压缩包",
    "NUL": "二进制数据（前 1 KB 中有空字节）",
}


def reason(key: str, **fields: object) -> str:
    """The sentence for one cause, its fields filled in."""
    return REASONS[key].format(**fields)


# -- the quarterly notice (reports/notice.py) -----------------------------------------------------------------
# 复查 states of a finding (spec §3), and what a problem open in several notices is called (seed 000).
FIXED, STILL_OPEN, NEW_IN_RECHECK = "已整改", "仍未整改", "复查新发现"
RECHECK_STATES = (STILL_OPEN, NEW_IN_RECHECK, FIXED)
REPEATED = "多次提醒后仍然不整改"

# The level of the office's region (全州 → 州) gives the words a notice uses for its own departments and
# whom it is sent to (seed 000: 市直单位, 各县(市、区)人民政府，市人民政府各部门；seed 002: 州直部门).
DEPARTMENT_ROW = "{level}直单位"  # 附件 政务新媒体检查情况: the departments' accounts as one row
DEPARTMENT_SECTION = "{level}直部门"  # section titles: 州直部门网站, 州直部门政务微博
COUNTY_SECTION = {"州": "县(市)", "市": "县(市、区)", "县": "乡镇(街道)", "省": "市(州)"}
RECIPIENTS = {
    "州": "各县(市)人民政府办公室，州政府各部门、各直属机构办公室：",  # seed 002
    "市": "各县(市、区)人民政府，市人民政府各部门：",  # seed 000
    "县": "各乡镇人民政府、街道办事处，县政府各部门：",
    "省": "各市(州)人民政府，省政府各部门：",
}
DOC_NUMBER_PLACEHOLDER = "〔　　〕　号"  # 文号 left for the office to fill when --doc-number is not given
RATE_UNJUDGED = "—"  # 合格率 when nothing could be judged: never "0%"


def region_level(region: str) -> str:
    """全州 → 州, 全市 → 市, 全县 → 县; 市 when the region names no level."""
    for level in ("州", "盟", "市", "县", "区", "省"):
        if region.endswith(level):
            return {"盟": "州", "区": "县"}.get(level, level)
    return "市"


# -- content checks (rules/checks/content_words.py, rules/checks/media.py, the notice's 信息审核) -----------------
CONTENT_PENDING = "需人工确认"  # a content hit until an inspector confirms or dismisses it
CONTENT_CONFIRMED = "已人工确认"
CONTENT_DISMISSED = "已排除"
REVIEW_TITLE = "信息审核不严格"  # the notice paragraph's title when the profile's notice.kinds has none (seed 001)
REVIEW_SENTENCE = "部分单位出现了错别字和领导职务称呼、固定提法等表述错误，如"  # seed 001's words, then the units
REVIEW_STATES = {True: "已确认", False: "待确认"}  # the 确认 column of the 信息审核 rows
POST_WHERE = {"title": "标题", "text": "正文"}  # where in a post a hit is
