"""Row 6: a copy over a model of one Lambda's network, against the ideal and the user's one line.

The endpoint paces every byte (see `benchmarks.network`): 20 ms before each answer, 48 MiB/s per
connection, 96 MiB/s for all the function's connections (in each direction). The ideal copy
streams the artifact at one download's rate and pays three round trips: the source's first byte,
the last part's answer and CompleteMultipartUpload's answer (HeadObject and CreateMultipartUpload
overlap the download).
"""

from __future__ import annotations

import statistics
from pathlib import Path

from benchmarks.harness import Run
from benchmarks.measures import MIB, Copies, Settings, mib
from benchmarks.report import Row, verdict

LATENCY = 0.020  # seconds to the first byte of every answer
CONNECTION_RATE = 48 * MIB  # bytes per second of one connection
FUNCTION_RATE = 96 * MIB  # bytes per second of all the function's connections, each direction
ROUND_TRIPS = 3
TARGETS = {16 * MIB: 1.3, 256 * MIB: 1.1, 1024 * MIB: 1.1}  # handler / ideal, at most
USER_CODE = "upload_fileobj(urlopen(url))"
# Over HTTPS botocore sends S3 bodies unsigned (UNSIGNED-PAYLOAD, a CRC-32 checksum instead); to
# this plain-HTTP endpoint it would first SHA-256 each part, in series, which S3 would not cost.
HTTPS_LIKE = "[default]\ns3 =\n    payload_signing_enabled = false\n"


def ideal(size: int) -> float:
    """Seconds of the ideal copy: the bytes at one stream's rate, plus the round trips."""
    return size / CONNECTION_RATE + ROUND_TRIPS * LATENCY


def endpoint_cost(run: Run) -> float:
    """The endpoint's CPU seconds per byte it moved (sent and received) during the run."""
    moved = run.stats.get("bytes_received", 0) + run.stats.get("bytes_sent", 0)
    return run.stats.get("cpu_seconds", 0.0) / moved if moved else 0.0


def serial_cost(run: Run) -> float:
    """The sink's seconds per byte between a body's last byte and its answer (its CRC-32)."""
    done = run.stats.get("crc_bytes", 0)
    return run.stats.get("crc_seconds", 0.0) / done if done else 0.0


def endpoint_seconds(run: Run) -> float:
    """The endpoint's time in series with the copy, which S3 would not add.

    The buckets refill by the wall clock, so the endpoint's work on a paced slice overlaps the
    wait for the next one (`endpoint_cost` at the model's 96 MiB/s is a fraction of a core). What
    is in series is what the sink does after a part's last byte and before its answer, CRC-32 of
    the part; the copy waits for that of one part at least, the largest at most.
    """
    return serial_cost(run) * max(run.part_sizes, default=0)


def net_seconds(run: Run) -> float:
    return run.seconds - endpoint_seconds(run)


def summary(runs: list[Run]) -> tuple[float, str]:
    """Median of the net seconds, and a log line: spread, parts, the endpoint's cost."""
    net = [net_seconds(run) for run in runs]
    median = statistics.median(net)
    run = runs[0]
    cost = statistics.median(endpoint_cost(r) for r in runs) * MIB * 1000
    serial = statistics.median(serial_cost(r) for r in runs) * MIB * 1000
    subtracted = statistics.median(endpoint_seconds(r) for r in runs) * 1000
    cpu = [r.cpu_seconds for r in runs]
    sent = statistics.median(r.stats["bytes_sent"] / r.stats["source_seconds"] / MIB for r in runs)
    line = (
        f"{median:.3f} s (spread {min(net):.3f} to {max(net):.3f} s over {len(runs)}; "
        f"{len(run.part_sizes)} parts of up to {max(run.part_sizes) / MIB:.1f} MiB; source sent "
        f"at {sent:.1f} MiB/s; endpoint CPU "
        f"{cost:.2f} ms per MiB moved, in series {serial:.2f} ms per MiB received, "
        f"{subtracted:.1f} ms subtracted; worker CPU {statistics.median(cpu):.2f} s; "
        f"raw {[round(r.seconds, 3) for r in runs]})"
    )
    return median, line


def https_like(copies: Copies) -> None:
    """Workers sign S3 requests as over HTTPS: a config file without payload signing."""
    config = Path(copies.workdir) / "https-like.config"
    config.write_text(HTTPS_LIKE, encoding="utf-8")
    copies.env["AWS_CONFIG_FILE"] = str(config)


def network_rows(copies: Copies, settings: Settings, log) -> list[Row]:
    """Row 6 per size: the handler (gated against the ideal) and the user's one line (info)."""
    https_like(copies)
    rows = []
    for size in settings.network_sizes:
        handler, user = [], []
        for _ in range(settings.network_repeat):  # interleaved, so both see the same machine
            handler.append(copies.handler([[size]])[0])
            user.append(copies.fileobj(size))
        best = ideal(size)
        handler_s, handler_line = summary(handler)
        user_s, user_line = summary(user)
        log(f"  {mib(size)}: ideal {best:.3f} s")
        log(f"    handler: {handler_line}")
        log(f"    {USER_CODE}: {user_line}")
        target = TARGETS.get(size)
        where = f"over the modelled network, {mib(size)}"
        rows += [
            Row(
                "6",
                f"copy {where} (handler: {len(handler[0].part_sizes)} parts)",
                f"{handler_s:.2f} s",
                f"ideal {best:.2f} s",
                f"{handler_s / best:.2f}",
                f"<= {target} x ideal" if target else "(info)",
                verdict(handler_s / best <= target) if target else "info",
                note=f"{handler_line}; {USER_CODE}: {user_s:.2f} s",
            ),
            Row(
                "6",
                f"`{USER_CODE}` {where} ({len(user[0].part_sizes)} parts)",
                f"{user_s:.2f} s",
                f"ideal {best:.2f} s; handler {handler_s:.2f} s",
                f"{user_s / best:.2f}",
                "(comparison)",
                "info",
            ),
        ]
    return rows
