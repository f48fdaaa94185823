"""`build_template()`: wires every module's resources into the consumer stack."""

from __future__ import annotations

from troposphere import GetAtt, Output, Ref, Template

from generator import __version__
from generator.consumer.copy_function import COPY_TIMEOUT, add_copy_function
from generator.consumer.initial_set import add_initial_set
from generator.consumer.messaging import RETRY_DELAYS_NAME, add_messaging
from generator.consumer.monitoring import add_monitoring
from generator.consumer.parameters import add_parameters
from generator.consumer.receipts import add_receipt_forwarding
from generator.consumer.storage import add_storage
from generator.inline import InlinedCode, inline_handler

DESCRIPTION = (
    "build-artifact-consumer: copies every build artifact a distributor announces into this "
    "account and region, and requests the initial set on creation."
)
BUCKET_NAME_OUTPUT = "BucketName"
QUEUE_ARN_OUTPUT = "QueueArn"
QUEUE_URL_OUTPUT = "QueueUrl"
DEAD_LETTER_QUEUE_URL_OUTPUT = "DeadLetterQueueUrl"
COPY_FUNCTION_NAME_OUTPUT = "CopyFunctionName"
VERSION_OUTPUT = "TemplateVersion"
SIDE = "consumer"  # handlers/consumer/
HANDLER_MODULES = ("copy_files", "initial_set_trigger")


def inline_handlers() -> dict[str, InlinedCode]:
    """The minified code of each handler module, by module name."""
    return {name: inline_handler(name, SIDE) for name in HANDLER_MODULES}


def build_template(
    defaults: dict[str, str] | None = None, code: dict[str, InlinedCode] | None = None
) -> Template:
    """Build the whole consumer stack; `defaults` overrides parameter defaults."""
    code = code or inline_handlers()
    # The version ends the Description, which the console's stack list shows.
    template = Template(Description=f"{DESCRIPTION} Version {__version__}")
    template.set_version()
    params = add_parameters(template, defaults)
    retry_delays = code["copy_files"].constant(RETRY_DELAYS_NAME)
    messaging = add_messaging(template, params, COPY_TIMEOUT, retry_delays)
    storage = add_storage(template, params, after=[messaging.subscription.title])
    copy = add_copy_function(template, params, code["copy_files"], storage, messaging)
    add_initial_set(template, params, code["initial_set_trigger"], messaging)
    add_receipt_forwarding(template, params)
    add_monitoring(template, params, messaging, copy)
    _add_outputs(template, storage.bucket_name, messaging, copy.function)
    return template


def _add_outputs(template: Template, bucket_name, messaging, function) -> None:
    template.add_output(
        [
            Output(
                BUCKET_NAME_OUTPUT,
                Description="Bucket the artifacts are copied into",
                Value=bucket_name,
            ),
            Output(
                QUEUE_ARN_OUTPUT,
                Description="Queue subscribed to the distribution topic",
                Value=GetAtt(messaging.queue, "Arn"),
            ),
            Output(QUEUE_URL_OUTPUT, Description="URL of that queue", Value=Ref(messaging.queue)),
            Output(
                DEAD_LETTER_QUEUE_URL_OUTPUT,
                Description="Messages that failed maxReceiveCount times wait here",
                Value=Ref(messaging.dead_letter_queue),
            ),
            Output(
                COPY_FUNCTION_NAME_OUTPUT,
                Description="Function that copies the artifacts",
                Value=Ref(function),
            ),
            Output(
                VERSION_OUTPUT,
                Description="Version of build-artifact-consumer this stack runs",
                Value=__version__,
            ),
        ]
    )
