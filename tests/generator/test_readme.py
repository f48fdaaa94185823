"""The README tells the truth about the template: its parameter table and its checkov skips."""

from __future__ import annotations

import json

import generator
from generator.consumer.defaults import check_defaults, load_defaults
from generator.consumer.docs import BEGIN, END, README, parameter_table, with_table

UPDATE = "python -m generator.consumer.docs"


def readme() -> str:
    return README.read_text(encoding="utf-8")


def test_parameter_table_matches_the_template(template):
    text = readme()
    assert with_table(text, parameter_table(template)) == text, (
        f"README's parameter table is stale: run `{UPDATE}`"
    )


def test_parameter_table_lists_every_parameter_once(template):
    section = readme().split(BEGIN)[1].split(END)[0]
    for name in template["Parameters"]:
        assert section.count(f"| `{name}` |") == 1, name


def test_every_checkov_skip_is_explained_in_the_readme(resources):
    text = readme()
    for title, resource in resources.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert skip["comment"], f"{title} skips {skip['id']} without a reason"
            assert f"| {skip['id']} (" in text, f"README does not list {skip['id']} ({title})"


def test_readme_defaults_example_is_accepted_by_the_build():

    text = readme()
    example = text.split("cat > org-defaults.json <<'JSON'\n")[1].split("\nJSON\n")[0]
    baked = check_defaults(json.loads(example))
    assert set(baked) >= {"DistributionTopic", "DistributionRegion", "DistributionBucket"}


def test_readme_yaml_defaults_example_says_what_the_json_example_says(tmp_path):
    text = readme()
    example = text.split("cat > org-defaults.yaml <<'YAML'\n")[1].split("\nYAML\n")[0]
    path = tmp_path / "org-defaults.yaml"
    path.write_text(example + "\n", encoding="utf-8")
    as_json = json.loads(text.split("cat > org-defaults.json <<'JSON'\n")[1].split("\nJSON\n")[0])
    assert load_defaults(path) == {**as_json, "TriggerVersion": "1.0"}


def test_readme_shows_the_current_version():
    assert f"# build-artifact-consumer {generator.__version__}\n" in readme()


def test_architecture_names_every_generator_module_and_handler_setting(template):
    # A newcomer finds any part from ARCHITECTURE.md: every module, every function's variables.
    text = (README.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    package = README.parent / "generator"
    modules = {path.name for path in package.glob("*.py")} - {"__init__.py", "__main__.py"}
    assert [name for name in sorted(modules) if name not in text] == []
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            variables = resource["Properties"]["Environment"]["Variables"]
            assert [name for name in variables if f"`{name}`" not in text] == []
