"""The legal clock of both procedures on table cases, with its explanations and its refusals."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from aude_desktop.paths import resources_dir
from aude_desktop.rules.calendar import calendar_for_authority, calendar_for_region, format_date_fr
from aude_desktop.rules.deadlines import (
    ClockInputError,
    RulesError,
    aude_clock,
    eps_clock,
    from_notification,
    late_issue,
    parse_rules,
)


def ev(*pairs):
    return [{"on": d, "kind": k, "note": n} for d, k, *rest in pairs for n in [rest[0] if rest else None]]


def test_acknowledgement_due_one_month_after_receipt_extended_over_whit_monday():
    # received 9 May 2025 → 9 June 2025 is Whit Monday → Tuesday 10 June
    clock = aude_clock(ev(("2025-05-09", "receipt")), "infirmier", "OCC", today=date(2025, 6, 1))
    assert clock.next_date == date(2025, 6, 10)
    assert clock.next_label == "Accusé de réception à envoyer au plus tard le 10 juin 2025"
    assert clock.status == "soon" and clock.days_left == 9 and clock.status_label == "dans 9 jour(s)"
    assert any("Lundi de Pentecôte" in step for step in clock.history)


def test_implicit_rejection_four_months_after_completeness():
    clock = aude_clock(ev(("2025-10-31", "receipt"), ("2025-10-31", "acknowledged"), ("2025-10-31", "complete")),
                       "infirmier", "BRE", today=date(2026, 3, 10))
    # 31 Oct + 4 months → 28 Feb 2026 (Saturday) → Monday 2 March 2026
    assert clock.next_date == date(2026, 3, 2)
    # arisen: a fact with its date and age, never « dépassée »
    assert clock.next_label == "Décision implicite de rejet"
    assert clock.status_label == "acquise le 2 mars 2026 (il y a 8 jours)"
    assert clock.status == "overdue" and clock.days_left == -8
    eve = aude_clock(ev(("2025-10-31", "receipt"), ("2025-10-31", "acknowledged"), ("2025-10-31", "complete")),
                     "infirmier", "BRE", today=date(2026, 3, 2))
    assert eve.next_label == "Décision implicite de rejet le 2 mars 2026" and eve.status_label == "dans 0 jour(s)"
    day_after = aude_clock(ev(("2025-10-31", "receipt"), ("2025-10-31", "acknowledged"), ("2025-10-31", "complete")),
                           "infirmier", "BRE", today=date(2026, 3, 3))
    assert day_after.status_label == "acquise le 2 mars 2026 (il y a 1 jour)"


def test_ass_silence_means_acceptance():
    clock = aude_clock(ev(("2026-01-05", "receipt"), ("2026-01-10", "acknowledged"), ("2026-01-10", "complete")),
                       "assistant_service_social", "IDF", today=date(2026, 1, 11))
    assert clock.next_label.startswith("Décision implicite d'acceptation")


def test_repeated_pieces_requests_suspend_then_restart_the_full_delay():
    events = ev(("2025-01-02", "receipt"), ("2025-01-10", "acknowledged"), ("2025-01-10", "pieces_requested"))
    suspended = aude_clock(events, "infirmier", "OCC", today=date(2025, 2, 1))
    assert suspended.status == "suspended" and suspended.next_date is None
    assert suspended.status_label == "suspendue — en attente de pièces depuis le 10 janvier 2025"
    events += ev(("2025-02-03", "pieces_received"), ("2025-03-01", "pieces_requested"), ("2025-03-17", "pieces_received"))
    clock = aude_clock(events, "infirmier", "OCC", today=date(2025, 4, 1))
    assert clock.next_date == date(2025, 7, 17)  # 4 months from the last receipt of pièces
    assert sum("le délai repart" in h for h in clock.history) == 2


def test_grand_est_uses_the_alsace_moselle_calendar():
    # complete 26 August 2025 + 4 months = Friday 26 December 2025: a holiday in Strasbourg only
    events = ev(("2025-08-26", "receipt"), ("2025-08-26", "acknowledged"), ("2025-08-26", "complete"))
    assert aude_clock(events, "dieteticien", "GES", today=date(2025, 9, 1)).next_date == date(2025, 12, 29)
    assert aude_clock(events, "infirmier", "OCC", today=date(2025, 9, 1)).next_date == date(2025, 12, 26)


DECIDED = (("2025-01-02", "receipt"), ("2025-01-03", "acknowledged"), ("2025-01-03", "complete"),
           ("2025-03-01", "avis"), ("2025-03-14", "decision", "mesures_compensation"))
NOTIFIED = {"on": "2025-03-20", "kind": "notified", "note": "lettre recommandée", "letter": "aude.decision_mesures"}


def test_until_the_decision_is_notified_the_choice_is_stated_in_words_without_a_date():
    clock = aude_clock(ev(*DECIDED), "infirmier", "OCC", today=date(2025, 4, 1))
    assert clock.next_date is None and clock.status == "notification" and clock.status_label == "notification à saisir"
    assert clock.next_label.startswith("Notification à saisir") and "deux mois de la notification" in clock.next_label


def test_measure_choice_due_two_months_after_the_notification_not_the_decision():
    # decided Friday 14 March 2025, delivered Thursday 20 March: 20 May 2025 (a Tuesday), not 14 May
    clock = aude_clock([*ev(*DECIDED), NOTIFIED], "infirmier", "OCC", today=date(2025, 4, 1))
    assert clock.next_date == date(2025, 5, 20)
    assert clock.next_label.startswith("Choix de la mesure de compensation")
    assert "Décision notifiée le 20 mars 2025." in clock.history


@pytest.mark.parametrize(
    ("measure", "notified", "due", "words"),
    [("epreuve", True, date(2025, 9, 22), "Épreuve d’aptitude"),  # 20 Sept. 2025 is a Saturday
     ("epreuve", False, None, "Notification à saisir"),
     ("stage", False, date(2028, 3, 14), "Fin du stage")],
)
def test_after_the_choice_the_epreuve_within_six_months_of_notification_or_the_stage_within_three_years(measure, notified, due, words):
    events = [*ev(*DECIDED, ("2025-04-02", "measure_chosen", measure)), *([NOTIFIED] if notified else [])]
    clock = aude_clock(events, "infirmier", "OCC", today=date(2025, 4, 10))
    assert clock.next_date == due
    assert clock.next_label.startswith(words)
    assert any("Mesure choisie le 2 avril 2025" in line for line in clock.history)


def test_delays_from_notification_per_letter_kind_dated_by_hand():
    cal = calendar_for_region("OCC")
    got = {d.rule: d.deadline.due for d in from_notification("aude.decision_mesures", date(2025, 8, 31), cal)}
    # 31 Aug. + 2 months = 31 Oct. 2025 (Friday); + 6 months = 28 Feb. 2026 (Saturday) → Monday 2 March 2026
    assert got == {"aude.measure_choice": date(2025, 10, 31), "aude.epreuve": date(2026, 3, 2),
                   "recours.contentieux": date(2025, 10, 31)}
    refus = {d.rule: d.deadline.due for d in from_notification("eps.refus", date(2026, 11, 5), calendar_for_authority("ARS-OCC"))}
    # notified Thursday 5 Nov. 2026: 15 days → Friday 20 Nov.; recours → 5 Jan. 2027 (Tuesday)
    assert refus == {"eps.modified_filing": date(2026, 11, 20), "recours.contentieux": date(2027, 1, 5)}
    assert from_notification("aude.accuse_reception", date(2026, 11, 5), cal) == []


@pytest.mark.parametrize(
    ("kind", "received", "issued", "due", "words"),
    [("aude.accuse_reception", date(2025, 5, 9), date(2025, 6, 11), date(2025, 6, 10), "L.112-6"),  # 9 June: Whit Monday
     ("eps.incomplet", date(2025, 1, 15), date(2025, 2, 18), date(2025, 2, 17), "ne suspend pas"),  # 15 Feb.: Saturday
     ("eps.urgence_non_justifiee", date(2025, 1, 15), date(2025, 2, 6), date(2025, 2, 5), "réputée autorisée")],
)
def test_a_letter_issued_after_its_window_says_what_it_changes(kind, received, issued, due, words):
    cal = calendar_for_region("OCC")
    assert late_issue(kind, received, due, cal) is None  # the last day is still in time
    late = late_issue(kind, received, issued, cal)
    assert late is not None and late.due == due and words in late.message
    assert format_date_fr(due) in late.message and late.source in late.message
    assert late_issue("aude.decision_refus", received, issued, cal) is None  # no window for a decision


@pytest.mark.parametrize(
    ("events", "words"),
    [
        (ev(("2025-01-10", "receipt"), ("2025-01-05", "complete")), "précède la réception"),
        (ev(("2025-01-10", "receipt"), ("2025-01-12", "acknowledged"), ("2025-01-20", "pieces_received")), "sans demande"),
        (ev(("2025-01-10", "receipt"), ("2025-03-01", "avis"), ("2025-02-01", "decision")), "précéder l'avis"),
        (ev(("2025-01-10", "acknowledged")), "réception absente"),
        ([{"on": "10/01/2025", "kind": "receipt"}], "illisible"),
    ],
)
def test_impossible_events_are_refused_in_french(events, words):
    with pytest.raises(ClockInputError) as excinfo:
        aude_clock(events, "infirmier", "OCC", today=date(2025, 6, 1))
    assert words in str(excinfo.value)


def test_eps_declaration_late_filing_flag():
    on_time = eps_clock(ev(("2025-03-08", "receipt")), "declaration", "ORDRE-INF", False, date(2025, 3, 18), date(2025, 3, 9))
    assert on_time.flags == ()
    late = eps_clock(ev(("2025-03-10", "receipt")), "declaration", "ORDRE-INF", False, date(2025, 3, 18), date(2025, 3, 11))
    assert late.flags and "Dépôt tardif" in late.flags[0] and "8 mars 2025" in late.flags[0]


def test_eps_tacit_authorisation_and_incomplete_notice():
    clock = eps_clock(ev(("2025-01-15", "receipt")), "autorisation", "ARS-OCC", False, None, date(2025, 2, 1))
    assert clock.next_date == date(2025, 3, 17)  # 15 March 2025 is a Saturday
    assert clock.next_label == "Autorisation tacite le 17 mars 2025 sans décision d'ici là"
    after = eps_clock(ev(("2025-01-15", "receipt")), "autorisation", "ARS-OCC", False, None, date(2025, 3, 20))
    assert after.next_label == "Autorisation tacite" and after.status == "overdue"
    assert after.status_label == "acquise le 17 mars 2025 (il y a 3 jours)" and "dépassée" not in after.status_label
    restarted = eps_clock(ev(("2025-01-15", "receipt"), ("2025-02-01", "incomplete"), ("2025-02-20", "pieces_received")),
                          "autorisation", "ARS-OCC", False, None, date(2025, 3, 1))
    assert restarted.next_date == date(2025, 4, 22)  # 20 April is Easter Sunday, 21 Easter Monday
    late_notice = eps_clock(ev(("2025-01-15", "receipt"), ("2025-03-01", "incomplete")), "autorisation", "ARS-OCC", False, None, date(2025, 3, 2))
    assert late_notice.next_date == date(2025, 3, 17) and "après le délai d'un mois" in late_notice.flags[0]


def test_eps_refusal_then_modified_convention_and_urgency():
    refused = eps_clock(ev(("2025-01-15", "receipt"), ("2025-02-10", "decision", "refus")), "autorisation", "ORDRE-MK", False, None, date(2025, 2, 11))
    assert refused.next_date is None and refused.status == "notification" and "quinze jours" in refused.next_label
    notified = {"on": "2025-02-13", "kind": "notified", "note": "", "letter": "eps.refus"}
    refused = eps_clock([*ev(("2025-01-15", "receipt"), ("2025-02-10", "decision", "refus")), notified], "autorisation",
                        "ORDRE-MK", False, None, date(2025, 2, 14))
    # notified Thursday 13 Feb. 2025 + 15 days = Friday 28 Feb. (from the decision it would be 25 Feb.)
    assert refused.next_date == date(2025, 2, 28) and refused.next_label.startswith("Convention modifiée recevable")
    modified = eps_clock(ev(("2025-01-15", "receipt"), ("2025-02-10", "decision", "refus"), ("2025-02-20", "modified_received")),
                         "autorisation", "ORDRE-MK", False, None, date(2025, 2, 21))
    assert modified.next_date == date(2025, 3, 7)
    urgent = eps_clock(ev(("2025-01-15", "receipt")), "autorisation", "ORDRE-MK", True, date(2025, 1, 20), date(2025, 1, 16))
    assert urgent.next_date == date(2025, 2, 5)
    assert "précède la date de décision" in urgent.flags[0]


def test_a_bad_rules_file_is_refused_with_a_precise_message():
    good = json.loads((resources_dir() / "rules" / "deadlines.json").read_text(encoding="utf-8"))
    assert parse_rules(good).delays["aude.decision"].amount == 4
    for mutate, words in (
        (lambda r: r["rules"].pop("aude.decision"), "aude.decision"),
        (lambda r: r["rules"]["eps.urgent_decision"].update(unit="lustres"), "unité inconnue"),
        (lambda r: r["rules"]["aude.epreuve"].update(amount=-6), "entier positif"),
        (lambda r: r["rules"]["aude.epreuve"].pop("source"), "source juridique"),
    ):
        broken = copy.deepcopy(good)
        mutate(broken)
        with pytest.raises(RulesError) as excinfo:
            parse_rules(broken)
        assert words in str(excinfo.value)
