"""The server's audit log moved backwards or forked: the window says so after the sync (issue 16, item 9)."""

from __future__ import annotations

from aude_desktop.sync.audit_head import Head, alert_for
from aude_desktop.sync.engine import SyncReport


def test_the_window_shows_the_audit_alert_after_a_sync(window, monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr("aude_desktop.ui.main_window.QMessageBox.warning",
                        lambda _parent, title, text: shown.append((title, text)))
    window._sync_done(SyncReport())
    assert shown == []
    alert = alert_for(Head(120, "a" * 64), {"n": 80, "hash": "b" * 64, "known_hash": None})
    window._sync_done(SyncReport(audit_alert=alert))
    assert shown == [("Journal d'audit du serveur", alert)]
    assert "a reculé" in alert and "entrée 120" in alert and "plus que 80" in alert
