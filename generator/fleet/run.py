"""The run: read the stack, consumers, artifacts and receipts with boto3, then join them."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

import boto3
from botocore.config import Config

from generator.fleet import query
from generator.fleet.artifacts import read_artifacts
from generator.fleet.consumers import read_consumers
from generator.fleet.model import FleetError
from generator.fleet.receipts import Progress, read_receipts
from generator.fleet.stack import read_distributor
from generator.fleet.status import FleetStatus, fleet_status

CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 10}, max_pool_connections=20)
CLOCK_SLACK = timedelta(minutes=5)  # receipts stamped by a clock a little behind S3's


def query_span(since: datetime | None, oldest: datetime, now: datetime) -> tuple[int, int]:
    """Epoch seconds to read receipts in: from --since or the oldest artifact, until now."""
    start = since if since is not None else oldest - CLOCK_SLACK
    return int(start.timestamp()), int(now.timestamp()) + 60


def read_and_join(args: argparse.Namespace, progress: Progress) -> tuple[FleetStatus, str]:
    """Read everything the distributor stack names and join it; the report's heading too."""
    session = boto3.Session(region_name=args.region)
    progress(f"reading stack {args.distributor_stack}")
    cloudformation = session.client("cloudformation", config=CLIENT_CONFIG)
    distributor = read_distributor(cloudformation, args.distributor_stack)
    sns, s3, logs = (
        session.client(name, distributor.region, config=CLIENT_CONFIG)
        for name in ("sns", "s3", "logs")
    )
    progress("reading the topic's subscriptions")
    consumers = read_consumers(sns, distributor.topic_arn)
    if not consumers:
        raise FleetError(f"{distributor.topic_arn} has no SQS subscription: no consumer to check")
    progress(f"reading the artifacts under {args.prefix!r} and their tags")
    artifacts, oldest = read_artifacts(s3, distributor.bucket, args.prefix)
    if oldest is None:
        raise FleetError(f"no artifact under {args.prefix!r} in bucket {distributor.bucket}")
    start, end = query_span(args.since, oldest, datetime.now(UTC))
    parts = query.plan(consumers, artifacts, start, end, args.query_rows // 2)
    rows, timeout = args.query_rows, args.timeout
    receipts = read_receipts(logs, distributor.log_group, parts, rows, timeout, progress)
    since = datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    heading = (
        f"{len(consumers)} consumers, {len(artifacts)} artifacts under {args.prefix!r} in "
        f"{distributor.bucket}; receipts in {distributor.log_group} since {since}"
    )
    return fleet_status(consumers, artifacts, receipts), heading
