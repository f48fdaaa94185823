"""Bounded memory: a few hundred MiB stream through the handler process in a few dozen MiB.

The handler runs as inlined in the template, in its own interpreter; S3 (moto, source and
target) runs in another process, so the peak RSS measured is the handler's alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from testkit.handlers import inlined_code
from testkit.moto_server import free_port
from tests.copy.conftest import DISTRIBUTION, DISTRIBUTION_REGION, REGION, TARGET, sqs_record
from tests.copy.source import BLOCK

ARTIFACT_MIB = 300
# Peak RSS of the whole handler process: ~50 MiB idle (interpreter + boto3) + 4 parts of 5 MiB
# in flight, the one being read and its pieces; measured 98 MiB (99-107 with 3 parts of 8 MiB,
# 119 with 5 of them in flight).
# Reading the artifact whole would take more than ARTIFACT_MIB alone.
PEAK_RSS_BOUND_MIB = 128
KEY = "images/big-appliance.img"


@pytest.fixture(scope="module")
def moto_process():
    """A moto server in its own process, so its memory is not the handler's."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto server did not start") from None
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def child_environment(endpoint: str) -> dict:
    """The handler's environment, as in Lambda, with boto3 pointed at the local S3 endpoint
    (and moto's EventBridge, for the receipt)."""
    keep = {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "PATH", "HOME"))}
    return {
        **keep,
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_ENDPOINT_URL_EVENTBRIDGE": endpoint,
        "TARGET_BUCKET": TARGET,
        "DISTRIBUTION_BUCKET": DISTRIBUTION,
        "DISTRIBUTION_REGION": DISTRIBUTION_REGION,
        "AWS_REGION": REGION,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def run_child(index_dir: Path, event: dict, endpoint: str) -> subprocess.CompletedProcess:
    """Run the inlined handler once in a fresh interpreter."""
    script = Path(__file__).with_name("run_handler.py")
    return subprocess.run(
        [sys.executable, str(script), str(index_dir), json.dumps(event)],
        env=child_environment(endpoint),
        capture_output=True,
        text=True,
        timeout=300,
    )


class Generated:
    """A non-seekable stream of `size` pseudo-random bytes, hashed as it is read."""

    def __init__(self, size: int):
        self.left, self.block, self.sha256 = size, os.urandom(BLOCK), hashlib.sha256()

    def read(self, amount: int = -1) -> bytes:
        amount = self.left if amount is None or amount < 0 else min(amount, self.left)
        data = (self.block * (amount // BLOCK + 1))[:amount]
        self.left -= amount
        self.sha256.update(data)
        return data


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures VmHWM in /proc")
def test_large_artifact_streams_in_bounded_memory(moto_process, tmp_path: Path):
    # GIVEN a 300 MiB artifact in the distribution bucket (streamed in, never held whole)
    s3 = boto3.client("s3", endpoint_url=moto_process, region_name=REGION)
    for name in (TARGET, DISTRIBUTION):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    artifact = Generated(ARTIFACT_MIB * BLOCK)
    s3.upload_fileobj(artifact, DISTRIBUTION, "big.img")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": DISTRIBUTION, "Key": "big.img"})
    message = {
        "ArtifactUrl": url,
        "ArtifactKey": KEY,
        "ArtifactSize": ARTIFACT_MIB * BLOCK,
        "ArtifactSha256": artifact.sha256.hexdigest(),
    }
    # AND the handler as inlined in the template, in its own process
    (tmp_path / "index.py").write_text(inlined_code("copy_files"))
    # WHEN the handler copies it (and, for comparison, runs idle)
    child = run_child(tmp_path, {"Records": [sqs_record(message)]}, moto_process)
    idle = run_child(tmp_path, {"Records": []}, moto_process)
    assert child.returncode == 0, child.stderr
    logs = [json.loads(line) for line in child.stdout.splitlines()]
    result = logs[-1]
    # THEN it is stored whole and verified, and the process never held more than the bound
    assert result["response"] == {"batchItemFailures": []}, logs
    assert s3.head_object(Bucket=TARGET, Key=KEY)["ContentLength"] == ARTIFACT_MIB * BLOCK
    peak_mib = result["peak_rss_kib"] / 1024
    idle_mib = json.loads(idle.stdout.splitlines()[-1])["peak_rss_kib"] / 1024
    copy_seconds = logs[0]["seconds"]
    print(
        f"\n{ARTIFACT_MIB} MiB: peak RSS {peak_mib:.0f} MiB (idle handler {idle_mib:.0f} MiB), "
        f"copy {copy_seconds:.1f} s = {ARTIFACT_MIB / copy_seconds:.0f} MiB/s"
    )
    assert peak_mib < PEAK_RSS_BOUND_MIB
