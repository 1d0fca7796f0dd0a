"""Realistic Chinese government test sites served from 127.0.0.1, with their ground truth.

Used by the end-to-end tests and by `govwatch demo`. Standard library only.

    with serve_test_sites(date(2023, 11, 20)) as sites:
        for site in sites:
            print(site.key, site.url, site.truth.verdict)
"""

from .server import SITE_KEYS, RunningSite, serve_test_sites
from .truth import ExpectedBrokenLink, ExpectedColumn, SiteTruth

__all__ = [
    "SITE_KEYS",
    "ExpectedBrokenLink",
    "ExpectedColumn",
    "RunningSite",
    "SiteTruth",
    "serve_test_sites",
]
