"""The office's own access to the platforms: its 公众平台 login (cookie + token), a Weibo login cookie, a
Bilibili cookie. Passed to the collectors explicitly; never printed: `mask()` hides every secret in any text,
and `install_log_mask()` keeps them out of the log (httpx logs request URLs, which carry the token).

Built from a mapping (the settings file) or from the environment:
GOVWATCH_WECHAT_SESSION ("cookie|token", or JSON {"cookie": …, "token": …}), GOVWATCH_WEIBO_COOKIE,
GOVWATCH_BILIBILI_COOKIE."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

ENV = {"wechat_session": "GOVWATCH_WECHAT_SESSION", "weibo_cookie": "GOVWATCH_WEIBO_COOKIE",
       "bilibili_cookie": "GOVWATCH_BILIBILI_COOKIE"}
WECHAT_EXPIRED = "登录已失效，请重新登录公众号后台并更新 GOVWATCH_WECHAT_SESSION"
WEIBO_EXPIRED = "微博登录已失效，请重新登录 m.weibo.cn 并更新 GOVWATCH_WEIBO_COOKIE"
BILIBILI_EXPIRED = "哔哩哔哩登录已失效，请重新登录并更新 GOVWATCH_BILIBILI_COOKIE"


def cookie_dict(text: str) -> dict[str, str]:
    """A browser's `Cookie:` header value ("a=1; b=2") as a mapping."""
    out = {}
    for part in (text or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            out[name.strip()] = value.strip()
    return out


@dataclass(frozen=True)
class Access:
    """The sessions present tonight. Empty strings: not configured."""

    wechat_cookie: str = ""
    wechat_token: str = ""
    weibo_cookie: str = ""
    bilibili_cookie: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Access:
        """From settings keys `wechat_session`, `weibo_cookie`, `bilibili_cookie` (missing: not configured)."""
        cookie, token = parse_wechat_session(str(values.get("wechat_session") or ""))
        return cls(cookie, token, str(values.get("weibo_cookie") or "").strip(),
                   str(values.get("bilibili_cookie") or "").strip())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Access:
        env = os.environ if env is None else env
        return cls.from_mapping({key: env.get(name, "") for key, name in ENV.items()})

    def merged(self, other: Access) -> Access:
        """This access, with what it lacks taken from `other` (settings first, then the environment)."""
        return Access(self.wechat_cookie or other.wechat_cookie, self.wechat_token or other.wechat_token,
                      self.weibo_cookie or other.weibo_cookie, self.bilibili_cookie or other.bilibili_cookie)

    @property
    def wechat(self) -> bool:
        return bool(self.wechat_cookie and self.wechat_token)

    def secrets(self) -> list[str]:
        """Every secret value, longest first, for masking (cookie values of 4+ characters, the token)."""
        values = {self.wechat_token, self.wechat_cookie, self.weibo_cookie, self.bilibili_cookie}
        for text in (self.wechat_cookie, self.weibo_cookie, self.bilibili_cookie):
            values.update(cookie_dict(text).values())
        return sorted((v for v in values if v and len(v) >= 4), key=len, reverse=True)

    def mask(self, text: str) -> str:
        return mask(str(text), self.secrets())

    def __repr__(self) -> str:  # a dataclass repr would print the secrets
        shown = {k: ("已配置" if getattr(self, k) else "未配置")
                 for k in ("wechat_cookie", "wechat_token", "weibo_cookie", "bilibili_cookie")}
        return f"Access({shown})"

    __str__ = __repr__


def parse_wechat_session(text: str) -> tuple[str, str]:
    """(cookie, token) from "cookie|token", JSON, or a 公众平台 URL's `token=` next to the cookie."""
    text = (text or "").strip()
    if not text:
        return "", ""
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return "", ""
        return str(data.get("cookie") or "").strip(), str(data.get("token") or "").strip()
    cookie, sep, token = text.rpartition("|")
    if sep:
        m = re.search(r"token=(\d+)", token)
        return cookie.strip(), (m[1] if m else token.strip())
    return text, ""


def mask(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return re.sub(r"(token=)\d{6,}", r"\1***", text)


class MaskFilter(logging.Filter):
    """Masks the sessions' secrets in every record of a logger (message and arguments)."""

    def __init__(self, access: Access) -> None:
        super().__init__()
        self.access = access

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.access.secrets()
        record.msg = _masked(record.msg, secrets)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a, secrets) for a in record.args)
        return True


def _masked(value: object, secrets: list[str]) -> object:
    """A log argument with the secrets masked; numbers and other non-text arguments unchanged (`%d`)."""
    if isinstance(value, (int, float)) or value is None:
        return value
    text = str(value)
    masked = mask(text, secrets)
    return masked if masked != text else value


def install_log_mask(access: Access) -> MaskFilter:
    """Mask the sessions in the loggers that see request URLs and errors (httpx, govwatch, crawler)."""
    mask_filter = MaskFilter(access)
    targets: list[logging.Filterer] = [logging.getLogger(name) for name in ("httpx", "httpcore", "govwatch",
                                                                             "crawler")]
    targets += logging.getLogger().handlers  # records propagated from child loggers pass the root's handlers
    for target in targets:
        for old in [f for f in target.filters if isinstance(f, MaskFilter)]:
            target.removeFilter(old)
        target.addFilter(mask_filter)
    return mask_filter


__all__ = ["BILIBILI_EXPIRED", "ENV", "WECHAT_EXPIRED", "WEIBO_EXPIRED", "Access", "MaskFilter", "cookie_dict",
           "install_log_mask", "mask", "parse_wechat_session"]
