"""Where the template goes: a file, stdout with `--output -`, or one clear line saying why not.

Each test runs `python -m generator` in a subprocess, as a user would. The unwritable cases are
chosen to fail for root too (root ignores permission bits), since CI may run as root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.consumer.template import build_template
from generator.render import render
from tests.generator.test_cli import ROOT, assert_one_error_line, run_cli

LINUX = sys.platform.startswith("linux")


@pytest.fixture(scope="module")
def template_bytes() -> bytes:
    """The rendered template: what `--output FILE` writes and `--output -` prints."""
    return render(build_template()).encode()


def test_output_dash_writes_the_template_alone_to_stdout(template_bytes):
    piped = subprocess.run(
        [sys.executable, "-m", "generator", "--output", "-"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    # THEN stdout is the template, byte for byte as a file gets it, and the summary is on stderr
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == template_bytes
    summary = piped.stderr.decode()
    assert summary.startswith("wrote the template to stdout\n")
    assert "cfn-lint  no findings" in summary
    assert not (ROOT / "-").exists()


def run_with_stdout_closed_early(*args: str) -> tuple[int, str]:
    """Run the CLI with a stdout pipe whose reader is gone before it writes (`... | head -c0`)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()
    stderr = process.stderr.read().decode()
    return process.wait(timeout=120), stderr


def test_a_template_reader_that_goes_away_is_one_line_not_a_traceback():
    returncode, stderr = run_with_stdout_closed_early("--output", "-")
    assert returncode == 1
    assert stderr == "error: cannot write the template to stdout: Broken pipe\n"


def test_a_summary_reader_that_goes_away_is_no_error(tmp_path, template_bytes):
    # `python -m generator | head -1`: the template is written; the rest of the summary unread
    returncode, stderr = run_with_stdout_closed_early("--output", str(tmp_path / "t.json"))
    assert returncode == 0
    assert [line for line in stderr.splitlines() if not line.startswith("warning: ")] == []
    assert (tmp_path / "t.json").read_bytes() == template_bytes


def test_parent_that_is_a_file_is_named(tmp_path):
    (tmp_path / "build").write_text("not a directory")
    result = run_cli("--output", str(tmp_path / "build" / "sub" / "template.json"))
    assert_one_error_line(result, f"parent {tmp_path / 'build'} is not a directory")
    assert (tmp_path / "build").read_text() == "not a directory"


def test_directory_as_output_is_refused(tmp_path):
    result = run_cli("--output", str(tmp_path))
    assert_one_error_line(result, f"cannot write {tmp_path}: it is a directory")


def test_file_name_too_long_is_one_line(tmp_path):
    result = run_cli("--output", str(tmp_path / ("t" * 300 + ".json")))
    assert_one_error_line(result, "File name too long")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_is_one_line():
    result = run_cli("--output", "/dev/full")
    assert_one_error_line(result, "cannot write /dev/full: No space left on device")


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_device_as_parent_is_not_a_directory():
    result = run_cli("--output", "/dev/null/template.json")
    assert_one_error_line(result, "parent /dev/null is not a directory")


@pytest.mark.skipif(not LINUX, reason="sysfs refuses new files, even to root")
def test_permission_denied_is_one_line():
    result = run_cli("--output", "/sys/build-artifact-consumer-template.json")
    assert_one_error_line(result, "cannot write /sys/build-artifact-consumer-template.json: ")
    assert "Permission denied" in result.stderr or "Read-only file system" in result.stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_directory_is_permission_denied(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = run_cli("--output", str(locked / "template.json"))
    finally:
        locked.chmod(0o700)
    assert_one_error_line(result, f"cannot write {locked / 'template.json'}: Permission denied")
