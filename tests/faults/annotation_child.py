"""The dossier view in a process of its own: types an annotation, lets the autosave run, then waits
to be killed. Prints 'saved N' after each autosave of the N-th version of the text."""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from aude_desktop.domain.commands import Actor  # noqa: E402
from aude_desktop.dossiers.views.dossier_view import DossierView  # noqa: E402
from aude_desktop.paths import Profile  # noqa: E402
from aude_desktop.store.database import open_store  # noqa: E402
from aude_desktop.store.keys import database_key  # noqa: E402
from aude_desktop.ui.serial_worker import serial_worker  # noqa: E402

profile_dir, dossier_id, versions, round_ = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
app = QApplication([])
profile = Profile.isolated(profile_dir)
store = open_store(profile, database_key(profile, passphrase=os.environ["AUDE_DB_PASSPHRASE"]))
view = DossierView(store, lambda: Actor("agent.occ", "agent_dreets", "OCC"))
view.show_dossier(dossier_id)
view.show()
state = {"n": 0}


def type_next() -> None:
    state["n"] += 1
    # The round in the text: a text identical to the saved one is (rightly) not saved again.
    view.annotation.setPlainText(f"Note version {state['n']} (tour {round_}) : rappeler le demandeur — pièce g")


def saved() -> None:
    if view.annotation_state.text() == "Annotation enregistrée sur ce poste.":
        print(f"saved {state['n']}", flush=True)
        view.annotation_state.setText("")
        if state["n"] < versions:
            type_next()


serial_worker().idle.connect(saved)  # the save runs on the serial worker; its answer came back
type_next()
app.exec()
