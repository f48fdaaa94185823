"""The README's idle cost rests on the template: what it counts (alarms, pollers) is what the
template holds, so a change to either shows here (README: What a stack costs idle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.generator.conftest import of_type

README = Path(__file__).resolve().parents[2] / "README.md"
HOURS_A_MONTH = 730
LONG_POLL_SECONDS = 20  # SQS's longest ReceiveMessage wait


@pytest.fixture(scope="module")
def idle_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## What a stack costs idle", 1)[1].split("\n## ", 1)[0]


def test_the_idle_stack_has_the_alarms_the_readme_prices(resources, idle_section):
    alarms = of_type(resources, "AWS::CloudWatch::Alarm")
    always = sorted(title for title, alarm in alarms.items() if "Condition" not in alarm)
    assert always == ["DeadLetterQueueAlarm", "StuckQueueAlarm"]
    assert (
        f"{len(always)} standard alarms (`{always[0]}`, `{always[1]}`) \u00d7 $0.10" in idle_section
    )
    # ... and each option's alarm is priced in its own row
    optional = {
        title: alarm["Condition"] for title, alarm in alarms.items() if "Condition" in alarm
    }
    assert optional == {"ReceiptDeadLetterQueueAlarm": "HasReceiptEventBus"}
    assert "`ReceiptDeadLetterQueueAlarm` | + $0.10 | + $100 |" in idle_section


def test_every_alarm_is_standard_resolution(resources):
    # The $0.10 price is a standard-resolution alarm's: periods of 60 s or more.
    for title, alarm in of_type(resources, "AWS::CloudWatch::Alarm").items():
        assert alarm["Properties"]["Period"] >= 60, title


def test_the_polls_the_readme_counts_follow_from_the_mapping(resources, idle_section):
    # Lambda keeps 5 pollers on an idle queue when a maximum concurrency is set (no scale-down
    # to 2); each long poll waits at most 20 s.
    (mapping,) = of_type(resources, "AWS::Lambda::EventSourceMapping").values()
    pollers = 5
    assert mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"] == pollers
    requests = pollers * (60 // LONG_POLL_SECONDS) * 60 * HOURS_A_MONTH
    assert requests == 657_000
    assert f"**{requests:,} `ReceiveMessage` requests a month**" in idle_section
    cost = requests * 0.40 / 1_000_000
    assert f"| ${cost:.2f} | ${cost * 1000:,.0f} |" in idle_section
