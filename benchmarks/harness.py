"""Processes the measurements need: the local endpoint, moto, and one worker per measurement."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.config import Config

from benchmarks.memory import PeakRss, cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION_BUCKET = "bench-distribution"
TARGET_BUCKET = "bench-target"
DISTRIBUTION_REGION = "eu-west-1"
REGION = "eu-central-1"


class BenchError(RuntimeError):
    """A measurement could not be taken (a copy failed, a process died)."""


class TimedOut(BenchError):
    """The measured run took longer than its timeout; the worker was stopped."""


@dataclass
class Run:
    """One measured run in a worker: its seconds, peak RSS growth and the handler's results."""

    seconds: float
    growth_mib: float
    results: list
    cpu_seconds: float = 0.0  # the worker's user + system CPU during the measured run
    stats: dict = field(default_factory=dict)  # the endpoint's counters during the run
    server_growth_mib: float = 0.0  # peak RSS growth of the S3 server's process (moto)
    part_sizes: list = field(default_factory=list)  # of the (last) object written, on the sink


def lambda_env(endpoint: str) -> dict[str, str]:
    """The handlers' environment: the contract's variables, fake credentials, the endpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL_S3=endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE=endpoint,  # the receipts
        TARGET_BUCKET=TARGET_BUCKET,
        DISTRIBUTION_BUCKET=DISTRIBUTION_BUCKET,
        DISTRIBUTION_REGION=DISTRIBUTION_REGION,
        INITIAL_DISTRIBUTION_ROLE="arn:aws:iam::111122223333:role/TriggerInitSetRole",
        INITIAL_DISTRIBUTION_MACHINE=(
            "arn:aws:states:eu-west-1:111122223333:stateMachine:InitSetRetrieverMachine"
        ),
        CONSUMER_ACCOUNT_ID="444455556666",
        CONSUMER_REGION=REGION,
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def s3_client(endpoint: str):
    """A client of `endpoint` for the runner itself (presigning, checks), path style."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}),
    )


@contextmanager
def endpoint(
    latency: float = 0.0, connection_rate: float = 0, function_rate: float = 0
) -> Iterator[str]:
    """`benchmarks.endpoint` in its own process (rates in bytes/s, 0: unpaced); yields its URL."""
    cmd = [sys.executable, "-m", "benchmarks.endpoint", "--latency", str(latency)]
    cmd += ["--connection-rate", str(connection_rate), "--function-rate", str(function_rate)]
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True) as proc:
        try:
            line = proc.stdout.readline()
            if not line.startswith("listening on "):
                raise BenchError(f"endpoint did not start: {line!r}")
            yield f"http://127.0.0.1:{line.split()[-1]}"
        finally:
            proc.terminate()


@contextmanager
def moto(port: int) -> Iterator[tuple[str, int]]:
    """A moto server in its own process, with both buckets; yields its URL and process id."""
    cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        try:
            url = f"http://127.0.0.1:{port}"
            client = s3_client(url)
            _wait_until_up(client)
            for bucket in (DISTRIBUTION_BUCKET, TARGET_BUCKET):
                client.create_bucket(
                    Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
                )
            yield url, proc.pid
        finally:
            proc.terminate()


def _wait_until_up(client, tries: int = 100) -> None:
    for _ in range(tries):
        try:
            client.list_buckets()
            return
        except Exception:
            time.sleep(0.1)
    raise BenchError("moto did not start")


def run_worker(job: dict, env: dict[str, str], workdir: Path, timeout: float | None = None) -> Run:
    """Start a worker for `job`, let it prepare, then measure its run and peak RSS from here.

    A measured run longer than `timeout` seconds is stopped and raises TimedOut.
    """
    name = f"{job['kind']}-{uuid.uuid4().hex[:8]}"
    job_file, log_file = workdir / f"{name}.json", workdir / f"{name}.log"
    job_file.write_text(json.dumps(job))
    cmd = [sys.executable, "-m", "benchmarks.worker", str(job_file)]
    with (
        log_file.open("w") as log,
        subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        ) as proc,
    ):
        killed = []
        timer = threading.Timer(timeout or 0, lambda: killed.append(proc.kill()))
        try:
            return _measure(proc, timer if timeout else None)
        except (BenchError, OSError, ValueError) as err:
            if killed:
                raise TimedOut(f"stopped after {timeout:.0f} s") from err
            proc.kill()
            tail = log_file.read_text()[-2000:]
            raise BenchError(f"{name}: {err}\n--- worker log tail ---\n{tail}") from err


def _measure(proc: subprocess.Popen, timer: threading.Timer | None) -> Run:
    if proc.stdout.readline().strip() != "ready":
        raise BenchError("worker failed while preparing")
    cpu_before = cpu_seconds(proc.pid)
    with PeakRss(proc.pid) as peak:
        proc.stdin.write("go\n")
        proc.stdin.flush()
        if timer:
            timer.start()
        line = proc.stdout.readline()
        peak.stop()
        cpu = cpu_seconds(proc.pid) - cpu_before
        if timer:
            timer.cancel()
    if not line:
        raise BenchError("worker died during the measured run")
    proc.stdin.write("exit\n")
    proc.stdin.flush()
    result = json.loads(line)
    for response in result["results"]:
        if response.get("batchItemFailures"):
            raise BenchError(f"the handler reported failures: {response}")
    return Run(result["seconds"], peak.growth_mib, result["results"], cpu)
