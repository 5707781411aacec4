"""The serial worker: the GUI thread keeps turning while a command runs, jobs run one at a time in the
order given, a refusal or an error reaches the agent in French and the next job still runs, and the
Nouveau dossier window asks the national index off the GUI thread.

No timing thresholds: a slow job is one held by a gate that only a timer of the GUI thread opens, so
it can finish only if the event loop turned while it ran."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from aude_desktop.casework.views.bulk_dialogs import ReportDialog
from aude_desktop.dossiers import bulk
from aude_desktop.dossiers.models import Dossier
from aude_desktop.dossiers.views.new_dossier import NewDossierDialog
from aude_desktop.letters import compose, register
from aude_desktop.store.models import OutboxEntry
from aude_desktop.sync.materialize import dump_dossier
from aude_desktop.ui.serial_worker import french_message, serial_worker
from aude_desktop.workspace import Workspace
from tests.support.jobs import settle
from tests.support.live_server import server_fixture, signed_in
from tests.ui.test_dossier_space import AGENT, acknowledge_dialog, load_dossiers, space_for
from tests.ui.test_new_dossier import applicant

server = server_fixture(80, 0, 11)


@pytest.fixture
def loaded(store):
    return load_dossiers(store)


def gate_opened_by_the_gui_thread(ticks_needed: int = 5):
    """A gate, and a 10 ms timer of the GUI thread that counts its ticks and opens the gate at the
    fifth: a job waiting on the gate finishes only if the GUI thread turned meanwhile."""
    gate, ticks = threading.Event(), []
    timer = QTimer(interval=10)

    def tick() -> None:
        ticks.append(1)
        if len(ticks) >= ticks_needed:
            gate.set()

    timer.timeout.connect(tick)
    return gate, ticks, timer


def close_message_boxes(seen: list[str]) -> QTimer:
    """Answers the agent's message boxes (they are modal) and keeps their text. Every visible box is
    looked at, not only the active modal widget (a window another test left open may be that)."""
    answered: list[QMessageBox] = []  # the boxes themselves: an id() may be reused once a box is gone

    def look() -> None:
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible() and not any(box is done for done in answered):
                answered.append(box)
                seen.append(f"{box.windowTitle()} — {box.text()}")
                box.close()

    poll = QTimer(interval=20)
    poll.timeout.connect(look)
    poll.start()
    return poll


def test_the_gui_thread_turns_while_a_slow_step_runs(qtbot, loaded):
    store, _records = loaded
    space, dossier_id, dialog = acknowledge_dialog(qtbot, store)
    gate, ticks, timer = gate_opened_by_the_gui_thread()
    threads = []
    command = dialog.run

    def slow(args):  # the real command, held until the GUI thread has turned five times
        threads.append(threading.get_ident())
        assert gate.wait(30)
        return command(args)

    dialog.run = slow
    dialog.widgets["missing"].setPlainText("")
    dialog.accept()
    assert dialog.isVisible() and dialog.busy and not dialog.buttons.isEnabled()  # accepted, not yet applied
    dialog.accept()  # a second Entrée meanwhile: nothing more is queued
    timer.start()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    timer.stop()
    assert len(ticks) >= 5 and threads and threads[0] != threading.get_ident()
    with store.session() as s:
        assert s.get(Dossier, dossier_id).state == "complet"
        assert s.scalars(select(OutboxEntry.name).where(OutboxEntry.entity_id == dossier_id)).all() == ["dossier.acknowledge"]
    assert "Complet" in space.dossier.summary.text()


def test_jobs_run_one_at_a_time_in_the_order_given(qtbot, loaded):
    store, records = loaded
    workspace = Workspace(store)
    ids = [record_id for _kind, record_id, _v, _p in records[:12]]
    running, most, lock, done = [0], [0], threading.Lock(), []

    def job(n: int, record_id: str):
        def work(_progress):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            try:
                return workspace.run(AGENT, "annotation.save", {"payload": {
                    "dossier_id": record_id, "text": f"note {n}", "updated_at": f"2026-11-23T09:{n:02d}:00+00:00"}})
            finally:
                with lock:
                    running[0] -= 1
        return work

    gate, _ticks, timer = gate_opened_by_the_gui_thread()
    serial_worker().submit(lambda _p: gate.wait(30))  # everything below queues behind a held job
    for n, record_id in enumerate(ids):
        serial_worker().submit(job(n, record_id), done=lambda _id, n=n: done.append(n))
    assert done == []
    timer.start()
    settle(qtbot)
    timer.stop()
    assert done == list(range(len(ids))) and most[0] == 1
    with store.session() as s:
        queued = s.execute(select(OutboxEntry.args).where(OutboxEntry.name == "annotation.save").order_by(OutboxEntry.seq)).scalars()
        assert [args["payload"]["dossier_id"] for args in queued] == ids


def test_a_refusal_and_an_error_reach_the_agent_in_french_and_the_next_job_runs(qtbot, loaded):
    store, _records = loaded
    space = space_for(qtbot, store)
    with store.session() as s:
        dossier_id = next(i for i in s.scalars(select(Dossier.id).order_by(Dossier.reference))
                          if compose.applicable("aude", dump_dossier(s, i)) == ["accuse_reception"])
    space.open_dossier(dossier_id)
    view = space.dossier
    seen: list[str] = []
    poll = close_message_boxes(seen)

    view.issue_letter("decision_mesures")  # no decision on this dossier yet: refused
    view.issue_letter("accuse_reception", confirm_late=True)  # queued behind it: issued
    settle(qtbot)
    assert len(seen) == 1 and seen[0].startswith("Courrier impossible — ") and "ne correspond pas" in seen[0]
    assert [line.title.lower()[:6] for line in register.letters_of(store, "aude", dossier_id)] == ["accusé"]
    assert view.letter_preview is not None and "émis et enregistré" in view.letter_preview.note.text()
    view.letter_preview.close()

    def broken(_progress):
        raise RuntimeError("disque plein simulé")

    with store.session() as s:
        ids = s.scalars(select(Dossier.id).where(Dossier.state == "recu").order_by(Dossier.reference).limit(3)).all()
    space._run("Attribution", broken)
    space._run("Attribution", lambda p: bulk.assign(store, AGENT, list(ids), "agent.occ", on_progress=p))
    settle(qtbot)
    poll.stop()
    assert seen[1] == "Attribution — Erreur inattendue : RuntimeError. Le détail est dans le journal."
    assert space.last_report is not None and space.last_report.succeeded == 3
    reports = [w for w in QApplication.topLevelWidgets() if isinstance(w, ReportDialog) and w.isVisible()]
    assert reports and reports[-1].table.rowCount() == 3
    for report in reports:
        report.close()
    assert french_message(RuntimeError()) == "Erreur inattendue : RuntimeError. Le détail est dans le journal."


def test_the_national_duplicate_index_is_asked_off_the_gui_thread(qtbot, store, server):
    with server.engine.connect() as conn:
        payload = next(json.loads(p) for (p,) in conn.exec_driver_sql(
            "SELECT payload FROM records WHERE kind = 'dossier' AND json_extract(payload, '$.region') = 'OCC' ORDER BY id"))
    person = payload["applicant"]
    born = date.fromisoformat(person["birth_date"])
    bre = signed_in(server, "agent.bre", "demo-agent-bre")  # another region: the dossier is not on this machine
    dialog = NewDossierDialog(store, AGENT, date.today(), national=lambda: bre)
    qtbot.addWidget(dialog)
    dialog.show()
    applicant(dialog, qtbot, last_name=person["last_name"], first_names=person["first_names"], birth_date=f"{born:%d/%m/%Y}")
    dialog.check_duplicates()
    assert dialog.national_pending() and "index national en cours" in dialog.duplicates_label.text()
    dialog.accept()  # waits for the index's answer, without blocking the window
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.national_pending(), timeout=30_000)
    assert payload["reference"] in dialog.duplicates_label.text() and "Occitanie" in dialog.duplicates_label.text()
    assert dialog.isVisible() and "déjà un dossier" in dialog.error.text()  # the save went on: a reason is asked
