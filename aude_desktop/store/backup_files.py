"""Where the backups of the encrypted database are and what each one is (newest first).

Apart from backups.py (taking and restoring them) because opening the store looks at them too: a key
that opens a backup but not the database means the file is damaged, not the key wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aude_desktop.paths import Profile


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime

    @property
    def label(self) -> str:
        from aude_desktop.rules.calendar import format_date_fr

        local = self.taken_at.astimezone()
        return f"{format_date_fr(local.date())} à {local:%H:%M}"


def backups(profile: Profile) -> list[Backup]:
    """Newest first."""
    found = []
    for path in profile.backup_dir.glob("aude-*.db"):
        stamp = path.name.split("-")[1]
        try:
            taken = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append(Backup(path, taken))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def latest(profile: Profile) -> Backup | None:
    found = backups(profile)
    return found[0] if found else None
