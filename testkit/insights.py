"""The one place where the fleet tests and benchmark reach into moto: Logs Insights' queries.

Why: moto 5.2.1 runs StartQuery/GetQueryResults over real log groups, streams, events and time
ranges, but its query parser (moto/logs/logs_query/query_parser.py) knows only `fields`, `sort`
and `limit`: it ignores `filter` and `stats` and returns every event of the range. The fleet
command sends one query form (generator/fleet/query.py). `evaluate` below interprets that form
from its text — `filter` with `=`, `in [...]` and `ispresent(...)` joined by `and`, then
`stats count(*) as NAME by FIELD, ...` over JSON fields — the way the Insights documentation
describes it, and returns at most `row_cap` rows as the service does. Whether AWS reads the query
the same way is what these tests cannot show (README, Fleet status: what moto cannot test).
The moto server runs in this process, so replacing the function its backend calls is enough.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter

from moto.logs import models

QUERY = re.compile(r"filter (?P<where>.+)\n\| stats count\(\*\) as (?P<count>\w+) by (?P<by>.+)")
EQUALS = re.compile(r"(?P<field>`[^`]+`|[\w.]+) = (?P<value>\"[^\"]*\")")
IN = re.compile(r"(?P<field>`[^`]+`|[\w.]+) in (?P<values>\[[^\]]*\])")
PRESENT = re.compile(r"ispresent\((?P<field>`[^`]+`|[\w.]+)\)")


class Insights:
    """The replacement for moto's `execute_query`; `row_cap` is the service's row limit."""

    def __init__(self, row_cap: int = 100_000) -> None:
        self.row_cap = row_cap
        self.queries: list[tuple[str, int, int]] = []  # query, start, end
        self.parsed: dict[int, dict] = {}  # event id -> its JSON, parsed once
        self.seconds = 0.0  # spent evaluating queries

    def __call__(self, log_groups, query: str, start_time: int, end_time: int) -> list[dict]:
        started = time.perf_counter()
        self.queries.append((query, start_time, end_time))
        events = [
            self.message(event)
            for group in log_groups
            for stream in group.streams.values()
            for event in stream.events
            if start_time * 1000 <= event.timestamp <= end_time * 1000 + 999
        ]
        rows = evaluate(query, events)[: self.row_cap]
        self.seconds += time.perf_counter() - started
        return rows

    def message(self, event) -> dict:
        """A log event's JSON message, parsed on first use."""
        if event.event_id not in self.parsed:
            self.parsed[event.event_id] = json.loads(event.message)
        return self.parsed[event.event_id]


def field(event: dict, name: str):
    """A JSON field the way Insights names it: `a.b` for nested keys, backticks for others."""
    value = event
    for part in name.strip("`").split(".") if not name.startswith("`") else [name.strip("`")]:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def condition(text: str):
    """One `filter` term as a predicate over an event; an unknown form fails the test."""
    if match := EQUALS.fullmatch(text):
        return lambda e, m=match: field(e, m["field"]) == json.loads(m["value"])
    if match := IN.fullmatch(text):
        return lambda e, m=match: field(e, m["field"]) in json.loads(m["values"])
    if match := PRESENT.fullmatch(text):
        return lambda e, m=match: field(e, m["field"]) is not None
    raise AssertionError(f"the glue does not know this filter term: {text!r}")


def evaluate(query: str, events: list[dict]) -> list[dict]:
    """`filter ... | stats count(*) as N by F, ...` over `events`: one row per group."""
    parsed = QUERY.fullmatch(query)
    assert parsed, f"the glue does not know this query form: {query!r}"
    terms = [condition(term) for term in parsed["where"].split(" and ")]
    by = [name.strip() for name in parsed["by"].split(",")]
    groups = Counter(
        tuple(field(event, name) for name in by)
        for event in events
        if all(term(event) for term in terms)
    )
    return [{**dict(zip(by, key, strict=True)), parsed["count"]: n} for key, n in groups.items()]


def install(monkeypatch) -> Insights:
    """moto's Logs Insights with the fleet query's filter and stats, until `monkeypatch` undoes."""
    engine = Insights()
    monkeypatch.setattr(models, "execute_query", engine)
    return engine
