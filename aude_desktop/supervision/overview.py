"""The DGOS national overview, computed by SQL aggregates over the synced national scope (never a
Python loop over the files): per region / profession (AUDE) and per authority / regime (EPS, the
CNOM's imported conventions included and marked), files by state, overdue, due within 15 days,
implicit decisions that arose without an express decision, median and 90th-percentile processing
times, monthly inflow and outflow over 24 months. Qt-free: the views, the CLI and the tests share it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from aude_desktop.conventions.states import OPEN_STATES as EPS_OPEN_STATES
from aude_desktop.conventions.states import ConventionState
from aude_desktop.dossiers.lps import LPS_OPEN, LPS_SILENCE_RUNS, LPS_STATES
from aude_desktop.dossiers.states import DECISION_CLOCK_RUNS, OPEN_STATES, DossierState
from aude_desktop.rules.soon import SOON_DAYS

AUDE_OPEN = tuple(s.value for s in DossierState if s in OPEN_STATES)  # in the states' order: a stable SQL text
AUDE_CLOCK_RUNS = DECISION_CLOCK_RUNS
EPS_OPEN = tuple(s.value for s in ConventionState if s in EPS_OPEN_STATES)
EPS_CLOCK_RUNS = ("recue", "en_instruction", "modifiee_recue", "urgence_non_justifiee")
MONTHS = 24
OUT_OF_SCOPE = "hors_champ"


@dataclass
class GroupFigures:
    key: str
    total: int = 0
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    implicit: int = 0  # implicit decisions (AUDE) / tacit authorisations (EPS) with no express decision
    by_state: dict[str, int] = field(default_factory=dict)
    median_days: float | None = None
    p90_days: float | None = None
    imported: int = 0  # EPS: conventions imported from the CNOM (read-only)
    # AUDE routes counted apart (issue 20): closed out of scope for automatic recognition; accès partiel requests
    out_of_scope: int = 0
    partial_access: int = 0


@dataclass
class Overview:
    today: date
    aude_by_region: dict[str, GroupFigures]
    aude_by_profession: dict[str, GroupFigures]
    eps_by_authority: dict[str, GroupFigures]
    eps_by_regime: dict[str, GroupFigures]
    aude_monthly: list[tuple[str, int, int]]  # month, inflow, outflow
    eps_monthly: list[tuple[str, int, int]]
    # Libre prestation de services declarations, counted apart from the autorisations (their own
    # states; « implicit »: the service may be provided because the authority kept silent).
    lps_by_region: dict[str, GroupFigures] = field(default_factory=dict)
    lps_by_profession: dict[str, GroupFigures] = field(default_factory=dict)
    lps_monthly: list[tuple[str, int, int]] = field(default_factory=list)

    def as_json(self) -> dict:
        def groups(d: dict[str, GroupFigures]) -> dict:
            return {k: {f: getattr(g, f) for f in ("total", "open", "overdue", "due_soon", "implicit", "by_state",
                                                    "median_days", "p90_days", "imported", "out_of_scope", "partial_access")} for k, g in sorted(d.items())}

        return {
            "today": self.today.isoformat(),
            "aude": {"by_region": groups(self.aude_by_region), "by_profession": groups(self.aude_by_profession),
                     "monthly": [{"month": m, "inflow": i, "outflow": o} for m, i, o in self.aude_monthly]},
            "eps": {"by_authority": groups(self.eps_by_authority), "by_regime": groups(self.eps_by_regime),
                    "monthly": [{"month": m, "inflow": i, "outflow": o} for m, i, o in self.eps_monthly]},
            "lps": {"by_region": groups(self.lps_by_region), "by_profession": groups(self.lps_by_profession),
                    "monthly": [{"month": m, "inflow": i, "outflow": o} for m, i, o in self.lps_monthly]},
        }


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"  # constants of this module only, never user input


def _grouped(s: Session, table: str, columns: tuple[str, str], open_states, clock_states, today: date,
             extra: str = "", where: str = "") -> tuple[dict[str, GroupFigures], dict[str, GroupFigures]]:
    """One scan of `table`, grouped by both dimensions and the state; folded per dimension here
    (the grouped result has a few hundred rows, whatever the number of files)."""
    soon = (today + timedelta(days=SOON_DAYS)).isoformat()
    first, second = columns
    rows = s.execute(text(
        f"SELECT {first} AS k1, {second} AS k2, state, count(*) AS n, "
        f"sum(CASE WHEN state IN {_in(open_states)} AND next_due_on < :today THEN 1 ELSE 0 END) AS overdue, "
        f"sum(CASE WHEN state IN {_in(open_states)} AND next_due_on >= :today AND next_due_on <= :soon THEN 1 ELSE 0 END) AS soon, "
        f"sum(CASE WHEN state IN {_in(clock_states)} AND next_due_on < :today THEN 1 ELSE 0 END) AS implicit "
        f"{extra} FROM {table} {where} GROUP BY {first}, {second}, state"
    ), {"today": today.isoformat(), "soon": soon}).all()
    return _fold(rows, "k1", open_states), _fold(rows, "k2", open_states)


def _fold(rows, key: str, open_states) -> dict[str, GroupFigures]:
    out: dict[str, GroupFigures] = {}
    for r in rows:
        k = getattr(r, key) or "—"
        g = out.setdefault(k, GroupFigures(k))
        g.total += r.n
        g.by_state[r.state] = g.by_state.get(r.state, 0) + r.n
        g.open += r.n if r.state in open_states else 0
        g.overdue += r.overdue or 0
        g.due_soon += r.soon or 0
        g.implicit += r.implicit or 0
        g.imported += getattr(r, "imported", 0) or 0
        g.out_of_scope += r.n if r.state == OUT_OF_SCOPE else 0
        g.partial_access += getattr(r, "partial_access", 0) or 0
    return out


def _percentiles(s: Session, sql: str, groups: tuple[dict[str, GroupFigures], dict[str, GroupFigures]]) -> None:
    """Median and 90th percentile of processing days per group of both dimensions: the days are read
    once into a temporary table, then ranked per group by window functions (nearest-rank method)."""
    s.execute(text("DROP TABLE IF EXISTS temp.processing_days"))
    s.execute(text("CREATE TEMP TABLE processing_days AS " + sql))
    for column, figures in zip(("k1", "k2"), groups, strict=True):
        rows = s.execute(text(
            f"SELECT k, days FROM (SELECT {column} AS k, days, row_number() OVER (PARTITION BY {column} ORDER BY days) AS rn, "
            f"count(*) OVER (PARTITION BY {column}) AS n FROM temp.processing_days) "
            "WHERE rn = CAST((n + 1) / 2 AS INTEGER) OR rn = CAST((9 * n + 9) / 10 AS INTEGER) ORDER BY k, rn"
        ))
        seen: dict[str, list[float]] = {}
        for k, days in rows:
            seen.setdefault(k or "—", []).append(days)
        for k, values in seen.items():
            if k in figures:
                figures[k].median_days, figures[k].p90_days = values[0], values[-1]
    s.execute(text("DROP TABLE temp.processing_days"))


def _monthly(s: Session, inflow_sql: str, outflow_sql: str, today: date) -> list[tuple[str, int, int]]:
    year, month = today.year, today.month - (MONTHS - 1)
    while month <= 0:
        month, year = month + 12, year - 1
    first = date(year, month, 1)
    params = {"since": first.isoformat()}
    inflow = dict(s.execute(text(inflow_sql), params).all())
    outflow = dict(s.execute(text(outflow_sql), params).all())
    months, current = [], first
    while current <= today:
        key = current.strftime("%Y-%m")
        months.append((key, int(inflow.get(key, 0)), int(outflow.get(key, 0))))
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


AUDE_DAYS = ("SELECT d.region AS k1, d.profession AS k2, julianday(dec.decided_on) - julianday(d.received_on) AS days "
             "FROM dossiers d JOIN decisions dec ON dec.dossier_id = d.id")
EPS_DAYS = ("SELECT authority AS k1, regime AS k2, julianday(decided_on) - julianday(filed_on) AS days "
            "FROM conventions WHERE decided_on IS NOT NULL")


LPS_ONLY = f"state IN {_in(LPS_STATES)}"


def compute(s: Session, today: date) -> Overview:
    by_region, by_profession = _grouped(s, "dossiers", ("region", "profession"), AUDE_OPEN, AUDE_CLOCK_RUNS, today,
                                        ", sum(acces_partiel) AS partial_access", where=f"WHERE NOT {LPS_ONLY}")
    lps_by_region, lps_by_profession = _grouped(s, "dossiers", ("region", "profession"), LPS_OPEN, LPS_SILENCE_RUNS, today,
                                                where=f"WHERE {LPS_ONLY}")
    imported = ", sum(CASE WHEN source = 'cnom_import' THEN 1 ELSE 0 END) AS imported"
    by_authority, by_regime = _grouped(s, "conventions", ("authority", "regime"), EPS_OPEN, EPS_CLOCK_RUNS, today, imported)
    _percentiles(s, AUDE_DAYS, (by_region, by_profession))
    _percentiles(s, EPS_DAYS, (by_authority, by_regime))
    aude_monthly = _monthly(
        s, f"SELECT strftime('%Y-%m', received_on), count(*) FROM dossiers WHERE received_on >= :since AND NOT {LPS_ONLY} GROUP BY 1",
        "SELECT strftime('%Y-%m', decided_on), count(*) FROM decisions WHERE decided_on >= :since GROUP BY 1", today)
    # An LPS declaration's outflow: the day the provider was answered (or closed), from its clock events.
    lps_monthly = _monthly(
        s, f"SELECT strftime('%Y-%m', received_on), count(*) FROM dossiers WHERE received_on >= :since AND {LPS_ONLY} GROUP BY 1",
        "SELECT strftime('%Y-%m', json_extract(d.extra, '$.lps.outcome.on')), count(*) FROM dossiers d "
        f"WHERE d.{LPS_ONLY} AND json_extract(d.extra, '$.lps.outcome.on') >= :since GROUP BY 1", today)
    eps_monthly = _monthly(
        s, "SELECT strftime('%Y-%m', filed_on), count(*) FROM conventions WHERE filed_on >= :since GROUP BY 1",
        "SELECT strftime('%Y-%m', decided_on), count(*) FROM conventions WHERE decided_on >= :since GROUP BY 1", today)
    return Overview(today, by_region, by_profession, by_authority, by_regime, aude_monthly, eps_monthly,
                    lps_by_region, lps_by_profession, lps_monthly)
