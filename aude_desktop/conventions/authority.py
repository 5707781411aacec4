"""Competent authority of a convention, derived from its beneficiaries (eps.md §2, R.1453-15)."""

from __future__ import annotations

from aude_desktop.conventions.typology import ORDER_OF_PROFESSION, PHARMACIST_SECTIONS
from aude_desktop.rules.reference import regions


class RoutingError(ValueError):
    """The convention cannot be routed; the message says why in French."""


def authority_of(beneficiary: dict, signing_region: str | None) -> str:
    category = beneficiary.get("category")
    profession = beneficiary.get("profession")
    if category in ("professionnel", "etudiant"):
        if profession == "medecin":
            raise RoutingError(
                "Les conventions avec des médecins relèvent du Conseil national de l'ordre des médecins, "
                "hors EPS : déposez-la sur sa plateforme."
            )
        if profession in ORDER_OF_PROFESSION:
            return ORDER_OF_PROFESSION[profession]
        if profession == "pharmacien":
            section = beneficiary.get("pharmacist_section")
            if section not in PHARMACIST_SECTIONS:
                raise RoutingError(
                    "Pour un pharmacien, indiquez la section de l'ordre (A, B, C, D, E, G ou H) : "
                    "le conseil central de cette section instruit la convention."
                )
            return f"ORDRE-PH-{section}"
    # Professions without an order, associations (even of ordered professionals), public agents.
    if signing_region not in regions():
        raise RoutingError("Indiquez la région de signature : l'ARS de cette région instruit la convention.")
    return f"ARS-{signing_region}"


def competent_authorities(beneficiaries: list[dict], signing_region: str | None) -> list[str]:
    """Every authority concerned, in order of first appearance. Several: each handles its own
    beneficiaries (inference, eps.md §2 — uncertain)."""
    seen: list[str] = []
    for beneficiary in beneficiaries:
        authority = authority_of(beneficiary, signing_region)
        if authority not in seen:
            seen.append(authority)
    return seen
