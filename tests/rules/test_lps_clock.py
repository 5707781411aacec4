"""The LPS clock (routes.md; directive 2005/36/CE art. 7 §4), on dates checked by hand against a calendar:
one month to inform the provider, a second one when a difficulty is notified in the first, the aptitude
test within the month of the decision imposing it, silence meaning the service may be provided, and the
yearly renewal — each extended past weekends and the deciding DREETS's public holidays."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from aude_desktop.rules.deadlines import ClockInputError
from aude_desktop.rules.lps import for_profession, lps_clock


def ev(*pairs):
    return [{"on": on, "kind": kind, "note": None} for on, kind in pairs]


def test_one_month_to_inform_the_provider():
    # Friday 30 October 2026 + 1 month = Monday 30 November 2026 (a working day).
    clock = lps_clock(ev(("2026-10-30", "receipt")), "masseur_kinesitherapeute", "OCC", date(2026, 11, 26))
    assert clock.next_date == date(2026, 11, 30)
    assert clock.next_label.startswith("Information du prestataire au plus tard le 30 novembre 2026")
    assert clock.days_left == 4 and clock.status == "soon"


def test_a_month_ending_on_a_public_holiday_is_extended():
    # 11 October 2026 + 1 month = Wednesday 11 November 2026, Armistice: Thursday 12 November.
    clock = lps_clock(ev(("2026-10-11", "receipt")), "ergotherapeute", "OCC", date(2026, 10, 20))
    assert clock.next_date == date(2026, 11, 12)
    assert any("11 novembre" in step for step in clock.history)


def test_the_deciding_dreets_calendar_applies_good_friday_in_grand_est():
    # 3 March 2026 + 1 month = Friday 3 April 2026: Good Friday is a holiday in Alsace-Moselle (the Grand Est
    # DREETS sits in Strasbourg), Easter Monday follows the weekend: Tuesday 7 April. Elsewhere: 3 April.
    events = ev(("2026-03-03", "receipt"))
    assert lps_clock(events, "dieteticien", "GES", date(2026, 3, 10)).next_date == date(2026, 4, 7)
    assert lps_clock(events, "ergotherapeute", "OCC", date(2026, 3, 10)).next_date == date(2026, 4, 3)


def test_silence_past_the_month_means_the_service_may_be_provided():
    clock = lps_clock(ev(("2026-10-11", "receipt")), "ergotherapeute", "OCC", date(2026, 11, 20))
    assert clock.next_label == "Prestation possible (silence de l’administration)"
    assert clock.status_label == "acquise le 12 novembre 2026 (il y a 8 jours)"


def test_a_difficulty_notified_in_the_first_month_opens_a_second_one():
    # 11 October 2026 + 2 months = Friday 11 December 2026.
    events = ev(("2026-10-11", "receipt"), ("2026-11-05", "delay_notified"))
    clock = lps_clock(events, "ergotherapeute", "OCC", date(2026, 11, 20))
    assert clock.next_date == date(2026, 12, 11)
    assert "second mois" in " ".join(clock.history)


def test_missing_pieces_suspend_the_month_which_restarts_on_the_last_one():
    events = ev(("2026-09-01", "receipt"), ("2026-09-10", "pieces_requested"))
    suspended = lps_clock(events, "ergotherapeute", "OCC", date(2026, 9, 20))
    assert suspended.status == "suspended" and suspended.next_date is None
    # Saturday 3 October 2026 + 1 month = Tuesday 3 November 2026.
    restarted = lps_clock(events + ev(("2026-10-03", "pieces_received")), "ergotherapeute", "OCC", date(2026, 10, 5))
    assert restarted.next_date == date(2026, 11, 3)


def test_the_aptitude_test_within_the_month_of_the_decision():
    # Decision Thursday 31 December 2026 + 1 month = Sunday 31 January 2027: Monday 1 February 2027.
    events = ev(("2026-12-01", "receipt"), ("2026-12-10", "verification"), ("2026-12-31", "epreuve_imposed"))
    clock = lps_clock(events, "ergotherapeute", "OCC", date(2027, 1, 5))
    assert clock.next_date == date(2027, 2, 1)
    assert clock.next_label.startswith("Épreuve d’aptitude à organiser au plus tard le 1er février 2027")
    # No test held by then: the service may be provided.
    late = lps_clock(events, "ergotherapeute", "OCC", date(2027, 2, 2))
    assert late.status_label == "acquise le 1er février 2027 (il y a 1 jour)"


def test_yearly_renewal_counts_from_the_declaration_then_from_each_renewal():
    # 28 February 2026 + 12 months = Sunday 28 February 2027: Monday 1 March 2027.
    events = ev(("2026-02-28", "receipt"), ("2026-03-10", "informed"))
    clock = lps_clock(events, "ergotherapeute", "OCC", date(2026, 11, 26))
    assert clock.next_date == date(2027, 3, 1)
    assert clock.next_label == "Déclaration à renouveler au plus tard le 1er mars 2027"
    renewed = lps_clock(events + ev(("2027-02-15", "renewed")), "ergotherapeute", "OCC", date(2027, 2, 20))
    assert renewed.next_date == date(2028, 2, 15)  # a Tuesday


def test_failed_test_and_closure_end_the_clock():
    failed = ev(("2026-12-01", "receipt"), ("2026-12-10", "verification"), ("2026-12-31", "epreuve_imposed"),
                ("2027-01-20", "epreuve_failed"))
    assert lps_clock(failed, "ergotherapeute", "OCC", date(2027, 2, 1)).next_date is None
    assert lps_clock(failed + ev(("2027-01-25", "closed")), "ergotherapeute", "OCC", date(2027, 2, 1)).next_label == "Déclaration close"


def test_event_before_receipt_and_unknown_profession_are_refused():
    with pytest.raises(ClockInputError, match="précède la réception"):
        lps_clock(ev(("2026-10-01", "receipt"), ("2026-09-01", "informed")), "ergotherapeute", "OCC", date(2026, 11, 1))
    with pytest.raises(ClockInputError, match="Profession inconnue"):
        lps_clock(ev(("2026-10-01", "receipt")), "plombier", "OCC", date(2026, 11, 1))


def test_profession_data_names_its_article_and_what_is_uncertain():
    nurse = for_profession("infirmier")
    assert "L.4311-22" in nurse.article and nurse.prior_check is False and "delays" in nurse.uncertain
    default = for_profession("audioprothesiste")
    assert default.prior_check is True and "article" in default.uncertain


def _cli(spec: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aude_desktop.cli", "deadlines", "compute", "-"], input=json.dumps(spec),
                          capture_output=True, text=True, timeout=120)


def test_cli_computes_the_lps_clock_and_refuses_an_unknown_event_kind():
    done = _cli({"procedure": "lps", "profession": "ergotherapeute", "region": "OCC", "today": "2026-10-20",
                 "events": [{"on": "2026-10-11", "kind": "receipt"}]})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["next_date"] == "2026-11-12"
    bad = _cli({"procedure": "lps", "profession": "ergotherapeute", "region": "OCC",
                "events": [{"on": "2026-10-11", "kind": "receipt"}, {"on": "2026-10-12", "kind": "acknowledged"}]})
    assert bad.returncode == 2 and "nature inconnue « acknowledged »" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_reads_every_documented_aude_event_kind_and_checks_their_notes():
    events = [{"on": "2026-05-04", "kind": "receipt"}, {"on": "2026-05-12", "kind": "acknowledged"},
              {"on": "2026-05-12", "kind": "complete"}, {"on": "2026-09-01", "kind": "avis"},
              {"on": "2026-09-10", "kind": "decision", "note": "mesures_compensation"},
              {"on": "2026-09-15", "kind": "notified", "letter": "aude.decision_mesures"},
              {"on": "2026-10-20", "kind": "measure_chosen", "note": "epreuve"}]
    spec = {"procedure": "aude", "profession": "infirmier", "region": "OCC", "today": "2026-11-26", "events": events}
    done = _cli(spec)
    assert done.returncode == 0, done.stderr
    # Épreuve within 6 months of the notification (15 September 2026): Monday 15 March 2027.
    assert json.loads(done.stdout)["next_date"] == "2027-03-15"
    bad_choice = _cli(spec | {"events": events[:-1] + [{"on": "2026-10-20", "kind": "measure_chosen", "note": "rien"}]})
    assert bad_choice.returncode == 2 and "« epreuve » ou « stage »" in bad_choice.stderr
    bad_letter = _cli(spec | {"events": events[:5] + [{"on": "2026-09-15", "kind": "notified"}]})
    assert bad_letter.returncode == 2 and "doit nommer le courrier notifié" in bad_letter.stderr
