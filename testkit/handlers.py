"""Load a handler module two ways: from handlers/ (source) and from the emitted template (inlined).

Every handler test runs against both, so the code that ships is the code that is tested.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from functools import cache
from types import ModuleType

from generator.consumer import template as consumer
from generator.distributor import template as distributor
from generator.inline import handlers_dir

FUNCTIONS = {  # handler module -> logical id of the function that runs it
    "copy_files": "CopyFunction",
    "initial_set_trigger": "InitialSetTriggerFunction",
    "publisher": "PublisherFunction",
    "initial_set": "InitialSetFunction",
}
SIDES = {  # handlers/<side>/<name>.py; the side is also the stack whose template inlines it
    "copy_files": "consumer",
    "initial_set_trigger": "consumer",
    "publisher": "distributor",
    "initial_set": "distributor",
}
BUILDERS = {"consumer": consumer.build_template, "distributor": distributor.build_template}
FLAVOURS = ("source", "inlined")
_counter = itertools.count()


@cache
def emitted_template(stack: str = "consumer") -> dict:
    """The template of `stack` as `python -m generator --stack STACK` builds it from the sources."""
    return BUILDERS[stack]().to_dict()


def inlined_code(name: str) -> str:
    """The `Code.ZipFile` string of the function that runs `handlers/<side>/<name>.py`."""
    resource = emitted_template(SIDES[name])["Resources"][FUNCTIONS[name]]
    return resource["Properties"]["Code"]["ZipFile"]


def load_handler(name: str, flavour: str) -> ModuleType:
    """A fresh module object of handler `name`, as source or as the inlined `index` module."""
    unique = f"{flavour}_{name}_{next(_counter)}"
    if flavour == "source":
        spec = importlib.util.spec_from_file_location(
            unique, handlers_dir() / SIDES[name] / f"{name}.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[unique] = module
        spec.loader.exec_module(module)
        return module
    if flavour == "inlined":
        module = ModuleType(unique)
        module.__file__ = "index.py"  # Lambda writes Code.ZipFile to index.py
        sys.modules[unique] = module
        exec(compile(inlined_code(name), "index.py", "exec"), module.__dict__)
        return module
    raise ValueError(f"unknown flavour {flavour!r}")
