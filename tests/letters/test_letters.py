"""Every letter of both procedures read back from the PDF: mandatory mentions, accents, embedded
fonts, byte-identical regeneration; templates refused at load; the register (unique references
offline, re-issue shows the registered PDF, corrections reference what they replace, sync)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from aude_desktop.domain.commands import Actor
from aude_desktop.letters import compose, register, templates
from aude_desktop.letters.samples import (
    AUDE_STATES,
    EPS_STATES,
    aude_payload,
    eps_payload,
    sample_sender,
    sample_settings,
)
from aude_desktop.letters.templates import LetterTemplateError
from aude_desktop.paths import Profile, resources_dir
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import User
from aude_desktop.sync.materialize import materialize
from tests.letters.test_engine import _fonts, _text

TODAY = date(2026, 11, 23)
SIGNATORY = compose.Signatory("Claire", "MARTIN", "Directrice régionale adjointe")
AGENT = Actor("agent.occ", "agent_dreets", "OCC")
SETTINGS = sample_settings()
SENDER = sample_sender()

RECOURS = ("Voies et délais de recours", "deux mois", "www.telerecours.fr")


def joined(pdf: bytes) -> str:
    return " ".join(" ".join(_text(pdf)).split())


@pytest.mark.parametrize("kind", sorted(AUDE_STATES))
def test_every_aude_letter_carries_its_mandatory_mentions(kind):
    pdf = compose.render("aude", kind, aude_payload(kind), reference="AUDE-C-TEST-000001", issued_on=TODAY, signatory=SIGNATORY, sender=SENDER)
    text = joined(pdf)
    for words in ("AUDE-C-TEST-000001", "23 novembre 2026", "Madame Élodie Bérénice NGUYỄN", "Claire MARTIN", "Directrice régionale adjointe",
                  "Toulouse"):
        assert words in text, (kind, words)
    template = templates.templates("aude")[kind]
    if template.decision:
        assert all(w in text for w in RECOURS) and "R.421-5" in text and "directive 2005/36/CE" in text
    if kind in ("decision_refus", "decision_irrecevabilite", "decision_mesures"):
        assert "Considérant" in text and aude_payload(kind)["decision"]["motifs"] in text
    if kind == "decision_mesures":
        assert all(w in text for w in ("est le niveau 3 :", "est le niveau 2 :", "Pédiatrie", "Santé mentale", "6 mois",
                                       "délai de deux mois"))
    if kind == "accuse_reception":
        assert "g) Programme détaillé de la formation" in text and "décision implicite de rejet" in text
    if kind == "attestation_ass":
        assert "code de l'action sociale et des familles" in text
    if kind == "convocation_epreuve":  # from the session; six months from the notification of 15 Sept. 2026
        assert all(w in text for w in ("le 14 janvier 2027 à 9 h 30", "salle 204", "stylo à encre noire",
                                       "au plus tard le 15 mars 2027", "Pédiatrie"))
    assert all(embedded for _, embedded in _fonts(pdf))


@pytest.mark.parametrize("kind", sorted(EPS_STATES))
def test_every_eps_letter_carries_its_mandatory_mentions(kind):
    pdf = compose.render("eps", kind, eps_payload(kind), reference="EPS-C-TEST-000001", issued_on=TODAY, signatory=SIGNATORY, sender=SENDER)
    text = joined(pdf)
    assert "Laboratoires Élan" in text and "EPS-2026-0000123" in text and "Claire MARTIN" in text
    if kind == "refus":
        assert "Rémunération disproportionnée" in text
        # issued before its notification: the fifteen days in words, never a date (2 Nov. + 15 days was already past)
        assert "quinze jours à compter de la notification de la présente décision" in text and "17 novembre 2026" not in text
        assert all(w in text for w in RECOURS)
    if kind == "incomplet":
        assert "Programme de la manifestation" in text and "R.1453-18" in text
    if kind == "recommandations":
        assert "Préciser le programme horaire." in text
    if kind == "attestation_tacite":
        assert "réputée autorisée depuis le 2 novembre 2026" in text  # 1 Nov. is a Sunday and All Saints' Day


def test_same_data_same_bytes_and_a_letter_that_does_not_fit_is_refused():
    a = compose.render("aude", "decision_mesures", aude_payload("decision_mesures"), reference="R", issued_on=TODAY, signatory=SIGNATORY, sender=SENDER)
    b = compose.render("aude", "decision_mesures", aude_payload("decision_mesures"), reference="R", issued_on=TODAY, signatory=SIGNATORY, sender=SENDER)
    assert a == b
    with pytest.raises(compose.LetterNotApplicable, match="ne correspond pas"):
        compose.render("aude", "decision_refus", aude_payload("accuse_reception"), reference="R", issued_on=TODAY, signatory=SIGNATORY, sender=SENDER)


@pytest.mark.parametrize(("edit", "words"), [
    (lambda t: t["letters"]["decision_refus"]["blocks"][5].update(text="{motif_inconnu}"), "bloc 6 : champ inconnu {motif_inconnu}"),
    (lambda t: t["letters"]["demande_pieces"]["blocks"].pop(), "bloc de signature manquant"),
    (lambda t: t["letters"]["decision_refus"]["blocks"].pop(9), "voies et délais de recours manquants"),
    (lambda t: t["letters"]["decision_refus"]["blocks"].pop(5), "mention(s) obligatoire(s) absente(s) : motifs"),
    (lambda t: t["letters"]["accuse_reception"]["blocks"][1].update(type="image"), "type inconnu « image »"),
])
def test_a_template_with_an_unknown_placeholder_or_a_missing_block_is_refused(edit, words):
    raw = json.loads((resources_dir() / "letters" / "aude.json").read_text(encoding="utf-8"))
    edit(raw)
    with pytest.raises(LetterTemplateError) as excinfo:
        templates.parse("aude", raw, "aude.json")
    assert words in str(excinfo.value) and "aude.json" in str(excinfo.value)


def _store(tmp_path, name):
    profile = Profile.isolated(tmp_path / name)
    store = open_store(profile, database_key(profile))
    with store.session() as s:
        materialize(s, [("dossier", "d1", 1, aude_payload("decision_refus"))])
        s.add(User(login=AGENT.login, display_name="Julien PETIT", role="agent_dreets", region="OCC"))
    return store


def test_issuing_is_refused_until_the_letterhead_and_signatory_are_set(tmp_path):
    store = _store(tmp_path, "unset")
    with pytest.raises(compose.LetterNotApplicable) as excinfo:
        register.issue(store, AGENT, Settings(service_name="Pôle autorisations d'exercice"), "aude", "decision_refus", "d1", TODAY)
    message = str(excinfo.value)
    for words in ("adresse postale du service (--address)", "téléphone du service", "horaires d'ouverture", "prénom du signataire",
                  "qualité du signataire (--quality)", "aude-cli settings letters"):
        assert words in message
    assert "nom du service" not in message  # set: not named
    assert register.letters_of(store, "aude", "d1") == []  # nothing registered, no reference taken
    from aude_desktop.letters.batch import issue_many

    report = issue_many(store, AGENT, Settings(), "aude", "decision_refus", ["d1", "d2"], TODAY)
    assert [i.ok for i in report.items] == [False, False] and "qualité du signataire" in report.items[1].message
    assert register.letters_of(store, "aude", "d1") == []
    store.close()


def test_register_unique_references_reissue_and_correction(tmp_path):
    first, second = _store(tmp_path, "a"), _store(tmp_path, "b")
    one = register.issue(first, AGENT, SETTINGS, "aude", "decision_refus", "d1", TODAY)
    again = register.issue(first, AGENT, SETTINGS, "aude", "decision_refus", "d1", date(2026, 12, 1))
    assert again.reissued and again.reference == one.reference and again.pdf == one.pdf  # the registered letter, unchanged
    other = register.issue(second, AGENT, SETTINGS, "aude", "decision_refus", "d1", TODAY)
    assert other.reference != one.reference  # two agents offline never collide
    fixed = register.issue(first, AGENT, SETTINGS, "aude", "decision_refus", "d1", date(2026, 11, 24), replaces=one.letter_id)
    assert fixed.reference != one.reference and not fixed.reissued
    current = register.registered(first, "aude", "decision_refus", "d1")
    assert current.id == fixed.letter_id and current.replaces_id == one.letter_id
    assert register.issue(first, AGENT, SETTINGS, "aude", "decision_refus", "d1", TODAY).reference == fixed.reference
    from hashlib import sha256

    assert sha256(fixed.pdf).hexdigest() == fixed.sha256
    first.close()
    second.close()


def test_the_signature_image_from_the_settings_is_printed_and_stays_deterministic(tmp_path):
    import io

    from pypdf import PdfReader
    from PySide6.QtGui import QColor, QImage

    image = QImage(240, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    image.setPixelColor(10, 10, QColor("navy"))
    path = tmp_path / "signature.png"
    assert image.save(str(path))
    signed = register.signatory(Settings(signatory_first_name="Claire", signatory_last_name="MARTIN",
                                         signatory_position="Directrice", signature_image=str(path)))
    first = compose.render("aude", "decision_refus", aude_payload("decision_refus"), reference="R", issued_on=TODAY, signatory=signed, sender=SENDER)
    again = compose.render("aude", "decision_refus", aude_payload("decision_refus"), reference="R", issued_on=TODAY, signatory=signed, sender=SENDER)
    assert first == again
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(first)).pages) == 1
    with pytest.raises(compose.LetterNotApplicable, match="Image de signature illisible"):
        register.signatory(Settings(signature_image=str(tmp_path / "absente.png")))
