"""Initial-set trigger: starts the distributor's state machine and answers CloudFormation.

Basic path only (see issue 4 for the version that always answers).
"""

import json
import os
import urllib.request

import boto3


def handler(event, context):
    """Start the initial-set execution on Create/Update and answer CloudFormation."""
    status, reason, data = "SUCCESS", "", {}
    try:
        if event["RequestType"] in ("Create", "Update"):
            creds = boto3.client("sts").assume_role(
                RoleArn=os.environ["INITIAL_DISTRIBUTION_ROLE"],
                RoleSessionName=f"consumer-{os.environ['CONSUMER_ACCOUNT_ID']}",
            )["Credentials"]
            sfn = boto3.client(
                "stepfunctions",
                region_name=os.environ["DISTRIBUTION_REGION"],
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
            started = sfn.start_execution(
                stateMachineArn=os.environ["INITIAL_DISTRIBUTION_MACHINE"],
                input=json.dumps({"AccountId": os.environ["CONSUMER_ACCOUNT_ID"],
                                  "Region": os.environ["CONSUMER_REGION"]}),
            )
            data = {"ExecutionArn": started["executionArn"]}
    except Exception as err:  # noqa: BLE001
        status, reason = "FAILED", str(err)[:1000]
    body = json.dumps({
        "Status": status, "Reason": reason or "see CloudWatch Logs",
        "PhysicalResourceId": event.get("PhysicalResourceId") or event["LogicalResourceId"],
        "StackId": event["StackId"], "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"], "Data": data,
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": ""})
    urllib.request.urlopen(request, timeout=30)  # noqa: S310
