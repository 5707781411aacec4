"""The start-up offer after a damaged database, as the user sees it: the question names the backup
and keeps the damaged file; « Quitter sans rien modifier » leaves it byte for byte; « Restaurer et
resynchroniser » opens the restored store."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from aude_desktop.app import _open, parse_args
from aude_desktop.domain.commands import Actor
from aude_desktop.paths import Profile
from aude_desktop.store import backups
from aude_desktop.store.database import DatabaseCorrupt, open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.local import run_command
from tests.central_api.conftest import new_dossier


def _damaged_profile(tmp_path) -> tuple[Profile, str]:
    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile))
    kept = run_command(store, Actor("agent.occ", "agent_dreets", "OCC"), "dossier.create", {"payload": new_dossier()})
    backups.backup_daily(store, profile)
    store.close()
    data = bytearray(profile.database_path.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle + 64 : middle + 512] = bytes(448)
    profile.database_path.write_bytes(bytes(data))
    return profile, kept


def _answer(choice: str, seen: list[str]) -> None:
    """Click a button of the question when it shows, as the user would."""
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, click)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == choice).click()

    QTimer.singleShot(50, click)


def test_quitting_leaves_the_damaged_file_untouched(qtbot, tmp_path):
    profile, _kept = _damaged_profile(tmp_path)
    before = hashlib.sha256(profile.database_path.read_bytes()).hexdigest()
    seen: list[str] = []
    _answer("Quitter sans rien modifier", seen)
    with pytest.raises(DatabaseCorrupt):
        _open(profile, parse_args(["--profile", str(tmp_path / "p")]))
    assert "Restaurer la sauvegarde du" in seen[0] and "conservé à part" in seen[0]
    assert hashlib.sha256(profile.database_path.read_bytes()).hexdigest() == before


def test_restoring_opens_the_backup_and_keeps_the_damaged_file(qtbot, tmp_path):
    from aude_desktop.dossiers.models import Dossier

    profile, kept = _damaged_profile(tmp_path)
    seen: list[str] = []
    _answer("Restaurer et resynchroniser", seen)
    store = _open(profile, parse_args(["--profile", str(tmp_path / "p")]))
    try:
        assert store.integrity_ok()
        with store.session() as s:
            assert s.get(Dossier, kept) is not None
        assert list(profile.backup_dir.glob("endommagee-*.db"))
    finally:
        store.close()
