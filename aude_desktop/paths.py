"""Where things live: bundled resources and the user's profile folders."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from aude_desktop import APP_ID


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
        for folder in (self.data_dir, self.log_dir, self.config_dir):
            folder.mkdir(parents=True, exist_ok=True)
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
