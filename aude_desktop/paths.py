"""Where things live: bundled resources and the user's profile folders."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from aude_desktop import APP_ID


def make_private(folder: Path) -> None:
    """Folder and sub-folders 0700, files 0600 (POSIX; Windows profiles are private by their ACLs)."""
    if os.name != "posix":
        return
    _chmod(str(folder), 0o700)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            _chmod(os.path.join(root, name), 0o700)
        for name in files:
            _chmod(os.path.join(root, name), 0o600)


def _chmod(path: str, mode: int) -> None:
    """Best effort: a read-only disk or a file of another owner is reported by whoever opens it."""
    try:
        if not os.path.islink(path):
            os.chmod(path, mode)
    except OSError:
        pass


def resources_dir() -> Path:
    """The resources/ folder: beside the package in a checkout, inside the bundle once frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


@dataclass(frozen=True)
class Profile:
    """One user's data folders. `--profile DIR` puts all of them under DIR (tests, demos)."""

    data_dir: Path
    log_dir: Path
    config_dir: Path

    @classmethod
    def default(cls) -> Profile:
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_ID, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_ID, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_ID, appauthor=False)),
        )

    @classmethod
    def isolated(cls, root: Path | str) -> Profile:
        root = Path(root).expanduser().resolve()
        return cls(data_dir=root / "data", log_dir=root / "logs", config_dir=root / "config")

    def ensure(self) -> Profile:
        """The folders exist and only this user may enter them; what they hold only this user may
        read (folders 0700, files 0600), including what an older version left more open."""
        for folder in (self.data_dir, self.log_dir, self.config_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            make_private(folder)
        return self

    @property
    def database_path(self) -> Path:
        return self.data_dir / "aude.db"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def settings_path(self) -> Path:
        return self.config_dir / "settings.json"
