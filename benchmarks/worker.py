"""The handler's process, one per measurement: `python -m benchmarks.worker JOB.json`.

Protocol with the runner (which samples this process's memory from outside):
1. prepare the job (import the inlined handler and run its warm-up event, or build the client and
   the in-memory bytes of the reference), like a warm Lambda environment;
2. write `ready` on the protocol pipe (the original stdout) and wait for a line on stdin;
3. run the measured part, write one JSON line `{"seconds": ..., "results": [...]}`, and wait for
   one more line before exiting, so the runner can still read this process's VmHWM.
Everything else this process prints (the handler's log lines) goes to stderr.

Kinds of job:
- `handler`: `index.handler(event, context)` for each measured event, from the code inlined in the
  emitted template (the runner writes it to `code_dir/index.py`, as Lambda does);
- `reference`: boto3 `upload_fileobj` of the artifact's bytes from memory, default TransferConfig;
- `naive`: the original's approach, our own few lines: read the body into `data += chunk`, then
  one `put_object`;
- `fileobj`: what a user would write instead of the handler,
  `s3.upload_fileobj(urllib.request.urlopen(url), bucket, key)`, default TransferConfig.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request

from testkit.lambda_context import LambdaContext


def context() -> LambdaContext:
    """A fresh invocation's context: the copy function's 900 s and 1024 MiB."""
    return LambdaContext(900.0, function_name="bench-copy", memory_limit_in_mb=1024)


def prepare_handler(job: dict):
    """Import the inlined module and run the warm-up event; returns the measured callable."""
    sys.path.insert(0, job["code_dir"])
    import index

    warm = index.handler(job["warmup"], context())
    if warm.get("batchItemFailures"):
        raise SystemExit(f"warm-up copy failed: {warm}")
    return lambda: [index.handler(event, context()) for event in job["events"]]


def prepare_reference(job: dict):
    """Client and bytes in memory first; the measured part is upload_fileobj alone."""
    import io

    import boto3

    from benchmarks.source import materialize

    client = boto3.client("s3")
    client.put_object(Bucket=job["bucket"], Key=job["key"] + ".warmup", Body=b"warm")
    data = materialize(job["size"])

    def run() -> list:
        client.upload_fileobj(io.BytesIO(data), job["bucket"], job["key"])
        return []

    return run


def prepare_naive(job: dict):
    """The original's way: the whole body in one bytes object grown by `+=`, then put_object."""
    import boto3

    client = boto3.client("s3")
    client.put_object(Bucket=job["bucket"], Key=job["key"] + ".warmup", Body=b"warm")

    def run() -> list:
        data = b""
        with urllib.request.urlopen(job["url"], timeout=600) as response:
            while chunk := response.read(job["chunk"]):
                data += chunk
        client.put_object(Bucket=job["bucket"], Key=job["key"], Body=data)
        return []

    return run


def prepare_fileobj(job: dict):
    """The user's one line: the response streamed by upload_fileobj; client made beforehand."""
    import boto3

    client = boto3.client("s3")
    client.put_object(Bucket=job["bucket"], Key=job["key"] + ".warmup", Body=b"warm")

    def run() -> list:
        client.upload_fileobj(urllib.request.urlopen(job["url"]), job["bucket"], job["key"])
        return []

    return run


PREPARE = {
    "handler": prepare_handler,
    "reference": prepare_reference,
    "naive": prepare_naive,
    "fileobj": prepare_fileobj,
}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        job = json.load(file)
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the handler's log lines go to stderr, not into the protocol
    run = PREPARE[job["kind"]](job)
    protocol.write("ready\n")
    sys.stdin.readline()
    start = time.perf_counter()
    results = run()
    seconds = time.perf_counter() - start
    protocol.write(json.dumps({"seconds": seconds, "results": results}) + "\n")
    sys.stdin.readline()


if __name__ == "__main__":
    main()
