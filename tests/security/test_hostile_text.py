"""Names and texts as people really paste them: right-to-left scripts, emoji, Vietnamese diacritics,
very long titles — stored unchanged, shown in the queue and the dossier view, printed in letters;
invisible control characters refused with a French message, nothing saved."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import func, select

from aude_desktop.auth.actor import remember_user
from aude_desktop.auth.session import UserInfo
from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers.views.space import DossiersSpace
from aude_desktop.letters import compose
from aude_desktop.letters.samples import sample_sender
from aude_desktop.store.models import OutboxEntry
from aude_desktop.sync.local import run_command
from aude_desktop.sync.materialize import dump_dossier
from tests.central_api.conftest import new_dossier

AGENT = Actor("agent.occ", "agent_dreets", "OCC")
TODAY = date(2026, 11, 23)
RTL_NAME = "بن علي"
LAST = f"{RTL_NAME} Nguyễn-Ørsted"
FIRST = "Zoë 😀 Иван"
TITLE = ("Diplôme d'État d'infirmier — ديبلوم الدولة في التمريض — " * 40)[:1990]


def _hostile() -> dict:
    return new_dossier(applicant={"last_name": LAST, "first_names": FIRST, "sex": "M"},
                       diploma={"title": TITLE, "country": "Maroc"})


def test_long_rtl_and_emoji_texts_are_stored_shown_and_printed(qtbot, store, tmp_path):
    dossier_id = run_command(store, AGENT, "dossier.create", {"payload": _hostile()})
    with store.session() as s:
        stored = dump_dossier(s, dossier_id)
    assert stored["applicant"]["last_name"] == LAST and stored["applicant"]["first_names"] == FIRST
    assert stored["diploma"]["title"] == TITLE

    remember_user(store, UserInfo("agent.occ", "Agent", "agent_dreets", "OCC"))
    space = DossiersSpace(store, lambda: AGENT, "agent.occ", TODAY)
    qtbot.addWidget(space)
    space.resize(1280, 800)
    space.show()
    model = space.queue.model
    shown = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert any(RTL_NAME in str(cell) for cell in shown), shown
    space.open_dossier(dossier_id)
    assert RTL_NAME in space.dossier.title.text() and "😀" in space.dossier.title.text()
    space.grab().save(str(tmp_path / "hostile-dossier.png"))
    values = [label for label in space.dossier.findChildren(QLabel) if label.text() == LAST]
    assert values and all(label.alignment() & Qt.AlignmentFlag.AlignAbsolute for label in values)  # left, by its caption

    pdf = compose.render("aude", "accuse_reception", stored | {"state": "complet", "acknowledged_on": "2026-11-05", "complete_on": "2026-11-05"}, reference="AUDE-C-TEST-000001",
                         issued_on=TODAY, signatory=compose.Signatory("Claire", "MARTIN", "Directrice"), sender=sample_sender())
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "NGUYỄN-ØRSTED" in text and "Иван" in text  # the letter prints the last name in capitals
    assert len(reader.pages) <= 3  # the long title wraps; it does not run off the page or explode the letter


@pytest.mark.parametrize("bad", ["Nguyễn\x00", "Martin\x1b[31m", "Dupont\x07", "Léa\u0085"])
def test_control_characters_are_refused_and_nothing_is_saved(store, bad):
    with store.session() as s:
        before = s.scalar(select(func.count()).select_from(OutboxEntry))
    with pytest.raises(CommandRejected, match="caractères de contrôle"):
        run_command(store, AGENT, "dossier.create", {"payload": new_dossier(applicant={"last_name": bad, "first_names": "A"})})
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxEntry)) == before
