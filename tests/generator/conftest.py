"""Fixtures for the template rule tests: the emitted template as a dict, and lookups into it."""

from __future__ import annotations

import pytest

from testkit.handlers import emitted_template


@pytest.fixture(scope="session")
def template() -> dict:
    """The consumer template as `python -m generator` builds it from the current sources."""
    return emitted_template()


@pytest.fixture(scope="session")
def resources(template) -> dict:
    return template["Resources"]


def of_type(resources: dict, resource_type: str) -> dict:
    """The resources of one type, by logical id."""
    return {k: v for k, v in resources.items() if v["Type"] == resource_type}


def only(resources: dict, resource_type: str) -> tuple[str, dict]:
    """The one resource of `resource_type` (fails when there are none or several)."""
    found = of_type(resources, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.items()))
