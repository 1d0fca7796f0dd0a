"""政务新媒体: accounts, the posts seen on them, and each attempt to learn them (a collection).

Posts come from many sources (a platform collector, an imported file, an inspector's look at the
account); the rules never ask which, only whether the collections *cover* the span they judge. A
collection that was refused (captcha, login wall, a page limit) covers nothing, or only what it read,
so a month it did not cover is judged 无法核验, never 不合格.

Times are stored as naive UTC, like every other table; `storage.media_repo` converts at the edges
(a time written without a zone is Asia/Shanghai).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import Base

ACCOUNT_TYPES = ("subscription", "service")  # 微信 订阅号 / 服务号
COLLECTION_STATUSES = ("ok", "partial", "blocked", "captcha", "login_required", "not_found", "deleted", "error",
                       "running")


class Account(Base):
    """A registered government new-media account (政务新媒体账号) on one platform."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "account_id", name="uq_accounts_platform_account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # 账号名称
    platform: Mapped[str] = mapped_column(String(20))  # a key of crawler/media/platforms.py
    type: Mapped[str | None] = mapped_column(String(20))  # subscription | service (WeChat), else NULL
    account_id: Mapped[str | None] = mapped_column(String(200))  # 微信号/gh_/__biz, 微博 uid, sec_uid, token ...
    url: Mapped[str | None] = mapped_column(String(1000))
    unit: Mapped[str | None] = mapped_column(String(200))  # 主办单位, as the notice names it
    group: Mapped[str | None] = mapped_column("group_name", String(100))  # 州直部门 / 县(市) ...
    short_name: Mapped[str | None] = mapped_column(String(100))  # 简称 of the unit, as notices print it
    region: Mapped[str | None] = mapped_column(String(100))  # 所属地区: the county its row in the notice is
    status: Mapped[str] = mapped_column(String(20), default="normal")  # normal | closed (关停) | cancelled (注销)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)  # `accounts disable` sets False; history stays
    meta: Mapped[dict | None] = mapped_column(JSON)  # whatever else the registry row said
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    posts: Mapped[list[Post]] = relationship(back_populates="account", order_by="Post.published_at")
    collections: Mapped[list[Collection]] = relationship(back_populates="account", order_by="Collection.id")

    @property
    def judged(self) -> bool:
        """Closed (关停/注销) or disabled accounts are kept with their history but not judged or collected."""
        return self.enabled and self.status == "normal"


class Collection(Base):
    """One attempt to learn an account's posts from one source, and the span of time it covers completely.

    `covered_from`..`covered_to` (UTC) is the span in which every post the account made is among the
    stored posts: an import file's --from..--to, an inspector's latest post..the moment they looked, a
    collector's list read back to its oldest item (or only to the page limit). NULL: covers nothing.
    """

    __tablename__ = "collections"
    __table_args__ = (Index("ix_collections_account_started", "account_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    source: Mapped[str] = mapped_column(String(40))  # import | observe | weibo | wechat-sogou | douyin | rss ...
    status: Mapped[str] = mapped_column(String(20))  # one of COLLECTION_STATUSES
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    covered_from: Mapped[datetime | None] = mapped_column(DateTime)
    covered_to: Mapped[datetime | None] = mapped_column(DateTime)
    posts_seen: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text)  # in Chinese, for people: 遇到验证码页面，未能读取 ...
    url: Mapped[str | None] = mapped_column(String(1000))  # what was read (file path for an import)
    entered_by: Mapped[str | None] = mapped_column(String(100))  # the inspector, for observe/import
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict | None] = mapped_column(JSON)  # pages read, HTTP statuses, page limit hit ...
    evidence: Mapped[list | None] = mapped_column(JSON)  # [{kind, path, sha256, url}] relative to evidence dir

    account: Mapped[Account] = relationship(back_populates="collections")


class Post(Base):
    """One post (a 群发 article, a 微博, a video), stored once however often it is seen."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("account_id", "post_key", name="uq_posts_account_key"),
        Index("ix_posts_account_published", "account_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    post_key: Mapped[str] = mapped_column(String(500))  # "id:<platform id>" | "url:<url>" | "t:<time>|<title>"
    published_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    title: Mapped[str | None] = mapped_column(String(500))
    # The post's own text where the platform gives it (微博 text, 公众号 digest or article, video
    # description), personal numbers masked, at most `post_text_max` characters (crawler/data/content/
    # settings.yaml); NULL when the platform gives only a title or the text is the title.
    text: Mapped[str | None] = mapped_column(Text)
    # What the content scan found in title and text (crawler/media/content.py): records like a page's
    # content_hit / personal_data, each {record, kind, grade, wrong, correct, offset, sentence, where ...};
    # [] scanned and clean; NULL never scanned.
    content: Mapped[list | None] = mapped_column(JSON)
    url: Mapped[str | None] = mapped_column(String(1000))
    post_id: Mapped[str | None] = mapped_column(String(100))  # the platform's own id (mid, aweme_id, bvid ...)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # 置顶
    source: Mapped[str] = mapped_column(String(40))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("collections.id"))  # the first that saw it
    meta: Mapped[dict | None] = mapped_column(JSON)

    account: Mapped[Account] = relationship(back_populates="posts")


class AccountEvaluation(Base):
    """A verdict on one account at a monitoring time point, for a period, under a profile; kept for history."""

    __tablename__ = "account_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    profile: Mapped[str] = mapped_column(String(60))
    verdict: Mapped[str] = mapped_column(String(10))  # pass | fail | unknown
    result: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
