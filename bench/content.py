"""What the content scan costs: CPU per page and per MB of visible text, on the real-page corpus
(shared/corpus/real-pages) and the content test site's pages, against what the inspection spends on
the same page anyway (parsing and extracting it: `extract_page`); and a crawl of the content test site
with the content observers on and off (`GOVWATCH_CONTENT_OBSERVERS=[]`), CPU of the crawling process; and the
scan of new-media posts (crawler/media/content.py) over the real payloads of tests/data/new-media, against
parsing those payloads (what collection spends anyway).

    .venv/bin/python bench/content.py --repeat 20
    .venv/bin/python bench/content.py --repeat 20 --crawl 3

Not a test: the figures depend on the machine (docs/content-checks.md records a run).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.columns import parse_html  # noqa: E402
from crawler.encoding import decode_html  # noqa: E402
from crawler.extract import extract_page  # noqa: E402
from crawler.observers._common import visible_text  # noqa: E402
from crawler.observers.darklinks import hidden_links  # noqa: E402
from crawler.observers.personal import find_personal  # noqa: E402
from crawler.observers.words import scanner  # noqa: E402
from tests.sites.content import site_pages  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-pages"


def pages() -> list[tuple[str, str]]:
    corpus = sorted(CORPUS.glob("*.htm*")) if CORPUS.is_dir() else []
    found = [(p.name, decode_html(p.read_bytes()).text) for p in corpus]
    found += [(f"content-site{path}", body.decode()) for path, (kind, body) in site_pages(True).items()
              if kind.startswith("text/html")]
    return found


def cpu() -> float:
    return time.process_time()


def scan_cost(repeat: int) -> dict:
    scan = scanner()
    start = cpu()
    scan.scan("路口交通")  # the tokenizer loads once per process
    tokenizer_load = cpu() - start
    docs = pages()
    parsed = [(name, html, parse_html(html)) for name, html in docs]
    texts = [(name, root, visible_text(root)) for name, _, root in parsed]
    chars = sum(len(t) for _, _, t in texts)
    utf8 = sum(len(t.encode()) for _, _, t in texts)

    start = cpu()
    for _ in range(repeat):
        for _, root, text in texts:
            scan.scan(text)
            find_personal(text)
            for link in hidden_links(root, "http://bench.example.gov.cn/", [".gov.cn"]):
                scan.scan(f"{link.text} {link.href} {link.snippet}", links_only=True)
    scan_s = (cpu() - start) / repeat

    start = cpu()
    for _ in range(repeat):
        for _, root, _ in texts:
            visible_text(root)
    text_s = (cpu() - start) / repeat

    start = cpu()
    for _ in range(max(1, repeat // 4)):
        for name, html in docs:
            extract_page(html, f"http://bench.example.gov.cn/{name}", date(2023, 11, 20))
    extract_s = (cpu() - start) / max(1, repeat // 4)

    n = len(docs)
    return {
        "pages": n, "visible_chars": chars, "visible_mb_utf8": round(utf8 / 1e6, 3), "repeat": repeat,
        "tokenizer_load_ms_once": round(tokenizer_load * 1000, 1),
        "scan_ms_per_page": round(scan_s / n * 1000, 3),
        "scan_ms_per_mb_text": round(scan_s / (utf8 / 1e6) * 1000, 1),
        "visible_text_ms_per_page": round(text_s / n * 1000, 3),
        "extract_page_ms_per_page": round(extract_s / n * 1000, 3),
        "scan_share_of_extract": round((scan_s + text_s) / extract_s, 3),
    }


def post_cost(repeat: int) -> dict:
    """CPU of `scan_posts` per post and per MB of post text, and of parsing the payloads they came from."""
    import copy
    import re

    from crawler.media import intercept, wechat, weibo
    from crawler.media.common import BEIJING
    from crawler.media.content import scan_posts

    data = ROOT / "tests" / "data" / "new-media"

    def parse() -> list:
        lines = [json.loads(x) for x in (data / "wechat_profile_ext_getmsg_gqtzy_2019.jsonl").read_text().splitlines()
                 if x.strip()]
        posts = [*wechat.parse_getmsg(lines), wechat.parse_article((data / "wechat_article_changjiangribao_2018.html")
                                                                    .read_text())]
        for name in ("bilibili_space_wbi_arc_search_example_2025.json", "bilibili_space_top_arc_example.json"):
            posts += intercept.parse_bilibili(json.loads((data / name).read_text()))
        text = (data / "weibo_mweibocn_getIndex_107603_2019.js").read_text()
        start = re.search(r"let cards1 = ", text).end()
        cards = json.JSONDecoder().raw_decode(text[start:])[0]
        from datetime import datetime
        posts += weibo.posts_from_cards(cards, datetime(2019, 6, 16, 12, tzinfo=BEIJING))
        return posts

    scan_posts(parse())  # the tokenizer, once
    start = cpu()
    for _ in range(repeat):
        fresh = parse()
    parse_s = (cpu() - start) / repeat
    chars = sum(len(p.title or "") + len(p.text or "") for p in fresh)
    utf8 = sum(len((p.title or "").encode()) + len((p.text or "").encode()) for p in fresh)
    batches = [copy.deepcopy(fresh) for _ in range(repeat)]
    start = cpu()
    for batch in batches:
        scan_posts(batch)
    scan_s = (cpu() - start) / repeat
    n = len(fresh)
    return {"posts": n, "chars": chars, "repeat": repeat, "scan_ms_per_post": round(scan_s / n * 1000, 3),
            "scan_ms_per_mb_text": round(scan_s / (utf8 / 1e6) * 1000, 1),
            "parse_ms_per_post": round(parse_s / n * 1000, 3)}


def crawl_cost(times: int) -> dict:
    """CPU of `govwatch recheck` (child processes) on the content site, content observers on and off."""
    import yaml

    from govwatch.demo.sites.server import serve_handler
    from tests.cli_support import govwatch
    from tests.sites.content import handler

    out: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(times):
        for mode in ("on", "off"):
            home = Path(tempfile.mkdtemp(prefix="govwatch-bench-content-"))
            with serve_handler(handler(True)) as url:
                (home / "sites.yaml").write_text(yaml.safe_dump({"sites": [
                    {"code": "9900000009", "name": "示范县人民政府", "url": url}]}, allow_unicode=True), "utf-8")
                govwatch(home, "sites", "import", str(home / "sites.yaml"))
                env = {"GOVWATCH_CONTENT_OBSERVERS": "[]"} if mode == "off" else {}
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                result = govwatch(home, "recheck", "9900000009", "--as-of", "2023-11-20", "--json", env=env)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                assert result.code == 0, result.stderr[-2000:]
                out[mode].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    on, off = min(out["on"]), min(out["off"])
    return {"runs": times, "cpu_s_on": round(on, 2), "cpu_s_off": round(off, 2),
            "content_share_of_recheck": round((on - off) / on, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--crawl", type=int, default=0, help="also crawl the content site this many times on/off")
    args = parser.parse_args()
    result = {"scan": scan_cost(args.repeat), "posts": post_cost(args.repeat)}
    if args.crawl:
        result["crawl"] = crawl_cost(args.crawl)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
