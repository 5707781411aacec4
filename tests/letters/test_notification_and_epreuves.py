"""The clocks of the letters on a real local store (and through the live server): the notification
date of a decision letter, what it dates, the « notification à saisir » queues, a letter issued
after its legal window, and the convocation printed from the épreuve session it belongs to."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from aude_desktop.auth.actor import remember_user
from aude_desktop.cli import main as cli
from aude_desktop.conventions import queue as eps_queue
from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers import epreuves
from aude_desktop.dossiers import queue as aude_queue
from aude_desktop.dossiers.models import EpreuveSession
from aude_desktop.letters import register
from aude_desktop.letters.samples import eps_payload
from aude_desktop.paths import Profile
from aude_desktop.rules.deadlines import aude_clock
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import OutboxEntry, User
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.local import run_command
from aude_desktop.sync.materialize import dump_dossier, materialize
from central_api.demo_data import demo_users
from tests.central_api.conftest import new_dossier
from tests.letters.test_letters import SETTINGS, joined
from tests.support.live_server import server_fixture, signed_in

D1, C1 = "0d1c0000-0000-4000-8000-000000000001", "0c1c0000-0000-4000-8000-000000000001"  # record ids are UUIDs
AGENT = Actor("agent.occ", "agent_dreets", "OCC")
ORDRE = Actor("ordre.inf", "ordre", None, "ORDRE-INF")
ISSUED = date(2026, 11, 13)
EVENTS = [{"on": "2026-11-02", "kind": "receipt", "note": None}, {"on": "2026-11-03", "kind": "acknowledged", "note": None},
          {"on": "2026-11-03", "kind": "complete", "note": None}, {"on": "2026-11-10", "kind": "avis", "note": None},
          {"on": "2026-11-12", "kind": "decision", "note": "mesures_compensation"}]

server = server_fixture(6, 6, 11)


@pytest.fixture
def store(store):
    """Letters are issued by a remembered user with a display name (the case officer the letter names)."""
    with store.session() as s:
        s.add(User(login=AGENT.login, display_name="Julien PETIT", role="agent_dreets", region="OCC"))
        s.add(User(login=ORDRE.login, display_name="Sophie LAMBERT", role="ordre", authority="ORDRE-INF"))
    return store


def decided(measures: dict, **extra) -> dict:
    payload = new_dossier(state="mesures_compensation", acknowledged_on="2026-11-03", complete_on="2026-11-03",
                          clock_events=EVENTS, avis={"kind": "mesures_compensation", "on": "2026-11-10", "motifs": ""},
                          decision={"kind": "mesures_compensation", "decided_on": "2026-11-12", "motifs": "Pédiatrie.",
                                    "measures": {"subjects": ["Pédiatrie"], "required_level": 3, "held_level": 2, **measures}},
                          **extra)
    payload["applicant"].update(sex="F", birth_date="1990-04-12", address="3 rue Haute", postal_code="31000", city="Toulouse", country="France")
    return payload


def _to_notify(store) -> tuple[int, int]:
    with store.session() as s:
        return (aude_queue.count(s, aude_queue.QueueFilter(deadline="notification"), ISSUED),
                eps_queue.count(s, eps_queue.ConventionFilter(deadline="notification"), ISSUED))


def test_notification_date_dates_the_choice_and_empties_the_queue(store):
    refusal = eps_payload("refus")
    with store.session() as s:
        materialize(s, [("dossier", D1, 1, decided({"kind": "au_choix"})), ("convention", C1, 1, refusal)])
    letter = register.issue(store, AGENT, SETTINGS, "aude", "decision_mesures", D1, ISSUED)
    refus = register.issue(store, ORDRE, SETTINGS, "eps", "refus", C1, ISSUED)
    assert _to_notify(store) == (1, 1)
    with store.session() as s:
        row = aude_queue.page(s, aude_queue.QueueFilter(deadline="notification"), ISSUED)[0]
        clock = aude_clock(dump_dossier(s, D1)["clock_events"], "infirmier", "OCC", ISSUED)
    assert (row.deadline, row.deadline_status, row.next_due_on) == ("notification à saisir", "notification", None)
    assert clock.next_date is None and "deux mois de la notification" in clock.next_label
    [line] = register.letters_of(store, "aude", D1)
    assert line.decision and line.notification == "notification à saisir"

    for day, words in ((ISSUED - timedelta(days=1), "ne peut pas précéder"), (date.today() + timedelta(days=1), "futur")):
        with pytest.raises(CommandRejected, match=words):
            register.notify(store, AGENT, letter.letter_id, day, "lrar")
    with pytest.raises(CommandRejected, match="UUID"):
        register.notify(store, AGENT, "d1", ISSUED, "lrar")
    register.notify(store, AGENT, letter.letter_id, date(2026, 11, 17), "lrar")
    register.notify(store, ORDRE, refus.letter_id, date(2026, 11, 16), "electronique")

    assert _to_notify(store) == (0, 0)
    [line] = register.letters_of(store, "aude", D1)
    assert line.notification == "notifié le 17 novembre 2026 (LRAR)"
    with store.session() as s:
        # delivered Tuesday 17 Nov. 2026: choice by Sunday 17 Jan. 2027 → Monday 18 Jan.
        clock = aude_clock(dump_dossier(s, D1)["clock_events"], "infirmier", "OCC", ISSUED)
        outbox = [e.name for e in s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))]
    assert clock.next_date == date(2027, 1, 18) and clock.next_label.startswith("Choix de la mesure")
    assert outbox.count("dossier.notify_letter") == 1 and outbox.count("convention.notify_letter") == 1


def test_a_correcting_letter_must_be_notified_again(store):
    with store.session() as s:
        materialize(s, [("dossier", D1, 1, decided({"kind": "au_choix"}))])
    first = register.issue(store, AGENT, SETTINGS, "aude", "decision_mesures", D1, ISSUED)
    register.notify(store, AGENT, first.letter_id, date(2026, 11, 17), "lrar")
    assert _to_notify(store) == (0, 0)
    register.issue(store, AGENT, SETTINGS, "aude", "decision_mesures", D1, date(2026, 11, 20), replaces=first.letter_id)
    assert _to_notify(store) == (1, 0)  # the letter in force is the correction: its own delivery date counts


def test_a_closed_convention_leaves_the_notification_queue(store):
    """Regression: the filter compared every record with the dossiers' final state « clos », so a
    closed convention (« close ») with an unnotified refusal stayed « notification à saisir »."""
    with store.session() as s:
        materialize(s, [("convention", C1, 1, eps_payload("refus"))])
    register.issue(store, ORDRE, SETTINGS, "eps", "refus", C1, ISSUED)
    assert _to_notify(store) == (0, 1)
    with store.session() as s:
        materialize(s, [("convention", C1, 2, eps_payload("refus") | {"state": "close"})])
    assert _to_notify(store) == (0, 0)


def test_an_acknowledgement_issued_after_one_month_asks_for_confirmation(store):
    late = new_dossier(state="complet", acknowledged_on="2026-11-03", complete_on="2026-11-03", clock_events=EVENTS[:3])
    late["applicant"].update(sex="M")  # the letter agrees with the civilité
    with store.session() as s:
        materialize(s, [("dossier", D1, 1, late)])
    with pytest.raises(register.LateIssueUnconfirmed) as refused:
        register.issue(store, AGENT, SETTINGS, "aude", "accuse_reception", D1, date(2026, 12, 3))
    # received Monday 2 Nov. 2026 + 1 month = Wednesday 2 Dec.: one day late on 3 Dec.
    assert "au plus tard le 2 décembre 2026" in str(refused.value) and "L.112-6" in str(refused.value)
    assert register.letters_of(store, "aude", D1) == []  # nothing registered, no reference taken
    assert register.issue(store, AGENT, SETTINGS, "aude", "accuse_reception", D1, date(2026, 12, 2)).reference
    on_time = register.issue(store, AGENT, SETTINGS, "aude", "accuse_reception", D1, date(2026, 12, 3), confirm_late=True)
    assert on_time.reissued  # the registered one, shown again


def _cli_profile(tmp_path, payloads: list[tuple[str, str, dict]]) -> str:
    profile = Profile.isolated(tmp_path / "cli")
    store = open_store(profile, database_key(profile))
    with store.session() as s:
        materialize(s, [(kind, rid, 1, p) for kind, rid, p in payloads])

    class User:
        login, display_name, role, region, authority = "agent.occ", "Agent Occitanie", "agent_dreets", "OCC", None

    remember_user(store, User)
    store.close()
    SETTINGS.__class__(**{**SETTINGS.__dict__, "last_user": "agent.occ"}).save(profile.settings_path)
    return str(tmp_path / "cli")


def test_cli_notify_and_late_issue(tmp_path, capsys):
    late = new_dossier(state="complet", acknowledged_on="2026-11-03", complete_on="2026-11-03", clock_events=EVENTS[:3],
                       received_on="2026-09-01")
    late["applicant"].update(sex="M")  # the letter agrees with the civilité
    folder = _cli_profile(tmp_path, [("dossier", "11111111-1111-4111-8111-111111111111", decided({"kind": "epreuve"})),
                                     ("dossier", "22222222-2222-4222-8222-222222222222", late)])
    base = ["--profile", folder]
    pdf = tmp_path / "ar.pdf"
    assert cli([*base, "letters", "render", "--kind", "accuse_reception", "--dossier", "22222222-2222-4222-8222-222222222222",
                "--out", str(pdf)]) == 2
    err = capsys.readouterr().err
    assert "hors délai" in err and "--confirmer-hors-delai" in err and "1er octobre 2026" in err and not pdf.exists()
    assert cli([*base, "letters", "render", "--kind", "accuse_reception", "--dossier", "22222222-2222-4222-8222-222222222222",
                "--out", str(pdf), "--confirmer-hors-delai"]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert cli([*base, "letters", "render", "--kind", "decision_mesures", "--dossier", "11111111-1111-4111-8111-111111111111",
                "--out", str(tmp_path / "d.pdf")]) == 0
    capsys.readouterr()
    assert cli([*base, "letters", "list", "--dossier", "11111111-1111-4111-8111-111111111111", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["notification"] == "notification à saisir"
    assert cli([*base, "letters", "notify", "--letter", listed["id"], "--date", "2026-13-01", "--mode", "lrar"]) == 2
    assert "date de notification invalide" in capsys.readouterr().err
    assert cli([*base, "letters", "notify", "--letter", listed["id"]]) == 2
    assert "--date AAAA-MM-JJ" in capsys.readouterr().err
    assert cli([*base, "letters", "notify", "--letter", listed["id"], "--date", date.today().isoformat(), "--mode", "lrar"]) == 0
    assert "enregistrée" in capsys.readouterr().out
    assert cli([*base, "letters", "list", "--dossier", "11111111-1111-4111-8111-111111111111"]) == 0
    assert "notifié le" in capsys.readouterr().out
    assert cli([*base, "epreuves", "convoke", "--session", "pas-un-id", "--dossier", "11111111-1111-4111-8111-111111111111"]) == 2
    assert "UUID" in capsys.readouterr().err
    assert cli([*base, "epreuves", "create", "--profession", "infirmier"]) == 2
    assert "--date" in capsys.readouterr().err


def test_epreuve_session_through_the_server_convocation_pdf_and_who_sees_it(tmp_path, server):
    def client(login: str, name: str):
        auth = signed_in(server, login, next(u.password for u in demo_users() if u.login == login))
        profile = Profile.isolated(tmp_path / name)
        store = open_store(profile, database_key(profile))
        remember_user(store, auth.user)
        SyncEngine(store, auth).run()
        return store, auth

    occ, occ_auth = client("agent.occ", "occ")
    chooses, stage = new_dossier(received_on="2026-11-02"), new_dossier(received_on="2026-11-02")
    chooses["applicant"].update(sex="F")  # the convocation agrees with the civilité (« convoquée »)
    ids = {}
    for name, payload, measure in (("chooses", chooses, "au_choix"), ("stage", stage, "stage")):
        ids[name] = run_command(occ, AGENT, "dossier.create", {"payload": payload})
        for step, args in (("dossier.acknowledge", {"on": "2026-11-03"}), ("dossier.schedule_commission", {"session_on": "2026-11-10"}),
                           ("dossier.record_avis", {"kind": "mesures_compensation", "on": "2026-11-10"}),
                           ("dossier.decide", {"kind": "mesures_compensation", "on": "2026-11-12", "motifs": "Pédiatrie.",
                                               "measure_kind": measure, "subjects": ["Pédiatrie"]})):
            run_command(occ, AGENT, step, {"id": ids[name], **args})
    day = date.today() + timedelta(days=45)
    session_id = run_command(occ, AGENT, "epreuve.create", {"payload": {
        "profession": "infirmier", "region": "OCC", "session_on": day.isoformat(), "starts_at": "14:00",
        "address": "Lycée Déodat-de-Séverac, 26 bd Déodat-de-Séverac, 31300 Toulouse", "capacity": 8,
        "bring": "une pièce d'identité et une calculatrice non programmable"}})
    with occ.session() as s:
        assert epreuves.candidates(s, session_id) == []  # nobody has chosen the épreuve yet
    with pytest.raises(CommandRejected, match="stage d'adaptation"):
        run_command(occ, AGENT, "epreuve.convoke", {"id": session_id, "dossier_id": ids["stage"]})
    run_command(occ, AGENT, "dossier.choose_measure", {"id": ids["chooses"], "choice": "epreuve", "on": "2026-11-20"})
    with occ.session() as s:
        assert [c[0] for c in epreuves.candidates(s, session_id)] == [ids["chooses"]]
    with pytest.raises(Exception, match="Convoquez d'abord"):
        register.issue(occ, AGENT, SETTINGS, "aude", "convocation_epreuve", ids["chooses"], date.today())
    run_command(occ, AGENT, "epreuve.convoke", {"id": session_id, "dossier_id": ids["chooses"]})
    letter = register.issue(occ, AGENT, SETTINGS, "aude", "convocation_epreuve", ids["chooses"], date.today())
    text = joined(letter.pdf)
    from aude_desktop.rules.calendar import format_date_fr

    for words in (f"le {format_date_fr(day)} à 14 h 00", "Lycée Déodat-de-Séverac", "calculatrice non programmable",
                  "six mois à compter de la notification de la décision du 12 novembre 2026", "Pédiatrie",
                  "Vous êtes convoquée à l'épreuve d'aptitude"):
        assert words in text, words
    report = SyncEngine(occ, occ_auth).run()
    with occ.session() as s:
        refused = [(e.name, e.status, e.reason_message) for e in s.scalars(select(OutboxEntry).where(OutboxEntry.status == "rejected"))]
    assert not report.rejected, refused

    dgos, _ = client("dgos", "dgos")
    idf, _ = client("agent.idf", "idf")
    with dgos.session() as s:
        row = s.get(EpreuveSession, session_id)
        assert row is not None and row.convocations[0]["dossier_id"] == ids["chooses"] and row.starts_at == "14:00"
    with pytest.raises(CommandRejected, match="votre région"):
        run_command(dgos, Actor("dgos", "dgos"), "epreuve.cancel", {"id": session_id})
    with idf.session() as s:
        assert s.get(EpreuveSession, session_id) is None
    for store in (occ, dgos, idf):
        store.close()


def test_a_convocation_is_never_issued_for_a_session_already_held():
    from aude_desktop.letters import compose
    from aude_desktop.letters.samples import aude_payload, sample_sender

    signed = compose.Signatory("Claire", "MARTIN", "Directrice régionale adjointe")
    for day in (date(2027, 1, 14), date(2027, 2, 1)):  # the session is on 14 January 2027
        with pytest.raises(compose.LetterNotApplicable, match="14 janvier 2027 est passée"):
            compose.render("aude", "convocation_epreuve", aude_payload("convocation_epreuve"), reference="R", issued_on=day,
                           signatory=signed, sender=sample_sender())
