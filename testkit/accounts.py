"""Sessions in other accounts of one moto: what tests and benchmarks use to act as them."""

from __future__ import annotations

import boto3


def assumed_session(role_arn: str, region: str) -> boto3.Session:
    """Credentials of `role_arn` in `region`: moto gives an assumed role its account's resources."""
    credentials = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="testkit")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )
