"""The exact size bound: every String parameter has a MaxLength, and the template with every
default at its MaxLength fits CloudFormation's 51,200-byte TemplateBody limit, so no valid
`--parameter-defaults` file can push it over (ARCHITECTURE.md, invariants)."""

from __future__ import annotations

import json
import re

import pytest
from troposphere import Parameter, Template, sqs

from generator.consumer.parameters import SPECS
from generator.consumer.template import build_template
from generator.render import FORMATS, render
from generator.validation import (
    TEMPLATE_BODY_LIMIT,
    ValidationError,
    check_worst_case,
    longest_value,
    validate_template,
    worst_case,
    worst_case_size,
)

REGION_50 = "us-" + "a" * 44 + "-12"  # the region grammar at the longest region name AWS allows
ACCOUNT = "123456789012"
# For each parameter, a value its pattern accepts, exactly as long as its MaxLength: the longest
# real value (a KMS key id is 36 characters, an SSM name shorter than 1,011: both bounded above).
LONGEST = {
    "DistributionTopic": f"arn:aws-us-gov:sns:{REGION_50}:{ACCOUNT}:{'t' * 256}",
    "DistributionRegion": REGION_50,
    "DistributionBucket": "b" * 63,
    "InitialDistributionRole": f"arn:aws-us-gov:iam::{ACCOUNT}:role/{'p/' * 224}{'r' * 64}",
    "InitialDistributionSetMachine": (
        f"arn:aws-us-gov:states:{REGION_50}:{ACCOUNT}:stateMachine:{'m' * 80}"
    ),
    "TargetBucket": "t" * 63,
    "TriggerVersion": "1." + "0" * 62,
    "BucketNameParameterName": "/" + "/".join(["p" * 100] * 10) + "x",
    "TargetBucketKmsKey": f"arn:aws-us-gov:kms:{REGION_50}:{ACCOUNT}:key/{'k' * 64}",
    "AlarmTopicName": "a" * 256,
    "DetailedMonitoring": "false",
    "ReceiptEventBusArn": (f"arn:aws-us-gov:events:{REGION_50}:{ACCOUNT}:event-bus/{'e' * 256}"),
}


@pytest.fixture(scope="module")
def parameters() -> dict:
    return build_template().to_dict()["Parameters"]


def test_every_string_parameter_has_a_max_length(parameters):
    for name, parameter in parameters.items():
        assert parameter["Type"] == "String"
        assert parameter["MaxLength"] == {s.name: s.max_length for s in SPECS}[name], name
        # ... so the console refuses a longer value, and the default is within it
        assert len(parameter["Default"]) <= parameter["MaxLength"], name


@pytest.mark.parametrize("name", sorted(LONGEST))
def test_max_length_accepts_the_longest_value_the_pattern_accepts(parameters, name):
    # GIVEN the longest value of the parameter that its pattern accepts
    parameter, value = parameters[name], LONGEST[name]
    accepted = parameter.get("AllowedValues") or []
    assert value in accepted or re.fullmatch(parameter["AllowedPattern"], value), value
    # THEN MaxLength accepts it, and is no longer than it needs to be
    assert len(value) == parameter["MaxLength"]


def test_the_list_covers_every_parameter(parameters):
    assert sorted(LONGEST) == sorted(parameters)


def test_worst_case_template_fits_the_template_body_limit():
    template = build_template()
    worst = check_worst_case(template)
    actual = len(render(template).encode())
    assert actual < worst <= TEMPLATE_BODY_LIMIT
    # Each default is as long as its MaxLength in the worst case
    for name, parameter in worst_case(template)["Parameters"].items():
        assert len(parameter["Default"]) == parameter["MaxLength"], name


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_longest_real_values_render_no_larger_than_the_worst_case(fmt):
    # GIVEN every parameter's longest real value baked in as its default (what a
    # --parameter-defaults file could hold at most)
    with_longest = render(build_template(dict(LONGEST)), fmt)
    # THEN the template is no larger than the worst case the build checks
    assert len(with_longest.encode()) <= worst_case_size(build_template(), fmt)


def test_the_build_refuses_a_template_whose_worst_case_does_not_fit():
    # GIVEN the consumer template with one parameter allowing values far longer than it could hold
    template = build_template().to_dict()
    template["Parameters"]["TriggerVersion"]["MaxLength"] = TEMPLATE_BODY_LIMIT
    # WHEN the build checks it THEN it stops, though the template as built fits
    assert len(render(template).encode()) < TEMPLATE_BODY_LIMIT
    with pytest.raises(ValidationError, match="every parameter's default at its longest is"):
        validate_template(template)


def small_template(parameter: Parameter) -> Template:
    """A template of one queue and `parameter`: any template gets the same check."""
    template = Template()
    template.add_parameter(parameter)
    template.add_resource(sqs.Queue("Queue", QueueName=parameter.ref()))
    return template


def test_the_check_works_on_any_template():
    # GIVEN another template (the distributor's, say) with a bounded String parameter
    template = small_template(Parameter("Name", Type="String", MaxLength=80, Default="q"))
    # THEN its worst case is its size with an 80-character default
    size = len(render(template).encode())
    assert check_worst_case(template) == size - 1 + 80
    assert check_worst_case(template.to_dict()) == size - 1 + 80


def test_a_string_parameter_without_max_length_is_refused():
    template = small_template(Parameter("Name", Type="String", Default="q"))
    with pytest.raises(ValidationError, match=r"parameter Name \(String\) has no MaxLength"):
        check_worst_case(template)


@pytest.mark.parametrize(
    ("parameter", "longest"),
    [
        ({"Type": "String", "AllowedValues": ["a", "bbb"]}, 3),
        ({"Type": "String", "AllowedValues": ["a", "bbb"], "MaxLength": 2}, 2),
        ({"Type": "Number", "AllowedValues": [1, 250]}, 3),
        ({"Type": "String", "MaxLength": "7"}, 7),
        # the defaults loaders bake only canonical integers: "43200", never "043200.0"
        ({"Type": "Number", "MinValue": 60, "MaxValue": 43200}, 5),
    ],
)
def test_allowed_values_bound_a_parameter_too(parameter, longest):
    assert len(longest_value("P", parameter)) == longest


@pytest.mark.parametrize(
    "parameter",
    [
        {"Type": "Number", "MaxValue": 10},  # "0000000010.000" is a Number no larger than 10
        {"Type": "Number", "MinValue": -5, "MaxValue": 10},  # "-5.000000" too
        {"Type": "CommaDelimitedList", "AllowedValues": ["a"]},  # "a,a,a,..." repeats it
        {"Type": "List<AWS::EC2::Subnet::Id>"},
        {"Type": "AWS::SSM::Parameter::Value<String>"},
    ],
)
def test_a_parameter_nothing_bounds_is_refused(parameter):
    with pytest.raises(ValidationError, match="no bound on the template's size"):
        longest_value("P", parameter)


def test_worst_case_leaves_the_template_itself_unchanged():
    template = build_template().to_dict()
    before = json.dumps(template, sort_keys=True)
    worst_case(template)
    assert json.dumps(template, sort_keys=True) == before


def test_a_yaml_build_reports_its_own_worst_case_and_warns_when_it_does_not_fit():
    # GIVEN the template rendered as YAML (larger than the compact JSON the build guarantees)
    sizes = validate_template(build_template(), "yaml")
    # THEN its worst case is measured in YAML, and a warning says so exactly when it is over
    assert sizes.worst_case_written == worst_case_size(build_template(), "yaml") > sizes.actual
    assert sizes.worst_case == check_worst_case(build_template())
    over = sizes.worst_case_written > TEMPLATE_BODY_LIMIT
    assert (sizes.yaml_warning() is not None) == over
    json_sizes = validate_template(build_template(), "json")
    assert json_sizes.worst_case_written == json_sizes.worst_case
    assert json_sizes.yaml_warning() is None
