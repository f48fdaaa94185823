"""The dead-letter queue every template keeps failures in: SQS-managed SSE, 14 days."""

from __future__ import annotations

from typing import Any

from troposphere import sqs

from generator.checkov import skips

DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS's longest
# SQS-managed SSE: SNS, EventBridge and Lambda can send to it without a KMS key policy; checkov
# knows only KMS keys.
QUEUE_SKIPS = (("CKV_AWS_27", "SQS-managed SSE"),)
# Deleted with its stack: what it holds is replayed through that stack (README, Troubleshooting).
QUEUE_DELETION_POLICY = "Delete"


def dead_letter_queue(title: str, **properties: Any) -> sqs.Queue:
    """An encrypted queue keeping messages 14 days; `properties` adds a Condition, say."""
    return sqs.Queue(
        title,
        DeletionPolicy=QUEUE_DELETION_POLICY,
        UpdateReplacePolicy=QUEUE_DELETION_POLICY,
        SqsManagedSseEnabled=True,
        MessageRetentionPeriod=DLQ_RETENTION_SECONDS,
        Metadata=skips(*QUEUE_SKIPS),
        **properties,
    )
