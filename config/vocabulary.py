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

# Registry words (网站类型, 网站状态, 账号类型, 账号状态) as the office's files write them and exports repeat them.
SITE_KIND_WORDS: dict[str, str] = {"portal": "门户", "department": "部门"}
ACCOUNT_TYPE_WORDS: dict[str, str] = {"subscription": "订阅号", "service": "服务号"}
ACCOUNT_STATUS_WORDS: dict[str, str] = {"normal": "正常", "closed": "关停", "cancelled": "注销"}


def verdict_word(verdict: str | None) -> str:
    """合格 / 不合格 / 无法核验; — for no verdict at all."""
    return VERDICT_WORDS.get(verdict or "", "—")

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
