"""Companies file conventions routed to their competent authority; CNOM files import all or nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests
from sqlalchemy import func, select

from aude_desktop.rules.identifiers import luhn_check_digit
from central_api.accounts import add_api_key
from central_api.cnom import CnomImportError, import_cnom
from central_api.db import Record

SIREN = "732829320"
SIRET = SIREN + "0007" + luhn_check_digit(SIREN + "0007")


def _rpps(body: str = "1000345678") -> str:
    return body + luhn_check_digit(body)


def _convention(*beneficiaries: dict) -> dict:
    return {
        "company": {"name": "Laboratoires Élan", "siret": SIRET},
        "object": "conseil_expertise", "signing_region": "OCC", "period_start": "2027-01-01", "period_end": "2027-03-31",
        "beneficiaries": list(beneficiaries),
        "avantages": [{"id": "a1", "beneficiary_id": beneficiaries[0]["id"], "nature": "remuneration",
                       "amount": "1500.00", "hours": "6", "date": "2027-02-01"}],
    }


def _professional(bid: str, profession: str) -> dict:
    return {"id": bid, "category": "professionnel", "last_name": "Lefèvre", "first_name": "Anaïs",
            "profession": profession, "rpps": _rpps()}


def test_filing_is_routed_to_the_competent_authority(server, login):
    key = add_api_key(server.engine, "Laboratoires Élan", SIREN)
    url = f"{server.url}/api/v1/filings/conventions"
    nurse = requests.post(url, json=_convention(_professional("b1", "infirmier")), headers={"X-API-Key": key}, timeout=10)
    assert nurse.status_code == 200, nurse.text
    assert [c["authority"] for c in nurse.json()["created"]] == ["ORDRE-INF"]
    speech = requests.post(url, json=_convention(_professional("b1", "orthophoniste")), headers={"X-API-Key": key}, timeout=10)
    assert [c["authority"] for c in speech.json()["created"]] == ["ARS-OCC"]
    both = requests.post(url, json=_convention(_professional("b1", "infirmier"), _professional("b2", "ergotherapeute")),
                         headers={"X-API-Key": key}, timeout=10)
    assert [c["authority"] for c in both.json()["created"]] == ["ORDRE-INF", "ARS-OCC"]
    created = nurse.json()["created"][0]["id"]
    assert any(c["id"] == created for c in login("ordre.inf").pull_all())
    assert not any(c["id"] == created for c in login("ordre.mk").pull_all())


def test_filing_refusals(server):
    key = add_api_key(server.engine, "Autre entreprise", "552100554")
    url = f"{server.url}/api/v1/filings/conventions"
    doctor = requests.post(url, json=_convention(_professional("b1", "medecin")), headers={"X-API-Key": key}, timeout=10)
    assert doctor.status_code == 422 and "ordre des médecins" in doctor.json()["message"]
    wrong_company = requests.post(url, json=_convention(_professional("b1", "infirmier")), headers={"X-API-Key": key}, timeout=10)
    assert wrong_company.status_code == 403 and wrong_company.json()["code"] == "entreprise_differente"
    bad_key = requests.post(url, json=_convention(_professional("b1", "infirmier")), headers={"X-API-Key": "faux"}, timeout=10)
    assert bad_key.status_code == 401
    bad_rpps = _convention(_professional("b1", "infirmier"))
    bad_rpps["beneficiaries"][0]["rpps"] = "10003456788"
    answer = requests.post(url, json=bad_rpps, headers={"X-API-Key": key}, timeout=10)
    assert answer.status_code == 422 and "Luhn" in answer.json()["message"]
    bad_amount = _convention(_professional("b1", "infirmier"))
    bad_amount["avantages"][0]["amount"] = "12.345"
    answer = requests.post(url, json=bad_amount, headers={"X-API-Key": key}, timeout=10)
    assert answer.status_code == 422 and "deux décimales" in answer.json()["message"]
    outside = _convention(_professional("b1", "infirmier"))
    outside["avantages"][0]["date"] = "2027-06-01"
    answer = requests.post(url, json=outside, headers={"X-API-Key": key}, timeout=10)
    assert answer.status_code == 422 and answer.json()["code"] == "date_hors_periode"


HEADER = "reference;siren;siret;entreprise;nom;prenom;rpps;objet;regime;date_depot;nature;montant;date_avantage\n"


def _line(reference: str, rpps: str | None = None, amount: str = "350,00") -> str:
    return f"CNOM-{reference};{SIREN};{SIRET};Laboratoires Élan;Dupré;Hélène;{rpps or _rpps()};conseil_expertise;declaration;2026-10-01;remuneration;{amount};2026-10-20\n"


def test_cnom_import_all_or_nothing(server, tmp_path):
    good = tmp_path / "cnom.csv"
    good.write_text(HEADER + _line("1") + _line("1", amount="80") + _line("2"), encoding="utf-8-sig")
    with server.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(Record).where(Record.authority == "CNOM")).scalar()
    assert import_cnom(server.engine, good) == 2
    assert import_cnom(server.engine, good) == 2  # idempotent: same file, nothing added
    with server.engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(Record).where(Record.authority == "CNOM")).scalar()
    assert after == before + 2

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + _line("3") + _line("4", rpps="12345678901") + _line("5", amount="dix"), encoding="utf-8")
    try:
        import_cnom(server.engine, bad)
    except CnomImportError as exc:
        assert "ligne 3" in str(exc) and "RPPS" in str(exc) and "ligne 4" in str(exc) and "montant" in str(exc)
    else:
        raise AssertionError("a bad file was imported")
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Record).where(Record.authority == "CNOM")).scalar() == after


def test_cnom_import_command_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    bad = tmp_path / "entete.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    result = subprocess.run([str(Path(sys.executable).parent / "aude-central"), "import-cnom", str(bad), "--db", db],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "En-tête inattendu" in result.stderr


def test_files_joined_to_a_filing_reach_the_instructing_order(server, tmp_path):
    """A company joins its programme (base64) to the filing; the order's client syncs, holds the
    exact bytes, lists them in the convention view and opens them; bad content is refused."""
    import base64
    from datetime import date

    from aude_desktop.auth.session import AuthSession, MemoryTokens
    from aude_desktop.conventions import detail
    from aude_desktop.paths import Profile
    from aude_desktop.settings import Settings
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key
    from aude_desktop.sync.attachments import export_for_viewing
    from aude_desktop.sync.engine import SyncEngine
    from aude_desktop.sync.http import Transport

    key = add_api_key(server.engine, "Laboratoires Élan (pièces jointes)", SIREN)
    url = f"{server.url}/api/v1/filings/conventions"
    programme = b"Programme : 9 h 00 accueil ; 10 h 00 intervention."
    body = _convention(_professional("b1", "infirmier")) | {
        "regime": "declaration",  # what the company believes; the thresholds decide
        "attachments": [{"filename": "programme.txt", "label": "Programme de la manifestation",
                         "content_base64": base64.b64encode(programme).decode()}]}
    bad = requests.post(url, json=body | {"attachments": [{"filename": "x", "content_base64": "@@@"}]},
                        headers={"X-API-Key": key}, timeout=10)
    assert bad.status_code == 422 and "base64 illisible" in bad.json()["message"]
    filed = requests.post(url, json=body, headers={"X-API-Key": key}, timeout=10)
    assert filed.status_code == 200, filed.text
    convention_id = filed.json()["created"][0]["id"]

    profile = Profile.isolated(tmp_path / "ordre")
    store = open_store(profile, database_key(profile))
    auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), "ordre.inf", tokens=MemoryTokens())
    auth.sign_in("demo-ordre-inf")
    SyncEngine(store, auth).run()
    with store.session() as s:
        d = detail.load(s, convention_id, date.today())
    assert d.regime == "autorisation"  # 250 €/h > 200 €/h
    assert [(label, name, held) for label, name, _size, _sha, held in d.attachments] == [
        ("Programme de la manifestation", "programme.txt", True)]
    assert export_for_viewing(store, d.attachments[0][3], "programme.txt").read_bytes() == programme
    store.close()
