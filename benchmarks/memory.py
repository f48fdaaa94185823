"""Peak RSS and CPU time of another process, observed from this one (Linux /proc).

Two observations, the larger wins: VmRSS polled every few milliseconds by a thread, and the
kernel's own high-water mark VmHWM, reset to the current RSS just before the measured part by
writing 5 to /proc/PID/clear_refs (when permitted), so no short spike between polls is missed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

MIB = 1 << 20


def status_kib(pid: int, field: str) -> int:
    """A `Vm*` field of /proc/PID/status in KiB (0 once the process is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (all its threads), from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PeakRss:
    """`with PeakRss(pid) as peak:` ... then `peak.growth_mib`: peak RSS minus RSS at entry."""

    def __init__(self, pid: int, interval: float = 0.005) -> None:
        self.pid = pid
        self.interval = interval
        self.baseline = self.peak = 0
        self.hwm_reset = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> PeakRss:
        self.baseline = self.peak = status_kib(self.pid, "VmRSS")
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self._thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, status_kib(self.pid, "VmRSS"))

    def stop(self) -> None:
        """Stop sampling; call while the process still lives, so VmHWM can be read."""
        self._stop.set()
        self._thread.join()
        if self.hwm_reset:
            self.peak = max(self.peak, status_kib(self.pid, "VmHWM"))

    def __exit__(self, *exc) -> None:
        if not self._stop.is_set():
            self.stop()

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.baseline) / 1024
