"""The rooms a newcomer sees in the folder list (docs/layout.md), kept by tests over every import (ast, no import).

ruleset → domain (pure) → text (words for people) → io / interview / storage / documents / forms → app (use
cases) → cli. Storage keeps no wording of its own: it stores the words it is given. The CLI reaches the
records only through the use cases: no storage, io, documents or forms; what it prints comes from app/
(or is a pure value of ruleset/ or domain/).

Which imports count:
- the rooms: every import, at module level or inside a function, and also those under
  `if TYPE_CHECKING:` (a type named in an annotation is still a dependency on the room that defines it);
- circles: every import that runs (module level and inside functions: a lazy import hides a circle, it
  does not remove it); those under `if TYPE_CHECKING:` never run and are not counted.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "seccheck"
LAYOUT_DOC = PACKAGE.parent / "docs" / "layout.md"

# The one table of rooms: the modules each holds and the rooms it may import (itself always). docs/layout.md
# shows the same table with what each room holds; test_the_layout_doc_mirrors_the_table keeps them equal.
ROOMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "base": (
        (
            "seccheck",
            "seccheck.errors",
            "seccheck.fileutil",
            "seccheck.limits",
            "seccheck.numbers",
            "seccheck.tomlfile",
            "seccheck.tomlsafety",
            "seccheck.versions",
        ),
        (),
    ),
    "ruleset": (("seccheck.ruleset", "seccheck.schema"), ("base",)),
    "domain": (("seccheck.domain",), ("base", "ruleset")),
    "text": (("seccheck.text",), ("base", "ruleset", "domain")),
    "io": (("seccheck.io",), ("base", "ruleset", "domain")),
    "interview": (("seccheck.interview",), ("base", "ruleset", "domain", "text")),
    "storage": (("seccheck.storage",), ("base", "ruleset", "domain")),
    "documents": (("seccheck.notice", "seccheck.report"), ("base", "ruleset", "domain", "text")),
    "forms": (("seccheck.forms",), ("base", "ruleset", "domain", "text")),
    "app": (
        ("seccheck.app",),
        ("base", "ruleset", "domain", "text", "io", "interview", "storage", "documents", "forms"),
    ),
    "cli": (("seccheck.cli", "seccheck.__main__"), ("base", "ruleset", "domain", "text", "interview", "app")),
}
LAYERS = {room: prefixes for room, (prefixes, _) in ROOMS.items()}
BELOW = {room: {room, *may} for room, (_, may) in ROOMS.items()}
# Third-party libraries only some layers may use: the core never imports click, rich or weasyprint.
# The CLI's sqlalchemy: cli/exit.py maps the database driver's errors to exit statuses (the one place
# errors become statuses) and `init --db` checks the URL's form before a workspace exists.
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


def every_import(tree: ast.Module) -> list[tuple[int, str]]:
    """Like runtime_imports, with those under `if TYPE_CHECKING:` too: what the rooms are judged by."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return sorted(found)


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_respect_the_layers(path: Path) -> None:
    module = module_name(path)
    layer = layer_of(module)
    wrong = []
    for line, imported in every_import(ast.parse(path.read_text(encoding="utf-8"))):
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


# --- circles -------------------------------------------------------------------------------------------

MODULES = {module_name(p): p for p in SOURCES}


def module_of(name: str, modules: dict[str, Path]) -> str | None:
    """The package's module a dotted name lives in (`seccheck.app.audits.load_audit` → `seccheck.app.audits`)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """Module → the package's modules it imports when it runs, each with the line of the first such import.
    `from seccheck.app import audits` is an edge to seccheck.app.audits, not to the package."""
    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        edges: dict[str, int] = {}
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        runtime = {(line, name) for line, name in runtime_imports(tree)}
        for node in nodes:
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names if (node.lineno, alias.name) in runtime]
            elif node.module and node.level == 0 and (node.lineno, node.module) in runtime:
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                    for a in node.names
                ]
            else:
                targets = []
            for target in targets:
                found = module_of(target, modules) if target.startswith("seccheck") else None
                if found is not None and found != module:
                    edges.setdefault(found, node.lineno)
        graph[module] = edges
    return graph


def circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Every group of modules that import one another (strongly connected, more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circle() -> None:
    graph = import_graph(MODULES)
    described = []
    for group in circles(graph):
        arrows = [f"{a}:{graph[a][b]} → {b}" for a in group for b in sorted(graph[a]) if b in group]
        described.append("circle: " + "; ".join(arrows))
    assert not described, "\n".join(described)


def test_the_circle_finder_sees_a_lazy_circle(tmp_path: Path) -> None:
    """A test that cannot fail is a defect: a circle closed by an import inside a function is found."""
    (tmp_path / "a.py").write_text("from seccheck.b import g\n", encoding="utf-8")
    (tmp_path / "b.py").write_text(
        "def g():\n    from seccheck import a\n\nif TYPE_CHECKING:\n    from seccheck.c import x\n", encoding="utf-8"
    )
    (tmp_path / "c.py").write_text("from seccheck.a import f\n", encoding="utf-8")
    modules = {f"seccheck.{n}": tmp_path / f"{n}.py" for n in "abc"}
    graph = import_graph(modules)
    assert graph == {"seccheck.a": {"seccheck.b": 1}, "seccheck.b": {"seccheck.a": 2}, "seccheck.c": {"seccheck.a": 1}}
    assert circles(graph) == [["seccheck.a", "seccheck.b"]]


# --- the layout doc ----------------------------------------------------------------------------------


def test_the_layout_doc_mirrors_the_table() -> None:
    """docs/layout.md has one row per room: the same modules and the same rooms it may import."""
    rows: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for line in LAYOUT_DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] in ROOMS:
            modules = tuple(re.findall(r"`([\w.]+)`", cells[1]))
            may = tuple(re.findall(r"[a-z]+", cells[3]))
            rows[cells[0]] = (modules, may)
    assert rows == ROOMS


# --- long modules ------------------------------------------------------------------------------------

LONG = 400  # lines: a module longer than this is split by responsibility, or says at its top why not


def test_a_long_module_says_why_it_is_long() -> None:
    unexplained = []
    for path in SOURCES:
        lines = path.read_text(encoding="utf-8").splitlines()
        name = str(path.relative_to(PACKAGE))
        if len(lines) > LONG and not any("Long on purpose" in line for line in lines[:8]):
            unexplained.append(f"{name}: {len(lines)} lines")
    assert not unexplained, "split these by responsibility, or say at the top why not:\n" + "\n".join(unexplained)
