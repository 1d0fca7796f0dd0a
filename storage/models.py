"""The stored observations. Rows are only ever added: a re-crawl is a new run beside the old ones."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import true


class Base(DeclarativeBase):
    pass


class Site(Base):
    """A registered website (or one met through a bare-URL recheck)."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)  # 网站标识码
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    unit: Mapped[str | None] = mapped_column(String(200))  # 主办单位
    group: Mapped[str | None] = mapped_column("group_name", String(100))  # 县区 / 市直部门 ...
    short_name: Mapped[str | None] = mapped_column(String(100))  # 简称 as notices print it (石桥县, 州水务局)
    region: Mapped[str | None] = mapped_column(String(100))  # 所属地区: the county or 州直 it counts under
    registered: Mapped[bool] = mapped_column(Boolean, default=True)
    # 网站类型 from the registry: portal (门户) | department (部门); NULL: decided from 分组 and name as before
    kind: Mapped[str | None] = mapped_column(String(20))
    # 网站状态: normal | closed (关停) | cancelled (注销); closed sites are kept with their history, not crawled
    status: Mapped[str] = mapped_column(String(20), default="normal", server_default="normal")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # `sites disable` sets False
    created_at: Mapped[datetime] = mapped_column(DateTime)

    runs: Mapped[list[CrawlRun]] = relationship(back_populates="site", order_by="CrawlRun.id")


class CrawlRun(Base):
    """One crawl of one site. `reference_date` is the date year-less list dates were read against."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    reference_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | ok | partial | failed | interrupted
    error: Mapped[str | None] = mapped_column(Text)
    # host:pid:start of the process that started the run (storage/interrupted.py): a run left "running" by a
    # process that is gone (killed outright) is marked interrupted by the next start on that host
    process: Mapped[str | None] = mapped_column(String(200))
    home_url: Mapped[str | None] = mapped_column(String(1000))  # where the home page really is
    home_latest_date: Mapped[date | None] = mapped_column(Date)
    home_title: Mapped[str | None] = mapped_column(String(500))
    home_meta: Mapped[dict | None] = mapped_column(JSON)
    stats: Mapped[dict | None] = mapped_column(JSON)

    site: Mapped[Site] = relationship(back_populates="runs")
    columns: Mapped[list[Column]] = relationship(back_populates="run", order_by="Column.id")
    pages: Mapped[list[Page]] = relationship(back_populates="run", order_by="Page.id")
    link_checks: Mapped[list[LinkCheck]] = relationship(back_populates="run", order_by="LinkCheck.id")


class Page(Base):
    """A page fetched during a run, with how it answered."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    final_url: Mapped[str | None] = mapped_column(String(1000))
    role: Mapped[str] = mapped_column(String(20))  # home | column
    status: Mapped[int | None] = mapped_column(Integer)
    elapsed_ms: Mapped[float | None] = mapped_column(Float)
    content_type: Mapped[str | None] = mapped_column(String(200))
    encoding: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)

    run: Mapped[CrawlRun] = relationship(back_populates="pages")


class Column(Base):
    """A column (栏目) as seen in one run."""

    __tablename__ = "columns"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(1000))
    final_url: Mapped[str | None] = mapped_column(String(1000))
    level: Mapped[int] = mapped_column(Integer, default=1)
    parent_url: Mapped[str | None] = mapped_column(String(1000))
    category: Mapped[str] = mapped_column(String(30))
    category_source: Mapped[str] = mapped_column(String(20))  # keyword | meta | default
    page_kind: Mapped[str | None] = mapped_column(String(20))  # list | article | other
    latest_date: Mapped[date | None] = mapped_column(Date)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    undated_count: Mapped[int] = mapped_column(Integer, default=0)
    page_count: Mapped[int | None] = mapped_column(Integer)
    blank: Mapped[bool] = mapped_column(Boolean, default=False)
    blank_reason: Mapped[str | None] = mapped_column(String(200))
    meta: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)

    run: Mapped[CrawlRun] = relationship(back_populates="columns")
    items: Mapped[list[ListItem]] = relationship(back_populates="column", order_by="ListItem.position")


class ListItem(Base):
    """A dated entry in a column list or on the home page (column_id NULL)."""

    __tablename__ = "list_items"
    __table_args__ = (Index("ix_list_items_site_url", "site_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    column_id: Mapped[int | None] = mapped_column(ForeignKey("columns.id"))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(1000))
    published: Mapped[date | None] = mapped_column(Date)
    date_text: Mapped[str | None] = mapped_column(String(100))
    date_source: Mapped[str | None] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)  # earliest crawl that saw this URL

    column: Mapped[Column | None] = relationship(back_populates="items")


class LinkCheck(Base):
    """One link checked once in a run, and where it was found."""

    __tablename__ = "link_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    found_on: Mapped[str] = mapped_column(String(1000))
    link_text: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))  # ok | broken | soft-404 | timeout
    # link | image (<img src>: 图片无法显示) | attachment (PDF/DOC/XLS/…: 附件无法下载)
    kind: Mapped[str] = mapped_column(String(12), default="link", server_default="link")
    error: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(8))
    elapsed_ms: Mapped[float | None] = mapped_column(Float)
    checked_at: Mapped[datetime] = mapped_column(DateTime)

    run: Mapped[CrawlRun] = relationship(back_populates="link_checks")


class Evaluation(Base):
    """A verdict drawn from one run at a monitoring time point under a profile; kept for history."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    as_of: Mapped[date] = mapped_column(Date)
    profile: Mapped[str] = mapped_column(String(60))
    verdict: Mapped[str] = mapped_column(String(10))
    score: Mapped[float | None] = mapped_column(Float)
    result: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


# -- the service: probes, the recheck queue, crawl batches, locks, notices --------------------------------------


class Probe(Base):
    """One availability probe of a site's home page (W-V2): did the whole page arrive within the limit?"""

    __tablename__ = "probes"
    __table_args__ = (Index("ix_probes_site_time", "site_id", "probed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str] = mapped_column(String(1000))
    probed_at: Mapped[datetime] = mapped_column(DateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[int | None] = mapped_column(Integer)
    elapsed_ms: Mapped[float | None] = mapped_column(Float)
    # timeout | dns | refused | tls | http-5xx | http-4xx | not-html | connection | error; NULL when ok
    error_class: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)


class CrawlBatch(Base):
    """One crawl of several sites by one coordinating process (the nightly crawl, a recheck, a manual
    `crawl --workers`), with a heartbeat so a batch whose process died can be found and finished."""

    __tablename__ = "crawl_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # nightly | recheck | manual | recovery
    mode: Mapped[str] = mapped_column(String(20))  # local | workers
    owner: Mapped[str] = mapped_column(String(200))  # host:pid:token of the coordinating process
    as_of: Mapped[date] = mapped_column(Date)
    profile: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)  # running|done|interrupted|failed
    error: Mapped[str | None] = mapped_column(Text)

    runs: Mapped[list[BatchRun]] = relationship(back_populates="batch", order_by="BatchRun.id")


class BatchRun(Base):
    """A site's crawl run inside a batch. A run lost with a dead process is superseded by a new run of
    the same site, so each site of a batch is judged on exactly one run."""

    __tablename__ = "batch_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("crawl_batches.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), unique=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)

    batch: Mapped[CrawlBatch] = relationship(back_populates="runs")


class RecheckRequest(Base):
    """A recheck (复查) queued for the scheduler by `govwatch recheck --queue` or the web page."""

    __tablename__ = "recheck_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    as_of: Mapped[date | None] = mapped_column(Date)  # NULL: the day it runs
    profile: Mapped[str] = mapped_column(String(60))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)  # queued|running|done|failed
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_batches.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id"))
    error: Mapped[str | None] = mapped_column(Text)


class ServiceLock(Base):
    """A named lock shared by every process on the database (one nightly crawl at a time)."""

    __tablename__ = "service_locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class ServiceNotice(Base):
    """Something the service wants a person to see: the quarterly export reminder, a missed run."""

    __tablename__ = "service_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # one notice per key, e.g. export-reminder:2026Q4
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
