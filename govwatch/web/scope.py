"""Who may see what: the office (admin, inspector) sees every site and account, a unit only its own.

Every query of a page goes through these filters, so a unit asking for another unit's site, account,
evidence file or notice row gets 404, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select

from storage.media import Account
from storage.models import Site

ROLE_WORDS = {"admin": "管理员", "inspector": "检查人员", "unit": "被检查单位"}


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of one request."""

    id: int
    name: str
    role: str
    unit: str | None
    csrf: str

    @property
    def office(self) -> bool:
        """The office's staff (admin or inspector): every unit, and the actions."""
        return self.role in ("admin", "inspector")

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_word(self) -> str:
        return ROLE_WORDS.get(self.role, self.role)

    def sites(self, query: Select[Any]) -> Select[Any]:
        return query if self.office else query.where(Site.unit == (self.unit or ""))

    def accounts(self, query: Select[Any]) -> Select[Any]:
        return query if self.office else query.where(Account.unit == (self.unit or ""))

    def may_see_unit(self, unit: str | None) -> bool:
        return self.office or (unit is not None and unit == self.unit)
