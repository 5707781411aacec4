"""Matching EPS conventions with the public Transparence Santé declarations (CSP L.1453-1).

Pure functions over rules data (resources/rules/transparence.json): the server's import runs them,
the client shows their labels. A published line matches the EPS beneficiaries of the same company
(SIREN) and the same person (RPPS, or last and first names for students and anyone without RPPS)
whose convention could have been signed on the published date; the amount decides between several;
what stays undecided is « ambiguë », never silently taken.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from aude_desktop.paths import resources_dir
from aude_desktop.rules.identifiers import rpps_error, siren_is_valid


@dataclass(frozen=True)
class TsRules:
    columns: tuple[str, ...]
    separator: str
    date_format: str
    student_categories: frozenset[str]
    legal_forms: frozenset[str]
    days_before_period: int
    days_around_filing: int
    amount_tolerance_cents: int
    expected_states: frozenset[str]
    convention_labels: dict[str, str]
    line_labels: dict[str, str]
    uncertain: tuple[str, ...]


@lru_cache(maxsize=1)
def rules() -> TsRules:
    with open(resources_dir() / "rules" / "transparence.json", encoding="utf-8") as handle:
        d = json.load(handle)
    return TsRules(tuple(d["columns"]), d["separator"], d["date_format"], frozenset(d["student_categories"]),
                   frozenset(d["legal_forms"]), int(d["signature_days_before_period"]),
                   int(d["signature_days_around_filing"]), int(d["amount_tolerance_cents"]),
                   frozenset(d["expected_published_states"]), dict(d["convention_labels"]), dict(d["line_labels"]),
                   tuple(d["uncertain"]))


def convention_label(status: str | None) -> str:
    return rules().convention_labels.get(status or "", "non rapprochée avec Transparence Santé")


_SPACES = re.compile(r"[^0-9A-Z]+")


def normal(text: str | None) -> str:
    """Upper case, no accents, words separated by one space."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().upper()
    return _SPACES.sub(" ", plain).strip()


def company_key(name: str | None) -> str:
    """A company's name without its legal form (« Laboratoires Élan SAS » = « LABORATOIRES ELAN »)."""
    forms = rules().legal_forms
    return " ".join(w for w in normal(name).split() if w not in forms)


def rpps_of(value: str | None) -> str | None:
    v = re.sub(r"\s", "", value or "")
    if rpps_error(v) is not None:
        return None
    return v[1:] if len(v) == 12 else v


def person_key(last: str | None, first: str | None) -> str:
    return f"nom:{normal(last)}|{normal(first)}"


def ts_siren(entreprise_identifiant: str) -> str | None:
    v = (entreprise_identifiant or "").strip()
    return v if siren_is_valid(v) else None


@dataclass(frozen=True)
class Candidate:
    """One beneficiary of one EPS convention, as the matching sees it."""

    convention_id: str
    beneficiary_id: str
    reference: str
    amount_cents: int
    period_start: date | None
    period_end: date | None
    filed_on: date


def may_be_signed_on(c: Candidate, signed: date | None, r: TsRules) -> bool:
    if signed is None:
        return True
    if c.period_start or c.period_end:
        start = (c.period_start or c.period_end) - timedelta(days=r.days_before_period)
        return start <= signed <= (c.period_end or c.period_start)
    return abs((signed - c.filed_on).days) <= r.days_around_filing


def match(candidates: list[Candidate], signed: date | None, amount_cents: int) -> tuple[str, list[Candidate]]:
    """(line status, the candidates it points to): rapprochee / montant_different (one), ambigue (several),
    jamais_deposee (none)."""
    r = rules()
    possible = [c for c in candidates if may_be_signed_on(c, signed, r)]
    if not possible:
        return "jamais_deposee", []
    same = [c for c in possible if abs(c.amount_cents - amount_cents) <= r.amount_tolerance_cents]
    if len(same) == 1:
        return "rapprochee", same
    if len(possible) == 1:
        return "montant_different", possible
    return "ambigue", same or possible


def convention_status(beneficiary_results: list[str | None]) -> str:
    """From the best line status of each beneficiary (None: no published line) to the convention's."""
    if all(s is None for s in beneficiary_results):
        return "absente"
    if any(s == "ambigue" for s in beneficiary_results):
        return "ambigue"
    if any(s is None for s in beneficiary_results):
        return "partielle"
    if any(s == "montant_different" for s in beneficiary_results):
        return "montant_different"
    return "declaree"
