"""Prints the fault-injection summary table at the end of any run that included fault tests."""

from __future__ import annotations

from tests.faults import ledger


def pytest_terminal_summary(terminalreporter) -> None:
    if not ledger.RECORDS:
        return
    terminalreporter.section("Injection de pannes : bilan")
    for line in ledger.table(ledger.RECORDS):
        terminalreporter.write_line(line)
