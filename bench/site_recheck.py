"""How long `govwatch recheck URL` takes for each simulated site (govwatch/demo/sites), end to end as a user runs it
(a child process: settings, database, crawl with Chromium, judging, printing), and the most requests the
site had in flight at once.

    PYTHONPATH=. python bench/site_recheck.py [--runs 3] [--slow 1.0] [--site table]

`--slow S` makes every page of the sites given by `--site` answer after S seconds (the "small, old
table-layout site with slow pages" of issue 8, item 15): a recheck that reads pages one after the other
takes (pages × S) seconds, one that reads them within the per-host limit about a quarter of that.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from govwatch.demo.sites import server as site_server
from govwatch.demo.sites.server import SITE_KEYS, serve_test_sites
from tests.cli_support import govwatch

T0 = date(2023, 11, 20)


class Counting:
    """Wraps the test sites' request handler: a delay for the slowed ports, requests in flight per port."""

    def __init__(self, slow: float) -> None:
        self.slow = slow
        self.slowed: set[int] = set()
        self.in_flight: dict[int, int] = {}
        self.most: dict[int, int] = {}
        self.lock = threading.Lock()
        original = site_server._Handler._answer
        counting = self

        def answer(handler, with_body: bool) -> None:  # noqa: ANN001
            port = handler.server.server_address[1]
            with counting.lock:
                counting.in_flight[port] = counting.in_flight.get(port, 0) + 1
                counting.most[port] = max(counting.most.get(port, 0), counting.in_flight[port])
            try:
                if port in counting.slowed:
                    time.sleep(counting.slow)
                original(handler, with_body)
            finally:
                with counting.lock:
                    counting.in_flight[port] -= 1

        site_server._Handler._answer = answer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--slow", type=float, default=0.0, help="seconds every page of --site waits")
    parser.add_argument("--site", action="append", choices=SITE_KEYS, help="the sites to recheck (default all)")
    args = parser.parse_args()
    keys = args.site or list(SITE_KEYS)
    counting = Counting(args.slow)
    with tempfile.TemporaryDirectory() as tmp, serve_test_sites(T0) as sites:
        by_key = {site.key: site for site in sites}
        for key in keys:
            port = int(by_key[key].url.rstrip("/").rsplit(":", 1)[1])
            if args.slow:
                counting.slowed.add(port)
            times = []
            for _ in range(args.runs):
                counting.most.pop(port, None)
                result = govwatch(Path(tmp), "recheck", by_key[key].url, "--as-of", T0.isoformat(), "--json")
                assert result.code == 0, result.stderr[-3000:]
                times.append(result.seconds)
            print(f"{key}: median {statistics.median(times):.1f} s, max {max(times):.1f} s ({args.runs} runs), "
                  f"slow {args.slow if port in counting.slowed else 0:.1f} s/page, "
                  f"most in flight {counting.most.get(port, 0)}", flush=True)


if __name__ == "__main__":
    main()
