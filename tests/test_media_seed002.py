"""Seed 002 (黔东南州 2023年第四季度通报, 附件2): 75 accounts × 8月/9月/10月 under `guizhou`, checked on
2023-11-20. Timelines that match the published table are imported (an .xlsx registry, a GB18030 posts
CSV) and judged; the monthly verdicts and the 23 不合格 accounts named in the notice come out exactly."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from rich.cells import cell_len
from rich.console import Console

from inspection.registry.media_files import read_accounts_file, read_posts_file
from inspection.registry.media_import import import_accounts, import_posts
from reports.media_verdict import print_account_results
from rules.accounts import evaluate_accounts
from rules.profile import load_profile
from rules.workdays import WorkCalendar
from storage.db import Database

# 分组|平台|名称|主办单位|8月9月10月 (1 合格, 0 不合格), in the order of 附件2
TABLE = """
州直部门|微博|黔东南州生态环境局|黔东南州生态环境局|011
州直部门|微博|黔东南民政|黔东南州民政局|111
州直部门|微博|黔东南发展改革|黔东南州发展和改革委员会|111
州直部门|微博|黔东南司法|黔东南州司法局|111
州直部门|微博|贵州省黔东南州文旅在线|黔东南州文体广电旅游局|010
州直部门|微博|黔东南交警|黔东南州公安局交警支队|111
州直部门|微博|黔东南网警巡查执法|黔东南州公安局|111
州直部门|微博|黔东南州住房公积金管理中心|黔东南州住房公积金管理中心|111
州直部门|微博|黔东南州自然资源局|黔东南州自然资源局|100
州直部门|微博|黔东南公安|黔东南州公安局|111
州直部门|微信|黔东南民政|黔东南州民政局|101
州直部门|微信|雷公山国家级自然保护区管理局|贵州雷公山国家级自然保护区管理局|111
州直部门|微信|黔东南财政|黔东南州财政局|111
州直部门|微信|黔东南生态环境|黔东南州生态环境局|111
州直部门|微信|黔东南州发展和改革委员会|黔东南州发展和改革委员会|111
州直部门|微信|黔东南科技|黔东南州科学技术局|111
州直部门|微信|黔东南州退役军人事务局|黔东南州退役军人事务局|111
州直部门|微信|黔东南林业|黔东南州林业局|111
州直部门|微信|黔东南司法行政|黔东南州司法局|110
州直部门|微信|黔东南普法|黔东南州司法局|111
州直部门|微信|黔东南公共资源交易|黔东南州公共资源交易中心|111
州直部门|微信|黔东南人社|黔东南州人力资源和社会保障局|111
州直部门|微信|黔东南州就业|黔东南州就业局|111
州直部门|微信|黔东南益农信息|黔东南州农业农村局|010
州直部门|微信|黔东南招商|黔东南州投资促进局|111
州直部门|微信|黔东南州人民政府政务服务中心|黔东南州人民政府政务服务中心|111
州直部门|微信|黔东南统计|黔东南州统计局|110
州直部门|微信|黔东南州文体广电旅游局|黔东南州文体广电旅游局|111
州直部门|微信|黔东南州机关事务管理局|黔东南州机关事务管理局|010
州直部门|微信|黔东南商务|黔东南州商务局|010
州直部门|微信|黔东南州住房公积金管理中心|黔东南州住房公积金管理中心|101
州直部门|微信|黔东南公安|黔东南州公安局|110
州直部门|微信|黔东南交警|黔东南州公安局交警支队|111
州直部门|微信|黔东南州自然资源局|黔东南州自然资源局|110
州直部门|微信|团结进步黔东南|黔东南州民族宗教事务委员会|101
州直部门|微信|黔东南河长|黔东南州水务局|011
州直部门|微信|黔东南州市场监管|黔东南州市场监督管理局|111
州直部门|微信|黔东南州应急在线|黔东南州应急管理局|111
州直部门|微信|黔东南交通|黔东南州交通运输局|111
州直部门|微信|黔东南州医疗保障局|黔东南州医疗保障局|111
州直部门|微信|黔东南州金融工作办公室|黔东南州金融工作办公室|111
州直部门|微信|黔东南州国企党建|黔东南州国有资产监督管理委员会|100
州直部门|微信|健康黔东南|黔东南州卫生健康局|100
县(市)|微博|岑巩县政务微博|岑巩县人民政府办公室|110
县(市)|微博|从江政务|从江县人民政府办公室|110
县(市)|微博|丹寨政务|丹寨县人民政府办公室|111
县(市)|微博|黄平县政务微博|黄平县人民政府办公室|111
县(市)|微博|剑河县政务微博|剑河县人民政府办公室|111
县(市)|微博|锦屏县政务微博|锦屏县人民政府办公室|111
县(市)|微博|凯里市政务|凯里市人民政府办公室|111
县(市)|微博|雷山政务|雷山县人民政府办公室|111
县(市)|微博|黎平县政府政务微博|黎平县人民政府办公室|111
县(市)|微博|麻江政务|麻江县人民政府办公室|101
县(市)|微博|甜甜榕江|榕江县人民政府办公室|111
县(市)|微博|三穗政务|三穗县人民政府办公室|011
县(市)|微博|世遗之声|施秉县人民政府办公室|111
县(市)|微博|台江政务微博|台江县人民政府办公室|111
县(市)|微博|天柱政务|天柱县人民政府办公室|111
县(市)|微博|镇远县政务网|镇远县人民政府办公室|111
县(市)|微信|岑巩政务|岑巩县人民政府办公室|111
县(市)|微信|从江县人民政府网|从江县人民政府办公室|010
县(市)|微信|丹寨县人民政府网|丹寨县人民政府办公室|111
县(市)|微信|黄平政讯|黄平县人民政府办公室|111
县(市)|微信|剑河政务|剑河县人民政府办公室|111
县(市)|微信|锦屏县政府|锦屏县人民政府办公室|011
县(市)|微信|凯里市人民政府网|凯里市人民政府办公室|111
县(市)|微信|雷山微政务|雷山县人民政府办公室|111
县(市)|微信|黎平政务|黎平县人民政府办公室|111
县(市)|微信|麻江县人民政府网|麻江县人民政府办公室|111
县(市)|微信|榕江政务公开|榕江县人民政府办公室|111
县(市)|微信|三穗政务|三穗县人民政府办公室|111
县(市)|微信|施秉县人民政府网|施秉县人民政府办公室|110
县(市)|微信|台江微政务|台江县人民政府办公室|111
县(市)|微信|天柱县人民政府网|天柱县人民政府办公室|111
县(市)|微信|镇远政府|镇远县人民政府办公室|111
"""

# The notice's own sentence naming the 23 不合格 accounts.
NAMED = ("黔东南州生态环境局(政务微博)、贵州省黔东南州文旅在线(政务微博)、黔东南州自然资源局(政务微博)、岑巩县政务微博(政务微博)、"
         "从江政务(政务微博)、麻江政务(政务微博)、三穗政务(政务微博)、黔东南民政(政务微信)、黔东南司法行政(政务微信)、"
         "黔东南益农信息(政务微信)、黔东南州机关事务管理局(政务微信)、黔东南统计(政务微信)、黔东南商务(政务微信)、"
         "黔东南州住房公积金管理中心(政务微信)、黔东南公安(政务微信)、黔东南州自然资源局(政务微信)、团结进步黔东南(政务微信)、"
         "黔东南河长(政务微信)、黔东南州国企党建(政务微信)、健康黔东南(政务微信)、从江县人民政府网(政务微信)、"
         "锦屏县政府(政务微信)、施秉县人民政府网(政务微信)")
MONTHS = (date(2023, 8, 1), date(2023, 9, 1), date(2023, 10, 1))


def rows() -> list[list[str]]:
    return [line.split("|") for line in TABLE.strip().splitlines()]


def month_days(first: date) -> list[date]:
    nxt = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(n) for n in range((nxt - first).days)]


def timeline(code: str, index: int) -> list[date]:
    """Posting days: a 合格 month posts Mon/Wed/Fri; a 不合格 month either posts every day of its first
    ten days only (enough days, but the runs later in the month are empty) or on six Mondays' worth
    of days at most (too few days); November posts daily, so M-V2 never holds."""
    out = []
    for month, ok in zip(MONTHS, code, strict=True):
        all_days = month_days(month)
        if ok == "1":
            out += [d for d in all_days if d.weekday() in (0, 2, 4)]
        elif index % 2:
            out += all_days[:10]
        else:
            out += [d for d in all_days if d.weekday() == 0][:6]
    return out + [date(2023, 11, 1) + timedelta(n) for n in range(20)]


def write_files(folder: Path) -> tuple[Path, Path]:
    book = Workbook()
    sheet = book.active
    sheet.append(["抽查新媒体名单"])  # a title row above the header, as offices keep them
    sheet.append(["序号", "账号名称", "平台", "账号类型", "主办单位", "分组", "状态"])
    for n, (group, platform, name, unit, _) in enumerate(rows(), 1):
        sheet.append([n, name, "新浪微博" if platform == "微博" else "微信公众号",
                      "订阅号" if platform == "微信" else None, unit, group, "正常"])
    accounts = folder / "accounts.xlsx"
    book.save(accounts)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["平台", "账号", "发布时间", "标题", "是否置顶", "来源"])
    for n, (_, platform, name, _, code) in enumerate(rows()):
        for day in timeline(code, n):
            writer.writerow(["政务微博" if platform == "微博" else "公众号", name, f"{day:%Y/%m/%d} 18:0{n % 10}",
                             f"{name}{day:%m%d}", "否", "报送系统导出"])
    posts = folder / "posts.csv"
    posts.write_bytes(buffer.getvalue().encode("gb18030"))
    return accounts, posts


def test_seed_002_attachment_2_comes_out_exactly(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'seed002.db'}")
    accounts_file, posts_file = write_files(tmp_path)
    with db.session() as session:
        summary = import_accounts(session, read_accounts_file(accounts_file))
        counts = import_posts(session, posts_file, read_posts_file(posts_file), start=date(2023, 8, 1),
                              end=date(2023, 11, 20))
    assert (summary.added, summary.updated, len(counts)) == (75, 0, 75)
    results = evaluate_accounts(db, None, date(2023, 11, 20), load_profile("guizhou"), calendar=WorkCalendar())
    assert len(results) == 75
    words = {"pass": "1", "fail": "0"}
    for (group, platform, name, unit, code), result in zip(rows(), results, strict=True):
        data = result.data
        assert (data["account"]["name"], data["account"]["unit"], data["account"]["group"]) == (name, unit, group)
        assert data["account"]["platform"] == ("weibo" if platform == "微博" else "wechat")
        got = "".join(words[m["verdict"]] for m in data["months"])
        assert got == code, (name, platform, [m["reason"] for m in data["months"]])
        assert data["verdict"] == ("pass" if code == "111" else "fail")
        assert data["latest_post"].startswith("2023-11-20T18:0")
    failed = [f"{r.data['account']['name']}(政务{'微博' if r.data['account']['platform'] == 'weibo' else '微信'})"
              for r in results if r.verdict == "fail"]
    assert sorted(failed) == sorted(NAMED.split("、")) and len(failed) == 23

    console = Console(width=80, record=True, color_system=None)
    print_account_results(console, results)
    text = console.export_text()
    header = next(line for line in text.splitlines() if "名称" in line)
    for word in ("名称", "主办单位", "平台", "8月", "9月", "10月", "结论", "最近更新"):
        assert word in header
    assert max(cell_len(line) for line in text.splitlines()) <= 80  # readable at 80 columns
    assert "共75个账号：合格52个，不合格23个，无法核验0个" in text
