"""Deleting a consumer stack keeps the bucket and every artifact in it (DeletionPolicy Retain).

GIVEN a deployed consumer whose bucket holds an artifact
WHEN the stack is deleted
THEN the stack's queues and functions are gone, and the bucket and the artifact remain.
"""

from __future__ import annotations

import boto3
import pytest

from tests.e2e.stack import wait_for

pytestmark = pytest.mark.e2e


def test_deleting_the_stack_keeps_the_bucket_and_its_artifacts(own_consumer):
    stack, s3 = own_consumer.stack, boto3.client("s3")
    bucket = stack.outputs()["BucketName"]
    s3.put_object(Bucket=bucket, Key="artifacts/app.zip", Body=b"stored artifact")

    boto3.client("cloudformation").delete_stack(StackName=stack.stack_id)
    wait_for(stack, "DELETE_COMPLETE")

    assert (
        s3.get_object(Bucket=bucket, Key="artifacts/app.zip")["Body"].read() == b"stored artifact"
    )
    assert boto3.client("sqs").list_queues().get("QueueUrls", []) == []
    assert boto3.client("lambda").list_functions()["Functions"] == []
