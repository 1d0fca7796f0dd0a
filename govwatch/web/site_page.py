"""A site's page: its stored verdict at a time point with the evidence behind every finding, its columns
and how many days each has left, and its history across checks (已整改 / 仍未整改 against the check before)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govwatch.web.scope import Viewer
from inspection.deadlines import column_deadlines
from rules.profile import Profile
from storage.models import CrawlRun, Evaluation, RecheckRequest, Site
from storage.records import Evidence, ManualFinding


def visible_site(session: Session, viewer: Viewer, site_id: int) -> Site | None:
    """The site, if this viewer may see it (a unit: only its own); None is answered with 404."""
    return session.scalars(viewer.sites(select(Site).where(Site.id == site_id))).first()


@dataclass
class EvidenceIndex:
    """Evidence files of one run by their path: the page links each through the checked route by id."""

    by_path: dict[str, int] = field(default_factory=dict)
    by_page: dict[tuple[str, str], int] = field(default_factory=dict)

    def link(self, files: Any, kind: str) -> int | None:
        if not isinstance(files, dict) or not files.get(kind):
            return None
        return self.by_path.get(str(Path(files[kind]).resolve())) or self.by_path.get(Path(files[kind]).name)


def evidence_index(session: Session, run_id: int | None, root: Path) -> EvidenceIndex:
    index = EvidenceIndex()
    if run_id is None:
        return index
    for row in session.scalars(select(Evidence).where(Evidence.run_id == run_id).order_by(Evidence.id)):
        index.by_path[str((root / row.path).resolve())] = row.id
        index.by_path.setdefault(Path(row.path).name, row.id)
        index.by_page[(row.url, row.kind)] = row.id
    return index


def evaluation_at(session: Session, site_id: int, profile: str, as_of: date) -> Evaluation | None:
    return session.scalars(select(Evaluation).where(Evaluation.site_id == site_id, Evaluation.profile == profile,
                                                    Evaluation.as_of <= as_of)
                           .order_by(Evaluation.as_of.desc(), Evaluation.id.desc())).first()


def problem_keys(vetoes: Any, deductions: Any) -> dict[str, str]:
    """indicator → its words, for every veto and deduction of a stored verdict."""
    found: dict[str, str] = {}
    for item in [*(vetoes or []), *(deductions or [])]:
        if isinstance(item, dict) and item.get("indicator"):
            found.setdefault(item["indicator"], item.get("title") or item.get("detail") or "")
    return found


HISTORY = 200  # stored checks read for the history (the newest), one per day shown


def history(session: Session, site_id: int, profile: str) -> list[dict[str, Any]]:
    """Each stored check (one per as_of, the newest of the day), newest first, with what was put right since the
    one before (已整改), what is still wrong (仍未整改) and what is new. Only the vetoes and deductions of each
    stored verdict are read (its whole JSON is ~70 kB)."""
    rows = session.execute(select(Evaluation.id, Evaluation.as_of, Evaluation.verdict, Evaluation.score,
                                  Evaluation.created_at, Evaluation.result["vetoes"].label("vetoes"),
                                  Evaluation.result["deductions"].label("deductions"))
                           .where(Evaluation.site_id == site_id, Evaluation.profile == profile)
                           .order_by(Evaluation.as_of.desc(), Evaluation.id.desc()).limit(HISTORY)).all()
    by_day: dict[date, Any] = {}
    for row in rows:
        by_day.setdefault(row.as_of, row)
    out: list[dict[str, Any]] = []
    before: dict[str, str] = {}
    for day, row in sorted(by_day.items()):
        now = problem_keys(row.vetoes, row.deductions)
        out.append({"id": row.id, "as_of": day, "verdict": row.verdict, "score": row.score,
                    "created_at": row.created_at,
                    "fixed": [f"{k} {v}" for k, v in before.items() if k not in now],
                    "still": [f"{k} {v}" for k, v in now.items() if k in before],
                    "new": [f"{k} {v}" for k, v in now.items() if k not in before]})
        before = now
    return list(reversed(out))


def column_days(result: dict[str, Any], profile: Profile, as_of: date) -> dict[str, tuple[date, int, str]]:
    """Column URL → (the first day it counts as not updated, days left from as_of, the window)."""
    return {url: (day, (day - as_of).days, window)
            for url, (day, window) in column_deadlines(result.get("columns") or [], profile, as_of).items()}


def manual_findings(session: Session, site_id: int) -> list[ManualFinding]:
    return list(session.scalars(select(ManualFinding).where(ManualFinding.site_id == site_id)
                                .order_by(ManualFinding.id.desc())))


def rechecks(session: Session, site_id: int, limit: int = 5) -> list[RecheckRequest]:
    return list(session.scalars(select(RecheckRequest).where(RecheckRequest.site_id == site_id)
                                .order_by(RecheckRequest.id.desc()).limit(limit)))


def run_of(session: Session, run_id: int | None) -> CrawlRun | None:
    return session.get(CrawlRun, run_id) if run_id else None
