"""The trigger's log lines as a test reads them from captured stdout, including late ones."""

from __future__ import annotations

import json
import time

WAIT = 10  # seconds to wait at most for a line a background thread prints


def log_lines(capsys) -> list[dict]:
    """The JSON log lines printed since the last read."""
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def raw_lines_until(capsys, message: str, seconds: float = WAIT) -> list[str]:
    """Every line printed, read until one with `message` came (a thread may print it late)."""
    lines, until = [], time.monotonic() + seconds
    while time.monotonic() < until:
        lines += capsys.readouterr().out.splitlines()
        if any(json.loads(line)["message"] == message for line in lines):
            break
        time.sleep(0.05)
    return lines


def wait_for_log(capsys, message: str, seconds: float = 5) -> list[dict]:
    """The log lines with `message`, waiting for a background thread to print them."""
    lines = [json.loads(line) for line in raw_lines_until(capsys, message, seconds)]
    return [line for line in lines if line["message"] == message]
