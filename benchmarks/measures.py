"""The measurements, each returning rows of the table (see `report.Row`)."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from benchmarks import harness
from benchmarks.harness import DISTRIBUTION_BUCKET, TARGET_BUCKET, BenchError, Run, TimedOut
from benchmarks.memory import PeakRss
from benchmarks.report import Row, verdict
from benchmarks.source import crc32, materialize
from generator.validation import TEMPLATE_BODY_LIMIT
from testkit.handlers import FUNCTIONS, inlined_code

MIB = 1 << 20
KIB = 1 << 10
# Row 1 targets, handler / upload_fileobj from memory. 16 MiB has none (retired, issue 20): on
# loopback a copy is CPU-bound and does strictly more than an upload from memory, where on AWS it
# is bound by the network; row 6 measures that instead.
THROUGHPUT_TARGETS = {256 * MIB: 0.9, 1024 * MIB: 0.9}


@dataclass
class Settings:
    """What to measure; the defaults give the full table."""

    sizes: tuple[int, ...] = (16 * MIB, 256 * MIB, 1024 * MIB)
    naive_sizes: tuple[int, ...] = (16 * MIB, 32 * MIB, 64 * MIB)
    naive_chunk: int = 16 * KIB  # 64 MiB then takes minutes, as the original function did
    naive_timeout: float = 300.0
    repeat: int = 5
    batch: int = 10
    batch_size: int = 1 * MIB
    latency: float = 0.030
    moto_size: int = 64 * MIB
    cold_runs: int = 11
    build_runs: int = 3
    network_sizes: tuple[int, ...] = (16 * MIB, 256 * MIB, 1024 * MIB)
    network_repeat: int = 3


def mib(size: int) -> str:
    return f"{size // (1 << 30)} GiB" if size >= 1 << 30 else f"{size // MIB} MiB"


def write_inlined(workdir: Path) -> dict[str, Path]:
    """Each handler's `Code.ZipFile` from the emitted template, as `<dir>/index.py` (as Lambda)."""
    dirs = {}
    for name in FUNCTIONS:
        directory = workdir / name
        directory.mkdir()
        (directory / "index.py").write_text(inlined_code(name), encoding="utf-8")
        dirs[name] = directory
    return dirs


def sqs_event(records: list[dict]) -> dict:
    """An SQS event as Lambda delivers it, one record per message body."""
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "bench",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-central-1:444455556666:bench-queue",
                "awsRegion": "eu-central-1",
            }
            for body in records
        ]
    }


class Copies:
    """Copies through one endpoint: source objects, messages, workers, checks of the result."""

    def __init__(
        self, endpoint: str, code_dir: Path, workdir: Path, moto_pid: int | None = None
    ) -> None:
        self.endpoint = endpoint
        self.client = harness.s3_client(endpoint)
        self.env = harness.lambda_env(endpoint)
        self.code_dir = code_dir
        self.workdir = workdir
        self.moto = moto_pid is not None
        self.moto_pid = moto_pid

    def source(self, size: int) -> str:
        """A presigned GET URL of a fresh artifact of `size` bytes in the distribution bucket."""
        key = f"src/{size}/{uuid.uuid4().hex}.bin"
        if self.moto:
            self.client.put_object(Bucket=DISTRIBUTION_BUCKET, Key=key, Body=materialize(size))
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": DISTRIBUTION_BUCKET, "Key": key}, ExpiresIn=3600
        )

    def message(self, size: int) -> dict:
        key = f"bench/{mib(size).replace(' ', '')}-{uuid.uuid4().hex}.bin"
        return {"ArtifactUrl": self.source(size), "ArtifactKey": key, "ArtifactSize": size}

    def handler(self, events_sizes: list[list[int]]) -> tuple[Run, list[dict]]:
        """Run the inlined handler on each event (a list of artifact sizes), after a warm-up."""
        events, messages = [], []
        for sizes in events_sizes:
            batch = [self.message(size) for size in sizes]
            events.append(sqs_event(batch))
            messages += batch
        job = {
            "kind": "handler",
            "code_dir": str(self.code_dir),
            "warmup": sqs_event([self.message(KIB)]),
            "events": events,
        }
        run = self.measured(job)
        for message in messages:
            run.part_sizes = self.check(message["ArtifactKey"], message["ArtifactSize"])
        return run, messages

    def reference(self, size: int) -> Run:
        key = f"bench/reference-{uuid.uuid4().hex}.bin"
        job = {"kind": "reference", "bucket": TARGET_BUCKET, "key": key, "size": size}
        run = self.measured(job)
        self.check(key, size)
        return run

    def fileobj(self, size: int) -> Run:
        """What a user would write: `upload_fileobj(urlopen(url))` of a fresh source."""
        key = f"bench/fileobj-{uuid.uuid4().hex}.bin"
        job = {"kind": "fileobj", "bucket": TARGET_BUCKET, "key": key, "url": self.source(size)}
        run = self.measured(job)
        run.part_sizes = self.check(key, size)
        return run

    def naive(self, size: int, chunk: int, timeout: float | None = None) -> Run:
        key = f"bench/naive-{uuid.uuid4().hex}.bin"
        url = self.source(size)
        job = {"kind": "naive", "bucket": TARGET_BUCKET, "key": key, "url": url, "chunk": chunk}
        run = self.measured(job, timeout)
        self.check(key, size)
        return run

    def measured(self, job: dict, timeout: float | None = None) -> Run:
        before = self.stats()
        if self.moto:
            with PeakRss(self.moto_pid) as server:
                run = harness.run_worker(job, self.env, self.workdir, timeout)
            run.server_growth_mib = server.growth_mib
        else:
            run = harness.run_worker(job, self.env, self.workdir, timeout)
        after = self.stats()
        run.stats = {name: after[name] - before.get(name, 0) for name in after}
        return run

    def check(self, key: str, size: int) -> list[int]:
        """The target object must be whole and, on the sink, each part equal to its source range;
        returns the sizes of its parts (none through moto)."""
        head = self.client.head_object(Bucket=TARGET_BUCKET, Key=key)
        if head["ContentLength"] != size:
            raise BenchError(f"{key}: stored {head['ContentLength']} bytes, expected {size}")
        if self.moto:
            return []
        start, sizes = 0, []
        for part in head["ResponseMetadata"]["HTTPHeaders"]["x-bench-parts"].split(","):
            length, crc = map(int, part.split(":"))
            if crc32(start, start + length) != crc:
                raise BenchError(f"{key}: bytes {start}-{start + length} differ from the source")
            start += length
            sizes.append(length)
        return sizes

    def stats(self) -> dict:
        """The endpoint's counters (requests, bytes received, its CPU seconds); none for moto."""
        if self.moto:
            return {}
        with urllib.request.urlopen(f"{self.endpoint}/_bench/stats") as response:
            return json.load(response)


def median_run(runs: list[Run]) -> Run:
    """The run of median time; its peak RSS growth is replaced by the largest of all runs."""
    ordered = sorted(runs, key=lambda run: run.seconds)
    run = ordered[len(ordered) // 2]
    run.growth_mib = max(r.growth_mib for r in runs)
    return run


def rate(size: int, run: Run) -> float:
    return size / MIB / run.seconds


def describe(size: int, run: Run) -> str:
    """Time, rate and where the CPU went: the worker's and the endpoint's CPU seconds."""
    return (
        f"{run.seconds:.2f} s = {rate(size, run):.0f} MiB/s ({parts(run)}); CPU: worker "
        f"{run.cpu_seconds:.2f} s, endpoint {run.stats.get('cpu_seconds', 0):.2f} s"
    )


def cpu_note(run: Run, ref: Run) -> str:
    """Where the time went, in CPU seconds: the copy is CPU-bound on this 2-core machine."""
    return (
        f"CPU seconds of the measured run: handler's process {run.cpu_seconds:.2f}, "
        f"upload_fileobj's {ref.cpu_seconds:.2f} ({run.cpu_seconds / ref.cpu_seconds - 1:+.0%}); "
        f"endpoint {run.stats.get('cpu_seconds', 0):.2f} vs {ref.stats.get('cpu_seconds', 0):.2f}."
    )


def parts(run: Run) -> str:
    count = run.stats.get("UploadPart", 0)
    return f"{count} parts" if count else "1 PutObject"


def throughput_and_memory(copies: Copies, settings: Settings, log) -> tuple[list[Row], dict]:
    """Rows 1 and 2: the handler's copy vs upload_fileobj from memory, and its peak RSS growth."""
    rows1, handler_runs, ref_runs = [], {}, {}
    for size in settings.sizes:
        refs, runs = [], []
        for _ in range(settings.repeat):
            refs.append(copies.reference(size))
            runs.append(copies.handler([[size]])[0])
        ref, run = median_run(refs), median_run(runs)
        handler_runs[size], ref_runs[size] = run, ref
        log(f"  {mib(size)} handler:   {describe(size, run)}, peak +{run.growth_mib:.0f} MiB")
        log(f"  {mib(size)} reference: {describe(size, ref)}")
        if len(runs) > 1:
            log(
                f"    MiB/s of each run: handler {[round(rate(size, r)) for r in runs]}, "
                f"reference {[round(rate(size, r)) for r in refs]}"
            )
        ratio = rate(size, run) / rate(size, ref)
        target = THROUGHPUT_TARGETS.get(size)
        rows1.append(
            Row(
                "1",
                f"copy throughput, {mib(size)} (handler: {parts(run)})",
                f"{rate(size, run):.0f} MiB/s",
                f"{rate(size, ref):.0f} MiB/s",
                f"{ratio:.3f}",
                f">= {target} x" if target else "(info)",
                verdict(ratio >= target) if target else "info",
                note=cpu_note(run, ref),
            )
        )
    rows2 = memory_rows(handler_runs, ref_runs)
    return rows1 + rows2, handler_runs


def memory_rows(handler_runs: dict[int, Run], ref_runs: dict[int, Run]) -> list[Row]:
    """Row 2: peak RSS growth per size (<= 64 MiB at the largest), and flat between large sizes.

    The smallest artifact is below the handler's buffer window, so its figure is lower by
    nature; "about the same at every size" is judged where the window is full: the largest size
    against the next one.
    """
    rows = []
    sizes = sorted(handler_runs)
    for size in sizes:
        growth = handler_runs[size].growth_mib
        gated = size == sizes[-1]
        rows.append(
            Row(
                "2",
                f"peak RSS growth of the handler's process, {mib(size)}",
                f"{growth:.0f} MiB",
                f"upload_fileobj +{ref_runs[size].growth_mib:.0f} MiB (bytes held before)",
                "",
                "<= 64 MiB" if gated else "(info)",
                verdict(growth <= 64) if gated else "info",
                note=part_note(size, handler_runs[size]),
            )
        )
    if len(sizes) > 1:
        big, previous = handler_runs[sizes[-1]].growth_mib, handler_runs[sizes[-2]].growth_mib
        rows.append(
            Row(
                "2",
                f"flat: RSS growth at {mib(sizes[-1])} vs {mib(sizes[-2])}",
                f"{big:.0f} MiB",
                f"{previous:.0f} MiB",
                f"{big - previous:+.0f} MiB",
                "<= +8 MiB",
                verdict(big - previous <= 8),
                note=part_note(sizes[-1], handler_runs[sizes[-1]]),
            )
        )
    return rows


def part_note(size: int, run: Run) -> str:
    count = run.stats.get("UploadPart", 0)
    if not count:
        return ""
    return f"The handler sent {count} parts of about {size / count / MIB:.0f} MiB."


def naive_rows(copies: Copies, settings: Settings, handler_runs: dict, log) -> list[Row]:
    """The original's `bytes +=` approach at small sizes, beside the handler at the same size."""
    rows = []
    for size in settings.naive_sizes:
        run = handler_runs.get(size) or copies.handler([[size]])[0]
        try:
            naive = copies.naive(size, settings.naive_chunk, settings.naive_timeout)
        except TimedOut:
            figure, ratio = f"> {settings.naive_timeout:.0f} s (stopped)", ""
        else:
            figure = f"{naive.seconds:.1f} s, peak +{naive.growth_mib:.0f} MiB"
            ratio = f"{naive.seconds / run.seconds:.0f} x slower"
        log(f"  naive {mib(size)}: {figure}; handler {run.seconds:.2f} s")
        rows.append(
            Row(
                "-",
                f"original `bytes +=` ({settings.naive_chunk // KIB} KiB reads), {mib(size)}",
                figure,
                f"handler {run.seconds:.2f} s, +{run.growth_mib:.0f} MiB",
                ratio,
                "(comparison)",
                "info",
            )
        )
    return rows


def batch_rows(copies: Copies, settings: Settings, log) -> list[Row]:
    """Row 3: one event of N records vs the same records one after another, 30 ms per request."""
    sizes = [settings.batch_size] * settings.batch
    batches, singles = [], []
    for _ in range(settings.repeat):  # interleaved, so both see the same machine
        batches.append(copies.handler([sizes])[0])
        singles.append(copies.handler([[s] for s in sizes])[0])
    batch, one_by_one = median_run(batches), median_run(singles)
    speedup = one_by_one.seconds / batch.seconds
    log(f"  batch {batch.seconds:.3f} s, one after another {one_by_one.seconds:.3f} s")
    return [
        Row(
            "3",
            f"batch of {settings.batch} x {mib(settings.batch_size)}, "
            f"{settings.latency * 1000:.0f} ms per request",
            f"{batch.seconds:.2f} s",
            f"{one_by_one.seconds:.2f} s one by one",
            f"{speedup:.1f} x faster",
            ">= 3 x faster",
            verdict(speedup >= 3),
        )
    ]


def moto_rows(copies: Copies, settings: Settings, log) -> list[Row]:
    """The same copy through moto (its own process), to show what moto would have measured."""
    size = settings.moto_size
    run, ref = copies.handler([[size]])[0], copies.reference(size)
    log(
        f"  moto {mib(size)}: handler {rate(size, run):.0f} MiB/s (worker CPU "
        f"{run.cpu_seconds:.2f} s, moto's RSS +{run.server_growth_mib:.0f} MiB), reference "
        f"{rate(size, ref):.0f} MiB/s (worker CPU {ref.cpu_seconds:.2f} s, moto's RSS "
        f"+{ref.server_growth_mib:.0f} MiB)"
    )
    return [
        Row(
            "-",
            f"copy throughput through moto, {mib(size)}",
            f"{rate(size, run):.0f} MiB/s, moto's RSS +{run.server_growth_mib:.0f} MiB",
            f"{rate(size, ref):.0f} MiB/s",
            f"{rate(size, run) / rate(size, ref):.2f}",
            "(moto's speed)",
            "info",
        )
    ]


IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \|\s*(\S+)$")


def import_ms(module: str, env: dict[str, str], path: Path | None) -> dict[str, float]:
    """Cumulative import time (ms) of every module imported by `import module` in a fresh
    interpreter (`-X importtime`), by module name."""
    if path is not None:
        env = {**env, "PYTHONPATH": str(path)}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    times = {
        match.group(2): int(match.group(1)) / 1000
        for match in map(IMPORT_LINE.match, proc.stderr.splitlines())
        if match
    }
    if module not in times:
        raise BenchError(f"no import time for {module}: {proc.stderr[-500:]}")
    return times


def cold_start_rows(code_dirs: dict[str, Path], env: dict, settings: Settings, log) -> list[Row]:
    """Row 4: importing each inlined module vs `import boto3`, medians of interleaved runs.

    The verdict uses the time beyond boto3 measured inside the same interpreter (the module's
    cumulative time minus that of the boto3 it imports): free of the run-to-run noise between two
    interpreters, and an upper bound, since modules boto3 would import but the handler imports
    first count as the handler's.
    """
    alone, total, beyond = [], {name: [] for name in code_dirs}, {name: [] for name in code_dirs}
    for _ in range(settings.cold_runs):
        alone.append(import_ms("boto3", env, None)["boto3"])
        for name, directory in code_dirs.items():
            times = import_ms("index", env, directory)
            total[name].append(times["index"])
            beyond[name].append(times["index"] - times.get("boto3", 0.0))
    boto3_ms = statistics.median(alone)
    rows = []
    for name in code_dirs:
        ms, extra = statistics.median(total[name]), statistics.median(beyond[name])
        log(
            f"  import {name}: {ms:.0f} ms ({extra:+.0f} ms beyond its boto3), "
            f"boto3 alone {boto3_ms:.0f} ms"
        )
        rows.append(
            Row(
                "4",
                f"cold import of inlined {name}",
                f"{ms:.0f} ms",
                f"{boto3_ms:.0f} ms (import boto3)",
                f"{extra:+.0f} ms beyond boto3",
                "<= boto3 + 50 ms",
                verdict(extra <= 50),
            )
        )
    return rows


def template_rows(settings: Settings, log) -> list[Row]:
    """Row 5: `python -m generator` wall time (median) and the emitted template's size."""
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "template.json"
        for _ in range(settings.build_runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "generator", "--output", str(output)],
                cwd=harness.ROOT,
                check=True,
                capture_output=True,
            )
            seconds.append(time.perf_counter() - start)
        size = output.stat().st_size
    build = statistics.median(seconds)
    log(f"  template {size:,} bytes, build {build:.1f} s")
    return [
        Row(
            "5",
            "template size",
            f"{size:,} B",
            f"{TEMPLATE_BODY_LIMIT:,} B (TemplateBody limit)",
            f"{size / TEMPLATE_BODY_LIMIT:.2f}",
            f"<= {TEMPLATE_BODY_LIMIT:,} B (the build also checks every default at its MaxLength)",
            verdict(size <= TEMPLATE_BODY_LIMIT),
        ),
        Row(
            "5",
            "template build (python -m generator, with cfn-lint)",
            f"{build:.1f} s",
            "",
            "",
            "<= 10 s",
            verdict(build <= 10),
        ),
    ]
