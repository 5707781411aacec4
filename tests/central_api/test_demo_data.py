"""The demo data set: deterministic, valid identifiers, every state and authority, coherent dates."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import islice

import pytest

from aude_desktop.conventions.states import ConventionState
from aude_desktop.dossiers.states import DossierState
from aude_desktop.rules.identifiers import rpps_error, siren_error, siret_error
from aude_desktop.rules.reference import authorities, professions
from central_api.demo_data import demo_users, generate_records

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def records():
    return list(generate_records(3000, 4000, seed=42, today=TODAY))


def test_same_seed_same_data_other_seed_other_data():
    first = list(islice(generate_records(50, 50, seed=1, today=TODAY), 200))
    assert first == list(islice(generate_records(50, 50, seed=1, today=TODAY), 200))
    assert first != list(islice(generate_records(50, 50, seed=2, today=TODAY), 200))


def test_counts_and_coverage(records):
    kinds = Counter(r.kind for r in records)
    assert kinds["dossier"] == 3000 and kinds["convention"] == 4000 and kinds["piece"] > 0
    dossiers = [r.payload for r in records if r.kind == "dossier"]
    assert {d["state"] for d in dossiers} == {s.value for s in DossierState}
    assert len({d["region"] for d in dossiers}) == 18
    assert len({d["profession"] for d in dossiers}) >= 25
    conventions = [r.payload for r in records if r.kind == "convention"]
    assert {c["authority"] for c in conventions} == set(authorities())
    assert {c["regime"] for c in conventions} == {"declaration", "autorisation"}
    assert any(c["urgent"] for c in conventions)
    assert {c["state"] for c in conventions} <= {s.value for s in ConventionState}
    assert len({r.payload["reference"] for r in records if r.kind in ("dossier", "convention")}) == 7000


def test_centralised_professions_are_filed_in_their_region(records):
    for record in records:
        if record.kind != "dossier":
            continue
        p = record.payload
        spec = professions()[p["profession"]]
        if p["acces_partiel"]:
            assert p["region"] == "IDF"
        elif spec.competent_region:
            assert p["region"] == spec.competent_region, p["reference"]
        assert record.region == p["region"]


def test_dates_follow_the_procedure(records):
    for record in records:
        if record.kind != "dossier":
            continue
        p = record.payload
        steps = [p["received_on"], p["acknowledged_on"], p["complete_on"],
                 (p["decision"] or {}).get("decided_on"), p["closed_on"]]
        present = [d for d in steps if d]
        assert present == sorted(present), p["reference"]
        assert all(date.fromisoformat(d) <= TODAY for d in present)
        events = [e["on"] for e in p["clock_events"]]
        assert events == sorted(events)


def test_identifiers_are_valid(records):
    for record in records:
        if record.kind != "convention":
            continue
        company = record.payload["company"]
        assert siren_error(company["siren"]) is None and siret_error(company["siret"]) is None
        assert company["siret"].startswith(company["siren"])
        for beneficiary in record.payload["beneficiaries"]:
            if beneficiary["rpps"]:
                assert rpps_error(beneficiary["rpps"]) is None
        assert record.authority == record.payload["authority"]
        assert record.payload["read_only"] is (record.authority == "CNOM")


def test_names_have_accents_and_demo_users_cover_every_role(records):
    names = " ".join(r.payload["applicant"]["last_name"] + r.payload["applicant"]["first_names"]
                     for r in records if r.kind == "dossier")
    assert any(ch in names for ch in "éèëïôễłż")
    users = demo_users()
    assert {u.role for u in users} == {"agent_dreets", "ordre", "ars", "dgos"}
    assert len({u.login for u in users}) == len(users)


# -- a real Monday: the distribution a service has, relative to the day it is generated --------

OPEN_DOSSIER = ("recu", "incomplet", "complet", "en_commission", "avis_rendu", "mesures_compensation")


def _dues(records, today):
    from aude_desktop.sync.materialize import _convention_due, _next_due

    dossiers = [(r.payload, _next_due(r.payload, today)) for r in records
                if r.kind == "dossier" and r.payload["state"] in OPEN_DOSSIER]
    conventions = [(r.payload, _convention_due(r.payload, today)) for r in records if r.kind == "convention"]
    return dossiers, conventions


def test_most_open_files_are_within_their_delais(records):
    dossiers, conventions = _dues(records, TODAY)
    dated = [due for _p, due in dossiers if due]
    overdue = sum(due < TODAY for due in dated)
    soon = sum(TODAY <= due <= TODAY + timedelta(days=15) for due in dated)
    assert len(dated) >= 100
    assert 0.02 <= overdue / len(dated) <= 0.15, (overdue, len(dated))  # a realistic minority is late
    assert soon > 0
    # Open files are recent: nothing waits years for its acknowledgement or its decision.
    assert max((TODAY - date.fromisoformat(p["received_on"])).days for p, _ in dossiers if p["state"] == "recu") <= 60
    open_conventions = [due for _p, due in conventions if due]
    assert open_conventions and sum(due < TODAY for due in open_conventions) / len(open_conventions) <= 0.25
    # a tacit authorisation that arose is recorded within days, not left « en instruction » for years
    assert all((TODAY - due).days <= 20 for due in open_conventions if due < TODAY)


def test_receipts_every_week_and_flows_without_a_last_month_spike(records):
    for kind, field in (("dossier", "received_on"), ("convention", "filed_on")):
        ages = Counter((TODAY - date.fromisoformat(r.payload[field])).days // 7 for r in records if r.kind == kind)
        assert all(ages[week] > 0 for week in range(12)), (kind, [ages[w] for w in range(12)])
    decided = Counter(r.payload["decision"]["decided_on"][:7] for r in records
                      if r.kind in ("dossier", "convention") and r.payload["decision"])
    months = [f"{y}-{m:02d}" for y, m in ((2025 + (i + 10) // 12, (i + 10) % 12 + 1) for i in range(13))]
    assert months[0] == "2025-11" and months[-1] == "2026-11"
    full = [decided[m] for m in months[:-1]]  # the twelve full months before this one
    assert max(full) <= 1.6 * sorted(full)[len(full) // 2], full  # no month far above the median
    assert decided[months[-1]] <= max(full)  # 23 days of November: no pile of decisions dated today
    assert all(r.payload["decision"]["decided_on"] <= TODAY.isoformat() for r in records
               if r.kind in ("dossier", "convention") and r.payload["decision"])


def test_generated_relative_to_the_day_it_runs():
    today = date.today()
    records = list(generate_records(400, 400, seed=3))
    newest = max(date.fromisoformat(r.payload["received_on"]) for r in records if r.kind == "dossier")
    assert 0 <= (today - newest).days <= 14
    assert all(date.fromisoformat(e["on"]) <= today for r in records if r.kind == "dossier"
               for e in r.payload["clock_events"])
