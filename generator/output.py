"""Write the template to a file or, for `-`, to stdout; every failure is one line saying why."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from generator.quoting import shortened

STDOUT = "-"
# The extensions that say a format; any other name (.template, none) takes either.
EXTENSIONS = {"json": (".json",), "yaml": (".yaml", ".yml")}


class OutputError(ValueError):
    """The template could not be written where the user asked."""


def describe(output: str) -> str:
    """How the summary names the destination."""
    return "the template to stdout" if output == STDOUT else output


def check_extension(output: str, fmt: str) -> None:
    """Refuse a file whose extension names the other format: never YAML under `.json`."""
    suffix = Path(output).suffix.lower() if output != STDOUT else ""
    for other, suffixes in EXTENSIONS.items():
        if other != fmt and suffix in suffixes:
            raise OutputError(
                f"--format {fmt} would write {fmt.upper()} into {shortened(output)}: name a "
                f"{' or '.join(EXTENSIONS[fmt])} file, or give --format {other}"
            )


def check_destination(output: str) -> None:
    """Refuse, before any work, a path that can never be a file: a directory, or under a file."""
    if output == STDOUT:
        return
    if not output:
        raise OutputError("the output path is empty: name a file, or - for stdout")
    path = Path(output)
    shown = shortened(str(path))
    try:
        blocker, is_dir = _non_directory_ancestor(path), path.is_dir()
    except OSError as err:  # e.g. a name too long to look up
        raise OutputError(f"cannot write {shown}: {_reason(err, path)}") from None
    if blocker is not None:
        raise OutputError(
            f"cannot write {shown}: parent {shortened(str(blocker))} is not a directory"
        )
    if is_dir:
        raise OutputError(f"cannot write {shown}: it is a directory; name a file in it instead")


def write_template(text: str, output: str) -> None:
    """Write `text` as UTF-8 bytes (no newline translation) to the file `output` or stdout."""
    data = text.encode("utf-8")
    if output == STDOUT:
        _write_stdout(data)
    else:
        _write_file(data, Path(output))


def _write_file(data: bytes, path: Path) -> None:
    check_destination(str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:
            file.write(data)
    except OSError as err:
        raise OutputError(f"cannot write {shortened(str(path))}: {_reason(err, path)}") from None


def _non_directory_ancestor(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` when it is a file (mkdir would say "File exists")."""
    for ancestor in path.parents:
        if ancestor.exists():
            return None if ancestor.is_dir() else ancestor
    return None


def _reason(err: OSError, path: Path) -> str:
    if err.filename is not None and os.fsdecode(err.filename) != str(path):
        return f"{err.strerror} ({shortened(os.fsdecode(err.filename))})"
    return err.strerror or str(err)


def _write_stdout(data: bytes) -> None:
    if sys.stdout is None:
        raise OutputError("cannot write the template to stdout: stdout is closed")
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except OSError as err:
        silence_stdout()
        raise OutputError(f"cannot write the template to stdout: {err.strerror}") from None


def silence_stdout() -> None:
    """After stdout's reader went away (`| head`): no more writes, and a quiet exit-time flush."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
