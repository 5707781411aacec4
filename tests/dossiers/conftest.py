"""Fixtures of the dossier tests."""

from __future__ import annotations

from datetime import date

import pytest

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers import intake
from tests.dossiers.test_intake import form


@pytest.fixture
def dossier(store) -> str:
    """A paper application registered offline by an Occitanie agent (pièces a and b received)."""
    agent = Actor("agent.occ", "agent_dreets", "OCC")
    dossier_id, payload, codes = intake.build(form(), date(2026, 11, 26))
    with store.session() as s:
        intake.register(s, agent, dossier_id, payload, codes)
    return dossier_id
