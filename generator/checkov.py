"""checkov skip annotations for resource Metadata: every skip carries its reason."""

from __future__ import annotations


def skips(*checks: tuple[str, str]) -> dict:
    """Metadata that tells checkov to skip `checks`, each given as (id, reason)."""
    return {"checkov": {"skip": [{"id": check, "comment": reason} for check, reason in checks]}}
