"""Stand-ins for the platforms outside a government site that the indicators name: the province's
政务服务网 (江西政务服务网 here: the test sites' 网站标识码 start with 36) and the 国办 "我为政府网站找错"
platform. They are served on 127.0.0.1 beside the test sites; profiles used in tests name their
hosts (settings.service_portals, settings.error_report_hosts)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from .model import BuildContext, Response, SiteBuild, html_page
from .truth import SiteTruth

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="header"><h1>{title}</h1></div><div class="main"><p>{body}</p></div></body></html>
"""


def _truth(key: str, name: str) -> SiteTruth:
    return SiteTruth(key=key, name=name, code="", unit="", group="", home_latest_date=None, columns=[],
                     broken_links=[], vetoes=set(), verdict="pass")


def zwfw(ctx: BuildContext) -> SiteBuild:
    pages = {
        "/": html_page(PAGE.format(title="江西政务服务网", body="一网通办　就近可办　全省通办")),
        "/robots.txt": Response(body=b"User-agent: *\nDisallow:\n", content_type="text/plain"),
    }
    return SiteBuild(pages=pages, truth=_truth("zwfw", "江西政务服务网"))


def zfwzzc(ctx: BuildContext) -> SiteBuild:
    def site_info(query: str) -> Response:
        code = dict(parse_qsl(query)).get("sitecode", "")
        if not code:
            return Response(status=404, body=b"not found", content_type="text/plain")
        return html_page(PAGE.format(title="我为政府网站找错", body=f"网站标识码：{code}　请选择问题类型并填写问题描述。"))

    pages = {"/": html_page(PAGE.format(title="我为政府网站找错", body="政府网站找错平台"))}
    return SiteBuild(pages=pages, truth=_truth("zfwzzc", "我为政府网站找错"),
                     dynamic={"/check_web/errorInfo_querySiteInfo.action": site_info})


BUILDERS = {"zwfw": zwfw, "zfwzzc": zfwzzc}
