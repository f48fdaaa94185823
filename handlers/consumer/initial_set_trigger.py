"""Initial-set trigger: a custom resource that asks the distributor for the initial set.

Layers, as in crhelper: the work runs in a worker thread that catches everything and answers;
the handler waits for it until shortly before the function's time runs out, then answers FAILED
itself and returns normally (a function killed by its timeout would be invoked again by Lambda
and answer twice); a lock lets exactly one answer out per request. The answer's PUTs run in a
sender thread that the handler waits for only until a deadline, so no ResponseURL, however slow,
keeps the function past its time. A retry of the same request reuses the execution name, so it
starts nothing new. No log line carries the ResponseURL's path or query (they are presigned).
"""

import json
import os
import re
import threading
import time
import urllib.request
import uuid
from urllib.parse import unquote

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

WORKER = "initial-set-trigger"  # the worker thread's name, in thread dumps
SENDER = f"{WORKER}-answer"  # the thread that PUTs the answer
MAX_BODY = 4096  # bytes: CloudFormation rejects a larger response
MAX_URL = 8192  # characters: CloudFormation's ResponseURLs are far shorter
PUT_ATTEMPTS = 4
PUT_BACKOFF = 0.25  # seconds before the 2nd PUT, doubled each time
# Runs of printable ASCII but " ' \ (no escaping, repr, JSON or bytes, changes them): a run of the
# ResponseURL reaches a log line unchanged, whatever text carries it. `?`, `#` and `&` split it
# into its parts; runs shorter than 4 characters reveal nothing and would redact common words.
UNESCAPED_RUN = r"[ !$%(->@-\[\]-~]{4,}"
REDACTED = "[redacted]"
# Short socket timeouts; the retry mode's attempts can be changed with AWS_MAX_ATTEMPTS.
AWS = Config(connect_timeout=5, read_timeout=10, retries={"mode": "standard"})
REGION = r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}"  # the DistributionRegion parameter's pattern
ROLE_ARN = r"arn:[\w-]+:iam::\d{12}:role/[\w+=,.@/-]{1,512}"
MACHINE_ARN = r"arn:([\w-]+):states:([a-z0-9-]+):(\d{12}):stateMachine:([^:/\s]{1,80})"
ENV = {  # variable: (key, pattern, the template value it comes from)
    "INITIAL_DISTRIBUTION_ROLE": ("role", ROLE_ARN, "InitialDistributionRole"),
    "INITIAL_DISTRIBUTION_MACHINE": ("machine", MACHINE_ARN, "InitialDistributionSetMachine"),
    "DISTRIBUTION_REGION": ("region", REGION, "DistributionRegion"),
    "CONSUMER_ACCOUNT_ID": ("account", r"\d{12}", "AWS::AccountId"),
    "CONSUMER_REGION": ("home", REGION, "AWS::Region"),
}
HINTS = {  # error code, less any "Exception" suffix: how to fix it
    "AccessDenied": "role {role} must trust account {account} (this function's role) and "
    "allow states:StartExecution on {machine}",
    "StateMachineDoesNotExist": "state machine {machine} does not exist in region {region}: "
    "fix InitialDistributionSetMachine or DistributionRegion",
    "Throttling": "throttled even after retries: try again later",
    "ExecutionLimitExceeded": "too many executions run: try again later",
}


class Failure(Exception):
    """A failure whose message already says what failed and how to fix it."""


class Invocation:
    """One request: where it stands, its time, and the guard that lets one answer out."""

    def __init__(self, event: dict, context) -> None:
        self.event = event
        self.step = "reading the request"
        self.env = {}
        self.secret = secret_pattern(event.get("ResponseURL"))
        self.lock = threading.Lock()  # guards `sent` only: held for no I/O, so never for long
        self.sent = False
        self.answered = threading.Event()  # the sender is done: answer sent, or given up
        left = context.get_remaining_time_in_millis() / 1000
        # The margin scales with the time left: a fixed one could exceed it and fire at once.
        margin = min(10, max(0.5, left / 5))
        self.patience = max(0, left - margin)  # the worker's time
        # When the PUTs must end: the deadline less a quarter of the margin, kept for returning.
        self.answer_by = time.monotonic() + left - margin / 4

    def log(self, level: str, message: str, **fields) -> None:
        """Print one JSON log line naming the request, with the ResponseURL redacted everywhere."""
        line = {"level": level, "message": message, "RequestId": self.event.get("RequestId")}
        print(json.dumps(self.redact({**line, "step": self.step, **fields})), flush=True)

    def redact(self, value):
        """`value` with every part of the ResponseURL's path and query replaced, at any depth."""
        if isinstance(value, dict):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact(v) for v in value]
        if isinstance(value, int | float | None):  # numbers, booleans, null: nothing to redact
            return value
        return self.secret.sub(REDACTED, str(value)) if self.secret else str(value)

    def time_out(self) -> None:
        """Answer FAILED before Lambda kills the function without an answer."""
        self.respond("FAILED", f"timed out while {self.step}: try again later")

    def claim(self) -> bool:
        """True for the first caller only: the one whose answer goes out."""
        with self.lock:
            first, self.sent = not self.sent, True
        return first

    def respond(self, status: str, reason: str, data: dict | None = None) -> None:
        """Start sending the answer unless one was started; the handler waits for it, bounded."""
        if not self.claim():
            return self.log("INFO", "answer already sent", dropped=status)
        self.log(
            "INFO" if status == "SUCCESS" else "ERROR", "answering", status=status, reason=reason
        )
        document = body(self.event, status, reason, data or {})
        threading.Thread(target=self.send, args=(document,), name=SENDER, daemon=True).start()

    def wait_for_answer(self) -> None:
        """Wait for the sender until `answer_by` at most, so the function returns in time."""
        # Lambda freezes the process once the handler returns. A sender still inside its PUT then
        # may finish that attempt when a later request thaws the process: it sends this request's
        # one document, and makes no new attempt (`answer_by` has passed). `claim` lets no other
        # answer out, and the late log lines still name this request.
        if not self.answered.wait(max(0, self.answer_by - time.monotonic())):
            self.log("ERROR", "answer still being sent at the deadline: returning")

    def send(self, data: bytes) -> None:
        """The sender thread: PUT `data`, retrying until answer_by; then let the handler go."""
        request = urllib.request.Request(  # noqa: S310 (handler checks the scheme)
            self.event["ResponseURL"], data=data, method="PUT", headers={"Content-Type": ""}
        )
        try:
            for attempt in range(1, PUT_ATTEMPTS + 1):
                # Per socket read, not in total: the handler's wait bounds the total.
                timeout = min(10, max(0.5, (self.answer_by - time.monotonic()) / 2))
                try:
                    with urllib.request.urlopen(request, timeout=timeout) as r:  # noqa: S310
                        return self.log("INFO", "answer sent", attempt=attempt, http=r.status)
                except Exception as err:  # any failure is retried, then logged
                    self.log("WARNING", "answer PUT failed", attempt=attempt, error=repr(err))
                pause = PUT_BACKOFF * 2 ** (attempt - 1)
                if attempt == PUT_ATTEMPTS or time.monotonic() + pause > self.answer_by:
                    break
                time.sleep(pause)
            self.log("ERROR", "gave up sending the answer", attempts=attempt)
        finally:
            self.answered.set()


def secret_pattern(url: object) -> re.Pattern | None:
    """What of the ResponseURL no log may show: each part of its path, query and fragment.

    Raw and percent-decoded; the runs between the characters escaping changes, so that repr or
    JSON of any text carrying the URL (an exception from urllib or http.client) is covered too.
    """
    if not isinstance(url, str) or len(url) > MAX_URL:
        return None
    tail = re.sub(r"^[^:/?#]*://[^/?#]*", "", url)  # the URL without its scheme and host
    runs = {run for text in (tail, unquote(tail)) for run in re.findall(UNESCAPED_RUN, text)}
    longest_first = sorted(runs, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, longest_first))) if runs else None


def body(event: dict, status: str, reason: str, data: dict) -> bytes:
    """The response document, its Reason cut so that the whole body fits in MAX_BODY bytes."""
    doc = {
        "Status": status,
        "Reason": "",
        "PhysicalResourceId": physical_id(event),
        "StackId": event.get("StackId"),
        "RequestId": event.get("RequestId"),
        "LogicalResourceId": event.get("LogicalResourceId"),
        "Data": data,
    }
    low, high = 0, len(reason)
    while low < high:  # binary search: the longest start of the Reason that fits
        middle = (low + high + 1) // 2
        if len(cut(doc, reason, middle)) > MAX_BODY:
            high = middle - 1
        else:
            low = middle
    return cut(doc, reason, low)


def cut(doc: dict, reason: str, keep: int) -> bytes:
    """The encoded document with only the first `keep` characters of the Reason."""
    doc["Reason"] = reason[:keep] + ("..." if keep < len(reason) else "")
    return json.dumps(doc).encode()


def physical_id(event: dict) -> str:
    """The event's id (Update, Delete) or one derived from the stack, so it never changes."""
    stack = uuid.uuid5(uuid.NAMESPACE_URL, str(event.get("StackId")))
    return event.get("PhysicalResourceId") or f"{event.get('LogicalResourceId')}-{stack}"


def configure(call: Invocation) -> dict:
    """Read and check the environment at call time; a bad value fails naming its variable."""
    call.step = "reading the configuration"
    for name, (key, pattern, origin) in ENV.items():
        value = os.environ.get(name, "")
        if not re.fullmatch(pattern, value):
            state = f"invalid ({value!r})" if value else "missing"
            raise Failure(f"environment variable {name} is {state}: it comes from {origin}")
        call.env[key] = value
    partition, region, account, machine = re.fullmatch(MACHINE_ARN, call.env["machine"]).groups()
    if region != call.env["region"]:
        raise Failure(
            f"INITIAL_DISTRIBUTION_MACHINE is not in DISTRIBUTION_REGION {call.env['region']}"
        )
    # Execution ARNs: the machine's ARN with resource type `execution`, then the execution name.
    call.env["executions"] = f"arn:{partition}:states:{region}:{account}:execution:{machine}"
    return call.env


def start(call: Invocation) -> str:
    """Start the initial-set execution as the distributor's role; return its ARN."""
    env = configure(call)
    name = re.sub(
        r"[^\w-]", "_", f"{env['account']}-{env['home']}-{call.event['RequestId']}", flags=re.ASCII
    )[:80]
    call.step = f"assuming role {env['role']}"
    creds = boto3.client("sts", config=AWS).assume_role(
        RoleArn=env["role"], RoleSessionName=f"initial-set-{env['account']}"
    )["Credentials"]
    call.step = f"starting execution {name} of {env['machine']}"
    sfn = boto3.client(
        "stepfunctions",
        region_name=env["region"],
        config=AWS,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    given = json.dumps({"AccountId": env["account"], "Region": env["home"]})
    if call.sent:  # FAILED went out while AssumeRole hung: the stack is rolling back
        raise Failure("answered already: no execution started")
    try:
        return sfn.start_execution(stateMachineArn=env["machine"], name=name, input=given)[
            "executionArn"
        ]
    except ClientError as err:
        if err.response["Error"].get("Code") != "ExecutionAlreadyExists":
            raise
    call.log("INFO", "repeated request: execution exists")
    return f"{env['executions']}:{name}"


def explain(call: Invocation, err: Exception) -> str:
    """A FAILED reason: what failed, AWS's own words, and how to fix it when we know."""
    if isinstance(err, ClientError):
        error = err.response["Error"]
        hint = HINTS.get(error.get("Code", "").removesuffix("Exception"), "").format(**call.env)
        err = f"{error.get('Code')}: {error.get('Message')}" + (f". Fix: {hint}" if hint else "")
    elif not isinstance(err, Failure):
        err = f"{type(err).__name__}: {err}"
    return f"{call.step} failed: {err}"


def version_changed(event: dict) -> bool:
    """Only a new Version asks again; a template upgrade (e.g. ServiceTimeout) must not."""
    old = (event.get("OldResourceProperties") or {}).get("Version")
    return (event.get("ResourceProperties") or {}).get("Version") != old


def handler(event: dict, context) -> None:
    """Answer one custom resource request exactly once, before the function's time runs out."""
    call = Invocation(event, context)
    # CloudFormation sends https; http is for local endpoints. Nothing else may be opened.
    url = event.get("ResponseURL")
    if not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        return call.log("ERROR", "not a custom resource request: no http(s) ResponseURL")
    if len(url) > MAX_URL:  # not CloudFormation's: too long to redact from logs in time
        return call.log("ERROR", f"not a custom resource request: ResponseURL over {MAX_URL}")
    call.log(
        "INFO", "request received", event={k: v for k, v in event.items() if k != "ResponseURL"}
    )
    worker = threading.Thread(target=work, args=(call,), name=WORKER, daemon=True)
    worker.start()
    worker.join(call.patience)
    if worker.is_alive():  # the distributor hangs: answer now; the late worker's answer is dropped
        call.time_out()
    call.wait_for_answer()  # whoever answered: its PUTs, until shortly before the deadline


def work(call: Invocation) -> None:
    """Do what the request asks and answer; every failure is answered too."""
    event = call.event
    status, reason, data = "SUCCESS", "", {}
    try:
        if event.get("RequestType") == "Update" and not version_changed(event):
            reason = "Version unchanged: initial set not requested again"
        elif event.get("RequestType") in ("Create", "Update"):
            data["ExecutionArn"] = start(call)
            reason = f"initial set requested: {data['ExecutionArn']}"
        elif event.get("RequestType") != "Delete":
            raise Failure(f"unknown RequestType {event.get('RequestType')!r}")
    except Exception as err:  # every failure is answered
        status, reason, data = "FAILED", explain(call, err), {}
    call.step = "answering"
    call.respond(status, reason, data)
