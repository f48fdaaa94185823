"""The Lambda context object a handler is invoked with, outside Lambda."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

REGION = "eu-central-1"
ACCOUNT = "123456789012"


@dataclass
class LambdaContext:
    """The context attributes handlers use; the time left counts down from `seconds` at creation."""

    seconds: float = 60.0  # the function's timeout
    function_name: str = "consumer-function"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = ""  # default: the function's ARN in REGION and ACCOUNT
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""  # default: /aws/lambda/<function_name>
    log_stream_name: str = "local"
    deadline: float = field(init=False)  # time.monotonic() when the function times out

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.seconds
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"
        self.invoked_function_arn = self.invoked_function_arn or arn
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until the function's timeout, as Lambda counts them."""
        return max(0, int((self.deadline - time.monotonic()) * 1000))
