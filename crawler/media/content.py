"""The content scan of new-media posts: the same dictionaries, matching and personal-data scanner as a
page's (crawler/observers/words.py, personal.py) over each post's title and text, run on every
collection before it is stored (crawler/media/collect.py).

Each post leaves with `content`: records shaped like a page's `content_hit` / `personal_data`
({record, kind, grade, wrong, correct, offset, sentence, where: title|text, ...}, offsets in the part they
are in), `[]` when nothing was found; its title and text masked (ID, mobile and card numbers) and the
text cut at `post_text_max` characters (crawler/data/content/settings.yaml). The rules judge the records
(rules/checks/media.py `media_content`); nothing here judges.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from crawler.observers.personal import find_personal, mask_all
from crawler.observers.words import Scanner, extra_paths, scanner
from storage.media_repo import PostSeen

log = logging.getLogger(__name__)
DEFAULT_TEXT_MAX = 5000


def text_max(scan: Scanner) -> int:
    return int(scan.dicts.settings.get("post_text_max", DEFAULT_TEXT_MAX))


def scan_post(post: PostSeen, scan: Scanner) -> None:
    """Scan one post's title and text (the text capped); mask both; set `post.content`."""
    cap = text_max(scan)
    title = post.title or ""
    text = (post.text or "")[:cap]
    if text.strip() == title.strip():
        text = ""  # the platform's title is the text (抖音 desc, 快手 caption): read once
    records: list[dict] = []
    for where, part in (("title", title), ("text", text)):
        if not part:
            continue
        records += [{"record": "content_hit", **hit.as_dict(), "where": where} for hit in scan.scan(part)]
        records += [{"record": "personal_data", **found.as_dict(), "where": where} for found in find_personal(part)]
    post.content = records
    post.title = mask_all(title) if post.title else post.title
    post.text = mask_all(text) if text else None


def scan_posts(posts: Iterable[PostSeen], dictionaries: str | list[str] | None = None) -> int:
    """Scan every post in place (the office's own dictionaries as for pages: GOVWATCH_CONTENT_DICTIONARIES);
    returns how many records were found. A failing scan leaves the post unscanned (`content` None), never
    the collection lost."""
    scan = scanner(extra_paths(dictionaries))
    found = 0
    for post in posts:
        try:
            scan_post(post, scan)
        except Exception as exc:  # a scan is never worth a collection
            log.warning("content scan of a post failed: %s", type(exc).__name__)
            post.content = None
            post.title = mask_all(post.title) if post.title else post.title
            post.text = mask_all(post.text[:text_max(scan)]) if post.text else None
            continue
        found += len(post.content or [])
    return found


__all__ = ["scan_post", "scan_posts", "text_max"]
