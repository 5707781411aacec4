"""What each fault test injected and what came of it, for the summary table `make test-faults` prints.

A test records its figures *measured* after the faults (local changes at risk, found lost, found
duplicated on the server, integrity failures) and then asserts the last three are zero: the table
shows what was checked, the assertions make the run fail when it is not zero.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FaultRecord:
    kind: str
    iterations: int
    at_risk: int
    lost: int
    duplicated: int
    integrity_failures: int


RECORDS: list[FaultRecord] = []


def record(kind: str, *, iterations: int, at_risk: int, lost: int = 0, duplicated: int = 0,
           integrity_failures: int = 0) -> FaultRecord:
    entry = FaultRecord(kind, iterations, at_risk, lost, duplicated, integrity_failures)
    RECORDS.append(entry)
    return entry


def assert_clean(entry: FaultRecord) -> None:
    assert (entry.lost, entry.duplicated, entry.integrity_failures) == (0, 0, 0), entry


HEADERS = ("Panne injectée", "Itérations", "Modifications en jeu", "Perdues", "Dupliquées", "Intégrité KO")


def table(records: list[FaultRecord]) -> list[str]:
    rows = [(r.kind, r.iterations, r.at_risk, r.lost, r.duplicated, r.integrity_failures) for r in records]
    totals = ("Total", *(sum(r[i] for r in rows) for i in range(1, 6)))
    rows.append(totals)
    widths = [max(len(str(x)) for x in column) for column in zip(HEADERS, *rows, strict=False)]

    def line(cells) -> str:
        first, *rest = cells
        return "  ".join([str(first).ljust(widths[0]), *(str(c).rjust(w) for c, w in zip(rest, widths[1:], strict=True))])

    return [line(HEADERS), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def compare_with_server(engine, expected: dict[str, int]) -> tuple[int, int]:
    """(lost, duplicated) among records the client sent: a record missing or behind the version its
    commands lead to is lost work; one ahead of it had a command applied twice."""
    lost = duplicated = 0
    with engine.connect() as conn:
        for record_id, version in expected.items():
            row = conn.exec_driver_sql("SELECT version FROM records WHERE id = ?", (record_id,)).first()
            if row is None or row.version < version:
                lost += 1
            elif row.version > version:
                duplicated += 1
    return lost, duplicated
