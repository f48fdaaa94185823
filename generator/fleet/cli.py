"""`build-artifact-consumer fleet`: options, the run, exit status (0 complete, 1 gaps, 2 cannot
tell), one line on stderr for every error, progress on stderr only when it is a terminal."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from generator.fleet.insights import MAX_ROWS
from generator.fleet.model import FleetError

COMPLETE, GAPS, CANNOT_TELL = 0, 1, 2

EPILOG = """exit status: 0 every consumer holds the current version of every artifact addressed to
it; 1 something is missing or outdated; 2 cannot tell (unknown stack, no access, wrong Outputs,
no consumer, no artifact under the prefix, a failed or timed-out query): one line on stderr.

Run it with credentials of the distributor's account (see the README, Fleet status, for the IAM
permissions). Receipts are read from the oldest artifact's LastModified (less 5 minutes) unless
--since says otherwise.

examples:
  build-artifact-consumer fleet --distributor-stack build-artifact-distributor
  build-artifact-consumer fleet --distributor-stack build-artifact-distributor \\
      --prefix releases/1.2/ || exit 1          # a release gate
  python -m generator fleet --distributor-stack build-artifact-distributor --json
"""


def parse_args(argv: list[str], prog: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"{prog} fleet",
        description="Which consumer account and region lacks which artifact of the distributor: "
        "joins the distribution topic's SQS subscriptions, the bucket's current objects and "
        "the consumers' receipts (CloudWatch Logs Insights).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--distributor-stack",
        required=True,
        metavar="NAME",
        help="name or id of the distributor's CloudFormation stack",
    )
    parser.add_argument(
        "--region",
        help="the distributor stack's region (default: the AWS configuration's, e.g. AWS_REGION)",
    )
    parser.add_argument(
        "--prefix",
        default="",
        metavar="P",
        help="only artifacts whose key starts with P (default: all)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--since",
        type=timestamp,
        metavar="TIME",
        help="read receipts from TIME (ISO 8601, e.g. 2026-12-01 or "
        "2026-12-01T10:00Z; default: the oldest artifact's LastModified)",
    )
    parser.add_argument(
        "--query-rows",
        type=query_rows,
        default=MAX_ROWS,
        metavar="N",
        help="the most rows one Logs Insights query returns (default: %(default)s, the "
        "service's maximum; 10000 if StartQuery refuses more)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="stop waiting for the receipt queries after this long, exit 2 "
        "(default: %(default).0f)",
    )
    return parser.parse_args(argv)


def query_rows(value: str) -> int:
    """A row limit StartQuery accepts: 2 to MAX_ROWS."""
    if not value.isdigit() or not 2 <= int(value) <= MAX_ROWS:
        raise argparse.ArgumentTypeError(f"not a number from 2 to {MAX_ROWS}: {value!r}")
    return int(value)


def timestamp(value: str) -> datetime:
    """An ISO 8601 date or time; UTC unless it names a zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {value!r}") from err
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def progress_printer():
    """Progress on stderr, overwritten in place, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return lambda message: None
    return lambda message: print(f"\r\033[K{message}", end="", file=sys.stderr, flush=True)


def main(argv: list[str], prog: str = "build-artifact-consumer") -> int:
    """Run `fleet`; 0 complete, 1 something missing or outdated, 2 cannot tell."""
    args = parse_args(argv, prog)
    progress = progress_printer()
    try:
        from generator.fleet.run import read_and_join  # boto3: imported only for `fleet`

        status, heading = read_and_join(args, progress)
    except KeyboardInterrupt:
        return cannot_tell("interrupted", progress)
    except Exception as err:  # whatever it is: one line, never a traceback
        return cannot_tell(describe(err), progress)
    progress("")
    print(report_text(status, heading, args.json), flush=True)
    return COMPLETE if status.complete else GAPS


def report_text(status, heading: str, as_json: bool) -> str:
    from generator.fleet import report

    return report.as_json(status) if as_json else report.as_text(status, heading)


def cannot_tell(message: str, progress) -> int:
    """Exit status 2 with one line on stderr."""
    progress("")
    print(f"error: cannot tell the fleet status: {message}", file=sys.stderr, flush=True)
    return CANNOT_TELL


def describe(err: Exception) -> str:
    """One line for any failure: ours, AWS's answer, botocore's, or an unexpected one."""
    if isinstance(err, FleetError):
        return str(err)
    response = getattr(err, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        operation = getattr(err, "operation_name", "AWS")
        return f"{operation}: {error.get('Code')}: {error.get('Message')}"
    text = " ".join(str(err).split()) or "no detail"
    return f"{type(err).__name__}: {text}"
