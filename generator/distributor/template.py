"""`build_template()`: wires every module's resources into the distributor stack."""

from __future__ import annotations

from troposphere import AWS_REGION, GetAtt, Output, Ref, Template

from generator import __version__
from generator.distributor.initial_set import add_initial_set
from generator.distributor.parameters import add_parameters
from generator.distributor.publishing import add_publishing
from generator.distributor.receipts import add_receipts
from generator.distributor.storage import add_storage
from generator.inline import InlinedCode, inline_handler

DESCRIPTION = (
    "build-artifact-consumer distributor: announces every artifact put into its bucket to the "
    "consumers of an organisation or of listed accounts, and sends new consumers the initial set."
)
SIDE = "distributor"  # handlers/distributor/
HANDLER_MODULES = ("publisher", "initial_set")
# The consumer's parameters that the outputs of the same names fill in (ARCHITECTURE.md).
CONSUMER_OUTPUTS = (
    "DistributionTopic",
    "DistributionRegion",
    "DistributionBucket",
    "InitialDistributionRole",
    "InitialDistributionSetMachine",
    "ReceiptEventBusArn",
)
# `aws cloudformation describe-stacks --query` that turns the deployed distributor's outputs into
# the consumer's `--parameter-defaults` file (README, "The whole system from zero").
DEFAULTS_QUERY = (
    "Stacks[0].{"
    + ", ".join(
        f"{name}: Outputs[?OutputKey=='{name}'].OutputValue|[0]" for name in CONSUMER_OUTPUTS
    )
    + "}"
)


# The Outputs (a contract: ARCHITECTURE.md, Distributor outputs): the consumer's parameter names
OUTPUTS = {
    "DistributionTopic": "SNS topic the artifacts are announced on",
    "DistributionRegion": "Region of this stack",
    "DistributionBucket": "Bucket to put artifacts into (tags account, region)",
    "InitialDistributionRole": "Role consumers assume",
    "InitialDistributionSetMachine": "Machine that sends the initial set",
    "ReceiptEventBusArn": "Bus consumers forward receipts to",
    "ReceiptLogGroup": "Log group holding every receipt",
}


def inline_handlers() -> dict[str, InlinedCode]:
    """The minified code of each handler module, by module name."""
    return {name: inline_handler(name, SIDE) for name in HANDLER_MODULES}


def build_template(
    defaults: dict[str, str] | None = None, code: dict[str, InlinedCode] | None = None
) -> Template:
    """Build the whole distributor stack; `defaults` overrides parameter defaults."""
    code = code or inline_handlers()
    template = Template(Description=f"{DESCRIPTION} Version {__version__}")
    template.set_version()
    params, consumers = add_parameters(template, defaults)
    bucket = add_storage(template)
    publishing = add_publishing(template, params, consumers, bucket, code["publisher"])
    machine, role = add_initial_set(template, consumers, bucket, publishing, code["initial_set"])
    receipts = add_receipts(template, params, consumers)
    values = {
        "DistributionTopic": Ref(publishing.topic),
        "DistributionRegion": Ref(AWS_REGION),
        "DistributionBucket": Ref(bucket),
        "InitialDistributionRole": GetAtt(role, "Arn"),
        "InitialDistributionSetMachine": Ref(machine),
        "ReceiptEventBusArn": GetAtt(receipts.bus, "Arn"),
        "ReceiptLogGroup": Ref(receipts.log_group),
    }
    template.add_output(
        [Output(name, Description=text, Value=values[name]) for name, text in OUTPUTS.items()]
    )
    return template
