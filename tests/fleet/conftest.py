"""Fixtures of the fleet status tests: moto with the Insights glue, a distributor, the command."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from generator.cli import main
from testkit.fleet import REGION, STACK
from testkit.insights import Insights, install


@dataclass(frozen=True)
class Run:
    """One run of `fleet`: exit status and what it printed."""

    status: int
    out: str
    err: str


@pytest.fixture
def insights(monkeypatch) -> Insights:
    """moto's Logs Insights with the fleet query's filter and stats (testkit/insights.py)."""
    return install(monkeypatch)


@pytest.fixture
def fleet(aws, insights, capsys):
    """Run `build-artifact-consumer fleet` in this process against moto."""

    def run(*options: str, stack: str = STACK) -> Run:
        capsys.readouterr()
        status = main(["fleet", "--distributor-stack", stack, "--region", REGION, *options])
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return run
