"""Whole templates as a distributor ships them, rewritten byte for byte.

Bucket dist-artifacts in eu-west-1 becomes dist-artifacts-copy in eu-central-1 (see names.py).
Each expected output is written out in full, so any byte the rewriter touches by mistake fails.
"""

from __future__ import annotations

import json

YAML_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
# Artifacts are published to dist-artifacts (see s3://dist-artifacts/README).
Description: Application stack; code in dist-artifacts, logs in dist-artifacts-logs.
Parameters:
  ArtifactBucket:
    Type: String
    Default: dist-artifacts
    AllowedValues: [dist-artifacts, my-dist-artifacts, dist-artifacts.backup]
Mappings:
  Artifacts:
    eu-west-1: {Bucket: "dist-artifacts", Prefix: dist-artifacts/releases}
    us-east-1:
      Bucket: 'dist-artifacts'
Resources:
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        S3Bucket: dist-artifacts   # the distributor's bucket
        S3Key: functions/app.zip
  Network:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://dist-artifacts.s3.amazonaws.com/stacks/network.yaml
  Storage:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://dist-artifacts.s3.eu-west-1.amazonaws.com/stacks/storage.yaml
  Queue:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://dist-artifacts.s3-eu-west-1.amazonaws.com/stacks/queue.yaml
  Api:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://dist-artifacts.s3.dualstack.eu-west-1.amazonaws.com/stacks/api.yaml
  Dns:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/dist-artifacts/stacks/dns.yaml
  Cdn:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.eu-west-1.amazonaws.com/dist-artifacts/stacks/cdn.yaml
  Db:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3-eu-west-1.amazonaws.com/dist-artifacts/stacks/db.yaml
  Mirror:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://dist-artifacts.s3.us-east-1.amazonaws.com/stacks/mirror.yaml
  Regional:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Sub https://dist-artifacts.s3.${AWS::Region}.${AWS::URLSuffix}/stacks/r.yaml
  Include:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL:
        Fn::Sub: 'https://s3.${AWS::Region}.amazonaws.com/dist-artifacts/${AWS::StackName}.yaml'
  ReadArtifacts:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource:
              - arn:aws:s3:::dist-artifacts/*
              - !Sub arn:${AWS::Partition}:s3:::dist-artifacts-logs/*
Outputs:
  Source:
    Value: !Sub 's3://dist-artifacts/${AWS::Region}/'
"""

YAML_EXPECTED = """\
AWSTemplateFormatVersion: '2010-09-09'
# Artifacts are published to dist-artifacts-copy (see s3://dist-artifacts-copy/README).
Description: Application stack; code in dist-artifacts-copy, logs in dist-artifacts-logs.
Parameters:
  ArtifactBucket:
    Type: String
    Default: dist-artifacts-copy
    AllowedValues: [dist-artifacts-copy, my-dist-artifacts, dist-artifacts.backup]
Mappings:
  Artifacts:
    eu-west-1: {Bucket: "dist-artifacts-copy", Prefix: dist-artifacts/releases}
    us-east-1:
      Bucket: 'dist-artifacts-copy'
Resources:
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        S3Bucket: dist-artifacts-copy   # the distributor's bucket
        S3Key: functions/app.zip
  Network:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://dist-artifacts-copy.s3.amazonaws.com/stacks/network.yaml
  Storage:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://dist-artifacts-copy.s3.eu-central-1.amazonaws.com/stacks/storage.yaml
  Queue:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://dist-artifacts-copy.s3-eu-central-1.amazonaws.com/stacks/queue.yaml
  Api:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://dist-artifacts-copy.s3.dualstack.eu-central-1.amazonaws.com/stacks/api.yaml
  Dns:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/dist-artifacts-copy/stacks/dns.yaml
  Cdn:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.eu-central-1.amazonaws.com/dist-artifacts-copy/stacks/cdn.yaml
  Db:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3-eu-central-1.amazonaws.com/dist-artifacts-copy/stacks/db.yaml
  Mirror:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://dist-artifacts-copy.s3.us-east-1.amazonaws.com/stacks/mirror.yaml
  Regional:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Sub https://dist-artifacts-copy.s3.${AWS::Region}.${AWS::URLSuffix}/stacks/r.yaml
  Include:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL:
        Fn::Sub: 'https://s3.${AWS::Region}.amazonaws.com/dist-artifacts-copy/${AWS::StackName}.yaml'
  ReadArtifacts:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource:
              - arn:aws:s3:::dist-artifacts-copy/*
              - !Sub arn:${AWS::Partition}:s3:::dist-artifacts-logs/*
Outputs:
  Source:
    Value: !Sub 's3://dist-artifacts-copy/${AWS::Region}/'
"""

JSON_TEMPLATE = """\
{
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {
        "ArtifactBucket": {"Type": "String", "Default": "dist-artifacts"}
    },
    "Resources": {
        "Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Code": {"S3Bucket": "dist-artifacts", "S3Key": "dist-artifacts/app.zip"},
                "Environment": {"Variables": {"LOGS": "dist-artifacts-logs"}}
            }
        },
        "Nested": {
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {
                "TemplateURL": {"Fn::Join": ["", [
                    "https://s3.eu-west-1.amazonaws.com/", {"Ref": "ArtifactBucket"},
                    "/nested.json"]]},
                "Parameters": {
                    "Url": "https://dist-artifacts.s3.eu-west-1.amazonaws.com/x.json",
                    "Path": "https://s3.amazonaws.com/dist-artifacts/x.json"
                }
            }
        }
    }
}
"""

JSON_EXPECTED = """\
{
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {
        "ArtifactBucket": {"Type": "String", "Default": "dist-artifacts-copy"}
    },
    "Resources": {
        "Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Code": {"S3Bucket": "dist-artifacts-copy", "S3Key": "dist-artifacts/app.zip"},
                "Environment": {"Variables": {"LOGS": "dist-artifacts-logs"}}
            }
        },
        "Nested": {
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {
                "TemplateURL": {"Fn::Join": ["", [
                    "https://s3.eu-west-1.amazonaws.com/", {"Ref": "ArtifactBucket"},
                    "/nested.json"]]},
                "Parameters": {
                    "Url": "https://dist-artifacts-copy.s3.eu-central-1.amazonaws.com/x.json",
                    "Path": "https://s3.amazonaws.com/dist-artifacts-copy/x.json"
                }
            }
        }
    }
}
"""


def test_yaml_template_is_rewritten_byte_for_byte(rewrite):
    """GIVEN a YAML template naming the distribution bucket in every way a template does
    WHEN it is rewritten
    THEN every reference names the target bucket (and region), and nothing else changed."""
    assert rewrite(YAML_TEMPLATE).decode() == YAML_EXPECTED


def test_crlf_line_endings_are_kept(rewrite):
    """GIVEN the same template with Windows line endings
    THEN the output keeps every CR LF and rewrites the same references."""
    crlf, expected = (text.replace("\n", "\r\n") for text in (YAML_TEMPLATE, YAML_EXPECTED))

    assert rewrite(crlf, key="stacks/app.template").decode() == expected


def test_json_template_is_rewritten_textually_keeping_its_layout(rewrite):
    """GIVEN a hand-formatted JSON template
    WHEN it is rewritten
    THEN its layout stays byte for byte (it is not re-serialized) and it is still valid JSON."""
    out = rewrite(JSON_TEMPLATE, key="stacks/app.json")

    assert out.decode() == JSON_EXPECTED
    assert json.loads(out)["Parameters"]["ArtifactBucket"]["Default"] == "dist-artifacts-copy"


def test_minified_json_template_stays_minified(rewrite):
    """GIVEN a JSON template on one line, without any whitespace
    THEN only the bucket changes."""
    body = '{"Resources":{"B":{"Properties":{"Bucket":"dist-artifacts","K":"dist-artifacts-x"}}}}'

    out = rewrite(body, key="app.json")

    assert out == (
        b'{"Resources":{"B":{"Properties":{"Bucket":"dist-artifacts-copy","K":"dist-artifacts-x"}}}}'
    )


def test_byte_order_mark_and_unicode_are_kept(rewrite):
    """GIVEN a UTF-8 template with a byte order mark and non-ASCII text
    THEN both survive and the bucket is rewritten."""
    body = "\ufeffResources: # Überblick — 構成\n  B: {Properties: {Bucket: dist-artifacts}}\n"

    out = rewrite(body.encode())

    expected = (
        "\ufeffResources: # Überblick — 構成\n  B: {Properties: {Bucket: dist-artifacts-copy}}\n"
    )
    assert out == expected.encode()
    assert out.startswith(b"\xef\xbb\xbf")


def test_json_template_with_byte_order_mark_is_recognised(rewrite):
    """GIVEN a JSON template saved with a byte order mark (json.loads alone refuses it)
    THEN it is still recognised and rewritten."""
    body = '\ufeff{"Resources": {"B": {"Properties": {"Bucket": "dist-artifacts"}}}}'

    out = rewrite(body.encode(), key="t.json")

    expected = '\ufeff{"Resources": {"B": {"Properties": {"Bucket": "dist-artifacts-copy"}}}}'
    assert out == expected.encode()
