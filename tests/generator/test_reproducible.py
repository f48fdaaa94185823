"""One template whatever supported Python builds it (ARCHITECTURE.md, "Invariants").

python-minifier writes code for the Python it runs under; the generator makes it print f-strings
as Python 3.11 reads them. These tests minify every handler under each other supported Python
found on the machine (pyenv's or on PATH) and compare it byte for byte with this one's.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
import python_minifier

from generator.inline import handlers_dir, inline_handler

ROOT = Path(__file__).resolve().parent.parent.parent
SUPPORTED = ("3.11", "3.12", "3.13")  # the README's "tested on"; .ci/run runs 3.11 and 3.13
RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
OTHERS = [version for version in SUPPORTED if version != RUNNING]
# Loads generator/inline.py by path (the package's __init__ needs troposphere, which the other
# Python may lack) and prints every handler's minified code by path.
MINIFY_EVERY_HANDLER = """
import importlib.util, json, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("inline", sys.argv[1])
inline = importlib.util.module_from_spec(spec)
sys.modules["inline"] = inline
spec.loader.exec_module(inline)
handlers = Path(sys.argv[2])
minified = {}
for path in sorted(handlers.glob("*/*.py")):
    code = inline.inline_handler(path.stem, path.parent.name, handlers).code
    minified[str(path.relative_to(handlers))] = code
print(json.dumps(minified))
"""


def handler_modules() -> list[Path]:
    """Every handler module, of every side: handlers/<side>/<name>.py."""
    return sorted(handlers_dir().glob("*/*.py"))


def minified_here() -> dict[str, str]:
    return {
        str(path.relative_to(handlers_dir())): inline_handler(path.stem, path.parent.name).code
        for path in handler_modules()
    }


def find_python(version: str) -> str | None:
    """An interpreter of `version` that runs: pyenv's versions first, then PATH (a pyenv shim
    on PATH answers only for the versions `pyenv global` names, so each candidate is run)."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [str(p) for p in sorted(pyenv.glob(f"{version}.*/bin/python{version}"))]
    candidates.append(shutil.which(f"python{version}") or "")
    for candidate in filter(None, candidates):
        check = [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
        try:
            answer = subprocess.run(check, capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if answer.returncode == 0 and answer.stdout.strip() == version:
            return candidate
    return None


def minified_under(python: str, tmp_path: Path) -> dict[str, str]:
    """Every handler minified by the pinned python-minifier (pure Python) under `python`."""
    package = Path(python_minifier.__file__).parent
    shutil.copytree(package, tmp_path / "python_minifier", ignore=shutil.ignore_patterns("*.pyc"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    inline_py = ROOT / "generator" / "inline.py"
    command = [python, "-c", MINIFY_EVERY_HANDLER, str(inline_py), str(handlers_dir())]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


@pytest.mark.parametrize("version", OTHERS)
def test_every_handler_minifies_byte_for_byte_alike_under_each_supported_python(version, tmp_path):
    # GIVEN another supported Python on this machine
    python = find_python(version)
    if python is None:
        pytest.skip(f"no Python {version} here (pyenv's versions or python{version} on PATH)")
    # WHEN it minifies every handler with the same minifier and generator code
    theirs = minified_under(python, tmp_path)
    # THEN the inlined code, and so the template, is the same bytes (and it compiled there)
    ours = minified_here()
    assert sorted(theirs) == sorted(ours)
    for path, code in ours.items():
        assert theirs[path] == code, f"{path} minifies differently on Python {version}"


def reused_quotes(code: str) -> list[str]:
    """Strings inside an f-string's `{}` that Python 3.11 cannot read there (PEP 701 syntax:
    the enclosing quote or a backslash). Python 3.11's tokenizer sees whole f-strings: none."""
    start, end = getattr(tokenize, "FSTRING_START", None), getattr(tokenize, "FSTRING_END", None)
    enclosing, found = [], []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == start:
            text = token.string.lstrip("rRbBuUfF")
            enclosing.append(text[:3] if text[:3] in ('"""', "'''") else text[:1])
        elif token.type == end:
            enclosing.pop()
        elif enclosing and token.type == tokenize.STRING:
            if "\\" in token.string or any(quote in token.string for quote in enclosing):
                found.append(token.string)
    return found


def test_minified_f_strings_are_python_311_syntax_whatever_python_minifies(tmp_path):
    # GIVEN a handler whose f-string holds a string literal in its braces
    side = tmp_path / "consumer"
    side.mkdir()
    (side / "quoted.py").write_text(
        "def handler(event, context):\n"
        "    return f\"missing: {', '.join(event)} in {context.get('key', 'none')}\"\n"
    )
    # WHEN it is inlined (on 3.12+ the minifier would reuse the outer quote inside the braces)
    code = inline_handler("quoted", "consumer", tmp_path).code
    # THEN the braces use other quotes, as 3.11 and every later Python read them
    assert reused_quotes(code) == []
    assert "', '" in code or '", "' in code


@pytest.mark.parametrize("path", handler_modules(), ids=lambda path: path.stem)
def test_inlined_handlers_use_no_f_string_syntax_newer_than_python_311(path):
    assert reused_quotes(inline_handler(path.stem, path.parent.name).code) == []


@pytest.mark.skipif(sys.version_info < (3, 12), reason="Python 3.11 tokenizes f-strings whole")
def test_the_pep_701_detector_finds_a_reused_quote():
    assert reused_quotes('x = f"{", ".join(a)}"\n') == ['", "']
