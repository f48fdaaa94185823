"""Real AWS region names and partitions as the installed botocore knows them, and the S3 URLs
botocore presigns in each: what the handlers' own region and partition rules are checked against.
"""

from __future__ import annotations

from functools import cache
from itertools import product

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError
from botocore.loaders import Loader

# Regions of partitions that an older botocore lacks; the handlers must know them all the same.
NEWER_REGIONS = (
    "eusc-de-east-1",
    "us-iso-east-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
    "us-isof-south-1",
)
# One region of each partition, the first of the pair being where a distributor would live.
PARTITION_REGIONS = {
    "aws": "eu-west-1",
    "aws-cn": "cn-north-1",
    "aws-eusc": "eusc-de-east-1",
    "aws-iso": "us-iso-east-1",
    "aws-iso-b": "us-isob-east-1",
    "aws-iso-e": "eu-isoe-west-1",
    "aws-iso-f": "us-isof-south-1",
    "aws-us-gov": "us-gov-west-1",
}


@cache
def botocore_data(name: str) -> dict:
    """botocore's `partitions` or `endpoints` data file, as installed."""
    return Loader().load_data(name)


def real_region_names() -> list[str]:
    """Every region botocore's partitions and endpoints data name, plus NEWER_REGIONS."""
    names = set(NEWER_REGIONS)
    for data in ("partitions", "endpoints"):
        for partition in botocore_data(data)["partitions"]:
            names.update(r for r in partition["regions"] if not r.endswith("-global"))
    return sorted(names)


@cache
def partition_of(region: str) -> str:
    """The id of the partition botocore places `region` in."""
    return session().get_partition_for_region(region)


@cache
def session() -> boto3.session.Session:
    """One botocore session for all look-ups: creating one reads every data file again."""
    return boto3.session.Session()


@cache
def presigned_urls(region: str, bucket: str, key: str) -> tuple[str, ...]:
    """The GET URLs botocore presigns for `bucket` in `region`: automatic, virtual-hosted and path
    addressing, each plain, dualstack, FIPS and both, where the partition has that endpoint.

    Automatic addressing with FIPS is left out: it names us-east-1's FIPS endpoint whatever the
    region, not one of the region's own.
    """
    urls = []
    for style, dualstack, fips in product(
        ("auto", "virtual", "path"), (False, True), (False, True)
    ):
        if style == "auto" and fips:
            continue
        config = Config(
            signature_version="s3v4",
            ignore_configured_endpoint_urls=True,  # real endpoints, even beside a local one
            s3={"addressing_style": style},
            use_dualstack_endpoint=dualstack,
            use_fips_endpoint=fips,
        )
        try:
            client = session().client("s3", region_name=region, config=config)
            url = client.generate_presigned_url("get_object", {"Bucket": bucket, "Key": key})
        except BotoCoreError:  # the partition has no such endpoint (China: no FIPS)
            continue
        urls.append(url)
    return tuple(dict.fromkeys(urls))
