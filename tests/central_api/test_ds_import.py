"""`aude-central ds import` against the stand-in DS GraphQL endpoint (exact public shape), into a real
server database, read back by agents of the competent regions through the live API."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from central_api import cli as central_cli
from central_api.accounts import add_user
from central_api.db import Record
from central_api.ds_import import DSClient, DSError
from central_api.ds_standin import PDF, demo_standin
from tests.support.live_server import start


@pytest.fixture
def setup(monkeypatch):
    folder = Path(tempfile.mkdtemp(prefix="aude-ds-"))
    live = start(f"sqlite:///{folder / 'c.db'}", files_dir=folder / "attachments")
    ds = demo_standin()
    endpoint, stop = ds.serve(page_size=2)  # 5 dossiers: 3 pages
    monkeypatch.setenv("AUDE_DS_ENDPOINT", endpoint)
    monkeypatch.setenv("AUDE_DS_TOKEN", ds.token)
    yield live, ds, folder
    stop()
    live.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _import(folder, *extra) -> int:
    return central_cli.main(["ds", "import", "--demarche", "4242", "--db", f"sqlite:///{folder / 'c.db'}", *extra])


def _records(live, kind: str) -> dict[str, dict]:
    with live.engine.connect() as conn:
        return {r.id: {**json.loads(r.payload), "_region": r.region, "_version": r.version}
                for r in conn.execute(select(Record).where(Record.kind == kind))}


def test_import_routes_downloads_refuses_and_is_idempotent(setup, capsys):
    import requests

    live, ds, folder = setup
    assert _import(folder) == 0
    out = capsys.readouterr().out
    assert "2 créé(s)" not in out and "3 créé(s), 0 mis à jour, 0 inchangé(s), 2 refusé(s)." in out
    assert "DS n° 10103 : refusé — champ « Profession demandée » : « Sage-femme » n'est pas une profession" in out
    assert "DS n° 10104 : refusé — pièce « novak-diplome.pdf » : le fichier reçu ne correspond pas à son empreinte" in out
    dossiers = {d["intake"]["ds_number"]: d for d in _records(live, "dossier").values()}
    assert set(dossiers) == {"10101", "10102", "10105"}  # the refused ones left nothing behind
    assert dossiers["10101"]["_region"] == "OCC" and dossiers["10102"]["_region"] == "BRE" and dossiers["10105"]["_region"] == "HDF"
    assert dossiers["10101"]["reference"].startswith("AUDE-2026-OCC-") and dossiers["10101"]["applicant"]["sex"] == "F"
    assert dossiers["10105"]["applicant"]["sex"] == "M" and dossiers["10101"]["received_on"] == "2026-11-02"
    pieces = _records(live, "piece")
    assert sorted(p["filename"] for p in pieces.values()) == ["dubois-identite.pdf", "ferreira-diplome.pdf",
                                                             "ferreira-identite.jpg", "kowalczyk-diplome.pdf"]
    # an Occitanie agent sees its imported dossier and downloads the scan; a Bretagne agent cannot
    for login, region in (("agent.occ", "OCC"), ("agent.bre", "BRE")):  # a fresh server has no accounts
        add_user(live.engine, login, f"demo-{login.replace('.', '-')}", "agent_dreets", region=region)
    occ = requests.post(f"{live.url}/api/v1/auth/token", json={"login": "agent.occ", "password": "demo-agent-occ"}, timeout=10)
    token = {"Authorization": f"Bearer {occ.json()['access_token']}"}
    diploma = next(p for p in pieces.values() if p["filename"] == "ferreira-diplome.pdf")
    got = requests.get(f"{live.url}/api/v1/attachments/{diploma['sha256']}", headers=token, timeout=10)
    assert got.status_code == 200 and got.content == PDF + b"1"
    bre = requests.post(f"{live.url}/api/v1/auth/token", json={"login": "agent.bre", "password": "demo-agent-bre"}, timeout=10)
    other = {"Authorization": f"Bearer {bre.json()['access_token']}"}
    assert requests.get(f"{live.url}/api/v1/attachments/{diploma['sha256']}", headers=other, timeout=10).status_code == 404

    # second run: nothing created, nothing changed
    assert _import(folder) == 0
    assert "0 créé(s), 0 mis à jour, 3 inchangé(s), 2 refusé(s)." in capsys.readouterr().out
    assert len(_records(live, "dossier")) == 3

    # the applicant replaces a scan on DS: the pièce is updated, the instructor's dossier untouched
    ds.replace_file("ferreira-diplome.pdf", PDF + b"nouvelle version", "2026-11-20T10:00:00+01:00")
    assert _import(folder, "--since", "2026-11-19") == 0
    out = capsys.readouterr().out
    assert "DS n° 10101 : pièces mises à jour" in out and "0 créé(s), 1 mis à jour, 0 inchangé(s), 0 refusé(s)." in out
    after = {d["intake"]["ds_number"]: d for d in _records(live, "dossier").values()}
    assert after["10101"]["_version"] == dossiers["10101"]["_version"]
    updated = next(p for p in _records(live, "piece").values() if p["filename"] == "ferreira-diplome.pdf")
    assert updated["_version"] == 2 and updated["sha256"] != diploma["sha256"]


def test_bad_configuration_is_refused_in_french(setup, monkeypatch, capsys):
    _live, _ds, folder = setup
    monkeypatch.setenv("AUDE_DS_TOKEN", "mauvais-jeton")
    assert _import(folder) == 2
    assert "refuse le jeton" in capsys.readouterr().err
    monkeypatch.delenv("AUDE_DS_TOKEN")
    assert _import(folder) == 2
    assert "AUDE_DS_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("AUDE_DS_TOKEN", "x")
    assert _import(folder, "--since", "hier") == 2
    assert "--since : date invalide" in capsys.readouterr().err
    assert central_cli.main(["ds", "import", "--demarche", "9", "--db", f"sqlite:///{folder / 'c.db'}"]) == 2
    with pytest.raises(DSError, match="https"):
        DSClient("http://ds.example.org/api/v2/graphql", "x")
