"""Copies stop before the function's timeout, so the batch is still answered record by record.

A function that times out answers nothing: every record of the batch would be retried. Stopping
early fails only the records still running, and aborts their uploads.
"""

from __future__ import annotations

import threading

from testkit.lambda_context import LambdaContext
from tests.copy.conftest import DISTRIBUTION, failed_ids
from tests.copy.source import BLOCK, Artifact


def test_copy_still_running_near_the_timeout_fails_alone_and_is_aborted(
    copy_files, buckets, source, sqs_event, run
):
    # GIVEN a function with 1.5 s left beyond its safety margin, a fast artifact, and a large
    # one whose body only starts after 3 s
    release = threading.Event()
    slow = Artifact(body=b"s" * BLOCK, repeat=12, hold_body=release)
    slow_url = source.add(DISTRIBUTION, "slow.bin", slow)
    fast_url = source.add(DISTRIBUTION, "fast.bin", Artifact(body=b"quick"))
    event = sqs_event(
        {"ArtifactUrl": slow_url, "ArtifactKey": "slow.bin"},
        {"ArtifactUrl": fast_url, "ArtifactKey": "fast.bin"},
    )
    timer = threading.Timer(3, release.set)
    timer.start()
    # WHEN the batch is handled
    try:
        response = copy_files.handler(event, LambdaContext(copy_files.DEADLINE_MARGIN + 1.5))
    finally:
        timer.cancel()
        release.set()
    # THEN only the slow record is reported failed; nothing partial is stored or left open
    slow_id = event["Records"][0]["messageId"]
    assert failed_ids(response) == {slow_id}
    assert buckets.keys() == ["fast.bin"]
    assert buckets.open_uploads() == []


def test_no_copy_starts_without_time_left(buckets, source, sqs_event, run, copy_files, capsys):
    # GIVEN a function invoked with less time left than its safety margin
    url = source.add(DISTRIBUTION, "a.bin", Artifact(body=b"a"))
    event = sqs_event({"ArtifactUrl": url, "ArtifactKey": "a.bin"})
    # WHEN the batch is handled
    response = copy_files.handler(event, LambdaContext(copy_files.DEADLINE_MARGIN - 1))
    # THEN the record fails with the reason, before any download
    assert failed_ids(response) == {event["Records"][0]["messageId"]}
    assert "before the function's timeout" in capsys.readouterr().out
    assert [r for r in source.requests if r.method == "GET"] == []
    assert buckets.keys() == []


def test_a_crawling_source_is_cut_off_at_the_deadline_not_when_it_ends(
    copy_files, buckets, source, sqs_event
):
    # GIVEN a function with 1 s left beyond its safety margin, and a source that sends 200 KiB
    # at 1 KiB per 50 ms: every read succeeds, and the whole body would take 10 s
    crawl = Artifact(body=b"c" * 1024, repeat=200, trickle=0.05)
    url = source.add(DISTRIBUTION, "crawl.bin", crawl)
    event = sqs_event({"ArtifactUrl": url, "ArtifactKey": "crawl.bin"})
    # WHEN the batch is handled
    response = copy_files.handler(event, LambdaContext(copy_files.DEADLINE_MARGIN + 1))
    # THEN the record fails, and the copy hung up long before the source got its body out
    assert failed_ids(response) == {event["Records"][0]["messageId"]}
    assert buckets.keys() == []
    sent = source.sent["/" + DISTRIBUTION + "/crawl.bin"]
    assert sent < crawl.size / 2
