"""One validator for a profile's two lists: every website indicator and every account indicator names a check
that exists, so a typo in a profile fails at once and names the file and item, not at 02:30 mid-run."""

from __future__ import annotations

from rules.checks import CHECKS as SITE_CHECKS
from rules.checks.media import CHECKS as ACCOUNT_CHECKS
from rules.profile import Profile


def profile_problem(profile: Profile) -> str | None:
    """The first indicator naming an unknown check, in words naming the file and item; None when all exist."""
    for what, indicators, checks in (("indicator", profile.indicators, SITE_CHECKS),
                                     ("media indicator", profile.media_indicators, ACCOUNT_CHECKS)):
        for ind in indicators:
            if ind.check not in checks:
                return f"{profile.path}: {what} {ind.id} names an unknown check {ind.check!r}"
    return None


def validate_profile(profile: Profile) -> None:
    """Raise a ValueError naming the file and item when an indicator names a check that does not exist."""
    problem = profile_problem(profile)
    if problem:
        raise ValueError(problem)
