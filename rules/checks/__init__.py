"""The checks a profile's indicators name (`check:`), by module: each is a function
`(obs, as_of, indicator, profile) -> list[Finding]` that reads observations and never fetches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rules.checks import availability, content, interaction, publishing, services
from rules.findings import Finding
from rules.observations import SiteObs
from rules.profile import Indicator, Profile

Check = Callable[[SiteObs, date, Indicator, Profile], list[Finding]]

CHECKS: dict[str, Check] = {
    **content.CHECKS,
    **availability.CHECKS,
    **interaction.CHECKS,
    **services.CHECKS,
    **publishing.CHECKS,
}

# Checks that judge without a crawl of the home page (evaluated even when the crawl failed).
WITHOUT_CRAWL = {"availability", "manual"}
