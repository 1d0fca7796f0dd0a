"""A county site for the content checks, served on 127.0.0.1: crafted true hits (a wrong leader title,
a broken fixed phrase, a typo, a hidden gambling link, a page cloaked for Baiduspider, an ID number
in a PDF attachment) beside their false friends (路口交通, leaders with their right titles, 环境保护部门,
a visible footer link to the 公安备案 site, a visible link to a news site).

`TRUTH` lists what the content records must hold ((record kind, what)); `FALSE_FRIENDS` what they
must not. `ContentHandler` serves it; `CLEAN` is the same site without any of the true hits.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

ID_NUMBER = "11010519491231002X"  # GB 11643's published example number (valid check digit)
GAMBLING = "http://www.bet-win-example.com/"
CLOAKED = "http://casino-example.net/"


def pdf_with_text(lines: list[str]) -> bytes:
    """A minimal one-page PDF with ASCII text lines (Helvetica), xref offsets computed."""
    content = "BT /F1 12 Tf 72 720 Td " + " ".join(f"({line}) Tj 0 -16 Td" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _page(title: str, body: str, *, date: str = "2023-11-15") -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title><meta name='PubDate' content='{date}'></head>"
            "<body><div class='nav'><a href='/'>首页</a><a href='/tzgg/'>通知公告</a></div>"
            f"<div class='content'><h1>{title}</h1>{body}</div>"
            "<div class='footer'>主办单位：示范县人民政府办公室 <a href='http://www.beian.gov.cn/portal/registerSystemInfo'>"
            "京公网安备 11010502000001号</a></div></body></html>")


def site_pages(dirty: bool) -> dict[str, tuple[str, bytes]]:
    hidden = (f"<div style='display:none'><a href='{GAMBLING}'>百家乐 真人荷官</a></div>" if dirty else "")
    home = ("<html><head><meta charset='utf-8'><title>示范县人民政府</title></head><body>"
            "<div class='nav'><a href='/'>首页</a><a href='/tzgg/'>通知公告</a></div>"
            "<div class='news'><ul>"
            "<li><a href='/art/a1.html'>县政府召开常务会议</a><span>2023-11-15</span></li>"
            "<li><a href='/art/a2.html'>关于开展道路交通安全整治的通知</a><span>2023-11-14</span></li>"
            "<li><a href='/art/a3.html'>生态环境保护工作推进会召开</a><span>2023-11-13</span></li>"
            "</ul></div>"
            "<p>深入学习贯彻习近平新时代中国特色社会主义思想，以习近平同志为核心的党中央坚强领导。</p>"
            "<p><a href='http://www.people.com.cn/'>人民网</a></p>"
            f"{hidden}"
            "<div class='footer'>主办单位：示范县人民政府办公室 "
            "<a href='http://www.beian.gov.cn/portal/registerSystemInfo'>京公网安备 11010502000001号</a></div>"
            "</body></html>")
    wrong_title = "习近平总理主持召开会议，" if dirty else "习近平总书记主持召开会议，"
    a1 = _page("县政府召开常务会议",
               f"<p>会议传达学习{wrong_title}国务院总理李强、国务院副总理丁薛祥出席。</p>"
               "<p>会议强调，中华人民共和国成立以来，各级政府始终坚持人民至上。</p>")
    phrase = "中华人民共合国道路交通安全法" if dirty else "中华人民共和国道路交通安全法"
    a2 = _page("关于开展道路交通安全整治的通知",
               f"<p>根据《{phrase}》，县公安局将在各路口交通高峰时段开展整治。</p>"
               "<p>附件：<a href='/files/list.pdf'>整治人员名单.pdf</a></p>")
    typo = "县攻府各部门要" if dirty else "县政府各部门要"
    a3 = _page("生态环境保护工作推进会召开",
               f"<p>{typo}加强秸秆禁烧，各级环境保护部门要履职尽责，联系电话：0833-1234567。</p>")
    lines = ["Name list", f"Zhang San ID {ID_NUMBER}" if dirty else "Zhang San ID withheld", "Phone 0833-1234567"]
    tzgg = ("<html><head><meta charset='utf-8'><title>通知公告</title></head><body>"
            "<div class='nav'><a href='/'>首页</a></div><ul>"
            "<li><a href='/art/a2.html'>关于开展道路交通安全整治的通知</a><span>2023-11-14</span></li>"
            "<li><a href='/art/a3.html'>生态环境保护工作推进会召开</a><span>2023-11-13</span></li>"
            "</ul></body></html>")
    html = "text/html; charset=utf-8"
    return {"/": (html, home.encode()), "/tzgg/": (html, tzgg.encode()), "/art/a1.html": (html, a1.encode()),
            "/art/a2.html": (html, a2.encode()), "/art/a3.html": (html, a3.encode()),
            "/files/list.pdf": ("application/pdf", pdf_with_text(lines))}


# What the dirty site's records must show, and what neither site's may.
TRUTH = {("dark_link", GAMBLING), ("cloaking", CLOAKED), ("content_hit", "习近平总理"),
         ("content_hit", "中华人民共合国"), ("content_hit", "攻府"), ("personal_data", "1101************2X")}
FALSE_FRIENDS = {("content_hit", "口交"), ("content_hit", "环境保护部"), ("content_hit", "国务院总理李强"),
                 ("content_hit", "李强"), ("dark_link", "http://www.beian.gov.cn/portal/registerSystemInfo"),
                 ("dark_link", "http://www.people.com.cn/"), ("content_hit", "习近平总书记")}


def handler(dirty: bool) -> type[BaseHTTPRequestHandler]:
    pages = site_pages(dirty)

    class ContentHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            content_type, body = pages.get(self.path, ("text/html", b"not found"))
            if self.path == "/" and dirty and "Baiduspider" in (self.headers.get("User-Agent") or ""):
                body = body.replace(b"</body>", f"<p><a href='{CLOAKED}'>在线赌场</a></p></body>".encode())
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", pages.get(self.path, ("text/html", b""))[0])
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return ContentHandler
