"""Every letter kind rendered from realistic records (each civilité, countries taking « en », « au », « aux »,
several missing pièces, two recommandations, acceptance and rejection by silence, urgent conventions, late
notices), its PDF text read back and checked against resources/letters/mentions.json. A template that drops a
mention, or a default that leaks into a letter, fails here."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from aude_desktop.letters import compose, mentions, templates
from aude_desktop.letters.register import signatory
from aude_desktop.letters.samples import (
    APPLICANTS,
    AUDE_STATES,
    EPS_STATES,
    aude_payload,
    eps_payload,
    sample_sender,
    sample_settings,
)
from aude_desktop.paths import resources_dir

TODAY = date(2026, 11, 23)


def _check(procedure: str, kind: str, payload: dict, today: date = TODAY) -> tuple[list[str], str]:
    args = dict(issued_on=today, reference=f"{procedure.upper()}-C-TEST-000001", signatory=signatory(sample_settings(procedure)),
                sender=sample_sender(procedure))
    pdf = compose.render(procedure, kind, payload, **args)
    return mentions.failures(pdf, procedure, kind, payload, **args), mentions.pdf_text(pdf)


def _aude_cases():
    for kind in sorted(AUDE_STATES):
        for who in sorted(APPLICANTS):
            yield kind, who


@pytest.mark.parametrize(("kind", "who"), list(_aude_cases()))
def test_every_aude_letter_says_what_it_must(kind, who):
    failed, text = _check("aude", kind, aude_payload(kind, who))
    assert failed == [], failed
    female = APPLICANTS[who][0]["sex"] == "F"
    if kind.startswith("decision_") or kind == "attestation_ass":
        assert ("née le" if female else "né le") in text
    in_country = {"F-BE": "en Belgique", "M-CA": "au Canada", "M-US": "aux États-Unis", "F-NL": "aux Pays-Bas"}[who]
    if kind in ("accuse_reception", "decision_autorisation", "decision_mesures", "attestation_ass"):
        assert in_country in text


def test_all_missing_pieces_are_listed_not_only_the_last_request():
    _failed, text = _check("aude", "demande_pieces", aude_payload("demande_pieces"))
    for piece in ("f) Attestation d'absence de sanction", "g) Programme détaillé", "c) Traduction du titre"):
        assert piece in text


def test_checklist_pieces_are_listed_with_their_status():
    p = aude_payload("accuse_reception")
    p["pieces"] = [{"code": "b", "label": "Pièce d'identité", "status": "recu"},
                   {"code": "f", "label": "Attestation d'absence de sanction", "status": "non_conforme"},
                   {"code": "g", "label": "Programme de la formation", "status": "traduction_requise"}]
    failed, text = _check("aude", "accuse_reception", p)
    assert failed == []
    assert "f) Attestation d'absence de sanction (pièce non conforme)" in text
    assert "g) Programme de la formation (traduction par un traducteur agréé requise)" in text
    assert "b) Pièce d'identité" not in text and "c) Traduction du titre" in text  # a request beyond the checklist


def test_complete_dossier_acknowledgement_dates_the_implicit_rejection():
    p = aude_payload("accuse_reception")
    p["state"] = "complet"
    p["clock_events"] = [{"on": "2026-11-02", "kind": "receipt", "note": None}, {"on": "2026-11-10", "kind": "complete", "note": None}]
    p["received_on"] = "2026-11-02"
    failed, text = _check("aude", "accuse_reception", p)
    assert failed == []
    assert "au plus tard le 10 mars 2027, votre demande sera réputée rejetée" in text  # 4 months from completeness


def test_acceptance_by_silence_gives_the_attestation_right_not_a_rejection_recours():
    p = aude_payload("accuse_reception")
    p["profession"] = "assistant_service_social"
    failed, text = _check("aude", "accuse_reception", p)
    assert failed == []
    assert "L.232-3" in text and "réputée acceptée" in text and "décision implicite de rejet" not in text


@pytest.mark.parametrize("kind", sorted(EPS_STATES))
def test_every_eps_letter_says_what_it_must(kind):
    failed, _text = _check("eps", kind, eps_payload(kind))
    assert failed == [], failed


def test_eps_acknowledgement_of_an_urgent_convention_gives_three_weeks():
    p = eps_payload("accuse_reception") | {"urgent": True}
    failed, text = _check("eps", "accuse_reception", p)
    assert failed == []
    assert "délai de trois semaines" in text and "22 octobre 2026" in text  # 1 Oct. + 3 weeks (a Thursday)


def test_late_incomplete_notice_does_not_claim_the_two_months_restart():
    p = eps_payload("incomplet")
    on_time, text = _check("eps", "incomplet", p, date(2026, 10, 20))
    assert on_time == [] and "courra de nouveau" in text
    late, text = _check("eps", "incomplet", p, date(2026, 11, 23))
    assert late == [] and "courra de nouveau" not in text and "ne fait pas courir de nouveau" in text
    assert "au plus tard le 1er décembre 2026" in text  # 1 Oct. + 2 months = Tue. 1 Dec.


def test_refusal_never_prints_a_past_deadline():
    _failed, text = _check("eps", "refus", eps_payload("refus"))
    assert "17 novembre 2026" not in text and "à compter de la notification de la présente décision" in text


def test_uncertain_court_of_a_national_order_is_data_and_the_service_can_set_its_own():
    from aude_desktop.letters.sender import require
    from aude_desktop.rules.courts import court_for

    national = court_for("eps", "ORDRE-INF")
    assert national.uncertain and "R.311-1" in national.source
    assert not court_for("aude", "OCC").uncertain and court_for("eps", "ARS-GES").name == "le tribunal administratif de Nancy"
    settings = sample_settings("eps")
    settings.recours_court = "le tribunal administratif de Paris"
    sender = require(settings, "Sarah BENALI")
    pdf = compose.render("eps", "refus", eps_payload("refus"), issued_on=TODAY, reference="R", signatory=signatory(settings), sender=sender)
    assert "devant le tribunal administratif de Paris" in mentions.pdf_text(pdf)


def _texts(flowables) -> str:
    """The text given to every paragraph, inside keep-together groups too."""
    return " ".join(_texts(f._content) if hasattr(f, "_content") else getattr(f, "text", "") for f in flowables)


def test_non_breaking_spaces_in_dates_and_numbers():
    """The PDF maps U+00A0 to a plain space when read back: check what the paragraphs were given."""
    spec = compose.letter_spec("aude", "decision_refus", aude_payload("decision_refus"), issued_on=TODAY, reference="R",
                               signatory=signatory(sample_settings()), sender=sample_sender())
    texts = _texts(spec.body)
    assert "12\u00a0avril\u00a01990" in texts and "n°\u00a0AUDE-2026-OCC-000042" in texts and "n°\u00a02010-334" in texts
    assert "12 avril 1990" not in texts and "n° " not in texts
    eps = compose.letter_spec("eps", "refus", eps_payload("refus"), issued_on=TODAY, reference="R",
                              signatory=signatory(sample_settings("eps")), sender=sample_sender("eps"))
    assert "3\u00a0200\u00a0€" in _texts(eps.body)  # an amount in the motifs


def test_a_template_that_drops_a_mention_fails(monkeypatch):
    """The check itself: drop the recours block of a decision, or a list, and the mentions are missed."""
    raw = json.loads((resources_dir() / "letters" / "aude.json").read_text(encoding="utf-8"))
    letter = raw["letters"]["decision_refus"]
    letter["blocks"] = [b for b in letter["blocks"] if not (b.get("ref") == "recours_aude")]
    letter["blocks"].insert(-1, {"type": "block", "ref": "recours_implicite"})  # still « a » recours, the wrong one
    monkeypatch.setattr(templates, "templates", lambda procedure: templates.parse(procedure, copy.deepcopy(raw)))
    monkeypatch.setattr(compose, "templates", lambda procedure: templates.parse(procedure, copy.deepcopy(raw)))
    failed, _text = _check("aude", "decision_refus", aude_payload("decision_refus"))
    assert any(f.startswith("opposabilite") for f in failed) and any(f.startswith("recours_delai") for f in failed)


def test_unknown_civilite_is_refused_rather_than_written_with_brackets():
    p = aude_payload("decision_refus")
    p["applicant"]["sex"] = None
    with pytest.raises(compose.LetterNotApplicable, match="Civilité"):
        compose.render("aude", "decision_refus", p, issued_on=TODAY, reference="R", signatory=signatory(sample_settings()),
                       sender=sample_sender())


def test_recours_and_notices_are_at_least_nine_points():
    from aude_desktop.letters.engine import styles

    assert styles()["notice"].fontSize >= 9


def test_the_instructor_is_warned_when_the_court_is_uncertain():
    from aude_desktop.letters.register import court_warning

    warning = court_warning("eps", eps_payload("refus"), sample_settings("eps"))
    assert "incertaine" in warning and "Conseil d'État" in warning and "R.311-1" in warning
    assert court_warning("aude", aude_payload("decision_refus"), sample_settings()) == ""
    settings = sample_settings("eps")
    settings.recours_court = "le tribunal administratif de Paris"
    assert court_warning("eps", eps_payload("refus"), settings) == ""  # the service chose


def test_eps_acknowledgement_of_a_declaration_promises_no_decision():
    p = eps_payload("accuse_reception") | {"regime": "declaration"}
    failed, text = _check("eps", "accuse_reception", p)
    assert failed == []
    assert "n'appelle pas de décision" in text and "réputée autorisée" not in text
