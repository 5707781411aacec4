"""Stored values reach the views as text, never as markup: a name or company typed by an applicant or a
company (an online application, a filing through the API) that looks like HTML is shown as typed."""

from __future__ import annotations

import json
from datetime import date

from aude_desktop.conventions.views.space import ConventionsSpace
from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.views.space import DossiersSpace
from aude_desktop.sync import materialize
from central_api.demo_data import generate_records

TODAY = date(2026, 11, 23)
MARKUP = '<img src="file:///etc/passwd"><b>Gras</b>'


def _one(kind: str, seed: int) -> tuple:
    dossiers, conventions = (40, 0) if kind == "dossier" else (0, 40)
    record = next(r for r in generate_records(dossiers, conventions, seed=seed, today=TODAY) if r.kind == kind)
    return record.kind, record.id, 1, json.loads(json.dumps(record.payload))


def test_an_applicant_name_that_looks_like_markup_is_shown_as_typed(qtbot, store):
    kind, record_id, version, payload = _one("dossier", 11)
    payload["region"] = "OCC"
    payload["applicant"]["last_name"] = MARKUP
    with store.session() as s:
        materialize.materialize(s, [(kind, record_id, version, payload)])
    actor = Actor("agent.occ", "agent_dreets", "OCC")
    space = DossiersSpace(store, lambda: actor, "agent.occ", TODAY)
    qtbot.addWidget(space)
    space.open_dossier(record_id)
    title = space.dossier.title.text().lower()  # the heading shows the name in capitals
    assert "&lt;img" in title and "<img" not in title and "<b>gras</b>" not in title  # escaped, not markup


def test_a_company_name_that_looks_like_markup_is_shown_as_typed(qtbot, store):
    kind, record_id, version, payload = _one("convention", 12)
    payload["company"]["name"] = MARKUP
    payload["object"] = MARKUP  # an object code the client does not know is shown as sent
    with store.session() as s:
        materialize.materialize(s, [(kind, record_id, version, payload)])
    actor = Actor("dgos", "dgos", None)
    space = ConventionsSpace(store, lambda: actor, TODAY)
    qtbot.addWidget(space)
    space.open_convention(record_id)
    view = space.convention
    for label in (view.title, view.summary):
        assert "<img" not in label.text() and "&lt;img" in label.text()
