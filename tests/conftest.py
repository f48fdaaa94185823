"""Fixtures shared by every test: fake credentials, a moto server, handler modules."""

from __future__ import annotations

import os

import pytest
import requests

from testkit.handlers import FLAVOURS, load_handler
from testkit.moto_server import moto_server

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "AWS_REGION": "eu-central-1",
}


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch):
    """Never let a test reach a real account: fake credentials, no profile, no config file."""
    for name, value in FAKE_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@pytest.fixture(scope="session")
def moto_endpoint():
    """URL of a moto server on 127.0.0.1, shared by the session (reset it per test)."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def aws(moto_endpoint, monkeypatch):
    """Point boto3 at a freshly reset moto server; yields the endpoint URL."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    return moto_endpoint


@pytest.fixture(params=FLAVOURS)
def copy_files(request):
    """handlers/consumer/copy_files.py, as source and as inlined in the emitted template."""
    return load_handler("copy_files", request.param)


@pytest.fixture(params=FLAVOURS)
def initial_set_trigger(request):
    """handlers/consumer/initial_set_trigger.py: as source and as inlined in the template."""
    return load_handler("initial_set_trigger", request.param)


@pytest.fixture(params=FLAVOURS)
def publisher(request):
    """handlers/distributor/publisher.py: as source and as inlined in the distributor template."""
    return load_handler("publisher", request.param)


@pytest.fixture(params=FLAVOURS)
def initial_set(request):
    """handlers/distributor/initial_set.py: as source and as inlined in the distributor template."""
    return load_handler("initial_set", request.param)
