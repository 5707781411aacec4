"""The letters of the libre prestation de services route, rendered from sample declarations in each state,
their PDF text read back and checked against resources/letters/mentions.json (and by hand on the dates)."""

from __future__ import annotations

from datetime import date

import pytest

from aude_desktop.letters import compose, mentions
from aude_desktop.letters.register import signatory
from aude_desktop.letters.samples import LPS_STATES, lps_payload, sample_sender, sample_settings

TODAY = date(2026, 11, 26)


def render(kind: str, payload: dict, today: date = TODAY) -> tuple[list[str], str]:
    args = dict(issued_on=today, reference="AUDE-C-TEST-000001", signatory=signatory(sample_settings()), sender=sample_sender())
    pdf = compose.render("aude", kind, payload, **args)
    return mentions.failures(pdf, "aude", kind, payload, **args), mentions.pdf_text(pdf)


@pytest.mark.parametrize("who", ["F-BE", "F-NL"])
@pytest.mark.parametrize("kind", sorted(LPS_STATES))
def test_every_lps_letter_says_what_it_must(kind, who):
    failed, text = render(kind, lps_payload(kind, who))
    assert failed == [], failed
    assert {"F-BE": "établie en Belgique", "F-NL": "établie aux Pays-Bas"}[who] in text


def test_acknowledgement_of_a_complete_declaration_dates_the_month_to_inform():
    p = lps_payload("lps_accuse_reception")
    p["state"], p["clock_events"] = "lps_recue", p["clock_events"][:1]
    failed, text = render("lps_accuse_reception", p, date(2026, 10, 21))
    assert failed == []
    # Tuesday 20 October 2026 + 1 month = Friday 20 November 2026.
    assert "vous informera au plus tard le 20 novembre 2026" in text
    assert "du 4 janvier 2027 au 29 janvier 2027, Clinique du Parc" in text


def test_incomplete_declaration_lists_the_pieces_and_says_the_month_waits():
    failed, text = render("lps_accuse_reception", lps_payload("lps_accuse_reception"))
    assert failed == []
    assert "f) Attestation d'assurance professionnelle" in text and "au plus tard le" in text
    assert "vous informera au plus tard" not in text


def test_test_decision_dates_the_month_and_silence_letter_the_renewal():
    _failed, text = render("lps_decision_epreuve", lps_payload("lps_decision_epreuve"))
    # Decision Tuesday 10 November 2026 + 1 month = Thursday 10 December 2026.
    assert "au plus tard le 10 décembre 2026, dans le mois qui suit la présente décision" in text
    _failed, text = render("lps_prestation_possible", lps_payload("lps_prestation_possible"))
    # Declared Tuesday 20 October 2026: renew by 20 October 2027 (a Wednesday).
    assert "depuis le 20 novembre 2026" in text and "renouvelez-la au plus tard le 20 octobre 2027" in text


def test_lps_letters_do_not_fit_autorisation_dossiers_and_the_reverse():
    with pytest.raises(compose.LetterNotApplicable, match="LPS — épreuve"):
        compose.check("aude", "accuse_reception", lps_payload("lps_decision_epreuve"))
    assert compose.applicable("aude", lps_payload("lps_refus")) == ["lps_refus"]
