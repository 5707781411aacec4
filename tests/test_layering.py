"""The layering: only views/, ui/ and app.py import Qt; no import cycles in aude_desktop; imports go
down the floors (docs/ARCHITECTURE.md); no `_private` name taken from another package."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def _allowed(path: Path) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    return "/views/" in rel or "/ui/" in rel or rel == "aude_desktop/app.py"


def _qt_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "import_module",
            "__import__",
        ):
            names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        else:
            continue
        found += [f"{path}:{node.lineno} {n}" for n in names if n.split(".")[0] in QT_MODULES]
    return found


def python_files():
    for package in ("aude_desktop", "central_api"):
        yield from (ROOT / package).rglob("*.py")


def test_qt_is_imported_only_by_views_ui_and_app():
    offenders = [hit for path in python_files() if not _allowed(path) for hit in _qt_imports(path)]
    assert offenders == [], "Qt imported outside views/, ui/ and app.py:\n" + "\n".join(offenders)


def test_the_check_itself_sees_a_qt_import(tmp_path):
    assert _qt_imports(ROOT / "aude_desktop" / "rules" / "reference.py") == []
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from PySide6.QtCore import QObject\nimport shiboken6\n"
        "import importlib\nimportlib.import_module('PySide6.QtGui')\n"
    )
    assert len(_qt_imports(bad)) == 3


def test_core_modules_import_without_qt():
    """Importing the Qt-free core in a fresh interpreter must not load PySide6."""
    import subprocess
    import sys

    code = (
        "import sys, aude_desktop.store.database, aude_desktop.store.models, aude_desktop.rules.reference, "
        "aude_desktop.settings, aude_desktop.logging_setup; "
        "sys.exit(1 if any(m.startswith('PySide6') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# -- the rooms and their floors (docs/ARCHITECTURE.md, « Rooms and floors ») -------------------------
# Every import counts, including those inside functions: a lazy import still ties two modules.


@dataclass(frozen=True)
class Import:
    importer: str  # the importing module, dotted
    line: int
    target: str  # the aude_desktop module it resolves to
    name: str | None  # the name taken from it (`from target import name`), if any
    text: str  # as written

    def __str__(self) -> str:
        return f"{self.importer} (line {self.line}) imports {self.text}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules(root: Path = ROOT, package: str = "aude_desktop") -> dict[str, Path]:
    return {module_name(p, root): p for p in (root / package).rglob("*.py")}


def _written(node: ast.AST) -> list[tuple[str, str | None, int]]:
    """(module, name or None, level) of each import a node makes."""
    if isinstance(node, ast.Import):
        return [(alias.name, None, 0) for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return [(node.module or "", alias.name, node.level) for alias in node.names]
    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
        "import_module",
        "__import__",
    ):
        return [(a.value, None, 0) for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return []


def imports_of(module: str, path: Path, known: dict[str, Path], package: str = "aude_desktop") -> list[Import]:
    """The package's modules that `module` imports (`from a.b import c` is a.b.c when c is a module)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        for written, name, level in _written(node):
            if level:
                base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                written = ".".join(base[: len(base) - level + 1] + ([written] if written else []))
            if written.split(".")[0] != package:
                continue
            target = f"{written}.{name}" if name and f"{written}.{name}" in known else written
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            text = f"from {written} import {name}" if name else f"import {written}"
            if target != module:
                found.append(Import(module, node.lineno, target, name if target == written else None, text))
    return found


def import_graph(root: Path = ROOT, package: str = "aude_desktop") -> dict[str, list[Import]]:
    known = package_modules(root, package)
    return {module: imports_of(module, path, known, package) for module, path in known.items()}


def cycles(graph: dict[str, list[Import]]) -> list[list[Import]]:
    """One cycle (as its imports, in order) through each group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for edge in graph[module]:
            if edge.target not in index:
                visit(edge.target)
                low[module] = min(low[module], low[edge.target])
            elif edge.target in stack:
                low[module] = min(low[module], index[edge.target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return [_cycle_in(graph, group) for group in groups]


def _cycle_in(graph: dict[str, list[Import]], group: set[str]) -> list[Import]:
    """A shortest way back to the group's first module (breadth first, within the group)."""
    start = min(group)
    came: dict[str, Import] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for edge in graph[module]:
                if edge.target in group and edge.target not in came:
                    came[edge.target] = edge
                    following.append(edge.target)
        if start in came:
            break
        frontier = following
    path, module = [], start
    while True:
        path.append(came[module])
        module = came[module].importer
        if module == start:
            return path[::-1]


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


# (room, the only aude_desktop modules it may import besides its own, why)
ONLY_FROM = (
    ("aude_desktop.rules", ("aude_desktop.paths",), "rules/ imports nothing above it"),
    ("aude_desktop.domain", ("aude_desktop.rules", "aude_desktop.paths"),
     "domain/ (registry, field checks, transitions) is pure: no sync, store, letters, ui nor views"),
    ("aude_desktop.store",
     ("aude_desktop.paths", "aude_desktop.rules", "aude_desktop.domain", "aude_desktop.auth.secrets",
      "aude_desktop.dossiers.models", "aude_desktop.conventions.models"),
     "store/ is the ground floor: only the procedures' table definitions from above"),
)
# (room, what it must not import, why)
NEVER_FROM = (
    ("aude_desktop.casework", ("aude_desktop.dossiers", "aude_desktop.conventions"),
     "casework/ is shared by both procedures: it imports neither"),
    ("aude_desktop.conventions", ("aude_desktop.dossiers",),
     "conventions/ takes the shared pieces from casework/, not from dossiers/"),
)


def direction_offences(graph: dict[str, list[Import]]) -> list[str]:
    offences = []
    for module, edges in graph.items():
        for edge in edges:
            for room, allowed, why in ONLY_FROM:
                outside = edge.target != "aude_desktop" and not _within(edge.target, (room, *allowed))
                if _within(module, (room,)) and outside:
                    offences.append(f"{edge} — {why}")
            for room, forbidden, why in NEVER_FROM:
                if _within(module, (room,)) and _within(edge.target, forbidden):
                    offences.append(f"{edge} — {why}")
    return offences


def _package_of(module: str, path: Path | None) -> str:
    return module if path is not None and path.name == "__init__.py" else module.rsplit(".", 1)[0]


def private_offences(root: Path = ROOT) -> list[str]:
    """`_private` names taken from a module of another package (a shared piece must have a public name)."""
    known = {**package_modules(root, "aude_desktop"), **package_modules(root, "central_api")}
    offences = []
    for module, path in known.items():
        for package in ("aude_desktop", "central_api"):
            for edge in imports_of(module, path, known, package):
                private = edge.name and edge.name.startswith("_") and not edge.name.startswith("__")
                if private and _package_of(edge.target, known.get(edge.target)) != _package_of(module, path):
                    offences.append(f"{edge} — a private name from another package: give it a public name")
    return offences


def test_no_import_cycles():
    found = cycles(import_graph())
    assert found == [], "Import cycles in aude_desktop (lazy imports count):\n" + "\n".join(
        " → ".join([c[0].importer] + [e.target for e in c]) + "\n    " + "\n    ".join(map(str, c)) for c in found
    )


def test_imports_go_down_the_floors():
    offences = direction_offences(import_graph())
    assert offences == [], "Imports against the floors (docs/ARCHITECTURE.md):\n" + "\n".join(offences)


def test_no_private_name_imported_from_another_package():
    offences = private_offences()
    assert offences == [], "\n".join(offences)


def test_the_catalog_lists_every_module_that_registers_commands():
    """The registry imports no procedure: a module of commands missing from catalog.load() would
    leave its commands unknown (« Commande inconnue ») to the local run and the server."""
    graph = import_graph()
    registering = {e.importer for edges in graph.values() for e in edges
                   if e.target == "aude_desktop.domain.commands" and e.name == "command"}
    listed = {e.target for e in graph["aude_desktop.catalog"]}
    assert registering and registering <= listed, f"not loaded by aude_desktop/catalog.py: {sorted(registering - listed)}"


def test_the_checks_themselves_see_a_lazy_cycle_a_wrong_direction_and_a_private_import(tmp_path):
    package = tmp_path / "aude_desktop"
    for folder in ("store", "sync", "ui"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "store" / "database.py").write_text("def later():\n    from aude_desktop.sync import engine\n")
    (package / "sync" / "engine.py").write_text("from ..store.database import later\n")
    (package / "ui" / "dialogs.py").write_text("from aude_desktop.sync.engine import _helper\n")
    graph = import_graph(tmp_path)
    found = cycles(graph)
    assert [[e.target for e in c] for c in found] == [["aude_desktop.sync.engine", "aude_desktop.store.database"]]
    assert "aude_desktop.store.database (line 2) imports from aude_desktop.sync import engine" in str(found[0][0])
    offences = direction_offences(graph)
    assert len(offences) == 1 and offences[0].startswith("aude_desktop.store.database (line 2)")
    assert private_offences(tmp_path) == [
        "aude_desktop.ui.dialogs (line 1) imports from aude_desktop.sync.engine import _helper — "
        "a private name from another package: give it a public name"]
