"""Which occurrences of the bucket name are references, and what each becomes.

Every case puts one value into a minimal template and compares the whole output, so a case also
proves that nothing around the value moved.
"""

from __future__ import annotations

import pytest

from tests.rewrite.names import SOURCE, TARGET, template_with

S, T = SOURCE, TARGET

REWRITTEN = {
    # the bare name as a value, quoted or not, in flow and block sequences
    "bare": (S, T),
    "single quoted": (f"'{S}'", f"'{T}'"),
    "double quoted": (f'"{S}"', f'"{T}"'),
    "flow sequence": (f"[{S}, other, {S}]", f"[{T}, other, {T}]"),
    "flow mapping": (f"{{Bucket: {S}}}", f"{{Bucket: {T}}}"),
    "block sequence": (f"\n        - {S}\n        - other", f"\n        - {T}\n        - other"),
    "json string": (f'{{"Bucket": "{S}"}}', f'{{"Bucket": "{T}"}}'),
    "end of sentence": (f"code is in {S}.", f"code is in {T}."),
    # s3:// URIs and ARNs
    "s3 uri": (f"s3://{S}/stacks/a.yaml", f"s3://{T}/stacks/a.yaml"),
    "s3 uri of the bucket": (f"s3://{S}", f"s3://{T}"),
    "arn": (f"arn:aws:s3:::{S}/*", f"arn:aws:s3:::{T}/*"),
    # virtual-hosted https URLs; the source region becomes the target region
    "virtual global": (
        f"https://{S}.s3.amazonaws.com/a.yaml",
        f"https://{T}.s3.amazonaws.com/a.yaml",
    ),
    "virtual regional": (
        f"https://{S}.s3.eu-west-1.amazonaws.com/a.yaml",
        f"https://{T}.s3.eu-central-1.amazonaws.com/a.yaml",
    ),
    "virtual dash region": (
        f"https://{S}.s3-eu-west-1.amazonaws.com/a.yaml",
        f"https://{T}.s3-eu-central-1.amazonaws.com/a.yaml",
    ),
    "virtual dualstack": (
        f"https://{S}.s3.dualstack.eu-west-1.amazonaws.com/a.yaml",
        f"https://{T}.s3.dualstack.eu-central-1.amazonaws.com/a.yaml",
    ),
    "virtual with port": (
        f"https://{S}.s3.eu-west-1.amazonaws.com:443/a.yaml",
        f"https://{T}.s3.eu-central-1.amazonaws.com:443/a.yaml",
    ),
    "virtual host alone": (f"{S}.s3.amazonaws.com", f"{T}.s3.amazonaws.com"),
    # path-style https URLs
    "path global": (
        f"https://s3.amazonaws.com/{S}/a.yaml",
        f"https://s3.amazonaws.com/{T}/a.yaml",
    ),
    "path regional": (
        f"https://s3.eu-west-1.amazonaws.com/{S}/a.yaml",
        f"https://s3.eu-central-1.amazonaws.com/{T}/a.yaml",
    ),
    "path of the bucket": (
        f"https://s3.eu-west-1.amazonaws.com/{S}",
        f"https://s3.eu-central-1.amazonaws.com/{T}",
    ),
    "path dash region": (
        f"https://s3-eu-west-1.amazonaws.com/{S}/a.yaml",
        f"https://s3-eu-central-1.amazonaws.com/{T}/a.yaml",
    ),
    "path dualstack": (
        f"https://s3.dualstack.eu-west-1.amazonaws.com/{S}/a.yaml",
        f"https://s3.dualstack.eu-central-1.amazonaws.com/{T}/a.yaml",
    ),
    # a URL naming another region keeps it: that is where the object is
    "virtual other region": (
        f"https://{S}.s3.us-east-1.amazonaws.com/a.yaml",
        f"https://{T}.s3.us-east-1.amazonaws.com/a.yaml",
    ),
    "path other region": (
        f"https://s3-us-east-1.amazonaws.com/{S}/a.yaml",
        f"https://s3-us-east-1.amazonaws.com/{T}/a.yaml",
    ),
    # China partition
    "china virtual": (
        f"https://{S}.s3.cn-north-1.amazonaws.com.cn/a.yaml",
        f"https://{T}.s3.cn-north-1.amazonaws.com.cn/a.yaml",
    ),
    "china path": (
        f"https://s3.cn-north-1.amazonaws.com.cn/{S}/a.yaml",
        f"https://s3.cn-north-1.amazonaws.com.cn/{T}/a.yaml",
    ),
    # Sub strings: the bucket changes, every ${...} stays as it is
    "sub virtual": (
        f"!Sub https://{S}.s3.${{AWS::Region}}.amazonaws.com/x",
        f"!Sub https://{T}.s3.${{AWS::Region}}.amazonaws.com/x",
    ),
    "sub url suffix": (
        f"!Sub 'https://{S}.s3.eu-west-1.${{AWS::URLSuffix}}/${{Key}}'",
        f"!Sub 'https://{T}.s3.eu-central-1.${{AWS::URLSuffix}}/${{Key}}'",
    ),
    "sub path": (
        f'!Sub "https://s3.${{AWS::Region}}.${{AWS::URLSuffix}}/{S}/${{AWS::StackName}}.yaml"',
        f'!Sub "https://s3.${{AWS::Region}}.${{AWS::URLSuffix}}/{T}/${{AWS::StackName}}.yaml"',
    ),
    "sub arn": (
        f"!Sub arn:${{AWS::Partition}}:s3:::{S}/${{Prefix}}*",
        f"!Sub arn:${{AWS::Partition}}:s3:::{T}/${{Prefix}}*",
    ),
}

LEFT_ALONE = {
    "longer name": f"{S}-logs",
    "prefixed name": f"my-{S}",
    "dotted name": f"{S}.backup",
    "dotted prefix": f"archive.{S}",
    "suffixed name": f"{S}x",
    "underscore": f"{S}_old",
    "capitalised": S.upper(),
    "dotted name ending like a host": f"{S}.s3.example.org",
    "host under another domain": f"https://{S}.s3.amazonaws.com.example.org/a",
    "other bucket, key segment": f"https://other.s3.eu-west-1.amazonaws.com/{S}/a.yaml",
    "other bucket, path style": f"https://s3.eu-west-1.amazonaws.com/other/{S}/a.yaml",
    "other bucket, s3 uri": f"s3://other/{S}/a.yaml",
    "key starting with the name": f"{S}/functions/app.zip",
    "composed in Sub, prefix": f"!Sub '${{Env}}{S}'",
    "composed in Sub, suffix": f"!Sub '{S}${{Env}}'",
    "composed in Sub, dotted": f"!Sub '{S}.${{AWS::Region}}'",
    "other bucket in the source region": "https://other.s3.eu-west-1.amazonaws.com/a.yaml",
}


@pytest.mark.parametrize(("value", "expected"), REWRITTEN.values(), ids=REWRITTEN.keys())
def test_reference_is_rewritten(rewrite, value, expected):
    """GIVEN a template whose property refers to the distribution bucket in one form
    WHEN it is rewritten
    THEN exactly that reference names the target bucket (and region), nothing else changed."""
    assert rewrite(template_with(value)).decode() == template_with(expected)


@pytest.mark.parametrize("value", LEFT_ALONE.values(), ids=LEFT_ALONE.keys())
def test_other_names_are_left_alone(rewrite, value):
    """GIVEN a template that contains the bucket name only inside another token
    WHEN it is rewritten
    THEN nothing changes, which the rewriter reports as None (copy the artifact as it is)."""
    assert rewrite(template_with(value)) is None


def test_left_alone_next_to_rewritten_on_one_line(rewrite):
    """GIVEN a reference right next to look-alikes
    THEN only the reference changes."""
    value = f"[{S}-logs, {S}, my-{S}, {S}.backup, s3://{S}/k, s3://other/{S}]"
    expected = f"[{S}-logs, {T}, my-{S}, {S}.backup, s3://{T}/k, s3://other/{S}]"

    assert rewrite(template_with(value)).decode() == template_with(expected)


def test_target_containing_the_source_is_rewritten_once(rewrite):
    """GIVEN a target bucket named like the source with a suffix (and the reverse)
    THEN each reference is rewritten exactly once, never again inside its own result."""
    value = f"s3://{S}/a https://{S}.s3.eu-west-1.amazonaws.com/b {S}"

    out = rewrite(template_with(value), target=f"{S}-{S}")

    assert out.decode() == template_with(
        f"s3://{S}-{S}/a https://{S}-{S}.s3.eu-central-1.amazonaws.com/b {S}-{S}"
    )
    assert rewrite(template_with(f"s3://{T}/a {T}"), source=T, target=S).decode() == (
        template_with(f"s3://{S}/a {S}")
    )


def test_dotted_bucket_names_are_matched_literally(rewrite):
    """GIVEN a source bucket whose name contains dots
    THEN the dots match only themselves, and the name is still a whole token."""
    source = "artifacts.example.com"
    value = f"s3://{source}/a artifactsxexamplexcom {source}.s3.amazonaws.com www.{source}"
    expected = f"s3://new/a artifactsxexamplexcom new.s3.amazonaws.com www.{source}"

    assert rewrite(template_with(value), source=source, target="new").decode() == (
        template_with(expected)
    )


def test_sub_variable_named_like_the_bucket_is_left_alone(rewrite):
    """GIVEN an all-alphanumeric bucket name that is also a parameter's name
    THEN "${name}" in a Sub string stays a variable while the bucket in the URL is rewritten."""
    value = "!Sub 'https://artifacts.s3.amazonaws.com/${artifacts}/${AWS::Region}'"

    out = rewrite(template_with(value), source="artifacts", target="new")

    assert out.decode() == template_with(
        "!Sub 'https://new.s3.amazonaws.com/${artifacts}/${AWS::Region}'"
    )


def test_same_region_keeps_urls_regional(rewrite):
    """GIVEN a consumer in the distributor's own region
    THEN URLs keep that region and only the bucket changes."""
    value = f"https://{S}.s3.eu-west-1.amazonaws.com/a"

    out = rewrite(template_with(value), target_region="eu-west-1")

    assert out.decode() == template_with(f"https://{T}.s3.eu-west-1.amazonaws.com/a")


def test_region_alone_is_not_a_reference(rewrite):
    """GIVEN a template that names the distributor's region but not its bucket
    THEN nothing changes: only URLs of the distribution bucket move to the consumer's region."""
    value = "[eu-west-1, https://s3.eu-west-1.amazonaws.com/other/a.yaml]"

    assert rewrite(template_with(value)) is None
