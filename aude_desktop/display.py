"""Can the GUI open a window here? A display, and the system libraries Qt's xcb plugin links to.

Without them Qt aborts with « could not load the Qt platform plugin "xcb" » in English; this check
says in French what is missing and what to install. Qt-free and stdlib-only: `make run` and
`make system-deps` run it as a script (`python aude_desktop/display.py [--packages]`), before any
virtualenv exists; `aude-desktop` calls it before creating its QApplication.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

# Each library PySide6's libqxcb.so and libQt6XcbQpa.so load from the system (`ldd` on the plugin),
# and the Debian/Ubuntu package that provides it. The .deb declares the same packages.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc")


def xcb_plugins() -> list[Path]:
    """The xcb plugin and its Qt library in the installed PySide6 (none in a frozen bundle)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    return [p for p in (qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6") if p.exists()]


def missing_libraries() -> list[str]:
    """Shared libraries the xcb plugin needs and the system lacks (as `ldd` reports them)."""
    missing: list[str] = []
    for plugin in xcb_plugins():
        try:
            out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            return []  # no ldd: Qt will say it itself
        for line in out.splitlines():
            name, _, where = line.strip().partition(" => ")
            if where.strip() == "not found" and name not in missing:
                missing.append(name)
    return missing


def problem(env: dict[str, str] | None = None) -> str | None:
    """A French explanation of why no window can open here, or None when it can."""
    env = dict(os.environ) if env is None else env
    if not sys.platform.startswith("linux") or env.get("QT_QPA_PLATFORM", "") in HEADLESS_PLATFORMS:
        return None
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return ("Aucun affichage graphique : ni DISPLAY ni WAYLAND_DISPLAY n’est défini. Lancez l’application depuis "
                "une session de bureau (ou à distance avec ssh -X), ou sans fenêtre : "
                "QT_QPA_PLATFORM=offscreen aude-desktop --demo --role dgos --screenshot capture.png")
    if env.get("QT_QPA_PLATFORM", "").startswith("wayland") or not env.get("DISPLAY"):
        return None  # the Wayland plugin: the xcb libraries are not used
    missing = missing_libraries()
    if not missing:
        return None
    packages = sorted({XCB_LIBRARIES.get(name, name) for name in missing})
    return ("Bibliothèques système manquantes pour afficher les fenêtres (greffon Qt « xcb ») : "
            f"{', '.join(missing)}.\nInstallez-les (Debian, Ubuntu) : sudo apt-get install {' '.join(packages)}\n"
            "ou, depuis le dossier du projet : sudo make system-deps")


def main(argv: list[str]) -> int:
    if argv[1:] == ["--packages"]:  # for `make system-deps`
        print(" ".join(sorted(set(XCB_LIBRARIES.values()))))
        return 0
    message = problem()
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
