"""The Transparence Santé import on a realistic sample of the public export (tests/data/transparence,
made by tests/support/transparence_sample.py) with planted mismatches: every line and every
convention gets the status planted for it; the order's client shows it on the convention and
DGOS's client gets the per-company table; re-importing changes nothing; a bad file is refused whole."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.conventions import detail
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.supervision.transparence import company_rows
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.http import Transport
from central_api.accounts import add_user
from central_api.db import Record, TsLine
from central_api.service import current_cursor, insert_system_record
from central_api.transparence import TransparenceError, company_table, import_file
from tests.support.live_server import start
from tests.support.transparence_sample import EXPECTED, SAMPLE, build, write_export

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ts_server(request):
    from tests.central_api.conftest import AUDIT_KEY, _postgres_url

    folder = Path(tempfile.mkdtemp(prefix="aude-ts-"))
    url, stop_db = (f"sqlite:///{folder / 'c.db'}", None) if request.param == "sqlite" else _postgres_url(folder)
    # PostgreSQL has no key file beside it: the server and the command line get the key itself
    live = start(url, files_dir=folder / "files", audit_key=AUDIT_KEY if request.param == "postgres" else None)
    add_user(live.engine, "ordre.inf", PASSWORD, "ordre", authority="ORDRE-INF")
    add_user(live.engine, "dgos", PASSWORD, "dgos")
    with live.engine.begin() as conn:
        for cid, authority, payload in build().conventions:
            insert_system_record(conn, "convention", cid, payload, authority=authority, login="test", command="test.seed")
    yield live
    live.stop()
    if stop_db:
        stop_db()
    shutil.rmtree(folder, ignore_errors=True)


def _client(server, login: str, tmp: Path):
    profile = Profile.isolated(tmp / login)
    store = open_store(profile, database_key(profile))
    auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), login, tokens=MemoryTokens())
    auth.sign_in(PASSWORD)
    SyncEngine(store, auth).run()
    return store


def test_the_sample_file_is_the_generator_output():
    """The committed sample is what the script writes (regenerate with python -m tests.support.transparence_sample)."""
    sample = build()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "x.csv"
        write_export(fresh, sample.rows)
        assert fresh.read_bytes() == SAMPLE.read_bytes()
    assert json.loads(EXPECTED.read_text(encoding="utf-8")) == {"lines": sample.lines, "statuses": sample.statuses}
    assert 1000 < len(sample.rows) < 5000


def test_every_planted_case_is_found_and_shown(ts_server, tmp_path):
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    result = import_file(ts_server.engine, SAMPLE)
    assert result.lines == len(expected["lines"])
    with ts_server.engine.connect() as conn:
        lines = dict(conn.execute(select(TsLine.ligne_identifiant, TsLine.status)).all())
        statuses = {r.id: json.loads(r.payload)["status"] for r in conn.execute(
            select(Record.id, Record.payload).where(Record.kind == "transparence", Record.deleted.is_(False)))}
        ambiguous = conn.execute(select(TsLine.candidates).where(TsLine.status == "ambigue")).scalars().all()
    assert lines == expected["lines"]
    assert statuses == expected["statuses"]
    assert set(Counter(expected["statuses"].values())) == {"declaree", "absente", "montant_different", "ambigue", "partielle"}
    assert set(Counter(expected["lines"].values())) == {"rapprochee", "jamais_deposee", "montant_different", "ambigue"}
    assert all(len(json.loads(c)) == 2 for c in ambiguous)  # shown with both candidates, never one taken

    # Supervision's table: per company, counts that add up to the planted cases.
    table = {r.siren: r for r in company_table(ts_server.engine)}
    stranger = table["—"]
    assert (stranger.name, stranger.never_filed, stranger.conventions) == ("DISPOSITIFS INCONNUS SA", 5, 0)
    assert sum(r.not_published for r in table.values()) == Counter(expected["statuses"].values())["absente"]
    assert sum(r.never_filed for r in table.values()) == Counter(expected["lines"].values())["jamais_deposee"]
    assert sum(r.amount_differs for r in table.values()) == Counter(expected["lines"].values())["montant_different"]

    # The order's client shows the status on its conventions; DGOS's client has the table.
    store = _client(ts_server, "ordre.inf", tmp_path)
    declared = next(cid for cid, s in expected["statuses"].items() if s == "declaree")
    absent = next(cid for cid, s in expected["statuses"].items() if s == "absente")
    with store.session() as s:
        assert detail.load(s, declared, date.today()).transparence.startswith("Déclarée sur Transparence Santé")
        assert detail.load(s, absent, date.today()).transparence == "Absente de Transparence Santé."
    store.close()
    dgos = _client(ts_server, "dgos", tmp_path)
    with dgos.session() as s:
        rows = company_rows(s)
    assert len(rows) == len(table) and rows[0][3] + rows[0][4] + rows[0][5] + rows[0][6] > 0
    assert ("DISPOSITIFS INCONNUS SA", "inconnue d'EPS", 0, 0, 5, 0, 0) in rows
    dgos.close()


def test_reimport_changes_nothing_and_a_bad_file_is_refused_whole(ts_server, tmp_path):
    import_file(ts_server.engine, SAMPLE)
    with ts_server.engine.connect() as conn:
        cursor, count = current_cursor(conn), conn.execute(select(func.count()).select_from(TsLine)).scalar()
    again = import_file(ts_server.engine, SAMPLE)
    assert again.records_written == 0
    with ts_server.engine.connect() as conn:
        assert current_cursor(conn) == cursor
        assert conn.execute(select(func.count()).select_from(TsLine)).scalar() == count

    text = SAMPLE.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    row3 = text[3].split(";")
    row3[31] = "31/02/2026"
    row5 = text[5].split(";")
    row5[36] = "mille"
    bad.write_text("\n".join([text[0], text[1], text[2], ";".join(row3), text[4], ";".join(row5), "A;B;C"]) + "\n",
                   encoding="utf-8")
    with pytest.raises(TransparenceError) as refused:
        import_file(ts_server.engine, bad)
    message = str(refused.value)
    assert "ligne 4 : date de signature invalide « 31/02/2026 »" in message
    assert "ligne 6 : montant TTC invalide « mille »" in message and "ligne 7 : 3 colonnes au lieu de 41" in message
    header = tmp_path / "header.csv"
    header.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(TransparenceError, match="En-tête inattendu"):
        import_file(ts_server.engine, header)
    with ts_server.engine.connect() as conn:  # nothing half-imported
        assert current_cursor(conn) == cursor
        assert conn.execute(select(func.count()).select_from(TsLine)).scalar() == count

    tool = str(Path(sys.executable).parent / "aude-central")
    db = ts_server.engine.url.render_as_string(hide_password=False)
    from tests.central_api.conftest import AUDIT_KEY

    env = dict(os.environ)
    if ts_server.engine.dialect.name == "postgresql":  # no key file beside the database: the key itself
        env["AUDE_AUDIT_KEY"] = AUDIT_KEY.hex()
    cli = subprocess.run([tool, "transparence", "import", str(bad), "--db", db], capture_output=True, text=True, env=env)
    assert cli.returncode == 2 and "rien n'a été importé" in cli.stderr and "ligne 4" in cli.stderr
    report = subprocess.run([tool, "transparence", "report", "--db", db], capture_output=True, text=True, env=env)
    assert report.returncode == 0 and "DISPOSITIFS INCONNUS SA" in report.stdout
