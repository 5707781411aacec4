"""`aude-cli sync` takes the window's path (workspace façade): after push and pull, the daily backup
and the retention purge — against the real reference server on 127.0.0.1 and a real encrypted profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from aude_desktop import cli
from aude_desktop.dossiers.models import Dossier
from aude_desktop.paths import Profile
from aude_desktop.retention import CLOSED_DOSSIERS, purge_closed
from aude_desktop.settings import Settings
from aude_desktop.store import backups
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import PurgedRecord
from tests.support.live_server import server_fixture

server = server_fixture(1500, 10, 4)


@pytest.fixture
def folder(tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("AUDE_DB_PASSPHRASE", "phrase de passe des essais")
    monkeypatch.setenv("AUDE_PASSWORD", "demo-agent-occ")
    return str(tmp_path / "p")


def test_cli_sync_leaves_a_daily_backup_and_purges_what_retention_says(server, folder, capsys):
    def run(*args: str) -> int:
        return cli.main(["--profile", folder, *args])

    profile = Profile.isolated(folder)
    assert run("login", "--server", server.url, "--user", "agent.occ") == 0
    settings = Settings.load(profile.settings_path)
    replace(settings, retention_months=1).save(profile.settings_path)  # the service keeps closed files one month
    with server.engine.connect() as conn:  # what the server says is closed in this agent's region
        closed_on_server = {row.id for row in conn.exec_driver_sql(
            "SELECT id, payload FROM records WHERE kind = 'dossier' AND json_extract(payload, '$.region') = 'OCC' "
            f"AND json_extract(payload, '$.state') IN ({','.join('?' * len(CLOSED_DOSSIERS))})",
            tuple(str(s) for s in CLOSED_DOSSIERS))}
    assert closed_on_server
    capsys.readouterr()

    assert run("sync") == 0
    out = capsys.readouterr().out
    assert "retirés de ce poste" in out and "restent consultables sur le serveur" in out
    [backup] = backups.backups(profile)
    assert backup.path.stat().st_size > 0

    store = open_store(profile, database_key(profile))
    try:
        with store.session() as s:
            purged = set(s.scalars(select(PurgedRecord.id).where(PurgedRecord.kind == "dossier")))
            left = set(s.scalars(select(Dossier.id)))
        assert purged and purged <= closed_on_server and not purged & left
        assert purge_closed(store, date.today(), 1).total == 0  # nothing left that retention would remove
    finally:
        store.close()

    assert run("sync") == 0  # the same day: no second backup; the totals still match the server's
    err = capsys.readouterr().err
    assert len(backups.backups(profile)) == 1 and "différe" not in err
