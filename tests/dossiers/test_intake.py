"""The Nouveau dossier form's rules (Qt-free): French refusals naming the field, competent region,
provisional reference, pièces received, local duplicates — on a real encrypted store."""

from __future__ import annotations

from datetime import date

import pytest

from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers import intake
from aude_desktop.dossiers.detail import load
from aude_desktop.dossiers.models import Piece

TODAY = date(2026, 11, 26)
AGENT = Actor("agent.occ", "agent_dreets", "OCC")


def form(**changes) -> dict:
    values = dict(civility="F", last_name="Nguyễn", first_names="Élodie Bérénice", birth_date="1990-03-04",
                  nationality="belge", profession="infirmier", situation="ue_reglemente", diploma_title="Bachelier infirmier",
                  diploma_country="Belgique", received_on="2026-11-20", region="OCC", postal_code="34000",
                  email="elodie@example.org", pieces_received=["a", "b", "c"])
    values.update(changes)
    return values


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"last_name": "  "}, "last_name", "Nom de naissance : champ obligatoire"),
    ({"received_on": "2026-11-27"}, "received_on", "dans le futur"),
    ({"received_on": "2009-12-31"}, "received_on", "depuis le 20/01/2010"),
    ({"received_on": "31/02/2026"}, "received_on", "date invalide"),
    ({"birth_date": "2027-01-01"}, "birth_date", "doit être passée"),
    ({"email": "pas-une-adresse"}, "email", "adresse invalide"),
    ({"phone": "06 12 AB"}, "phone", "numéro invalide"),
    ({"profession": "astronaute"}, "profession", "non couverte"),
    ({"civility": "X"}, "civility", "Monsieur"),
    ({"region": "BRE"}, "region_reason", "Occitanie"),  # settles in Hérault: another region asks a reason
    ({"pieces_received": ["h"]}, "pieces_received", "non prévue"),
    ({"nickname": "x"}, "nickname", "champ inconnu"),
])
def test_bad_input_is_refused_in_french_naming_the_field(changes, field, words):
    with pytest.raises(intake.IntakeRefused) as refused:
        intake.build(form(**changes), TODAY)
    assert refused.value.field == field
    assert words in refused.value.message


def test_competent_region_follows_the_rules():
    assert intake.proposed_region("infirmier", False, "34000", "BRE")[0] == "OCC"
    assert intake.proposed_region("infirmier", False, "97400", "OCC")[0] == "REU"
    assert intake.proposed_region("infirmier", False, "20000", "OCC")[0] == "COR"
    assert intake.proposed_region("orthoptiste", False, "34000", "OCC")[0] == "PDL"  # centralised
    assert intake.proposed_region("infirmier", True, "34000", "OCC")[0] == "IDF"  # accès partiel
    region, why = intake.proposed_region("infirmier", False, "", "OCC")
    assert region == "OCC" and "code postal" in why
    # another region with a reason is accepted
    _id, payload, _codes = intake.build(form(region="BRE", region_reason="Emménage à Rennes le mois prochain"), TODAY,
                                        agent_region="BRE")
    assert payload["intake"]["region_reason"].startswith("Emménage")


def test_non_eu_title_is_explained_before_saving():
    assert "irrecevable" in intake.warnings(form(situation="hors_ue"))[0]
    assert intake.warnings(form()) == []


def test_register_creates_dossier_with_provisional_reference_pieces_and_clock(store):
    dossier_id, payload, codes = intake.build(form(), TODAY)
    with store.session() as s:
        intake.register(s, AGENT, dossier_id, payload, codes)
    with store.session() as s:
        detail = load(s, dossier_id, AGENT.login, TODAY)
        pieces = {p.code: p.status for p in s.query(Piece).filter(Piece.dossier_id == dossier_id)}
    assert intake.is_provisional(detail.reference) and intake.reference_label(detail.reference).endswith("(provisoire)")
    assert pieces == {"a": "recu", "b": "recu", "c": "recu"}
    assert detail.payload["applicant"]["email"] == "elodie@example.org"
    assert detail.clock is not None and detail.clock.next_date is not None  # the AR is due at once


def test_nothing_half_written_when_a_piece_is_refused(store):
    dossier_id, payload, _codes = intake.build(form(), TODAY)
    with pytest.raises(CommandRejected), store.session() as s:
        intake.register(s, AGENT, dossier_id, payload, ["z"])
    with store.session() as s:
        assert intake.local_duplicates(s, "Nguyen", None, "Elodie", date(1990, 3, 4)) == []


def test_local_duplicates_ignore_accents_case_and_usage_name(store):
    dossier_id, payload, codes = intake.build(form(usage_name="Martin"), TODAY)
    with store.session() as s:
        intake.register(s, AGENT, dossier_id, payload, codes)
    with store.session() as s:
        [found] = intake.local_duplicates(s, "NGUYEN", None, "elodie", date(1990, 3, 4))
        assert found.dossier_id == dossier_id
        assert intake.local_duplicates(s, "Dupont", "martin", "Élodie", date(1990, 3, 4))  # usage name
        assert intake.local_duplicates(s, "Nguyen", None, "Elodie", date(1990, 3, 5)) == []
        assert intake.local_duplicates(s, "Nguyen", None, "Marie", date(1990, 3, 4)) == []
        duplicates = intake.local_duplicates(s, "Nguyen", None, "Elodie", date(1990, 3, 4))
    with pytest.raises(intake.IntakeRefused) as refused:
        intake.build(form(), TODAY, duplicates=duplicates)
    assert refused.value.field == "duplicate_reason" and payload["reference"] in refused.value.message
    intake.build(form(duplicate_reason="Nouvelle demande pour une autre profession"), TODAY, duplicates=duplicates)


def test_no_letter_on_a_provisional_reference(store):
    from aude_desktop.letters import compose

    _id, payload, _codes = intake.build(form(), TODAY)
    payload = {**payload, "state": "complet"}
    with pytest.raises(compose.LetterNotApplicable) as refused:
        compose.check("aude", "accuse_reception", payload)
    assert "référence provisoire" in str(refused.value)
    compose.check("aude", "accuse_reception", {**payload, "reference": "AUDE-2026-OCC-000123"})
