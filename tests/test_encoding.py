"""Decoding government pages whatever their headers claim (crawler/encoding.py)."""

from __future__ import annotations

import codecs

import pytest

from crawler.encoding import UndecodableError, decode_html, normalize_charset

CHINESE = "邯郸市人民政府 通知公告 关于开展安全生产大检查的通知"
RARE = "朱镕基 䶮"  # 镕 is GBK but not GB2312; 䶮 is GB18030 only (4-byte)


def page(meta: str = "", body: str = CHINESE) -> str:
    return f"<html><head>{meta}<title>政府网站</title></head><body><p>{body}</p></body></html>"


GBK_META = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'


def test_gbk_with_the_charset_only_in_meta() -> None:
    body = page(GBK_META).encode("gbk")
    decoded = decode_html(body)
    assert decoded.encoding == "gb18030"
    assert CHINESE in decoded.text
    assert decoded.declared == "gb2312"


def test_gb2312_label_on_gb18030_characters() -> None:
    body = page(GBK_META, CHINESE + RARE).encode("gb18030")
    decoded = decode_html(body, "gb2312")
    assert RARE in decoded.text
    assert decoded.encoding == "gb18030"


@pytest.mark.parametrize("header", ["utf-8", "UTF-8", "iso-8859-1", "text/html; charset=UTF-8", "windows-1252"])
def test_lying_header_on_a_gbk_page(header: str) -> None:
    body = page(GBK_META).encode("gbk")
    decoded = decode_html(body, header)
    assert CHINESE in decoded.text
    assert decoded.encoding == "gb18030"


def test_lying_header_and_no_meta() -> None:
    body = page().encode("gbk")
    decoded = decode_html(body, "utf-8")
    assert CHINESE in decoded.text
    assert decoded.encoding == "gb18030"


def test_meta_charset_html5_form() -> None:
    body = page('<meta charset="GBK">').encode("gbk")
    assert decode_html(body).encoding == "gb18030"


def test_utf8_page_labelled_gbk_is_read_as_utf8() -> None:
    # GB18030 would "decode" these bytes into mojibake without an error
    body = page(GBK_META).encode("utf-8")
    decoded = decode_html(body, "gbk")
    assert decoded.encoding == "utf-8"
    assert CHINESE in decoded.text


def test_plain_utf8() -> None:
    body = page('<meta charset="utf-8">').encode("utf-8")
    decoded = decode_html(body, "utf-8")
    assert decoded.text == page('<meta charset="utf-8">')
    assert decoded.encoding == "utf-8"
    assert decoded.declared == "utf-8"


def test_no_declaration_at_all() -> None:
    assert decode_html(page().encode("utf-8")).encoding == "utf-8"
    assert decode_html(page().encode("gbk")).encoding == "gb18030"
    ascii_page = decode_html(b"<html><body>hello</body></html>")
    assert ascii_page.text == "<html><body>hello</body></html>"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_bom_wins_over_declarations(bom: bytes, codec: str) -> None:
    text = page(GBK_META)
    decoded = decode_html(bom + text.encode(codec), "gbk")
    assert decoded.text == text
    assert decoded.encoding == codec


def test_genuine_latin1_page() -> None:
    body = b'<html><head><meta charset="iso-8859-1"></head><body><p>caf\xe9 cr\xe8me br\xfbl\xe9e</p></body></html>'
    decoded = decode_html(body)
    assert "café crème brûlée" in decoded.text
    assert decoded.encoding in ("iso8859-1", "latin-1")


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "Office 文档"),
        (b"<html>\x00\x01\x02\x03 binary", "二进制数据"),
    ],
)
def test_non_text_bodies_are_refused(body: bytes, what: str) -> None:
    with pytest.raises(UndecodableError) as info:
        decode_html(body, "utf-8")
    assert str(info.value).startswith("不是网页：内容是")
    assert what in str(info.value)


def test_undecodable_body_says_what_was_tried_and_where() -> None:
    body = b"<html><body>" + "通知".encode() + b"\x81\x20\xff\xfe</body></html>"
    with pytest.raises(UndecodableError) as info:
        decode_html(body, "gbk")
    message = str(info.value)
    assert "utf-8" in message and "gb18030" in message
    assert "第 18 个字节起无法解码" in message  # the first byte UTF-8 rejects: 12 bytes of tag + 6 of 通知
    assert "gbk" in message  # what was declared


def test_normalize_charset() -> None:
    assert normalize_charset("GB2312") == "gb18030"
    assert normalize_charset("x-gbk") == "gb18030"
    assert normalize_charset("cp936") == "gb18030"
    assert normalize_charset("UTF8") == "utf-8"
    assert normalize_charset("text/html; charset=gbk") == "gb18030"
    assert normalize_charset("no-such-codec") is None
    assert normalize_charset(None) is None


# -- a stray byte or NUL is a template slip, not an unreadable page (issue 8, item 4) -----------------------


def column_page(encoding: str) -> bytes:
    rows = "".join(f"<li><a href='/a{k}.html'>关于开展第{k}批安全生产检查工作的通知</a><span>2023-11-1{k}</span></li>"
                   for k in range(6))
    meta = f'<meta charset="{encoding}">'
    return page(meta, f"</p><ul>{rows}</ul><p>").encode(encoding)


@pytest.mark.parametrize(("encoding", "label"), [("gbk", "GBK"), ("utf-8", "UTF-8")])
def test_one_stray_byte_is_replaced_and_the_repair_recorded(encoding: str, label: str) -> None:
    body = column_page(encoding)
    at = body.index(b"2023-11-13") - 5
    bad = body[:at] + b"\xff" + body[at:]
    decoded = decode_html(bad, encoding)
    assert decoded.replaced == 1 and "\ufffd" in decoded.text
    assert decoded.repairs == [f"1 个字节无法按 {label} 解码，已替换"]
    # every other character reads as on the clean page
    assert decoded.text.replace("\ufffd", "") == decode_html(body, encoding).text


def test_a_clean_page_records_no_repair() -> None:
    decoded = decode_html(column_page("gbk"), "gbk")
    assert decoded.replaced == decoded.nul_removed == 0 and decoded.repairs == []


def test_many_bad_bytes_are_still_undecodable() -> None:
    body = column_page("gbk")
    noisy = b"".join(body[i:i + 40] + b"\xff" for i in range(0, len(body), 40))  # one bad byte in 40
    with pytest.raises(UndecodableError):
        decode_html(noisy, "gbk")


def test_a_nul_in_the_title_is_dropped_not_a_binary_page() -> None:
    body = column_page("gbk").replace("<title>政府网站".encode("gbk"), "<title>政府\x00网站".encode("gbk"))
    decoded = decode_html(body)
    assert "<title>政府网站</title>" in decoded.text and "\x00" not in decoded.text
    assert decoded.nul_removed == 1 and decoded.repairs == ["1 个空字符（NUL）已删除"]
