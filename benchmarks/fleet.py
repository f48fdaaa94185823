"""`python -m benchmarks.fleet` (also in `tox -e bench`): the largest fleet the fleet status
answers on moto, and how long it takes; writes benchmarks/FLEET_RESULTS.md.

Each size is a fresh, reset moto server in this process (the Insights glue of testkit/insights.py
patches it in place), a distributor stack, N consumers x M artifacts, and N x (M - 1) receipts:
consumer i lacks artifact i and holds an older version of artifact i + 1. The command runs in
this process too (`generator.cli.main`), its answer is checked, and its wall time measured.
Insights queries: those moto evaluated, StartQuery requests that botocore retried included.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import resource
import sys
import time
from pathlib import Path

import pytest
import requests

from benchmarks.report import commit, machine
from generator.cli import main
from testkit.fleet import REGION, STACK, deploy, receipt_event
from testkit.insights import install
from testkit.moto_server import moto_server

DEFAULT_SIZES = "100x100,300x300,1000x100,1000x300"
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def fleet_of(consumers: int, artifacts: int) -> dict:
    """Set up one fleet on the current moto; the number of receipts written."""
    distributor = deploy()
    accounts = [f"{100_000_000_000 + i}" for i in range(consumers)]
    for account in accounts:
        distributor.subscribe(account, REGION, queue=False)
    keys = [f"releases/1.0/artifact-{j:05d}.bin" for j in range(artifacts)]
    etags = [distributor.put(key, key.encode()) for key in keys]
    events = []
    for i, account in enumerate(accounts):
        for j, (key, etag) in enumerate(zip(keys, etags, strict=True)):
            if j == i % artifacts:
                continue  # missing
            held = '"0123456789abcdef0123456789abcdef"' if j == (i + 1) % artifacts else etag
            events.append(receipt_event(account, REGION, key, held))
    distributor.write(events)
    return {"receipts": len(events)}


def measure(consumers: int, artifacts: int) -> dict:
    """One size on a fresh moto: set up, run `fleet --json`, check the answer, time both."""
    with moto_server() as endpoint, pytest.MonkeyPatch.context() as patch:
        for name, value in ENVIRONMENT.items() | {("AWS_ENDPOINT_URL", endpoint)}:
            patch.setenv(name, value)
        requests.post(f"{endpoint}/moto-api/reset", timeout=60)  # backends live in-process
        glue = install(patch)
        started = time.perf_counter()
        row = fleet_of(consumers, artifacts)
        row["setup_s"] = time.perf_counter() - started
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["fleet", "--distributor-stack", STACK, "--json"])
        row["run_s"] = time.perf_counter() - started
    row |= {"consumers": consumers, "artifacts": artifacts, "queries": len(glue.queries)}
    row["moto_query_s"] = glue.seconds
    row["answer"] = verdict(status, out.getvalue(), err.getvalue(), consumers, artifacts)
    row["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def verdict(status: int, out: str, err: str, consumers: int, artifacts: int) -> str:
    """`correct` when the answer is the fleet's; otherwise what went wrong."""
    if status != 1:
        return f"exit status {status}: {err.strip()}"
    answer = json.loads(out)
    got = [(c["held"], c["outdated"], c["missing"]) for c in answer["consumers"]]
    return "correct" if got == [(artifacts - 2, 1, 1)] * consumers else "**WRONG**"


def table(rows: list[dict]) -> str:
    """The measurements as a Markdown table."""
    lines = [
        "| consumers x artifacts | receipts | Insights queries | setup | `fleet` run | moto "
        "evaluating them (summed over queries run side by side) | answer | peak RSS (moto + "
        "command) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['consumers']:,} x {r['artifacts']:,} | {r['receipts']:,} | {r['queries']} | "
            f"{r['setup_s']:.1f} s | {r['run_s']:.1f} s | {r['moto_query_s']:.1f} s | "
            f"{r['answer']} | {r['rss_mib']:,.0f} MiB |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fleet",
        description="The largest fleet `build-artifact-consumer fleet` answers on moto: sizes in "
        "turn until one takes longer than the budget.",
    )
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help="CONSUMERSxARTIFACTS,... (default: %(default)s)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="stop after a size whose run took longer (default: %(default).0f)",
    )
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "FLEET_RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser.parse_args(argv)


def main_bench(argv: list[str] | None = None) -> int:
    """Measure the sizes in turn; print and write the table."""
    args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the moto server's request log
    rows = []
    for size in args.sizes.split(","):
        consumers, artifacts = (int(n) for n in size.split("x"))
        rows.append(measure(consumers, artifacts))
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
        if rows[-1]["answer"] != "correct" or rows[-1]["run_s"] > args.budget:
            break
    text = table(rows)
    print(text)
    if not args.no_write:
        root = Path(__file__).resolve().parent.parent
        date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        args.output.write_text(
            f"# Fleet status on moto\n\n- date: {date}"
            f"\n- machine: {machine()}\n- code: commit {commit(root)}\n"
            f"- command: `python -m benchmarks.fleet --sizes {args.sizes}`\n\n{text}\n\n"
            f"{__doc__.split(chr(10) * 2, 1)[1]}",
            encoding="utf-8",
        )
    return 0 if "**WRONG**" not in text else 1


if __name__ == "__main__":
    sys.exit(main_bench())
