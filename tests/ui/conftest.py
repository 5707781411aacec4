from __future__ import annotations

import pytest

from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key


@pytest.fixture
def profile(tmp_path) -> Profile:
    return Profile.isolated(tmp_path / "profil").ensure()


@pytest.fixture
def store(profile):
    s = open_store(profile, database_key(profile))
    yield s
    s.close()


@pytest.fixture
def window(qtbot, store, profile):
    from aude_desktop.ui.main_window import MainWindow

    w = MainWindow(store, Settings(), profile)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w
