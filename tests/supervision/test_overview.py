"""The national overview against figures computed independently in Python over the same rows,
and exports read back (csv module, openpyxl) against the list they came from."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from aude_desktop.dossiers import queue
from aude_desktop.rules.nos import nos_text
from aude_desktop.rules.reference import professions
from aude_desktop.supervision import export, overview
from aude_desktop.sync import materialize
from central_api.demo_data import generate_records

TODAY = date(2026, 11, 23)


@pytest.fixture
def national(store):
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload))) for r in generate_records(1200, 1500, seed=12, today=TODAY)
               if r.kind in ("dossier", "convention")]
    with store.session() as s:
        materialize.materialize(s, records)
    return store


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(q * len(ordered)) - 1]


def test_overview_matches_an_independent_computation(national):
    with national.session() as s:
        figures = overview.compute(s, TODAY)
        rows = s.connection().exec_driver_sql("SELECT id, region, state, next_due_on, received_on FROM dossiers").all()
        decided = dict(s.connection().exec_driver_sql("SELECT dossier_id, decided_on FROM decisions").all())
        conventions = s.connection().exec_driver_sql("SELECT authority, regime, state, source, next_due_on FROM conventions").all()
    soon = (TODAY + timedelta(days=15)).isoformat()
    expected = defaultdict(Counter)
    days = defaultdict(list)
    for r in rows:
        e = expected[r.region]
        e["total"] += 1
        if r.state in overview.AUDE_OPEN:
            e["open"] += 1
            e["overdue"] += bool(r.next_due_on and r.next_due_on < TODAY.isoformat())
            e["due_soon"] += bool(r.next_due_on and TODAY.isoformat() <= r.next_due_on <= soon)
        e["implicit"] += bool(r.state in overview.AUDE_CLOCK_RUNS and r.next_due_on and r.next_due_on < TODAY.isoformat())
        if r.id in decided:
            days[r.region].append((date.fromisoformat(decided[r.id]) - date.fromisoformat(r.received_on)).days)
    assert set(figures.aude_by_region) == set(expected)
    for region, e in expected.items():
        g = figures.aude_by_region[region]
        assert (g.total, g.open, g.overdue, g.due_soon, g.implicit) == (e["total"], e["open"], e["overdue"], e["due_soon"], e["implicit"])
        if days[region]:
            assert (g.median_days, g.p90_days) == (nearest_rank(days[region], 0.5), nearest_rank(days[region], 0.9))
    assert sum(g.total for g in figures.aude_by_profession.values()) == len(rows)
    imported = Counter(c.authority for c in conventions if c.source == "cnom_import")
    assert figures.eps_by_authority["CNOM"].imported == imported["CNOM"] > 0
    assert {k: g.total for k, g in figures.eps_by_regime.items()} == dict(Counter(c.regime for c in conventions))
    inflow = Counter(r.received_on[:7] for r in rows)
    assert len(figures.aude_monthly) == 24 and figures.aude_monthly[-1][0] == "2026-11"
    assert all(i == inflow.get(month, 0) for month, i, _o in figures.aude_monthly)


def test_exports_read_back_match_the_list(national, tmp_path):
    saved = next(q for q in queue.saved_queues("") if q.name == "Échéance sous 15 jours")
    with national.session() as s:
        expected = [r.reference for r in queue.page(s, saved.filter, TODAY, limit=10_000)]
    assert expected
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"export.{fmt}"
        count = export.write(path, fmt, saved.name, export.describe(saved.filter), export.headers_of(queue),
                             export.queue_rows(national, queue, saved.filter, TODAY))
        assert count == len(expected)
        if fmt == "csv":
            raw = path.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 accents correctly
            lines = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
        else:
            lines = [[("" if v is None else v) for v in row] for row in load_workbook(path).active.iter_rows(values_only=True)]
        assert "filtres : échéance : Échéance sous 15 jours" in lines[0][0] and "extraction du" in lines[0][0]
        assert lines[1][0].startswith("Données personnelles")
        assert list(lines[2]) == [*queue.HEADERS, "Code NOS (ANS)"]
        assert [row[0] for row in lines[3:]] == expected
        # the ANS code of each row's profession (rules data), e.g. « TRE_G15 60 » for a nurse
        by_label = {p.label: p.nos for p in professions().values()}
        assert all(row[-1] == nos_text(by_label[row[2]]) and row[-1].startswith(("TRE_G15 ", "TRE_R94 ")) for row in lines[3:])
        if fmt == "csv":
            assert all(len(row[4]) == 10 and row[4][2] == "/" for row in lines[3:])  # dd/mm/yyyy
    assert export.french(12.5) == "12,5" and export.french(date(2026, 1, 2)) == "02/01/2026"


def test_a_cancelled_export_leaves_no_file(national, tmp_path):
    path = tmp_path / "tout.csv"
    big = ((i, "x") for i in range(10_000))
    assert export.write(path, "csv", "Tout", "", ("n", "x"), big, on_progress=lambda n: n < 4000) == 0
    assert not path.exists() and not list(tmp_path.glob("tout.csv*"))  # no partial file either
