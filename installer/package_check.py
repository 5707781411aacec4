"""`make package-check`: runs what `make package` built, as an IT department would receive it.

1. The bundle: `--version` prints the package version; `--screenshot` renders the main window
   offscreen into a PNG, which is read back (size, not blank).
2. The .deb: its control fields and contents are checked, then it is unpacked into a temporary root
   and the unpacked binary is run the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_app(binary: Path, work: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AUDE_DB_PASSPHRASE="verification du paquet",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    shown = subprocess.run([str(binary), "--version"], capture_output=True, text=True, env=env, timeout=120)
    expected = f"AUDE Desktop {version('aude-desktop')}"
    if shown.returncode != 0 or shown.stdout.strip() != expected:
        sys.exit(f"--version : attendu « {expected} », obtenu « {shown.stdout.strip()} » {shown.stderr[-500:]}")
    shot = work / "capture.png"
    done = subprocess.run([str(binary), "--profile", str(work / "profil"), "--screenshot", str(shot)],
                          capture_output=True, text=True, env=env, timeout=180)
    if done.returncode != 0 or not shot.exists():
        sys.exit(f"--screenshot a échoué ({done.returncode}) : {done.stderr[-1500:]}")
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    if image.width() < 800 or image.height() < 500 or len(colours) < 5:
        sys.exit(f"capture suspecte : {image.width()}×{image.height()}, {len(colours)} couleurs")
    print(f"  {binary} : {expected}, capture {image.width()}×{image.height()} ({len(colours)} couleurs échantillonnées)")


def main() -> None:
    bundle = ROOT / "dist" / "aude-desktop" / "aude-desktop"
    debs = sorted((ROOT / "dist").glob(f"aude-desktop_{version('aude-desktop')}_*.deb"))
    if not bundle.exists() or not debs:
        sys.exit("Rien à vérifier : lancez d'abord make package.")
    with tempfile.TemporaryDirectory(prefix="aude-package-check-") as tmp:
        work = Path(tmp)
        print("Bundle PyInstaller :")
        run_app(bundle, work / "bundle")
        deb = debs[-1]
        info = subprocess.run(["dpkg-deb", "--field", str(deb), "Package", "Version", "Depends"],
                              capture_output=True, text=True, check=True).stdout
        contents = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
        for needed in ("./usr/share/applications/aude-desktop.desktop", "./usr/bin/aude-desktop",
                       "./usr/share/icons/hicolor/256x256/apps/aude-desktop.png", "./opt/aude-desktop/aude-desktop"):
            if needed not in contents:
                sys.exit(f"{deb.name} : {needed} manquant")
        if f"Version: {version('aude-desktop')}" not in info or "libxcb-cursor0" not in info:
            sys.exit(f"{deb.name} : champs de contrôle inattendus\n{info}")
        unpacked = work / "racine"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
        print(f"Paquet {deb.name} ({deb.stat().st_size // 1_048_576} Mio), décompressé :")
        run_app(unpacked / "opt" / "aude-desktop" / "aude-desktop", work / "deb")
    print("package-check : OK")


if __name__ == "__main__":
    main()
