"""Fixtures of the end-to-end suite: the emitted template, a distributor, deployed consumers.

Deploying takes seconds, so read-only tests share one deployment per module and case
(`consumer`, module scope); tests that change the stack get their own (`own_consumer`). A module
must not mix the two: `own_consumer` resets moto under the shared one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.consumer import CASES, Consumer, deploy_consumer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def template_body(tmp_path_factory) -> str:
    """The template exactly as the build writes build/template.json: `python -m generator`."""
    output = tmp_path_factory.mktemp("build") / "template.json"
    build = subprocess.run(
        [sys.executable, "-m", "generator", "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, f"python -m generator failed:\n{build.stderr}"
    return output.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def template(template_body) -> dict:
    return json.loads(template_body)


@pytest.fixture(autouse=True)
def moto_for_every_test(moto_endpoint, monkeypatch) -> None:
    """boto3 in the test body talks to the moto server (the shared fixture clears the variable)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)


@pytest.fixture(scope="module", params=CASES, ids=[case.name for case in CASES])
def consumer(request, template_body, moto_endpoint) -> Iterator[Consumer]:
    """A consumer deployed once per test module and case; its tests must not change it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield deploy_consumer(request.param, template_body, moto_endpoint, monkeypatch)


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
def own_consumer(request, template_body, moto_endpoint, monkeypatch) -> Consumer:
    """A consumer deployed for this test alone, which it may change or delete."""
    return deploy_consumer(request.param, template_body, moto_endpoint, monkeypatch)
