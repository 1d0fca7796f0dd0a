"""Certificate checks, apart from fetching: a site with a bad certificate is still read and judged,
and the certificate problem is reported on its own."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass

from config.vocabulary import reason


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    host: str
    port: int
    ok: bool
    error: str | None


def check_certificate(host: str, port: int = 443, timeout: float = 10.0) -> CertificateCheck:
    """Verify the chain and host name as a browser would (blocking: run it in a thread)."""
    context = ssl.create_default_context()
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host):
                return CertificateCheck(host, port, True, None)
    except ssl.SSLCertVerificationError as exc:
        return CertificateCheck(host, port, False, reason("cert_untrusted", error=exc.verify_message))
    except ssl.SSLError as exc:
        return CertificateCheck(host, port, False, reason("tls_handshake", error=exc.reason or exc))
    except OSError as exc:
        return CertificateCheck(host, port, False, reason("tls_connect", error=exc.strerror or exc))
