"""Fixtures of the fleet status tests: moto with the Insights glue, a distributor, the command."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from generator.cli import main
from tests.fleet.distributor import REGION, STACK
from tests.fleet.insights_glue import insights  # noqa: F401 - a fixture


@dataclass(frozen=True)
class Run:
    """One run of `fleet`: exit status and what it printed."""

    status: int
    out: str
    err: str


@pytest.fixture
def fleet(aws, insights, capsys):  # noqa: F811 - the fixture above
    """Run `build-artifact-consumer fleet` in this process against moto."""

    def run(*options: str, stack: str = STACK) -> Run:
        capsys.readouterr()
        status = main(["fleet", "--distributor-stack", stack, "--region", REGION, *options])
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return run
