"""The answer on stdout: a table of consumers and the gaps, or the same as JSON (`--json`)."""

from __future__ import annotations

import json
from dataclasses import asdict

from generator.fleet.status import FleetStatus, Gap


def as_json(status: FleetStatus) -> str:
    """{"consumers": [...], "missing": [...], "outdated": [...]} (ARCHITECTURE.md, Fleet status)."""
    return json.dumps(
        {
            "consumers": [asdict(consumer) for consumer in status.consumers],
            "missing": [asdict(gap) for gap in status.missing],
            "outdated": [asdict(gap) for gap in status.outdated],
        },
        indent=2,
    )


def as_text(status: FleetStatus, heading: str) -> str:
    """A line per consumer (held/outdated/missing), then every missing and outdated key."""
    lines = [heading, f"{'account':<12}  {'region':<15} {'held':>7} {'outdated':>8} {'missing':>7}"]
    for c in status.consumers:
        lines.append(f"{c.account:<12}  {c.region:<15} {c.held:>7} {c.outdated:>8} {c.missing:>7}")
    for name, gaps in (("missing", status.missing), ("outdated", status.outdated)):
        if gaps:
            lines.append(f"{name} ({len(gaps)}):")
            lines += [gap_line(gap) for gap in gaps]
    complete = sum(1 for c in status.consumers if not c.outdated and not c.missing)
    lines.append(
        f"{complete} of {len(status.consumers)} consumers hold every artifact addressed to them; "
        f"{len(status.missing)} missing, {len(status.outdated)} outdated"
    )
    return "\n".join(lines)


def gap_line(gap: Gap) -> str:
    """One missing or outdated artifact of one consumer."""
    return f"  {gap.account:<12}  {gap.region:<15} {gap.key}"
