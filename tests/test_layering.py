"""Only views/, ui/ and app.py may import Qt: the domain, store, sync and server stay Qt-free."""

from __future__ import annotations

import ast
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
