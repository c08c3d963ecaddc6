"""The layers a newcomer sees in the folder list, kept by a test over every import (ast, no import).

ruleset → domain (pure) → text (words for people) → io / interview / storage / documents → app (use
cases) → cli. Storage keeps no wording of its own: it stores the words it is given.
Imports under `if TYPE_CHECKING:` are annotations only and not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "seccheck"

LAYERS = {
    "base": (
        "seccheck",
        "seccheck.errors",
        "seccheck.fileutil",
        "seccheck.limits",
        "seccheck.numbers",
        "seccheck.tomlfile",
        "seccheck.versions",
    ),
    "ruleset": ("seccheck.ruleset", "seccheck.schema"),
    "domain": ("seccheck.domain",),
    "text": ("seccheck.text",),
    "io": ("seccheck.io",),
    "interview": ("seccheck.interview",),
    "storage": ("seccheck.storage",),
    "documents": ("seccheck.notice", "seccheck.report"),
    "forms": ("seccheck.forms",),
    "app": ("seccheck.app",),
    "cli": ("seccheck.cli", "seccheck.__main__"),
}
BELOW = {
    "base": {"base"},
    "ruleset": {"base", "ruleset"},
    "domain": {"base", "ruleset", "domain"},
    "text": {"base", "ruleset", "domain", "text"},
    "io": {"base", "ruleset", "domain", "io"},
    "interview": {"base", "ruleset", "domain", "text", "interview"},
    "storage": {"base", "ruleset", "domain", "storage"},
    "documents": {"base", "ruleset", "domain", "text", "documents"},
    "forms": {"base", "ruleset", "domain", "text", "forms"},
    "app": {"base", "ruleset", "domain", "text", "io", "interview", "storage", "documents", "forms", "app"},
    "cli": {"base", "ruleset", "domain", "text", "io", "interview", "app", "cli"},
}
# Third-party libraries only some layers may use: the core never imports click, rich or weasyprint.
LIBRARIES = {
    "click": {"cli"},
    "rich": {"cli"},
    "weasyprint": {"documents", "app"},
    "sqlalchemy": {"storage", "app", "cli"},
    "alembic": {"storage"},
    "jinja2": {"documents", "forms"},
    "openpyxl": {"documents", "io"},
    "docx": {"documents"},
}


def layer_of(module: str) -> str:
    best = ""
    found = ""
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, found = prefix, layer
    assert found, f"{module} belongs to no layer: add it to LAYERS"
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(tree: ast.Module) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.lineno, child.module))
            visit(child)

    visit(tree)
    return found


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_respect_the_layers(path: Path) -> None:
    module = module_name(path)
    layer = layer_of(module)
    wrong = []
    for line, imported in runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        top = imported.split(".")[0]
        if top == "seccheck":
            target = layer_of(imported)
            if target not in BELOW[layer]:
                wrong.append(f"{path.name}:{line} {layer} imports {imported} ({target})")
        elif top in LIBRARIES and layer not in LIBRARIES[top]:
            wrong.append(f"{path.name}:{line} {layer} imports {top}")
    assert not wrong, "\n".join(wrong)


def test_the_layer_table_covers_every_package() -> None:
    for path in SOURCES:
        layer_of(module_name(path))


def test_the_checker_catches_a_climb(tmp_path: Path) -> None:
    """A test that cannot fail is a defect: a domain module importing storage is caught."""
    tree = ast.parse(
        "from seccheck.storage.db import Database\nif TYPE_CHECKING:\n    from seccheck.cli import render\n"
    )
    imports = runtime_imports(tree)
    assert imports == [(1, "seccheck.storage.db")]
    assert layer_of(imports[0][1]) not in BELOW["domain"]
