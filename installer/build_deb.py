"""Builds dist/aude-desktop_VERSION_ARCH.deb from the PyInstaller bundle in dist/aude-desktop/.

The bundle goes to /opt/aude-desktop, a launcher to /usr/bin, a desktop entry and the icon to
/usr/share; the system libraries Qt needs at run time are declared as dependencies.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from aude_desktop.display import XCB_LIBRARIES

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "aude-desktop"
DEPENDS = [  # what PySide6's xcb platform plugin (one list, aude_desktop/display.py) and SQLCipher load from the system
    "libc6 (>= 2.31)", "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libdbus-1-3", "libglib2.0-0",
    *sorted(set(XCB_LIBRARIES.values())),
]
DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Name=AUDE Desktop
GenericName=Instruction des autorisations d'exercice et des conventions d'avantages
Comment=Autorisations d'exercice (AUDE), conventions d'avantages (EPS) et supervision DGOS
Exec=/usr/bin/aude-desktop
Icon=aude-desktop
Terminal=false
Categories=Office;
Keywords=AUDE;EPS;DREETS;DGOS;autorisation;convention;
StartupWMClass=aude-desktop
"""


def build() -> Path:
    if not (BUNDLE / "aude-desktop").exists():
        sys.exit("dist/aude-desktop/ est absent : lancez d'abord PyInstaller (make package).")
    app_version = version("aude-desktop")
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    stage = ROOT / "build" / "deb"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(BUNDLE, stage / "opt" / "aude-desktop", symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / "aude-desktop").symlink_to("/opt/aude-desktop/aude-desktop")
    applications = stage / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    (applications / "aude-desktop.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    icons = stage / "usr" / "share" / "icons" / "hicolor" / "256x256" / "apps"
    icons.mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "icons" / "aude-desktop.png", icons / "aude-desktop.png")
    size_kib = sum(f.stat().st_size for f in stage.rglob("*") if f.is_file() and not f.is_symlink()) // 1024
    (stage / "DEBIAN").mkdir()
    (stage / "DEBIAN" / "control").write_text(f"""Package: aude-desktop
Version: {app_version}
Architecture: {arch}
Maintainer: Équipe AUDE Desktop <aude-desktop@exemple.gouv.fr>
Installed-Size: {size_kib}
Depends: {", ".join(DEPENDS)}
Recommends: gnome-keyring
Section: misc
Priority: optional
Description: Instruction des autorisations d'exercice et des conventions d'avantages
 Poste de travail des agents des DREETS (autorisations d'exercice des diplômés hors de
 France), des ordres professionnels et des ARS (conventions d'avantages) et de la DGOS
 (supervision en lecture seule). Base locale chiffrée, travail hors ligne, synchronisation.
""", encoding="utf-8")
    out = ROOT / "dist" / f"aude-desktop_{app_version}_{arch}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage), str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    return out


if __name__ == "__main__":
    print(build())
