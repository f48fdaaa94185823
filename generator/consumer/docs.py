"""The README's parameter table, generated from the template so the two cannot disagree.

`python -m generator.consumer.docs` rewrites the table between the markers in README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.consumer.template import build_template

README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN = "<!-- parameter-table:begin (python -m generator.consumer.docs) -->"
END = "<!-- parameter-table:end -->"


def _cell(text: str, code: bool = False) -> str:
    text = text.replace("|", "\\|")
    if code:
        return f"`{text}`" if text else "*(empty)*"
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _allowed(spec: dict) -> str:
    if "AllowedValues" in spec:
        return " or ".join(_cell(value, code=True) for value in spec["AllowedValues"])
    return _cell(spec["AllowedPattern"], code=True)


def parameter_table(template: dict) -> str:
    """A Markdown table of every parameter: name, description, default, what it accepts."""
    rows = [
        "| Parameter | Description | Default | Allowed pattern or values | Max length |",
        "| --- | --- | --- | --- | ---: |",
    ]
    for name, spec in template["Parameters"].items():
        rows.append(
            f"| `{name}` | {_cell(spec['Description'])} | {_cell(spec['Default'], code=True)} "
            f"| {_allowed(spec)} | {spec['MaxLength']:,} |"
        )
    return "\n".join(rows)


def with_table(readme: str, table: str) -> str:
    """`readme` with the text between the markers replaced by `table`."""
    head, found, rest = readme.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise ValueError(f"README has no {BEGIN} ... {END} section")
    return f"{head}{BEGIN}\n{table}\n{END}{tail}"


def main() -> int:
    """Rewrite README.md's parameter table from the current template."""
    table = parameter_table(build_template().to_dict())
    README.write_text(with_table(README.read_text(encoding="utf-8"), table), encoding="utf-8")
    print(f"updated the parameter table in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
