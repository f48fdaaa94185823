"""Deleting a consumer stack keeps its bucket (DeletionPolicy Retain).

GIVEN a deployed consumer
WHEN the stack is deleted
THEN the stack's queues and functions are gone, and the bucket remains, even empty (an empty
 bucket is the one CloudFormation would otherwise delete), with anything it held.
"""

from __future__ import annotations

import boto3
import pytest

from tests.e2e.consumer import EXISTING_OBJECT
from tests.e2e.moto_glue import MOTO_GAP_WARNINGS
from tests.e2e.stack import wait_for

pytestmark = [pytest.mark.e2e, MOTO_GAP_WARNINGS]


def test_deleting_the_stack_keeps_the_bucket(own_consumer):
    stack, s3 = own_consumer.stack, boto3.client("s3")
    bucket = stack.outputs()["BucketName"]
    held = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert held == ({EXISTING_OBJECT} if own_consumer.case.target_bucket else set())

    boto3.client("cloudformation").delete_stack(StackName=stack.stack_id)
    wait_for(stack, "DELETE_COMPLETE")

    s3.head_bucket(Bucket=bucket)
    assert {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])} == held
    assert boto3.client("sqs").list_queues().get("QueueUrls", []) == []
    assert boto3.client("lambda").list_functions()["Functions"] == []
