"""Defaults files as people write them: other encodings, YAML, and the mistakes both invite.

The tests run `python -m generator --parameter-defaults FILE` in a subprocess, as a user would,
but for the rarer byte order marks, which read the file directly.
"""

from __future__ import annotations

import codecs
import json

import pytest
import yaml

from generator.consumer.template import build_template
from generator.defaults_file import read_defaults_file
from generator.render import render
from tests.generator.test_cli import ORG_DEFAULTS, assert_one_error_line, run_cli

ORG_JSON = json.dumps(ORG_DEFAULTS, indent=2)
ORG_YAML = yaml.safe_dump(ORG_DEFAULTS, sort_keys=False)


def build_with(tmp_path, name: str, content: bytes):
    """Write `content` to `name` and build with it; returns the run and the template path."""
    defaults = tmp_path / name
    defaults.write_bytes(content)
    output = tmp_path / "template.json"
    return run_cli("--parameter-defaults", str(defaults), "--output", str(output)), output


def assert_built_with_org_defaults(result, output) -> None:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    params = json.loads(output.read_text(encoding="utf-8"))["Parameters"]
    assert {name: params[name]["Default"] for name in ORG_DEFAULTS} == ORG_DEFAULTS


@pytest.mark.parametrize(
    "content",
    [
        # Windows PowerShell 5.1's `>` writes UTF-16 LE with a byte order mark
        codecs.BOM_UTF16_LE + ORG_JSON.encode("utf-16-le"),
        # Notepad and some editors start UTF-8 with a byte order mark
        codecs.BOM_UTF8 + ORG_JSON.encode(),
    ],
    ids=["utf16-bom", "utf8-bom"],
)
def test_defaults_file_in_another_common_encoding_builds(tmp_path, content):
    result, output = build_with(tmp_path, "org-defaults.json", content)
    assert_built_with_org_defaults(result, output)


def test_yaml_defaults_build_what_the_same_defaults_build_in_json(tmp_path):
    result, output = build_with(tmp_path, "org-defaults.yaml", ORG_YAML.encode())
    assert_built_with_org_defaults(result, output)
    assert output.read_text(encoding="utf-8") == render(build_template(ORG_DEFAULTS))


@pytest.mark.parametrize("codec", ["utf-16-be", "utf-32-le", "utf-32-be"])
def test_other_byte_order_marks_are_read_too(tmp_path, codec):
    # UTF-32 LE's mark starts with UTF-16 LE's: it must not be read as UTF-16
    path = tmp_path / "org.json"
    path.write_bytes(("\ufeff" + ORG_JSON).encode(codec))  # the mark, then the text
    assert read_defaults_file(path) == (ORG_DEFAULTS, "JSON")


BAD_FILES = {
    "latin1.json": (
        '{"TriggerVersion": "café"}'.encode("latin-1"),
        "latin1.json is not UTF-8 text (byte 0xe9 at offset 23): save it as UTF-8",
    ),
    "utf16-without-bom.json": (
        '{"TriggerVersion": "2"}'.encode("utf-16-le"),
        "utf16-without-bom.json contains NUL bytes",
    ),
    "broken-utf16.json": (
        codecs.BOM_UTF16_LE + b"{\x00\x00\xdc",  # a lone low surrogate
        "broken-utf16.json is not valid UTF-16 text",
    ),
    "empty.yaml": (b"  \n", "empty.yaml is empty"),
    "list.yaml": (b"- DistributionTopic\n", "must be a YAML mapping of name -> value, not a list"),
    "scalar.yml": (b"eu-west-1\n", "must be a YAML mapping of name -> value, not a string"),
    "bad-indent.yaml": (b'TriggerVersion: "2"\n  Other: [\n', "is not valid YAML: "),
    "two-documents.yaml": (
        b"TriggerVersion: '2'\n---\nTriggerVersion: '3'\n",
        "expected a single document in the stream, but found another document (line 2",
    ),
    "yes.yaml": (
        b"TriggerVersion: yes\n",
        "default for TriggerVersion must be a string, not the boolean true: quote it",
    ),
    "number.yaml": (
        b"TriggerVersion: 1.0\n",
        "default for TriggerVersion must be a string, not the number 1.0: quote it",
    ),
    "null.yaml": (
        b"AlarmTopicName:\n",
        'default for AlarmTopicName must be a string, not null: write "" for empty',
    ),
    "date.yaml": (
        b"TriggerVersion: 2024-05-01\n",
        "must be a string, not the date 2024-05-01: quote it",
    ),
    "tag.yaml": (
        b"TargetBucket: !NO_VALUE\n",
        "tag '!NO_VALUE' (line 1, column 15); quote values that start with !",
    ),
    "python-tag.yaml": (
        b"TriggerVersion: !!python/object/apply:os.system ['true']\n",
        "is not valid YAML: could not determine a constructor",
    ),
    "twice.yaml": (
        b"TriggerVersion: '2'\nDistributionRegion: eu-west-1\nTriggerVersion: '3'\n",
        "twice.yaml names TriggerVersion twice (line 3): keep one",
    ),
    "twice.json": (
        b'{"TriggerVersion": "2", "TriggerVersion": "3"}',
        "twice.json names TriggerVersion twice: keep one",
    ),
    "unknown.yaml": (b"DistributionTopc: x\n", "unknown parameter 'DistributionTopc'"),
    "pattern.yaml": (
        b"DistributionRegion: Frankfurt\n",
        "default for DistributionRegion is 'Frankfurt': must be a region name",
    ),
    # no known extension: the content decides
    "org-defaults": (b"{broken", "org-defaults is not valid JSON"),
    "org-defaults.txt": (b"TriggerVersion: '2'\n\tOther: x\n", "is not valid YAML"),
    # a .json file is never read as YAML
    "yaml-in.json": (ORG_YAML.encode(), "yaml-in.json is not valid JSON"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_defaults_file_is_one_line_naming_the_problem(tmp_path, name):
    content, message = BAD_FILES[name]
    result, output = build_with(tmp_path, name, content)
    assert_one_error_line(result, message)
    for jargon in ("codec", "utf-8-sig", "decode", "Unicode", "^"):
        assert jargon not in result.stderr
    assert not output.exists()
