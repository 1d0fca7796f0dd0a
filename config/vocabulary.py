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
