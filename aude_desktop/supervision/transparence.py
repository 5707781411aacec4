"""Supervision's Transparence Santé table (Qt-free): per company, the conventions filed in EPS but
not published, the lines published but never filed (they escaped the control), the amounts that
differ and the ambiguous matches, as the server's last import computed them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aude_desktop.conventions.models import TransparenceCompany

HEADERS = ("Entreprise", "SIREN", "Conventions EPS", "Déposées, non publiées", "Publiées, jamais déposées",
           "Montants différents", "Rapprochements ambigus")


def company_rows(session: Session) -> list[tuple]:
    """Most discrepancies first; a company unknown to EPS has no SIREN (« inconnue d'EPS »)."""
    rows = session.execute(select(TransparenceCompany)).scalars().all()
    out = [(c.name, c.siren or "inconnue d'EPS", c.conventions, c.filed_not_published, c.published_never_filed,
            c.amount_differs, c.ambiguous) for c in rows]
    return sorted(out, key=lambda r: (-(r[3] + r[4] + r[5] + r[6]), r[0]))


def details(session: Session, siren_or_name: str) -> dict[str, list[str]]:
    """The listed lines and references behind one company's counts (at most 50 of each)."""
    for c in session.execute(select(TransparenceCompany)).scalars():
        if siren_or_name in (c.siren, c.name):
            return dict(c.details or {})
    return {}
