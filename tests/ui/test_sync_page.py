"""The Synchronisation space: refused commands and conflicts shown, decided with the keyboard or mouse."""

from __future__ import annotations

import pytest

from aude_desktop.sync import resolution
from aude_desktop.ui.sync_page import MERGED, ConflictDialog, SyncPage
from tests.support.live_server import seeded_server
from tests.sync.test_engine import make_conflict


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with seeded_server(tmp_path_factory.mktemp("central"), 200, 20, 8) as live:
        yield live


def test_conflict_listed_and_resolved_from_the_page(qtbot, tmp_path, server, monkeypatch):
    store, auth, _target, _seq = make_conflict(tmp_path, server)
    page = SyncPage(store)
    page.auth = auth
    qtbot.addWidget(page)
    page.show()
    assert page.table.rowCount() == 1
    assert page.table.item(0, 3).text() == "Conflit à arbitrer"
    assert page.table.item(0, 1).text().startswith("AUDE-")
    assert "1 modification(s) demandent votre décision" in page.summary.text()
    page.table.selectRow(0)
    assert page.resolve_button.isEnabled() and not page.resubmit_button.isEnabled()
    dialog = page.resolve()
    assert isinstance(dialog, ConflictDialog)
    paths = [d.path for d in dialog.diffs]
    specialty = paths.index("specialty")
    dialog.choices[specialty].setCurrentText(MERGED)
    assert dialog.merged["specialty"].isEnabled()
    dialog.grab().save(str(tmp_path / "conflict.png"))
    dialog.accept()
    assert page.table.rowCount() == 0
    assert store.status().pending == 1
    assert "Aucune modification refusée" in page.summary.text()


def test_empty_page_says_all_is_well(qtbot, store):
    page = SyncPage(store)
    qtbot.addWidget(page)
    assert page.table.rowCount() == 0
    assert not page.discard_button.isEnabled()
    assert resolution.problems(store) == []
