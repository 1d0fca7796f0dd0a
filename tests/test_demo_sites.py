"""The local test sites themselves, checked with plain urllib (no crawler): they must answer the way
their ground truth says, or every end-to-end test built on them proves nothing."""

from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
import yaml
from dateutil.relativedelta import relativedelta

from govwatch.demo.sites import SITE_KEYS, RunningSite, SiteTruth, serve_test_sites

T0 = date(2023, 11, 20)
CATEGORIES = Path(__file__).resolve().parents[1] / "crawler" / "data" / "column_categories.yaml"


@dataclass
class Fetched:
    status: int | None  # None: connection refused
    headers: dict[str, str]
    body: bytes
    seconds: float
    error: str = ""

    @property
    def text(self) -> str:
        return decode(self.body, self.headers.get("content-type", ""))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a 302 is what we want to see, not where it leads


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, method: str = "GET") -> Fetched:
    start = time.monotonic()
    request = urllib.request.Request(url, method=method)
    try:
        with _OPENER.open(request, timeout=10) as resp:
            return Fetched(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read(),
                           time.monotonic() - start)
    except urllib.error.HTTPError as err:
        return Fetched(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read(),
                       time.monotonic() - start)
    except urllib.error.URLError as err:
        return Fetched(None, {}, b"", time.monotonic() - start, error=repr(err.reason))


def decode(body: bytes, content_type: str) -> str:
    """What a browser would decode: header charset, else <meta> charset (gb2312 read as GBK)."""
    match = re.search(r"charset=([\w-]+)", content_type) or re.search(rb"charset=[\"']?([\w-]+)", body[:2048])
    charset = match.group(1) if match else "utf-8"
    charset = charset.decode() if isinstance(charset, bytes) else charset
    return body.decode("gbk" if charset.lower() in ("gb2312", "gbk") else charset)


class _Links(HTMLParser):
    """href/src of tags, plus href inside <script type="text/xml"> (Hanweb list records in CDATA)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self._xml_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self._xml_script = tag == "script" and values.get("type") == "text/xml"
        for name in ("href", "src"):
            value = values.get(name)
            if value and not value.startswith(("javascript:", "#", "mailto:")):
                self.links.append(value)

    def handle_data(self, data: str) -> None:
        if self._xml_script:
            self.links.extend(re.findall(r'href="([^"]+)"', data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._xml_script = False


def links_of(page_url: str, text: str) -> list[str]:
    parser = _Links()
    parser.feed(text)
    return [urljoin(page_url, href).split("#")[0] for href in parser.links]


def date_texts(d: date) -> set[str]:
    """Every way the sites write a date."""
    return {d.isoformat(), f"{d.year}年{d.month:02d}月{d.day:02d}日", f"[{d.month:02d}-{d.day:02d}]",
            f"{d.year}/{d.month}/{d.day}", d.strftime("%Y.%m.%d")}


def classify(name: str, table: dict) -> str:
    """column_categories.yaml applied as documented: the first matching category in file order wins."""
    for cat in table["categories"]:
        if any(k in name for k in cat["keywords"]) and not any(x in name for x in cat.get("exclude", [])):
            return cat["id"]
    return table["default"]


@dataclass
class Counts:
    a: int  # stale news columns + stale level-1 notice/policy columns
    b: int  # should_update columns stale for over a year
    c: int  # blank columns
    home_stale: bool


def counts(truth: SiteTruth, t0: date) -> Counts:
    live = [c for c in truth.columns if not c.blank]

    def older(col_date: date | None, days: int) -> bool:
        return col_date is None or col_date < t0 - timedelta(days=days)

    a = sum(1 for c in live if c.category == "news" and older(c.latest_date, 14))
    a += sum(1 for c in live
             if c.category in ("notice", "policy") and c.level == 1 and older(c.latest_date, 183))
    b = sum(1 for c in live if c.category == "should_update" and older(c.latest_date, 365))
    blank = sum(1 for c in truth.columns if c.blank)
    return Counts(a=a, b=b, c=blank, home_stale=older(truth.home_latest_date, 14))


def late_letters(truth: SiteTruth, t0: date) -> list:
    """Letters asked in the year before T0 that waited more than 3 months for an answer (W-V5 (2))."""
    late = []
    for board in truth.features.boards if truth.features else []:
        for letter in board.letters:
            if not t0 - relativedelta(years=1) <= letter.asked <= t0:
                continue
            deadline = letter.asked + relativedelta(months=3)
            if (letter.replied or t0) > deadline:
                late.append(letter)
    return late


def vetoes(truth: SiteTruth, t0: date) -> set[str]:
    n = counts(truth, t0)
    found = {"W-V3"} if n.home_stale else set()
    if n.a >= 5 or n.b >= 10 or n.c >= 5:
        found.add("W-V4")
    features = truth.features
    if features is not None:
        if not features.channels.get("consult") or late_letters(truth, t0):
            found.add("W-V5")
        if not features.service_entry or sum(len(g.missing) >= 4 for g in features.guides) >= 5:
            found.add("W-V6")
    return found


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[str, RunningSite]]:
    with serve_test_sites(T0) as running:
        yield {site.key: site for site in running}


@pytest.fixture(scope="module")
def crawled(sites: dict[str, RunningSite]) -> dict[str, dict[str, Fetched]]:
    """Every URL reachable on each site from its home page (other sites' pages fetched, not followed)."""
    result: dict[str, dict[str, Fetched]] = {}
    with ThreadPoolExecutor(max_workers=16) as pool:
        for key, site in sites.items():
            seen: dict[str, Fetched] = {}
            frontier = [site.url]
            while frontier:
                for url, got in zip(frontier, pool.map(fetch, frontier), strict=True):
                    seen[url] = got
                nxt: list[str] = []
                for url in frontier:
                    got = seen[url]
                    if got.status != 200 or "html" not in got.headers.get("content-type", ""):
                        continue
                    if not url.startswith(site.url):
                        continue  # a page of another site: checked, not crawled
                    for link in links_of(url, got.text):
                        if link not in seen and link not in nxt:
                            nxt.append(link)
                frontier = nxt
            result[key] = seen
    return result


def test_all_sites_are_served_quickly() -> None:
    start = time.monotonic()
    with serve_test_sites(T0) as running:
        assert [s.key for s in running] == list(SITE_KEYS) == ["trs", "hanweb", "table"]
        assert len({urlsplit(s.url).port for s in running}) == 3
        assert all(s.url.startswith("http://127.0.0.1:") and s.url.endswith("/") for s in running)
    assert time.monotonic() - start < 2


def test_home_pages_answer_200(sites: dict[str, RunningSite]) -> None:
    for site in sites.values():
        got = fetch(site.url)
        assert got.status == 200 and got.headers["content-type"].startswith("text/html"), site.key
        assert site.name in got.text
        assert site.abs("/a/b.html") == site.url + "a/b.html"


def test_gbk_site_declares_its_charset_only_in_meta(sites: dict[str, RunningSite]) -> None:
    site = sites["trs"]
    home = fetch(site.url)
    assert home.headers["content-type"] == "text/html"  # no charset in the header
    assert b'content="text/html; charset=gb2312"' in home.body
    with pytest.raises(UnicodeDecodeError):
        home.body.decode("utf-8")
    assert site.name in home.body.decode("gbk")
    # GBK characters GB2312 does not have: a decoder must read "gb2312" as GBK/GB18030.
    rsxx = fetch(site.abs(site.truth.column("人事信息").path)).body
    assert "喆".encode("gbk") in rsxx
    with pytest.raises(UnicodeDecodeError):
        rsxx.decode("gb2312")
    for key in ("hanweb", "table"):
        assert fetch(sites[key].url).headers["content-type"] == "text/html; charset=utf-8"


def test_every_column_answers(sites: dict[str, RunningSite]) -> None:
    redirects = []
    for site in sites.values():
        for col in site.truth.columns:
            got = fetch(site.abs(col.path))
            if got.status == 302:
                assert col.blank, col
                assert urlsplit(urljoin(site.abs(col.path), got.headers["location"])).path == "/"
                redirects.append((site.key, col.name))
            else:
                assert got.status == 200, (site.key, col)
    assert redirects == [("table", "规划计划")]


def test_columns_cover_the_kinds_the_indicators_name(sites: dict[str, RunningSite]) -> None:
    for site in sites.values():
        level1 = [c for c in site.truth.columns if c.level == 1]
        assert len(level1) >= 10, site.key
        assert {"news", "notice", "policy", "should_update", "static", "interaction", "service"} <= {
            c.category for c in site.truth.columns
        }, site.key
        for col in site.truth.columns:
            assert (col.latest_date is None) == (col.blank or col.category in ("static", "service")), col


def test_column_names_classify_as_claimed(sites: dict[str, RunningSite]) -> None:
    table = yaml.safe_load(CATEGORIES.read_text(encoding="utf-8"))
    for site in sites.values():
        for col in site.truth.columns:
            assert classify(col.name, table) == col.category, (site.key, col.name)
    # TRS pages also say what they are in <meta name="ColumnType">: it must agree with the name.
    trs = sites["trs"]
    for col in trs.truth.columns:
        text = fetch(trs.abs(col.path)).text
        column_type = re.search(r'<meta name="ColumnType" content="([^"]+)">', text)
        assert column_type and classify(column_type.group(1), table) == col.category, col.name
        assert f'<meta name="ColumnName" content="{col.name}">' in text


def test_levels_follow_the_navigation(sites: dict[str, RunningSite]) -> None:
    for site in sites.values():
        home_links = set(links_of(site.url, fetch(site.url).text))
        for col in site.truth.columns:
            assert (site.abs(col.path) in home_links) == (col.level == 1), (site.key, col.name)
    trs = sites["trs"].truth
    assert [c.name for c in trs.columns if c.level == 2] == ["县政府文件", "规范性文件", "政策解读"]


def test_latest_date_appears_in_the_column_page(sites: dict[str, RunningSite]) -> None:
    for site in sites.values():
        for col in site.truth.columns:
            if col.latest_date is None:
                continue
            text = fetch(site.abs(col.path)).text
            assert any(form in text for form in date_texts(col.latest_date)), (site.key, col.name)


def test_blank_columns_look_blank(sites: dict[str, RunningSite]) -> None:
    kinds = set()
    for site in sites.values():
        for col in site.truth.columns:
            if not col.blank:
                continue
            got = fetch(site.abs(col.path))
            if got.status == 302:
                kinds.add("redirect")
            elif "暂无信息" in got.text or "正在建设中" in got.text:
                kinds.add("placeholder")
            else:
                kinds.add("empty")
                body = got.text[got.text.index("<body"):]  # not <head>: Hanweb's Maketime is no item
                assert "<record><![CDATA[" + "\n<li>" not in got.text, col
                assert not re.search(r"20\d\d[-/.年]\d{1,2}", body), col
    assert kinds == {"redirect", "placeholder", "empty"}


def test_pinned_items_sit_above_newer_ones(sites: dict[str, RunningSite]) -> None:
    trs = sites["trs"]
    col = trs.truth.column("政务要闻")
    text = fetch(trs.abs(col.path)).text
    pinned, newest = text.index("[置顶]"), text.index(col.latest_date.isoformat())
    assert pinned < newest
    assert "[置顶]" in fetch(sites["table"].abs(sites["table"].truth.column("通知公告").path)).text
    assert "【置顶】" in fetch(sites["hanweb"].abs(sites["hanweb"].truth.column("通知公告").path)).text


def test_trs_pagination_pages_exist(sites: dict[str, RunningSite]) -> None:
    trs = sites["trs"]
    path = trs.truth.column("政务要闻").path
    assert 'createPageHTML(5, 0, "index", "html");' in fetch(trs.abs(path)).text
    for n in range(1, 5):
        page = fetch(trs.abs(path.replace("index.html", f"index_{n}.html")))
        assert page.status == 200 and f'createPageHTML(5, {n}, "index", "html");' in page.text
    assert fetch(trs.abs(path.replace("index.html", "index_5.html"))).status == 404


def test_trs_articles_carry_pubdate(sites: dict[str, RunningSite]) -> None:
    trs = sites["trs"]
    col = trs.truth.column("政务要闻")
    text = fetch(trs.abs(col.path)).text
    href = re.search(r'href="(\./\d{6}/t(\d{8})_\d+\.html)"', text)
    assert href
    article = fetch(urljoin(trs.abs(col.path), href.group(1)))
    assert article.status == 200
    day = href.group(2)
    assert f'<meta name="PubDate" content="{day[:4]}-{day[4:6]}-{day[6:]}' in article.text


def test_hanweb_lists_live_in_script_cdata_and_a_hidden_tab(sites: dict[str, RunningSite]) -> None:
    hanweb = sites["hanweb"]
    text = fetch(hanweb.abs(hanweb.truth.column("工作动态").path)).text
    assert '<script type="text/xml"><datastore>' in text and "<record><![CDATA[" in text
    assert re.search(r'href="/art/\d{4}/\d{1,2}/\d{1,2}/art_1201_\d+\.html"', text)
    assert "[" + hanweb.truth.column("区县动态").latest_date.strftime("%m-%d") + "]" in fetch(
        hanweb.abs(hanweb.truth.column("区县动态").path)).text
    home = fetch(hanweb.url).text
    hidden = home[home.index('style="display:none;"'):]
    assert hanweb.truth.home_latest_date.strftime("%m-%d") in hidden.split("</div>")[0]


def test_broken_links_fail_as_truth_says(sites: dict[str, RunningSite]) -> None:
    reasons = set()
    for site in sites.values():
        for link in site.truth.broken_links:
            reasons.add(link.reason)
            assert link.url.startswith("http://127.0.0.1:")
            page = fetch(link.found_on_url)
            assert page.status == 200 and link.url in links_of(link.found_on_url, page.text), link
            got = fetch(link.url)
            assert got.status == link.status, link
            if link.reason == "refused":
                assert "refused" in got.error.lower(), got.error
            elif link.reason == "500":
                assert fetch(link.url).status == 500 and fetch(link.url, "HEAD").status == 500  # on retry too
            elif link.reason == "soft-404":
                title = re.search(r"<title>(.*?)</title>", got.text, re.S)
                assert "您访问的页面不存在" in got.text and title and "404" in title[1]
            elif link.reason == "404":
                assert fetch(link.url, "HEAD").status == 404
    assert reasons == {"404", "500", "refused", "soft-404"}


def test_slow_page_is_slow_but_fine(sites: dict[str, RunningSite], crawled: dict) -> None:
    slow = [(site, path) for site in sites.values() for path in site.truth.slow_paths]
    assert len(slow) == 1
    site, path = slow[0]
    got = crawled[site.key][site.abs(path)]  # fetched (and timed) by the crawl, linked from the site
    assert got.status == 200 and got.seconds >= 1.5
    assert path not in {link.path_or_url for link in site.truth.broken_links}


def test_the_whole_site_answers_as_truth_says(sites: dict[str, RunningSite], crawled: dict) -> None:
    """Crawl each site: every link works except the truth's broken ones, and those are all found."""
    all_bases = tuple(s.url for s in sites.values()) + tuple(
        u for s in sites.values() for u in s.truth.platforms.values())
    for key, site in sites.items():
        seen: dict[str, Fetched] = crawled[key]
        assert 30 < len(seen) < 150, (key, len(seen))
        broken = {link.url: link for link in site.truth.broken_links}
        redirect_ok = {site.abs(c.path) for c in site.truth.columns if c.blank}
        failed = {}
        for url, got in seen.items():
            if url in broken:
                continue
            if got.status == 302:
                assert url in redirect_ok, url
                continue
            if got.status != 200:
                failed[url] = got.status
            elif not url.startswith(site.url):
                assert url.startswith(all_bases) and url in site.truth.external_links, url
        assert not failed, f"{key}: unexpected failures {failed}"
        assert set(broken) <= set(seen), f"{key}: broken links not reachable from the home page"
        assert site.truth.external_links and set(site.truth.external_links) <= set(seen)


def test_truth_verdicts_follow_the_veto_rules(sites: dict[str, RunningSite]) -> None:
    for site in sites.values():
        truth = site.truth
        assert truth.vetoes == vetoes(truth, T0), site.key
        assert truth.verdict == ("fail" if truth.vetoes else "pass")
    trs, hanweb, table = (counts(sites[k].truth, T0) for k in ("trs", "hanweb", "table"))
    assert not trs.home_stale and trs.a < 5 and trs.b < 10 and 1 <= trs.c <= 2 and trs.a + trs.b > 0
    assert not hanweb.home_stale and hanweb.a >= 5 and hanweb.c < 5
    assert table.home_stale and table.c == 5 and table.a < 5
    # W-V5: hanweb answered one letter late, table left one unanswered; trs's late answer is over a year old.
    assert [x.title for x in late_letters(sites["hanweb"].truth, T0)] == ["反映城西养殖场粪污直排问题"]
    assert [x.title for x in late_letters(sites["table"].truth, T0)] == ["关于农村饮水安全的反映"]
    assert not late_letters(sites["trs"].truth, T0)
    old = sites["trs"].truth.features.boards[0].letters[-1]
    assert old.replied - old.asked > timedelta(days=100) and T0 - old.asked > timedelta(days=365)
    assert sites["table"].truth.home_latest_date <= T0 - timedelta(days=20)
    # A level-2 policy column may be stale without counting under W-V4 (a).
    assert sites["trs"].truth.column("规范性文件").latest_date < T0 - timedelta(days=183)


def test_no_date_sits_on_a_threshold(sites: dict[str, RunningSite]) -> None:
    """Three days of slack either side of every threshold, so `<` versus `<=` never decides a test."""
    limits = {"news": 14, "notice": 183, "policy": 183, "should_update": 365}
    for site in sites.values():
        pairs = [(site.truth.home_latest_date, 14)]
        pairs += [(c.latest_date, limits[c.category]) for c in site.truth.columns
                  if c.latest_date and c.category in limits]
        features = site.truth.features
        for board in features.boards:
            replies = [x.replied for x in board.letters if x.replied]
            pairs.append((max(replies), 61))  # W-D10: a reply published in the 2 months before T0
            for letter in board.letters:
                pairs.append((letter.asked, 365))  # W-V5 (2): asked in the year before T0
                waited = ((letter.replied or T0) - letter.asked).days
                assert abs(waited - 91) > 3, (site.key, letter.title, waited)  # answered within 3 months?
        pairs += [(day, 183) for _, day in features.surveys if day]
        if features.service_stats:
            pairs.append((features.service_stats, 91))
        for day, limit in pairs:
            assert abs((T0 - day).days - limit) > 3, (site.key, day, limit)


def test_sites_build_for_any_time_point() -> None:
    for t0 in (date.today(), date(2024, 2, 29), date(2024, 1, 3)):
        with serve_test_sites(t0, ["hanweb"]) as [site]:
            assert site.key == "hanweb" and fetch(site.url).status == 200
            assert site.truth.home_latest_date == t0 - timedelta(days=1)
            assert site.truth.vetoes == vetoes(site.truth, t0)


def test_servers_shut_down_after_the_context() -> None:
    with serve_test_sites(T0, ["table"]) as [site]:
        ports = {urlsplit(u).port for u in [site.url, *site.truth.external_links]}
        assert len(ports) == 3  # its peers are served too: its links to them must work
        assert fetch(site.url).status == 200
    for port in ports:
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
    with pytest.raises(ValueError, match="unknown test site"), serve_test_sites(T0, ["nope"]):
        pass


# -- the indicators beyond the column vetoes (govwatch/demo/sites/truth.py SiteFeatures) ---------------------------


def test_boards_show_their_letters_as_truth_says(sites: dict[str, RunningSite]) -> None:
    for site in sites.values():
        for board in site.truth.features.boards:
            pages = [fetch(site.abs(board.path)).text]
            if site.key == "trs":
                pages += [fetch(site.abs(board.path.replace("index.html", f"index_{n}.html"))).text
                          for n in range(1, board.pages)]
            elif site.key == "table":
                pages += [fetch(site.abs(f"{board.path}?page={n}")).text for n in range(2, board.pages + 1)]
            listed = "".join(pages)
            assert ("信件统计" in listed) is board.statistics, site.key
            for letter in board.letters:
                assert letter.title in listed, (site.key, letter.title)
                own = fetch(site.abs(letter.path)).text
                assert any(form in own for form in date_texts(letter.asked)), letter.title
                if letter.replied:
                    assert any(form in own for form in date_texts(letter.replied)), letter.title
                else:
                    assert "回复时间" not in own and ("未回复" in own or "办理中" in own), letter.title


def test_guides_lack_exactly_their_missing_elements(sites: dict[str, RunningSite]) -> None:
    elements = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理机构", "收费标准", "办理时间", "联系电话",
                "办理流程")
    for site in sites.values():
        for guide in site.truth.features.guides:
            text = fetch(site.abs(guide.path)).text
            if site.key == "trs":
                shown = [e for e in elements if f"<th>{e}</th>" in text]
                assert [e for e in elements if e not in shown] == guide.missing
            else:
                assert "受理地点：" in text and len(guide.missing) == 9
            for form in guide.forms:
                got = fetch(site.abs(form))
                assert got.status == 200 and got.headers["content-type"] == "application/msword"


def test_policy_documents_link_their_interpretations_as_truth_says(sites: dict[str, RunningSite]) -> None:
    kinds = set()
    for site in sites.values():
        for doc in site.truth.features.policy_docs:
            links = {urlsplit(u).path for u in links_of(site.abs(doc.path), fetch(site.abs(doc.path)).text)}
            if doc.interpretation is None:
                assert not any(("/zcjd/" in p and "index" not in p) or "art_1207_" in p for p in links), doc.title
                kinds.add("none")
                continue
            assert doc.interpretation in links
            back = {urlsplit(u).path for u in links_of(site.abs(doc.interpretation),
                                                        fetch(site.abs(doc.interpretation)).text)}
            assert (doc.path in back) is doc.back_link
            kinds.add("both ways" if doc.back_link else "one way")
    assert kinds == {"none", "both ways", "one way"}


def test_search_footer_platforms_and_floating_window(sites: dict[str, RunningSite]) -> None:
    trs, hanweb, table = sites["trs"], sites["hanweb"], sites["table"]
    title = "县委常委会召开会议"
    got = fetch(trs.abs("/was5/web/search?channelid=200001&searchword=" + quote(title.encode("gbk"))))
    assert got.status == 200 and title in got.text and "共找到1条结果" in got.text
    assert "共找到0条结果" in fetch(trs.abs("/was5/web/search?searchword=" + quote("无此标题"))).text
    assert 'action="javascript:;"' in fetch(hanweb.url).text and "<form" not in fetch(table.url).text
    for site in sites.values():
        home = fetch(site.url).text
        footer = site.truth.features.footer
        for key in ("site_code", "icp", "police"):
            assert (footer[key] in home) if footer[key] else True, (site.key, key)
        assert ("_ideConac" in home) is footer["party_mark"]
        assert ("我为政府网站找错" in home) is site.truth.features.error_report
        assert ("position:fixed" in home) is (site.truth.features.floating_share > 0)
    platforms = trs.truth.platforms
    assert fetch(platforms["zwfw"]).status == 200
    assert fetch(platforms["zfwzzc"] + "check_web/errorInfo_querySiteInfo.action?sitecode=3699250001").status == 200
    right, = trs.truth.features.portal_links
    assert right == (platforms["zwfw"], True)
    wrong, = hanweb.truth.features.portal_links
    assert wrong[0].startswith(trs.url) and wrong[1] is False
