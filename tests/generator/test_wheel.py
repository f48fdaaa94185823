"""The package outside a checkout: build the wheel, install it into a fresh venv, run it there.

`pip install .` once gave a console script that could not find handlers/ (it lives at the top
of the repository, not in the package). Here the wheel is built as pip builds it for a user (an
isolated build with the setuptools of pyproject.toml, from the package registry or pip's cache),
installed into a new venv in a temporary directory, and its `build-artifact-consumer` must write
the checkout's template byte for byte.

To stay cheap, the venv gets only the wheel; a .pth file lends it this environment's
site-packages for the dependencies (troposphere, cfn-lint, ...). Paths in a .pth file are
appended after the venv's own site-packages and their own .pth files are not run, so an editable
install of the checkout there cannot answer for `generator`: a test asserts where it came from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import generator
from generator.consumer.template import HANDLER_MODULES, build_template
from generator.distributor import template as distributor
from generator.render import render
from tests.generator.test_cli import ROOT

pytestmark = pytest.mark.wheel

SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "generator", "handlers")
# Test infrastructure beside the package: copied into the build's sources, so a test sees it
# left out of the wheel.
NOT_SHIPPED = ("testkit", "tests", "benchmarks")
CONSOLE_SCRIPT = "build-artifact-consumer"


def run(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command that must succeed; its output is in the failure message."""
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def build_wheel(tmp: Path) -> Path:
    """Build the wheel from a copy of the sources, so the checkout gets no build/ or egg-info."""
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES + NOT_SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", source, cwd=tmp
    )
    (wheel,) = (tmp / "dist").glob("*.whl")
    return wheel


def install_into_fresh_venv(wheel: Path, home: Path) -> Path:
    """A new venv holding only `wheel`, borrowing this environment's dependencies; its bin/."""
    venv.create(home, with_pip=False)
    bin_dir = home / ("Scripts" if os.name == "nt" else "bin")
    pip = [sys.executable, "-m", "pip", "--python", bin_dir / "python"]
    run(*pip, "install", "-q", "--no-deps", "--no-index", wheel, cwd=home)
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site_packages = run(bin_dir / "python", "-c", where, cwd=home).stdout.strip()
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    Path(site_packages, "dependencies-from-test-env.pth").write_text("\n".join(ours) + "\n")
    return bin_dir


@dataclass(frozen=True)
class Installed:
    """The built wheel, and the venv it is installed in; commands run in `tmp`, not ROOT."""

    wheel: Path
    bin: Path
    tmp: Path
    env: dict

    def run(self, command: str, *args) -> subprocess.CompletedProcess:
        return run(self.bin / command, *args, cwd=self.tmp, env=self.env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(tmp)
    bin_dir = install_into_fresh_venv(wheel, tmp / "venv")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return Installed(wheel=wheel, bin=bin_dir, tmp=tmp, env=env)


def test_wheel_ships_the_handlers(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for module in HANDLER_MODULES:
        assert f"generator/handlers/consumer/{module}.py" in names
    for module in distributor.HANDLER_MODULES:
        assert f"generator/handlers/distributor/{module}.py" in names


def test_wheel_ships_the_generator_alone(installed):
    """Test infrastructure (testkit/, tests/, benchmarks/) is no part of the package."""
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"generator"}


def test_installed_package_is_the_wheels_not_the_checkout(installed):
    code = "import generator.inline as i; print(i.__file__); print(i.handlers_dir())"
    module, handlers = map(Path, installed.run("python", "-c", code).stdout.split("\n")[:2])
    venv_dir = installed.tmp / "venv"
    assert module.is_relative_to(venv_dir) and handlers.is_relative_to(venv_dir)


def test_console_script_builds_the_checkouts_distributor_byte_for_byte(installed):
    output = installed.tmp / "distributor.json"
    result = installed.run(CONSOLE_SCRIPT, "--stack", "distributor", "--output", output)
    assert f"wrote {output}" in result.stdout
    assert output.read_text(encoding="utf-8") == render(distributor.build_template())


def test_console_script_builds_the_checkouts_template_byte_for_byte(installed):
    output = installed.tmp / "template.json"
    result = installed.run(CONSOLE_SCRIPT, "--output", output)
    assert f"wrote {output}" in result.stdout
    assert output.read_text(encoding="utf-8") == render(build_template())


def test_console_script_and_metadata_carry_the_packages_version(installed):
    version = generator.__version__
    assert installed.run(CONSOLE_SCRIPT, "--version").stdout == f"{CONSOLE_SCRIPT} {version}\n"
    metadata = "import importlib.metadata as m; print(m.version('build-artifact-consumer'))"
    assert installed.run("python", "-c", metadata).stdout == f"{version}\n"


def test_console_script_help_names_the_command_the_user_typed(installed):
    usage = installed.run(CONSOLE_SCRIPT, "--help").stdout.splitlines()[0]
    assert usage.startswith(f"usage: {CONSOLE_SCRIPT} ")
