"""The README's Fleet status section tells the truth: its example output and its query."""

from __future__ import annotations

from pathlib import Path

from generator.fleet.query import Part, text
from testkit.fleet import Distributor, deploy

README = Path(__file__).resolve().parents[2] / "README.md"
A, B = ("111111111111", "eu-west-1"), ("222222222222", "us-east-1")
C, D = ("333333333333", "ap-southeast-2"), ("444444444444", "eu-central-1")
APP, IMAGE = "releases/1.2/service-a.zip", "releases/1.2/base-image.tar"
HOTFIX = "releases/1.2/hotfix-222222222222.json"


def section() -> str:
    readme = README.read_text(encoding="utf-8")
    return readme.split("## Fleet status: did a release reach every consumer?")[1].split("\n## ")[0]


def readme_scenario(distributor: Distributor) -> None:
    """What the README's example shows: A complete, B missed one, C outdated, D silent."""
    for consumer in (A, B, C, D):
        distributor.subscribe(*consumer, queue=False)
    old_app = distributor.put(APP, b"1.2.0")
    app = distributor.put(APP, b"1.2.1")
    image = distributor.put(IMAGE, b"image")
    hotfix = distributor.put(HOTFIX, b"hotfix", account=B[0])
    for consumer, key, etag in (
        (A, IMAGE, image), (C, IMAGE, image), (A, APP, app), (B, APP, app), (B, HOTFIX, hotfix),
        (C, APP, old_app),
    ):  # fmt: skip
        distributor.receipt(*consumer, key, etag)


def test_example_output_is_what_the_command_prints(fleet):
    readme_scenario(deploy())
    run = fleet("--prefix", "releases/1.2/")
    example = section().split("--prefix releases/1.2/\n")[1].split("\n$ echo $?\n")[0]
    shown, printed = example.splitlines(), run.out.splitlines()
    heading = "4 consumers, 3 artifacts under 'releases/1.2/' in build-artifact-distributor-bucket-"
    assert shown[0].startswith(heading) and printed[0].startswith(heading)
    assert shown[1:] == printed[1:]
    assert section().split("\n$ echo $?\n")[1].startswith(f"{run.status}\n")


def test_the_query_shown_is_the_query_sent():
    sent = text(Part(("111111111111", "222222222222"), None, 0, 1))
    shown = sent.replace('"111111111111", "222222222222"', '"111111111111", ...')
    assert f"```\n{shown}\n```" in section()
