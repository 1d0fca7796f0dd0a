"""`python -m govwatch.demo.sites [--t0 YYYY-MM-DD] [--site KEY ...]`: serve the test sites until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import date

from .server import SITE_KEYS, serve_test_sites


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM too: leave the `with` so the servers close their sockets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govwatch.demo.sites", description=__doc__)
    parser.add_argument("--t0", type=date.fromisoformat, default=date.today(),
                        help="monitoring time point the site dates are relative to (default: today)")
    parser.add_argument("--site", action="append", choices=SITE_KEYS, dest="keys",
                        help="serve only this site (repeatable; its peers are served too)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with serve_test_sites(args.t0, args.keys) as sites:
        print(f"test sites for T0 = {args.t0} (Ctrl-C to stop):", flush=True)
        for site in sites:
            t = site.truth
            print(f"  {site.key:7} {site.url:28} {site.name}  verdict={t.verdict} vetoes={sorted(t.vetoes)}",
                  flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
