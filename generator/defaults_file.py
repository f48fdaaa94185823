"""Read a `--parameter-defaults` file: JSON or YAML, in the encodings editors and shells write.

UTF-8 with or without a byte order mark, and UTF-16 or UTF-32 with one (Windows PowerShell 5.1's
`>` writes UTF-16). Every problem is one line naming the file; nothing reaches the user as a
traceback or as a codec's vocabulary.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import yaml

from generator.quoting import shortened

YAML_SUFFIXES = (".yaml", ".yml")
# UTF-32 first: its little-endian mark starts with UTF-16's.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


class DefaultsError(ValueError):
    """The defaults file is unreadable or names or values something the template would refuse."""


class _NamedTwice(Exception):
    """A mapping names a key twice: JSON and YAML parsers would silently keep the last one."""

    def __init__(self, key: str, line: int | None = None) -> None:
        super().__init__(key)
        self.key, self.line = key, line


def read_defaults_file(path: Path) -> tuple[object, str]:
    """The parsed content of `path` and its format, "JSON" or "YAML"."""
    shown = shortened(str(path))  # how every message names the file
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise DefaultsError(f"cannot read parameter defaults {shown}: {err.strerror}") from err
    text = _decode(data, shown)
    if not text.strip():
        raise DefaultsError(f"parameter defaults {shown} is empty")
    fmt = "YAML" if _is_yaml(path, text) else "JSON"
    try:
        return (_load_yaml(text, shown) if fmt == "YAML" else _load_json(text, shown)), fmt
    except _NamedTwice as twice:
        where = f" (line {twice.line})" if twice.line else ""
        raise DefaultsError(
            f"parameter defaults {shown} names {shortened(twice.key)} twice{where}: keep one"
        ) from None


def _decode(data: bytes, path: str) -> str:
    for mark, codec, label in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as err:
                raise DefaultsError(
                    f"parameter defaults {path} is not valid {label} text after its byte order "
                    f"mark (at byte {err.start}): save it again as UTF-8"
                ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DefaultsError(
            f"parameter defaults {path} is not UTF-8 text (byte 0x{data[err.start]:02x} at "
            f"offset {err.start}): save it as UTF-8"
        ) from None
    if "\0" in text:  # UTF-16 without a byte order mark decodes as UTF-8 full of NULs
        raise DefaultsError(
            f"parameter defaults {path} contains NUL bytes (UTF-16 without a byte order mark?): "
            "save it as UTF-8"
        )
    return text


def _is_yaml(path: Path, text: str) -> bool:
    """By extension; for any other name, JSON when it starts like a JSON object or array."""
    suffix = Path(path).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return True
    return suffix != ".json" and not text.lstrip().startswith(("{", "["))


def _load_json(text: str, path: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as err:
        raise DefaultsError(f"parameter defaults {path} is not valid JSON: {err}") from None
    except ValueError:  # a number of more digits than int() reads (sys.get_int_max_str_digits)
        raise DefaultsError(
            f"parameter defaults {path} holds a number too long to read: defaults are strings, "
            "quote it"
        ) from None


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise _NamedTwice(key)
        result[key] = value
    return result


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a mapping that names a key twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise _NamedTwice(key_node.value, key_node.start_mark.line + 1)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str, path: str) -> object:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        raise DefaultsError(
            f"parameter defaults {path} is not valid YAML: {_one_line(err)}"
        ) from None
    except yaml.YAMLError as err:
        raise DefaultsError(f"parameter defaults {path} is not valid YAML: {err}") from None
    except ValueError:  # an unquoted number of too many digits, or a date such as 2024-13-45
        raise DefaultsError(
            f"parameter defaults {path} holds an unquoted value YAML reads as a number or date "
            "but cannot make one (too many digits, or no such day): quote it"
        ) from None


def _one_line(err: yaml.MarkedYAMLError) -> str:
    """PyYAML's context, problem and position, without its multi-line excerpt of the file."""
    text = ", ".join(part for part in (err.context, err.problem) if part) or "unreadable"
    mark = err.problem_mark or err.context_mark
    if mark:
        text += f" (line {mark.line + 1}, column {mark.column + 1})"
    if "tag" in (err.problem or ""):  # `TargetBucket: !NO_VALUE` reads as a YAML tag
        text += "; quote values that start with !"
    return text
