"""A crawl failure in the words a notice uses: one plain Chinese sentence, never an exception dump.

The crawler stores what went wrong in English and technical terms (crawler/, issue 8 makes those
plainer too); this turns the common cases into what an office reads in 主要问题: "无法访问：连接超时".
"""

from __future__ import annotations

import re

NEVER_CRAWLED = "no crawl of this site on or before the monitoring time point"

_WORDS: tuple[tuple[str, str], ...] = (
    # the crawler's own words (config/vocabulary.py REASONS) ...
    (r"超时|没有完整应答", "连接超时"),
    (r"连接被拒绝", "连接被拒绝"),
    (r"域名无法解析", "域名无法解析"),
    (r"证书|加密连接", "网站证书或加密连接有问题（浏览器会提示不安全）"),
    (r"连接被重置", "连接被重置"),
    (r"重定向循环", "重定向循环"),
    (r"非网页地址", "重定向到非网页地址"),
    (r"不是网页", "首页不是网页"),
    (r"浏览器无法打开|浏览器出错", "浏览器无法打开首页"),
    (r"反爬虫验证", "首页停留在反爬虫验证页面"),
    (r"检查被中断", "抓取被中断"),
    (r"页面超过", "页面过大，未下载完"),
    (r"无法按任何编码读取|字节顺序标记", "首页文字无法读取（编码错误）"),
    # ... and the English ones older crawls stored
    (r"no crawl of this site", "监测时间点前从未抓取"),
    (r"timeout|timed out|took longer than|no answer in time", "连接超时"),
    (r"connection refused", "连接被拒绝"),
    (r"dns lookup|does not resolve|name or service not known|getaddrinfo", "域名无法解析"),
    (r"certificate|ssl|tls", "网站证书或加密连接有问题（浏览器会提示不安全）"),
    (r"connection (was )?(reset|lost|closed)|connectionlost|responsenevereceived", "连接被重置"),
    (r"redirect loop|too many redirects", "重定向循环"),
    (r"is not an html page", "首页不是网页"),
    (r"could not be rendered|browser:", "浏览器无法打开首页"),
    (r"interrupted|cut short", "抓取被中断"),
    (r"did not start", "抓取未能启动"),
    (r"downloadcancelled|maxsize|too large", "页面过大，未下载完"),
    (r"ignoring non-200 response", "网站返回错误状态码"),
    (r"unsupported url scheme", "重定向到非网页地址"),
)


def reason_words(error: str | None) -> str:
    """The plain sentence for a stored crawl error."""
    text = (error or "").strip()
    if not text:
        return "未能读取首页"
    status = re.search(r"(?:answered|返回) HTTP (\d{3})", text)
    if status:
        return f"首页返回 HTTP {status[1]}"
    low = text.lower()
    for pattern, words in _WORDS:
        if re.search(pattern, low):
            return words
    return text.splitlines()[0][:120]


def unread_problem(run_status: str, error: str | None) -> str:
    """主要问题 of a site that could not be judged: never crawled and down do not read the same."""
    if run_status == "none":
        return "未检查：监测时间点前从未抓取"
    if run_status == "interrupted":  # no finished crawl: the newest was stopped (storage/interrupted.py)
        return "无法核验：检查被中断，没有完成的抓取"
    return f"无法访问：{reason_words(error)}"


def collection_reason(reason: str | None) -> str:
    """A collector's stored reason in the words a clerk reads: a bare code ("error 11") says it is the
    platform's code; a crawl error is rendered as above; Chinese reasons stay as they are."""
    text = (reason or "").strip()
    if not text:
        return "未说明原因"
    if m := re.fullmatch(r"(?:error|errcode|code)\s*[:=]?\s*(-?\d+)", text, re.IGNORECASE):
        return f"平台返回错误代码 {m[1]}（未说明原因）"
    if re.search(r"[\u4e00-\u9fff]", text):
        return text
    return reason_words(text)
