"""Source allow-list (SSRF and namesake guard): `allowed_source` alone, no server.

A bucket name is unique only within its partition: anyone may own the distribution bucket's
namesake in another partition. So a source URL must be `https` into the distribution bucket on
an S3 endpoint of DISTRIBUTION_REGION: its regional, legacy dash, dualstack, FIPS and FIPS
dualstack hosts, and the partition's global endpoint where it has one (aws alone).
"""

from __future__ import annotations

import pytest

from generator.inline import inline_handler
from tests.support.regions import (
    PARTITION_REGIONS,
    botocore_data,
    partition_of,
    presigned_urls,
    real_region_names,
)

B = "distributor-artifacts"
KEY = "builds/app.zip"
QUERY = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=a%2Fb"
FORMS = ("s3.{r}", "s3-{r}", "s3.dualstack.{r}", "s3-fips.{r}", "s3-fips.dualstack.{r}")
SUFFIXES = {  # partition: its DNS suffix, as the README's table says
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-eusc": "amazonaws.eu",
    "aws-iso": "c2s.ic.gov",
    "aws-iso-b": "sc2s.sgov.gov",
    "aws-iso-e": "cloud.adc-e.uk",
    "aws-iso-f": "csp.hci.ic.gov",
    "aws-us-gov": "amazonaws.com",
}
DISTRIBUTION_REGIONS = (
    "eu-west-1",
    "us-east-1",
    "ap-southeast-7",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-west-1",
    "us-gov-east-1",
    "eusc-de-east-1",
    "us-iso-east-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
    "us-isof-south-1",
)


def regional_hosts(region: str) -> list[str]:
    """The region's own S3 hosts (no global endpoint)."""
    suffix = SUFFIXES[partition_of(region)]
    return [f"{form.format(r=region)}.{suffix}" for form in FORMS]


def endpoints(region: str) -> list[str]:
    """Every S3 host a source in `region` may be on: aws alone has a global endpoint."""
    return regional_hosts(region) + (["s3.amazonaws.com"] if partition_of(region) == "aws" else [])


def urls_on(host: str) -> list[str]:
    """An object of the distribution bucket on `host`, virtual-hosted and path style."""
    return [f"https://{B}.{host}/{KEY}{QUERY}", f"https://{host}/{B}/{KEY}{QUERY}"]


def refused(copy_files, url: str, region: str) -> bool:
    """Whether the allow-list refuses `url` for a distributor in `region`; any other error is
    raised, so an "allowed" check cannot pass on a function that fails for another reason."""
    try:
        copy_files.allowed_source(url, B, region)
    except Exception as err:  # CopyError, renamed in the inlined code
        if f"ArtifactUrl {url.split('?')[0]!r} is not allowed" in str(err):
            return True
        raise
    return False


OWN = [
    (region, url)
    for region in DISTRIBUTION_REGIONS
    for host in endpoints(region)
    for url in urls_on(host)
]


@pytest.mark.parametrize(("region", "url"), OWN)
def test_every_s3_endpoint_of_the_distribution_region_is_allowed(copy_files, region, url):
    # GIVEN a presigned URL into the distribution bucket on an S3 endpoint of DISTRIBUTION_REGION
    # WHEN the allow-list checks it
    https, host, port, target = copy_files.allowed_source(url, B, region)
    # THEN it is https to that host on port 443, path and query kept exactly
    assert (https, port) == (True, 443)
    assert url == f"https://{host}{target}"


@pytest.mark.parametrize(
    "url",
    [
        f"https://{B}.s3.eu-west-1.amazonaws.com:443/{KEY}",
        f"https://s3.amazonaws.com:443/{B}/{KEY}",
        f"https://s3.eu-west-1.amazonaws.com/{B}/dir/app%20v1.zip",
        f"https://{B}.s3.amazonaws.com/{B}/{KEY}",  # a key that starts with the bucket's name
    ],
)
def test_explicit_port_443_and_encoded_keys_are_allowed(copy_files, url):
    https, host, port, target = copy_files.allowed_source(url, B, "eu-west-1")
    assert (https, port) == (True, 443)
    assert url.replace(":443", "") == f"https://{host}{target}"


@pytest.mark.parametrize("region", real_region_names())
def test_what_botocore_presigns_in_any_real_region_is_allowed_there(copy_files, region):
    # GIVEN a distributor in any region AWS has (as botocore knows them, plus newer partitions)
    urls = presigned_urls(region, B, KEY)
    # WHEN the copy function checks the URLs botocore presigns there (every addressing style,
    # dualstack, FIPS) THEN all are allowed: the function understands every real region
    assert urls
    assert [url for url in urls if refused(copy_files, url, region)] == []


NAMESAKES = [
    (r, o) for r in PARTITION_REGIONS.values() for o in PARTITION_REGIONS.values() if r != o
]


@pytest.mark.parametrize(("region", "other"), NAMESAKES)
def test_namesake_buckets_in_other_partitions_are_refused(copy_files, region, other):
    # GIVEN a distributor in `region`; the bucket's namesake in another partition's `other`
    urls = list(presigned_urls(other, B, KEY))
    urls += [url for host in endpoints(other) for url in urls_on(host)]
    # WHEN URLs into that namesake are checked THEN every one is refused (before any connection)
    assert [url for url in urls if not refused(copy_files, url, region)] == []


@pytest.mark.parametrize("region", DISTRIBUTION_REGIONS)
def test_other_regions_of_the_same_partition_are_refused(copy_files, region):
    # GIVEN a distributor in `region`
    others = [
        r for r in real_region_names() if r != region and partition_of(r) == partition_of(region)
    ] + [f"{region}0"]  # a longer name that starts like the region
    # WHEN a URL names the bucket on another region's endpoint of the same partition
    urls = [url for other in others for host in regional_hosts(other) for url in urls_on(host)]
    # THEN it is refused: the distributor's region is where its bucket is
    assert [url for url in urls if not refused(copy_files, url, region)] == []


HOSTILE = {  # DISTRIBUTION_REGION eu-west-1 unless the case says otherwise
    # the aws partition's hosts under other suffixes, and other domains ending like them
    "china suffix": f"https://{B}.s3.eu-west-1.amazonaws.com.cn/{KEY}",
    "china suffix, global": f"https://{B}.s3.amazonaws.com.cn/{KEY}",
    "china suffix, path": f"https://s3.amazonaws.com.cn/{B}/{KEY}",
    "eusc suffix": f"https://{B}.s3.eu-west-1.amazonaws.eu/{KEY}",
    "evil suffix": f"https://{B}.s3.eu-west-1.amazonaws.com.evil.com/{KEY}",
    "evil suffix, global": f"https://{B}.s3.amazonaws.com.evil.example/{KEY}",
    "evil suffix, path": f"https://s3.amazonaws.com.evil.com/{B}/{KEY}",
    "evil prefix": f"https://{B}.s3.eu-west-1.amazonaws.com-evil.com/{KEY}",
    "evil domain": f"https://{B}.s3.eu-west-1.evil-amazonaws.com/{KEY}",
    "host in the path": f"https://evil.com/{B}.s3.eu-west-1.amazonaws.com/{KEY}",
    "bucket label inside host": f"https://{B}.evil.com.s3.amazonaws.com/{KEY}",
    "doubled region": f"https://{B}.s3.eu-west-1.eu-west-1.amazonaws.com/{KEY}",
    "region without s3": f"https://{B}.eu-west-1.amazonaws.com/{KEY}",
    "api.aws dualstack": f"https://{B}.s3.eu-west-1.api.aws/{KEY}",
    # spelling: S3 hosts count only as SDKs write them
    "upper-case host": f"https://{B}.S3.EU-WEST-1.AMAZONAWS.COM/{KEY}",
    "mixed-case suffix": f"https://{B}.s3.eu-west-1.AmazonAWS.com/{KEY}",
    "upper-case bucket": f"https://{B.upper()}.s3.eu-west-1.amazonaws.com/{KEY}",
    "upper-case path host": f"https://S3.amazonaws.com/{B}/{KEY}",
    "trailing dot": f"https://{B}.s3.eu-west-1.amazonaws.com./{KEY}",
    "trailing dot, global": f"https://{B}.s3.amazonaws.com./{KEY}",
    "trailing dot, path": f"https://s3.eu-west-1.amazonaws.com./{B}/{KEY}",
    "empty label": f"https://{B}..s3.amazonaws.com/{KEY}",
    # ports and schemes
    "port 80": f"https://{B}.s3.eu-west-1.amazonaws.com:80/{KEY}",
    "port 8443": f"https://{B}.s3.amazonaws.com:8443/{KEY}",
    "empty port": f"https://{B}.s3.amazonaws.com:/{KEY}",
    "bad port": f"https://{B}.s3.amazonaws.com:99999/{KEY}",
    "http": f"http://{B}.s3.eu-west-1.amazonaws.com/{KEY}",
    "http on 443": f"http://{B}.s3.eu-west-1.amazonaws.com:443/{KEY}",
    "ftp": f"ftp://{B}.s3.amazonaws.com/{KEY}",
    "file": "file:///etc/passwd",
    "no scheme": f"{B}.s3.amazonaws.com/{KEY}",
    "scheme-relative": f"//{B}.s3.amazonaws.com/{KEY}",
    # other S3 services and endpoint kinds of the right region
    "website": f"https://{B}.s3-website-eu-west-1.amazonaws.com/{KEY}",
    "website, dotted": f"https://{B}.s3-website.eu-west-1.amazonaws.com/{KEY}",
    "accelerate": f"https://{B}.s3-accelerate.amazonaws.com/{KEY}",
    "accelerate dualstack": f"https://{B}.s3-accelerate.dualstack.amazonaws.com/{KEY}",
    "access point": f"https://{B}-123456789012.s3-accesspoint.eu-west-1.amazonaws.com/{KEY}",
    "multi-region access point": f"https://{B}.accesspoint.s3-global.amazonaws.com/{KEY}",
    "object lambda": f"https://{B}-123456789012.s3-object-lambda.eu-west-1.amazonaws.com/{KEY}",
    "interface endpoint": f"https://bucket.vpce-0a1b-c2d3.s3.eu-west-1.vpce.amazonaws.com/{B}/{KEY}",
    "express zonal": f"https://{B}--euw1-az1--x-s3.s3express-euw1-az1.eu-west-1.amazonaws.com/{KEY}",
    "legacy dash fips": f"https://s3-fips-eu-west-1.amazonaws.com/{B}/{KEY}",
    "us-east-1 fips": f"https://{B}.s3-fips.us-east-1.amazonaws.com/{KEY}",
    "external-1": f"https://{B}.s3-external-1.amazonaws.com/{KEY}",
    "control": f"https://s3-control.eu-west-1.amazonaws.com/{B}/{KEY}",
    # other buckets and no object
    "other bucket": f"https://other-bucket.s3.eu-west-1.amazonaws.com/{KEY}",
    "bucket prefix": f"https://x{B}.s3.amazonaws.com/{KEY}",
    "bucket suffix": f"https://{B}x.s3.amazonaws.com/{KEY}",
    "bucket suffix, path": f"https://s3.amazonaws.com/{B}-logs/{KEY}",
    "other bucket, path": f"https://s3.amazonaws.com/other-bucket/{KEY}",
    "other host": f"https://{B}.evil.example/{KEY}",
    "bucket as key of another": f"https://other.s3.amazonaws.com/{B}/{KEY}",
    "no key, path": f"https://s3.amazonaws.com/{B}/",
    "no key, path, no slash": f"https://s3.amazonaws.com/{B}",
    "no key, virtual": f"https://{B}.s3.amazonaws.com/",
    "no path": f"https://{B}.s3.amazonaws.com",
    # smuggling: userinfo, backslashes, encodings, dot segments, characters
    "userinfo": f"https://user:password@{B}.s3.amazonaws.com/{KEY}",
    "userinfo host trick": f"https://{B}.s3.amazonaws.com@evil.example/{KEY}",
    "backslash host trick": f"https://evil.example\\@{B}.s3.amazonaws.com/{KEY}",
    "backslash path": f"https://s3.amazonaws.com/{B}\\..\\other/{KEY}",
    "encoded slash in bucket": f"https://s3.amazonaws.com/{B}%2F..%2Fother/{KEY}",
    "encoded dot in host": f"https://{B}.s3.amazonaws.com%2Eevil.example/{KEY}",
    "dot-dot segment": f"https://s3.amazonaws.com/{B}/../other/{KEY}",
    "dot segment": f"https://{B}.s3.amazonaws.com/./{KEY}",
    "space": f"https://{B}.s3.amazonaws.com/app .zip",
    "newline": f"https://{B}.s3.amazonaws.com/{KEY}\r\nHost: evil",
    "non-ascii": f"https://{B}.s3.amazonaws.com/äpp.zip",
    "non-ascii host": f"https://{B}.s3.eu-west-1.amazon\u0430ws.com/{KEY}",  # a Cyrillic a
    "fragment": f"https://{B}.s3.amazonaws.com/{KEY}#x",
    "ipv6": "https://[::1]/app.zip",
    "ipv4": f"https://52.218.0.1/{B}/{KEY}",
    "metadata service": "http://169.254.169.254/latest/meta-data/",
    "empty": "",
}
IN_OTHER_PARTITIONS = {  # (DISTRIBUTION_REGION, URL): the hosts a namesake hides behind
    "gov: aws global": ("us-gov-west-1", f"https://{B}.s3.amazonaws.com/{KEY}"),
    "gov: aws global, path": ("us-gov-west-1", f"https://s3.amazonaws.com/{B}/{KEY}"),
    "gov: aws region": ("us-gov-west-1", f"https://{B}.s3.us-east-1.amazonaws.com/{KEY}"),
    "gov: china suffix": ("us-gov-west-1", f"https://{B}.s3.us-gov-west-1.amazonaws.com.cn/{KEY}"),
    "china: global": ("cn-north-1", f"https://{B}.s3.amazonaws.com.cn/{KEY}"),
    "china: aws suffix": ("cn-north-1", f"https://{B}.s3.cn-north-1.amazonaws.com/{KEY}"),
    "china: aws global": ("cn-north-1", f"https://s3.amazonaws.com/{B}/{KEY}"),
    "eusc: global": ("eusc-de-east-1", f"https://{B}.s3.amazonaws.eu/{KEY}"),
    "eusc: aws suffix": ("eusc-de-east-1", f"https://{B}.s3.eusc-de-east-1.amazonaws.com/{KEY}"),
    "eusc: aws global": ("eusc-de-east-1", f"https://{B}.s3.amazonaws.com/{KEY}"),
    "iso: global": ("us-iso-east-1", f"https://{B}.s3.c2s.ic.gov/{KEY}"),
    "iso: isob suffix": ("us-iso-east-1", f"https://{B}.s3.us-iso-east-1.sc2s.sgov.gov/{KEY}"),
}


@pytest.mark.parametrize("url", HOSTILE.values(), ids=HOSTILE.keys())
def test_urls_that_are_not_the_distribution_bucket_on_its_endpoints_are_refused(copy_files, url):
    # GIVEN a distributor in eu-west-1 WHEN a URL off its S3 endpoints or bucket is checked
    # THEN it is refused, and the reason holds no credential
    with pytest.raises(Exception, match="is not allowed") as refusal:
        copy_files.allowed_source(url, B, "eu-west-1")
    assert "password" not in str(refusal.value)


@pytest.mark.parametrize(
    ("region", "url"), IN_OTHER_PARTITIONS.values(), ids=IN_OTHER_PARTITIONS.keys()
)
def test_other_partitions_hosts_are_refused(copy_files, region, url):
    assert refused(copy_files, url, region)


@pytest.mark.parametrize("region", ["zz-east-1", "us-isoz-east-1"])
def test_a_region_of_no_known_partition_is_aws_as_botocore_says(copy_files, region):
    # GIVEN a region name that no partition's pattern matches (a partition newer than the code)
    # WHEN botocore presigns there THEN it uses aws's endpoints, and the allow-list agrees
    urls = presigned_urls(region, B, KEY)
    assert urls
    assert all(".amazonaws.com/" in url for url in urls)
    assert [url for url in urls if refused(copy_files, url, region)] == []
    assert refused(copy_files, f"https://s3.{region}.amazonaws.com.cn/{B}/{KEY}", region)


@pytest.mark.parametrize("region", ["", "Ireland", "EU-WEST-1", "eu-west-1.evil.com", "eu_west_1"])
def test_a_distribution_region_that_is_no_region_name_fails_clearly(copy_files, region):
    # GIVEN DISTRIBUTION_REGION is not a region name WHEN a source is checked
    # THEN it fails naming the variable and its value (every record alike: nothing is copied)
    with pytest.raises(Exception, match=f"DISTRIBUTION_REGION {region!r} is not a region name"):
        copy_files.allowed_source(f"https://s3.amazonaws.com/{B}/{KEY}", B, region)


def global_s3_endpoint(partition: str) -> str | None:
    """The host of the partition's global S3 endpoint in botocore's endpoint data, if it has one."""
    [data] = [p for p in botocore_data("endpoints")["partitions"] if p["partition"] == partition]
    s3 = data["services"].get("s3", {})
    return s3.get("endpoints", {}).get(s3.get("partitionEndpoint"), {}).get("hostname")


def test_partition_table_is_botocores():
    # The handler carries its own table (a Lambda runtime's botocore may lack newer partitions):
    # every partition the installed botocore knows, with its region pattern and DNS suffix, and
    # a global S3 endpoint exactly where botocore's endpoint data has one.
    # Read from the source as the generator reads a handler's constants: a test may use only
    # the names in the handler's __all__ of the loaded module (ARCHITECTURE.md, Invariants).
    partitions = inline_handler("copy_files", "consumer").constant("PARTITIONS")
    expected = [
        (p["id"], p["regionRegex"], p["outputs"]["dnsSuffix"], global_s3_endpoint(p["id"]))
        for p in botocore_data("partitions")["partitions"]
    ]
    assert sorted(partitions) == sorted(expected)
    assert partitions[0][0] == "aws"  # the fallback, as in botocore
