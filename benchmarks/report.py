"""The result table: printed as text, written as Markdown with the machine and the command."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

HEADER = ("#", "measure", "figure", "reference", "ratio", "target", "result")


@dataclass
class Row:
    """One line of the table; `result` is PASS, FAIL or info."""

    number: str
    measure: str
    figure: str
    reference: str
    ratio: str
    target: str
    result: str
    note: str = ""  # measured facts that explain a FAIL, listed under "Targets not met"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def text_table(rows: list[Row]) -> str:
    """Aligned columns for the terminal."""
    cells = [HEADER, *(astuple(row)[: len(HEADER)] for row in rows)]
    widths = [max(len(cell[i]) for cell in cells) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)) for cell in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        cells = [c.replace("|", "\\|") or "—" for c in astuple(row)[: len(HEADER)]]
        if row.result in ("PASS", "FAIL"):
            cells[-1] = f"**{row.result}**"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    """Cores, memory, CPU model, Python and boto3 versions."""
    memory = "?"
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / (1 << 20):.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores (`nproc`), {memory} memory, {cpu}; "
        f"Python {platform.python_version()}, boto3 {version('boto3')}, "
        f"s3transfer {version('s3transfer')}, moto {version('moto')}"
    )


def commit(root: Path | str) -> str:
    """The commit measured, and whether the handlers or generator differ from it."""
    if isinstance(root, str):
        return root

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "handlers", "generator")
    return head + (" (with uncommitted changes in handlers/ or generator/)" if dirty else "")


def markdown(rows: list[Row], command: str, root: Path | str, notes: str, load: str = "") -> str:
    """RESULTS.md: when, where, how to reproduce, the table, the targets not met, the method."""
    failed = [row for row in rows if row.result == "FAIL"]
    missed = "\n".join(
        f"- row {r.number}, {r.measure}: {r.figure} (target {r.target}). {r.note}".rstrip()
        for r in failed
    )
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- machine: {machine()}",
            f"- code: commit {commit(root)}; handlers as inlined in the emitted template",
            f"- command: `{command}`",
            *([f"- load: {load}"] if load else []),
            "",
            markdown_table(rows),
            "",
            "## Targets not met",
            "",
            missed or "None.",
            "",
            notes.strip(),
            "",
        ]
    )
