"""W-V2 站点无法访问: the stored probes of the week before T0.

"监测1周，每天间隔性访问20次以上，超过（含）15秒网站仍打不开的次数累计占比超过（含）5%，即单项否决。"
A probe fails when it did not get the whole home page (error, HTTP >= 400, not HTML) or took the
limit or longer. Too few probes on any day of the window is not a pass: it is reported as
insufficient evidence, and the share seen so far is shown.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rules.findings import Finding
from rules.observations import ProbeObs, SiteObs
from rules.profile import Indicator, Profile


def _local_day(probe: ProbeObs, zone: ZoneInfo) -> date:
    return probe.probed_at.replace(tzinfo=UTC).astimezone(zone).date()


def failed(probe: ProbeObs, limit_ms: float) -> bool:
    return not probe.ok or (probe.elapsed_ms is not None and probe.elapsed_ms >= limit_ms)


def availability(obs: SiteObs, as_of: date, ind: Indicator, profile: Profile) -> list[Finding]:
    p = ind.params
    days = int(p.get("days", 7))
    per_day = int(p.get("min_probes_per_day", 20))
    share_limit = float(p.get("failure_share", 0.05))
    limit_ms = float(p.get("timeout_seconds", 15)) * 1000
    zone = ZoneInfo(str(p.get("timezone", "Asia/Shanghai")))
    first = as_of - timedelta(days=days)
    start = datetime.combine(first, time(), zone).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(as_of, time(), zone).astimezone(UTC).replace(tzinfo=None)
    probes = obs.probes_between(start, end)
    counts = {first + timedelta(days=n): [0, 0] for n in range(days)}
    bad: list[ProbeObs] = []
    for probe in probes:
        day = _local_day(probe, zone)
        if day not in counts:
            continue
        counts[day][0] += 1
        if failed(probe, limit_ms):
            counts[day][1] += 1
            bad.append(probe)
    total = sum(n for n, _ in counts.values())
    failures = sum(f for _, f in counts.values())
    share = failures / total if total else None
    per_day_evidence = [{"day": d.isoformat(), "probes": n, "failures": f} for d, (n, f) in counts.items()]
    window = f"{first.isoformat()}至{(as_of - timedelta(days=1)).isoformat()}"
    short = [d for d, (n, _) in counts.items() if n < per_day]
    failing = [{"probed_at": b.probed_at.isoformat(timespec="seconds") + "Z", "status": b.status,
                "elapsed_ms": b.elapsed_ms, "error_class": b.error_class, "error": b.error} for b in bad[:50]]
    share_text = f"{failures}/{total}（{share:.1%}）" if share is not None else "0/0"
    if short:
        return [Finding(ind.id, ind.title, "insufficient",
                        f"{window}共探测{total}次，{len(short)}天不足每天{per_day}次，证据不足，无法核验"
                        f"（已见失败{share_text}）",
                        [{"window": window, "per_day": per_day_evidence, "failed": failing}])]
    if share is not None and share >= share_limit:
        return [Finding(ind.id, ind.title, ind.kind,
                        f"{window}共探测{total}次，打不开{share_text}，达到{share_limit:.0%}",
                        [{"window": window, "per_day": per_day_evidence, "failed": failing}])]
    return [Finding(ind.id, ind.title, "ok", f"{window}共探测{total}次，打不开{share_text}",
                    [{"window": window, "per_day": per_day_evidence, "failed": failing}])]


CHECKS = {"availability": availability}
