"""A validator of CloudWatch Embedded Metric Format documents, after the format's specification.

CloudWatch Logs extracts metrics from a log line only when the line is a valid document; an
invalid one is kept as a log line and its metrics are silently lost. The rules checked:
- the line is one JSON object whose `_aws` member is an object with `Timestamp` (an integer
  number of milliseconds since the epoch) and `CloudWatchMetrics` (an array of directives);
- a directive is an object with `Namespace` (a string of 1-255 characters, not starting with
  ":"), `Dimensions` (an array of dimension sets, each an array of at most 30 strings) and
  `Metrics` (an array of at most 100 definitions);
- a definition has `Name` (a string of 1-1024 characters), optionally `Unit` (one of the units
  CloudWatch knows) and `StorageResolution` (1 or 60);
- every dimension a directive names is a top-level member holding a non-empty string, and every
  metric a top-level member holding a number or an array of at most 100 numbers.
"""

from __future__ import annotations

import json
import math

UNITS = frozenset(
    {
        "Seconds",
        "Microseconds",
        "Milliseconds",
        "Bytes",
        "Kilobytes",
        "Megabytes",
        "Gigabytes",
        "Terabytes",
        "Bits",
        "Kilobits",
        "Megabits",
        "Gigabits",
        "Terabits",
        "Percent",
        "Count",
        "Bytes/Second",
        "Kilobytes/Second",
        "Megabytes/Second",
        "Gigabytes/Second",
        "Terabytes/Second",
        "Bits/Second",
        "Kilobits/Second",
        "Megabits/Second",
        "Gigabits/Second",
        "Terabits/Second",
        "Count/Second",
        "None",
    }
)
MAX_DIMENSIONS_PER_SET = 30
MAX_METRICS_PER_DIRECTIVE = 100
MAX_VALUES_PER_METRIC = 100
EPOCH_MS_2020 = 1_577_836_800_000  # a Timestamp in seconds would be far below this


class InvalidEmf(AssertionError):
    """The document breaks a rule of the specification; the message says which."""


def is_emf(line: str) -> bool:
    """Whether a log line is meant as an EMF document (CloudWatch looks for `_aws`)."""
    try:
        document = json.loads(line)
    except ValueError:
        return False
    return isinstance(document, dict) and "_aws" in document


def validate_emf(line: str) -> dict:
    """The document of `line`, or InvalidEmf naming the first rule it breaks."""
    document = json.loads(line)
    check(isinstance(document, dict), "the document is not a JSON object")
    metadata = document.get("_aws")
    check(isinstance(metadata, dict), "_aws is not an object")
    timestamp = metadata.get("Timestamp")
    check(is_integer(timestamp) and timestamp > EPOCH_MS_2020, "Timestamp is not in milliseconds")
    directives = metadata.get("CloudWatchMetrics")
    check(isinstance(directives, list), "CloudWatchMetrics is not an array")
    for directive in directives:
        validate_directive(directive, document)
    return document


def validate_directive(directive: dict, document: dict) -> None:
    """The rules of one MetricDirective and of the members it names."""
    check(isinstance(directive, dict), "a directive is not an object")
    namespace = directive.get("Namespace")
    check(
        isinstance(namespace, str) and 0 < len(namespace) <= 255 and not namespace.startswith(":"),
        f"Namespace {namespace!r} is invalid",
    )
    dimension_sets = directive.get("Dimensions")
    check(isinstance(dimension_sets, list), "Dimensions is not an array")
    for dimensions in dimension_sets:
        check(isinstance(dimensions, list), "a dimension set is not an array")
        check(len(dimensions) <= MAX_DIMENSIONS_PER_SET, "a dimension set has over 30 dimensions")
        for name in dimensions:
            value = document.get(name) if isinstance(name, str) else None
            check(isinstance(value, str) and value, f"dimension {name!r} has no string member")
    metrics = directive.get("Metrics")
    check(isinstance(metrics, list), "Metrics is not an array")
    check(len(metrics) <= MAX_METRICS_PER_DIRECTIVE, "a directive has over 100 metrics")
    for metric in metrics:
        validate_metric(metric, document)


def validate_metric(metric: dict, document: dict) -> None:
    """The rules of one MetricDefinition and of its member's values."""
    check(isinstance(metric, dict), "a metric definition is not an object")
    name = metric.get("Name")
    check(isinstance(name, str) and 0 < len(name) <= 1024, f"metric name {name!r} is invalid")
    check(metric.get("Unit", "None") in UNITS, f"{name}: unit {metric.get('Unit')!r} is unknown")
    check(metric.get("StorageResolution", 60) in (1, 60), f"{name}: StorageResolution invalid")
    check(name in document, f"metric {name} has no member")
    value = document[name]
    values = value if isinstance(value, list) else [value]
    check(len(values) <= MAX_VALUES_PER_METRIC, f"{name} has over 100 values")
    check(all(is_number(v) for v in values), f"{name} holds {value!r}, not numbers")


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check(condition, message: str) -> None:
    if not condition:
        raise InvalidEmf(message)
