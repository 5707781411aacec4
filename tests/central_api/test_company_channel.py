"""The company channel end to end, against the real server: a company and a consulting firm acting
under its mandate file, read the incomplete notice, send the missing items, read the refusal
letter (real PDF read back), file the modified convention and read the final decision; the
instructor is a real desktop client (local store, letters issued and synced), who sees each answer
as « nouveau »."""

from __future__ import annotations

import base64
import io
import random
import uuid
from datetime import UTC, date, datetime, timedelta

import requests
from pypdf import PdfReader
from sqlalchemy import select

from aude_desktop.auth.actor import remember_user
from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.conventions import queue, workflow
from aude_desktop.conventions.queue import ConventionFilter
from aude_desktop.domain.commands import Actor
from aude_desktop.letters import register
from aude_desktop.letters.samples import sample_settings
from aude_desktop.paths import Profile
from aude_desktop.rules.identifiers import luhn_check_digit
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.http import Transport
from aude_desktop.sync.local import run_command
from central_api.accounts import AccountError, add_api_key, add_mandate
from central_api.db import AuditEntry
from tests.central_api.test_filing_and_import import _convention, _professional

ORDRE = Actor("ordre.inf", "ordre", None, "ORDRE-INF")
SETTINGS = sample_settings("eps")


def new_siren() -> str:
    body = str(random.randrange(10**7, 10**8))
    return body + luhn_check_digit(body)


def company_convention(siren: str, name: str) -> dict:
    body = _convention(_professional("b1", "infirmier"))
    siret = siren + "0001" + luhn_check_digit(siren + "0001")
    return body | {"company": {"name": name, "siret": siret}}


class Company:
    def __init__(self, server, key: str):
        self.url, self.headers = server.url, {"X-API-Key": key}

    def get(self, path: str, **params):
        return requests.get(self.url + path, headers=self.headers, params=params, timeout=10)

    def post(self, path: str, body: dict):
        return requests.post(self.url + path, json=body, headers=self.headers, timeout=10)

    def filing(self, filing_id: str) -> dict:
        answer = self.get(f"/api/v1/company/filings/{filing_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def letter_text(self, letter: dict) -> str:
        answer = self.get(letter["pdf"])
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf", answer.text
        return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages).split())


class Instructor:
    """The nurses' order on its desktop: local store, offline commands, letters, sync."""

    def __init__(self, server, tmp_path):
        profile = Profile.isolated(tmp_path / "ordre")
        self.store = open_store(profile, database_key(profile))
        self.auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), "ordre.inf", tokens=MemoryTokens())
        remember_user(self.store, self.auth.sign_in("demo-ordre-inf"))  # the case officer named in its letters
        self.sync()

    def sync(self) -> None:
        SyncEngine(self.store, self.auth).run()

    def unseen(self, convention_id: str) -> bool:
        with self.store.session() as s:
            rows = queue.page(s, ConventionFilter(unseen=True, text=""), date.today(), limit=5000)
        return any(r.id == convention_id for r in rows)

    def act(self, name: str, convention_id: str, **args) -> None:
        run_command(self.store, ORDRE, name, {"id": convention_id, "on": date.today().isoformat(), **args})

    def letter(self, kind: str, convention_id: str) -> str:
        return register.issue(self.store, ORDRE, SETTINGS, "eps", kind, convention_id, date.today()).reference

    def notified(self, reference: str, on: date) -> None:
        """The company read the letter on the platform that day: the délais that run from it start."""
        from aude_desktop.store.models import Letter

        with self.store.session() as s:
            letter_id = s.scalar(select(Letter.id).where(Letter.reference == reference))
        register.notify(self.store, ORDRE, letter_id, on, "electronique")

    def read(self, convention_id: str) -> None:
        with self.store.session() as s:
            queue.mark_seen(s, [convention_id])


def test_company_and_mandataire_end_to_end(server, tmp_path):
    siren, firm_siren = new_siren(), new_siren()
    name = f"Laboratoires Orion {siren}"
    company = Company(server, add_api_key(server.engine, name, siren))
    firm = Company(server, add_api_key(server.engine, f"Cabinet Conseil Santé {firm_siren}", firm_siren))
    today = datetime.now(UTC).date()
    ordre = Instructor(server, tmp_path)  # its first (full) sync marks nothing as new

    # The firm without a mandate is refused, in French, and nothing is filed.
    refused = firm.post("/api/v1/filings/conventions", company_convention(siren, name))
    assert refused.status_code == 403 and "aucun mandat en cours" in refused.json()["message"]
    add_mandate(server.engine, firm_siren, siren, name, today - timedelta(days=400), today - timedelta(days=1))
    expired = firm.post("/api/v1/filings/conventions", company_convention(siren, name))
    assert expired.status_code == 403, "an expired mandate must not allow filing"
    add_mandate(server.engine, firm_siren, siren, name, today, today + timedelta(days=365))
    assert firm.get("/api/v1/company/mandates").json()["mandants"] == [{"siren": siren, "name": name}]

    # 1. The firm files in its client's name; the filing says who filed it.
    filed = firm.post("/api/v1/filings/conventions", company_convention(siren, name))
    assert filed.status_code == 200, filed.text
    cid = filed.json()["created"][0]["id"]
    seen = company.filing(cid)
    assert seen["filed_by"] == {"siren": firm_siren, "name": f"Cabinet Conseil Santé {firm_siren}", "mandataire": True}
    assert (seen["state"], seen["regime"], seen["company"]["siren"]) == ("recue", "autorisation", siren)
    feed = company.get("/api/v1/company/filings", since=0).json()
    assert [f["id"] for f in feed["filings"]] == [cid]
    cursor = feed["next"]
    assert company.get("/api/v1/company/filings", since=cursor).json()["filings"] == []  # nothing new: cheap poll

    # 2. The order declares the file incomplete and issues the notice.
    ordre.sync()
    assert ordre.unseen(cid)
    ordre.act("convention.declare_incomplete", cid, missing="Programme détaillé de la manifestation")
    notice = ordre.letter("incomplet", cid)
    ordre.sync()
    ordre.read(cid)
    changed = company.get("/api/v1/company/filings", since=cursor).json()
    assert [f["id"] for f in changed["filings"]] == [cid]
    cursor = changed["next"]
    incomplete = changed["filings"][0]
    assert incomplete["state"] == "incomplete" and incomplete["missing"] == "Programme détaillé de la manifestation"
    assert incomplete["legal_date"]["label"].startswith("Délai suspendu")
    [letter] = incomplete["letters"]
    assert letter["reference"] == notice and letter["kind"] == "eps.incomplet"
    text = company.letter_text(letter)
    assert notice in text and "Programme détaillé de la manifestation" in text

    # 3. The company sends the missing item: the two months run again, as if the order had recorded it.
    before, held = incomplete, _server_payload(server, cid)
    programme = b"Programme : 9 h accueil, 10 h atelier."
    sent = company.post(f"/api/v1/company/filings/{cid}/pieces", {
        "note": "Programme joint.",
        "attachments": [{"filename": "programme.txt", "label": "Programme", "content_base64": base64.b64encode(programme).decode()}]})
    assert sent.status_code == 200, sent.text
    after = sent.json()
    as_agent = workflow.apply("convention.receive_pieces", held, {"on": today.isoformat()})
    assert after["state"] == "en_instruction"
    assert after["legal_date"]["date"] == workflow.clock(as_agent, today).next_date.isoformat()
    assert date.fromisoformat(after["legal_date"]["date"]) > today + timedelta(days=55)
    assert after["answers"][0]["files"] == ["programme.txt"] and before["version"] < after["version"]
    again = company.post(f"/api/v1/company/filings/{cid}/pieces", {"note": "encore"})
    assert again.status_code == 422 and "Joignez" in again.json()["message"]

    # 4. The order sees the answer as new, holds the file, refuses with reasons and issues the letter.
    ordre.sync()
    assert ordre.unseen(cid)
    from aude_desktop.conventions import detail
    with ordre.store.session() as s:
        shown = detail.load(s, cid, today)
    assert shown.payload["state"] == "en_instruction" and any(a[1] == "programme.txt" and a[4] for a in shown.attachments)
    ordre.read(cid)
    motifs = "La rémunération horaire de 250 € excède la valeur du service rendu (CSP L.1453-7)."
    ordre.act("convention.decide", cid, kind="refus", motifs=motifs)
    refusal = ordre.letter("refus", cid)
    ordre.notified(refusal, today)  # the fifteen days run from the notification (R.1453-18)
    ordre.sync()

    # 5. The firm reads the refusal letter and files the modified convention within fifteen days.
    refused_view = firm.filing(cid)
    assert refused_view["state"] == "refusee" and refused_view["decision"]["kind"] == "refus"
    assert refused_view["legal_date"]["label"].startswith("Convention modifiée recevable jusqu'au")
    refus_letter = next(x for x in refused_view["letters"] if x["reference"] == refusal)
    text = firm.letter_text(refus_letter)
    assert "250 €" in text and "quinze jours" in text
    modified = company_convention(siren, name)["avantages"]
    modified[0] |= {"amount": "1200.00"}
    changed = firm.post(f"/api/v1/company/filings/{cid}/modified", {"convention": {"avantages": modified}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["state"] == "modifiee_recue"
    assert date.fromisoformat(changed.json()["legal_date"]["date"]) <= today + timedelta(days=16)
    twice = firm.post(f"/api/v1/company/filings/{cid}/modified", {"convention": {"avantages": modified}})
    assert twice.status_code == 409 and "Action impossible" in twice.json()["message"]

    # 6. The order sees it as new, authorises, issues the decision; the company reads it.
    ordre.sync()
    assert ordre.unseen(cid)
    ordre.act("convention.decide", cid, kind="autorisation")
    decision = ordre.letter("autorisation", cid)
    ordre.sync()
    final = company.filing(cid)
    assert final["state"] == "autorisee" and final["decision"]["kind"] == "autorisation"
    assert [x["reference"] for x in final["letters"]] == [notice, refusal, decision]
    assert decision in company.letter_text(final["letters"][-1])
    assert [e["kind"] for e in final["events"]] == ["receipt", "incomplete", "pieces_received", "decision", "notified",
                                                    "modified_received", "decision"]
    with server.engine.connect() as conn:
        audited = conn.execute(select(AuditEntry.login, AuditEntry.command).where(AuditEntry.record_id == cid)
                               .order_by(AuditEntry.id)).all()
    assert (f"entreprise:{firm_siren}", "filing.convention") in audited
    assert (f"entreprise:{siren}", "convention.receive_pieces") in audited
    assert (f"entreprise:{firm_siren}", "convention.update") in audited
    assert (f"entreprise:{firm_siren}", "convention.receive_modified") in audited
    ordre.store.close()


def _server_payload(server, cid: str) -> dict:
    import json

    from central_api.db import Record

    with server.engine.connect() as conn:
        return json.loads(conn.execute(select(Record.payload).where(Record.kind == "convention", Record.id == cid)).scalar())


def test_a_company_sees_only_its_own_filings_and_a_mandataire_only_its_mandants(server):
    a_siren, b_siren, firm_siren = new_siren(), new_siren(), new_siren()
    a = Company(server, add_api_key(server.engine, f"Entreprise A {a_siren}", a_siren))
    b = Company(server, add_api_key(server.engine, f"Entreprise B {b_siren}", b_siren))
    firm = Company(server, add_api_key(server.engine, f"Cabinet {firm_siren}", firm_siren))
    today = datetime.now(UTC).date()
    add_mandate(server.engine, firm_siren, a_siren, "Entreprise A", today, today + timedelta(days=30))
    a_id = a.post("/api/v1/filings/conventions", company_convention(a_siren, "Entreprise A")).json()["created"][0]["id"]
    b_id = b.post("/api/v1/filings/conventions", company_convention(b_siren, "Entreprise B")).json()["created"][0]["id"]
    matrix = {  # by hand: who reads which filing
        (a, a_id): 200, (a, b_id): 404, (b, a_id): 404, (b, b_id): 200, (firm, a_id): 200, (firm, b_id): 404}
    for (who, fid), status in matrix.items():
        assert who.get(f"/api/v1/company/filings/{fid}").status_code == status
        answer = who.post(f"/api/v1/company/filings/{fid}/pieces", {"note": "x", "fields": {"object": "formation"}})
        assert answer.status_code == (409 if status == 200 else 404), answer.text  # not incomplete / not yours
    assert {f["id"] for f in a.get("/api/v1/company/filings").json()["filings"]} == {a_id}
    assert {f["id"] for f in b.get("/api/v1/company/filings").json()["filings"]} == {b_id}
    assert {f["id"] for f in firm.get("/api/v1/company/filings").json()["filings"]} == {a_id}
    assert b.post("/api/v1/filings/conventions", company_convention(a_siren, "Entreprise A")).status_code == 403
    assert a.get("/api/v1/company/filings/pas-un-uuid").status_code == 400
    assert requests.get(f"{server.url}/api/v1/company/filings", timeout=10).status_code == 401
    forbidden = a.post(f"/api/v1/company/filings/{a_id}/pieces", {"fields": {"company": {"siren": b_siren}}})
    assert forbidden.status_code == 422 and "ne peut pas modifier" in forbidden.json()["message"]
    # Instructors' tokens do not open the channel, and company keys do not open the sync API.
    assert requests.get(f"{server.url}/api/v1/changes", headers=a.headers, timeout=10).status_code == 401


def test_siren_checked_at_key_and_mandate_creation(server):
    for bad in ("12345678", "123456789", "abcdefghi"):
        try:
            add_api_key(server.engine, f"Mauvais {bad}", bad)
        except AccountError as exc:
            assert "SIREN" in str(exc)
        else:
            raise AssertionError(f"SIREN {bad} accepted")
    firm = new_siren()
    add_api_key(server.engine, f"Cabinet {firm}", firm)
    try:
        add_mandate(server.engine, firm, "732829321", "X", date(2026, 1, 1), date(2026, 12, 31))
    except AccountError as exc:
        assert "Luhn" in str(exc)
    else:
        raise AssertionError("bad client SIREN accepted")


def test_the_modified_convention_after_fifteen_days_is_refused(server):
    siren = new_siren()
    company = Company(server, add_api_key(server.engine, f"Laboratoires Tardifs {siren}", siren))
    cid = company.post("/api/v1/filings/conventions", company_convention(siren, "Tardifs")).json()["created"][0]["id"]
    import json

    from sqlalchemy import update

    from central_api.db import Record

    refused_on = (datetime.now(UTC).date() - timedelta(days=40)).isoformat()
    payload = _server_payload(server, cid)
    payload["filed_on"] = payload["events"][0]["on"] = (datetime.now(UTC).date() - timedelta(days=60)).isoformat()
    payload |= {"state": "refusee", "decision": {"kind": "refus", "decided_on": refused_on, "motifs": "Motifs."}}
    payload["events"].append({"on": refused_on, "kind": "decision", "note": "refus"})
    # the fifteen days run from the notification of the refusal (R.1453-18), delivered the next day
    delivered = (datetime.now(UTC).date() - timedelta(days=39)).isoformat()
    payload["events"].append({"on": delivered, "kind": "notified", "note": "EPS-C-1 — LRAR", "letter": "eps.refus",
                              "letter_id": str(uuid.uuid4()), "mode": "lrar"})
    with server.engine.begin() as conn:  # as an order would have refused it forty days ago
        conn.execute(update(Record).where(Record.kind == "convention", Record.id == cid).values(payload=json.dumps(payload)))
    late = company.post(f"/api/v1/company/filings/{cid}/modified", {"convention": {"object": "formation"}})
    assert late.status_code == 422 and late.json()["code"] == "delai_expire" and "quinze jours" in late.json()["message"]
    assert company.filing(cid)["state"] == "refusee"  # nothing written


def test_mandates_on_the_command_line(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    tool, db = str(Path(sys.executable).parent / "aude-central"), f"sqlite:///{tmp_path / 'c.db'}"

    def run(*args):
        return subprocess.run([tool, "apikeys", *args, "--db", db], capture_output=True, text=True)

    firm, client = "552100554", "732829320"
    assert run("mandate", "add", "--mandataire", firm, "--siren", client, "--company", "Élan",
               "--from", "2026-01-01", "--to", "2026-12-31").returncode == 2  # the firm has no key yet
    key = run("add", "--company", "Cabinet Conseil", "--siren", firm)
    assert key.returncode == 0 and "affichée une seule fois" in key.stdout
    assert "déjà une clé" in run("add", "--company", "Cabinet Conseil", "--siren", firm).stderr
    bad = run("add", "--company", "X", "--siren", "123456789")
    assert bad.returncode == 2 and "Luhn" in bad.stderr
    added = run("mandate", "add", "--mandataire", firm, "--siren", client, "--company", "Élan",
                "--from", "2026-01-01", "--to", "2026-12-31")
    assert added.returncode == 0 and "Mandat n° 1" in added.stdout
    assert run("mandate", "add", "--mandataire", firm, "--siren", client, "--company", "Élan",
               "--from", "2026-13-01", "--to", "2026-12-31").returncode == 2
    assert "actif" in run("mandate", "list").stdout
    assert run("mandate", "revoke", "1").returncode == 0 and "révoqué" in run("mandate", "list").stdout
    assert "Mandat inconnu" in run("mandate", "revoke", "9").stderr


def test_the_migration_gives_existing_filings_and_their_letters_their_company(tmp_path):
    import json
    import uuid

    from alembic import command
    from sqlalchemy import text

    from central_api.db import make_engine
    from central_api.migrate import alembic_config

    engine, config = make_engine(f"sqlite:///{tmp_path / 'm.db'}"), alembic_config()

    def migrate(step, revision):
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            step(config, revision)

    migrate(command.upgrade, "0004")
    filing, letter = str(uuid.uuid4()), str(uuid.uuid4())
    rows = [("convention", filing, {"company": {"siren": "732829320"}}), ("letter", letter, {"convention_id": filing}),
            ("convention", "cnom", {"read_only": True, "company": {"siren": "552100554"}})]
    with engine.begin() as conn:
        for cursor, (kind, record_id, payload) in enumerate(rows, start=1):
            conn.execute(text("INSERT INTO records (kind, id, version, cursor, deleted, payload) "
                              "VALUES (:k, :i, 1, :c, false, :p)"), {"k": kind, "i": record_id, "c": cursor, "p": json.dumps(payload)})
    migrate(command.upgrade, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, company FROM records ORDER BY cursor")).all() == [
            (filing, "732829320"), (letter, "732829320"), ("cnom", None)]  # CNOM imports are no company's filings
    migrate(command.downgrade, "0004")
    engine.dispose()
