"""Minify a handler module from handlers/<side>/ into the string that goes into `Code.ZipFile`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import python_minifier
import python_minifier.expression_printer
import python_minifier.f_string

PACKAGE_DIR = Path(__file__).resolve().parent
ENTRY_POINT = "handler"


@cache
def handlers_dir() -> Path:
    """handlers/ of the source tree the package runs from; installed, generator/handlers.

    setup.cfg installs the top-level handlers/ as generator/handlers. A checkout (plain or
    editable) reads its own handlers/, even when another checkout is installed in the same
    environment and would answer for `generator.handlers`.
    """
    source_tree = PACKAGE_DIR.parent
    if (source_tree / "setup.cfg").is_file() and (source_tree / "handlers").is_dir():
        return source_tree / "handlers"
    return PACKAGE_DIR / "handlers"


class InlineError(ValueError):
    """A handler module cannot be inlined (missing, does not compile, no entry point)."""


@dataclass(frozen=True)
class InlinedCode:
    """A handler's minified code and its sizes before and after minification."""

    name: str
    code: str
    source: str = field(repr=False)
    side: str = "consumer"

    @property
    def path(self) -> str:
        """Where the module lives in a checkout, e.g. `handlers/consumer/copy_files.py`."""
        return f"handlers/{self.side}/{self.name}.py"

    @property
    def source_bytes(self) -> int:
        return len(self.source.encode())

    @property
    def inlined_bytes(self) -> int:
        return len(self.code.encode())

    def constant(self, name: str) -> Any:
        """The literal a module-level `name = <literal>` assigns: one value for both sides."""
        for node in ast.parse(self.source).body:
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
                name
            ]:
                return ast.literal_eval(node.value)
        raise InlineError(f"{self.path} assigns no literal constant {name}")


def inline_handler(name: str, side: str, handlers: Path | None = None) -> InlinedCode:
    """Read `handlers/<side>/<name>.py`, minify it keeping `handler` importable, and check it.

    `side` is the template the handler belongs to (`consumer` or `distributor`); `handlers`
    defaults to `handlers_dir()`.
    """
    path = (handlers or handlers_dir()) / side / f"{name}.py"
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InlineError(f"cannot read handler {path}: {err.strerror}") from err
    try:
        with _pre_pep701_f_strings():
            code = python_minifier.minify(
                source,
                filename=path.name,
                remove_literal_statements=True,  # docstrings: the shipped code needs none
                rename_globals=True,
                preserve_globals=public_names(source),  # `handler` and the module's __all__
            )
    except SyntaxError as err:
        raise InlineError(f"{path.name} does not compile: {err}") from err
    _check(code, path)
    return InlinedCode(name=name, code=code, source=source, side=side)


@contextmanager
def _pre_pep701_f_strings() -> Iterator[None]:
    """Make the minifier print f-strings the same on every Python, so the template is the same.

    python-minifier writes code for the Python it runs under and has no option to target another:
    on 3.12+ (PEP 701) it may reuse an f-string's quote inside its `{}`, which 3.11 cannot parse,
    so the inlined code (and the template) would differ by the builder's Python. Its printer
    decides that in one place, `ExpressionPrinter.visit_JoinedStr`; for the length of a `minify`
    call that method prints as on 3.11. The result is 3.11 syntax, which every later Python
    (Lambda's python3.13 included) parses to the same tree; the minifier checks that each f-string
    it prints parses back to the same tree. See ARCHITECTURE.md, "Invariants".
    """
    printer = python_minifier.expression_printer.ExpressionPrinter
    original = printer.visit_JoinedStr
    printer.visit_JoinedStr = _visit_joined_str_as_on_311
    try:
        yield
    finally:
        printer.visit_JoinedStr = original


def _visit_joined_str_as_on_311(self: Any, node: ast.JoinedStr) -> None:
    """python-minifier 3.4.0's `visit_JoinedStr` with the branch it takes below Python 3.12."""
    self.printer.fstring(str(python_minifier.f_string.OuterFString(node, pep701=False)))


def public_names(source: str) -> list[str]:
    """`handler` plus the names the module lists in a literal `__all__`: these keep their names."""
    names = {ENTRY_POINT}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            names.update(ast.literal_eval(node.value))
    return sorted(names)


def _check(code: str, path: Path) -> None:
    try:
        tree = ast.parse(code, filename=str(path))
        compile(tree, str(path), "exec")
    except SyntaxError as err:
        raise InlineError(f"minified {path.name} does not compile: {err}") from err
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    if ENTRY_POINT not in names:
        raise InlineError(f"{path.name} defines no top-level `{ENTRY_POINT}` function")
