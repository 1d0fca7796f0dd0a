"""IPv6 reachability of a site (W-D16): its AAAA records, and the home page fetched over IPv6 where
this machine can reach IPv6 at all; where it cannot, the fetch is "not testable", said as such.

Blocking (DNS, sockets): the publishing observer runs `check_ipv6` in a thread
(`PageContext.in_thread`), never in the reactor.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import ssl
from collections.abc import Callable
from typing import Any

Resolver = Callable[..., list]

NO_RECORD = {getattr(socket, name) for name in ("EAI_NODATA", "EAI_NONAME", "EAI_ADDRFAMILY") if hasattr(socket, name)}


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def has_route(address: str) -> bool:
    """Whether this machine has a route to an IPv6 address (a UDP connect sends no packet)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.connect((address, 9))
        return True
    except OSError:
        return False


def fetch_over(address: str, host: str, port: int, scheme: str, path: str, timeout: float) -> int:
    """GET `path` from `address` with the site's Host header; returns the HTTP status."""
    with socket.create_connection((address, port), timeout=timeout) as raw:
        sock: Any = raw
        if scheme == "https":
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(raw, server_hostname=host if not _literal(host) else None)
        request = (f"GET {path or '/'} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: govwatch/0.1 (IPv6 check)\r\n"
                   "Accept: text/html\r\nConnection: close\r\n\r\n")
        sock.sendall(request.encode("ascii", "ignore"))
        head = b""
        while b"\r\n" not in head and len(head) < 4096:
            chunk = sock.recv(1024)
            if not chunk:
                break
            head += chunk
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise OSError(f"not an HTTP answer: {line[:60]!r}")
    return int(parts[1])


def check_ipv6(host: str, port: int, scheme: str = "http", path: str = "/", timeout: float = 8.0,
               resolver: Resolver = socket.getaddrinfo,
               route: Callable[[str], bool] = has_route) -> dict[str, Any]:
    """{"host", "lookup": found|none|error|skipped, "aaaa", "fetch": ok|failed|not_testable, "status",
    "reason"}."""
    result: dict[str, Any] = {"host": host, "lookup": None, "aaaa": [], "fetch": "not_testable", "status": None,
                              "reason": None}
    literal = _literal(host)
    if isinstance(literal, ipaddress.IPv4Address):
        result.update(lookup="skipped", reason="网站以IPv4地址访问，无域名可查AAAA记录")
        return result
    if isinstance(literal, ipaddress.IPv6Address):
        result.update(lookup="found", aaaa=[str(literal)])
    else:
        try:
            infos = resolver(host, port, socket.AF_INET6, socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if exc.errno in NO_RECORD:
                result.update(lookup="none", reason=f"无AAAA记录（{exc.strerror or exc}）")
            else:
                result.update(lookup="error", reason=f"AAAA查询失败：{exc.strerror or exc}")
            return result
        except OSError as exc:
            result.update(lookup="error", reason=f"AAAA查询失败：{exc}")
            return result
        addresses = []
        for info in infos:
            address = info[4][0]
            if address not in addresses and not ipaddress.ip_address(address.split("%")[0]).ipv4_mapped:
                addresses.append(address)
        if not addresses:
            result.update(lookup="none", reason="无AAAA记录")
            return result
        result.update(lookup="found", aaaa=addresses)
    address = result["aaaa"][0]
    if not route(address):
        result.update(fetch="not_testable", reason="本机没有IPv6网络，无法经IPv6访问")
        return result
    try:
        status = fetch_over(address, host, port, scheme, path, timeout)
    except (OSError, ssl.SSLError) as exc:
        code = errno.errorcode.get(getattr(exc, "errno", None) or 0, "")
        reason = f"{exc.__class__.__name__}: {exc}".strip() + (f" ({code})" if code else "")
        result.update(fetch="failed", reason=reason)
        return result
    if status >= 400:
        result.update(fetch="failed", status=status, reason=f"HTTP {status}")
    else:
        result.update(fetch="ok", status=status)
    return result
