"""How an error message shows what the user gave: at most about 100 characters of it.

A defaults file can hold a 10 MB value, and a path or a name can be as long: quoted whole, one
bad value would make an error line of that size.
"""

from __future__ import annotations

QUOTE_LIMIT = 100  # characters of a value an error message shows


def shortened(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` itself when short; else its first `limit` characters, `...` and its length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`value` as Python writes it (quotes, escapes), shortened like `shortened`."""
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"
