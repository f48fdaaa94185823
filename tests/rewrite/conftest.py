"""Fixtures for the template-rewriting tests: a `rewrite` call with the consumer's defaults."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.rewrite.names import SOURCE, SOURCE_REGION, TARGET, TARGET_REGION

Rewrite = Callable[..., "bytes | None"]


@pytest.fixture
def rewrite(copy_files) -> Rewrite:
    """`copy_files.rewrite_template` (source and inlined) for one artifact, str or bytes body.

    The defaults are one distributor (SOURCE in SOURCE_REGION) and one consumer (TARGET in
    TARGET_REGION); a test overrides only what it is about.
    """

    def call(
        body: str | bytes,
        key: str = "stacks/app.yaml",
        source: str = SOURCE,
        target: str = TARGET,
        source_region: str = SOURCE_REGION,
        target_region: str = TARGET_REGION,
    ) -> bytes | None:
        data = body.encode() if isinstance(body, str) else body
        return copy_files.rewrite_template(key, data, source, target, source_region, target_region)

    return call
