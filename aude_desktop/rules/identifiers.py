"""Validation of the identifiers named in eps.md §7 (RPPS, SIREN, SIRET, INE)."""

from __future__ import annotations

import re

LA_POSTE_SIREN = "356000000"  # La Poste's SIRETs use a digit-sum rule instead of Luhn


def luhn_ok(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial + digit` pass the Luhn check (used to build demo identifiers)."""
    for digit in "0123456789":
        if luhn_ok(partial + digit):
            return digit
    raise AssertionError("unreachable: one Luhn digit always fits")


def _digits(value: str) -> str:
    return re.sub(r"[\s.]", "", value or "")


def rpps_error(value: str) -> str | None:
    """None when valid, else a French message. Accepts 11 digits or the 12-character '8'-prefixed form."""
    v = _digits(value)
    if len(v) == 12 and v.startswith("8"):
        v = v[1:]
    if not v.isdigit() or len(v) != 11:
        return "Le numéro RPPS doit comporter 11 chiffres (ou 12 avec le préfixe 8)."
    if not luhn_ok(v):
        return "Le numéro RPPS est invalide : la clé de contrôle (Luhn) ne correspond pas."
    return None


def siren_error(value: str) -> str | None:
    v = _digits(value)
    if not v.isdigit() or len(v) != 9:
        return "Le SIREN doit comporter 9 chiffres."
    if not luhn_ok(v):
        return "Le SIREN est invalide : la clé de contrôle (Luhn) ne correspond pas."
    return None


def siret_error(value: str) -> str | None:
    v = _digits(value)
    if not v.isdigit() or len(v) != 14:
        return "Le SIRET doit comporter 14 chiffres."
    if v.startswith(LA_POSTE_SIREN):
        if sum(int(c) for c in v) % 5 != 0:
            return "Le SIRET de La Poste est invalide : la somme des chiffres doit être un multiple de 5."
        return None
    if not luhn_ok(v):
        return "Le SIRET est invalide : la clé de contrôle (Luhn) ne correspond pas."
    return None


def siren_is_valid(value: str) -> bool:
    """9 digits with a Luhn key; La Poste's SIREN (356000000) is accepted as such."""
    v = _digits(value)
    return v.isdigit() and len(v) == 9 and (v == LA_POSTE_SIREN or luhn_ok(v))


def siret_is_valid(value: str) -> bool:
    """14 digits with a Luhn key; La Poste's SIRETs (SIREN 356000000): digit sum a multiple of 5."""
    v = _digits(value)
    if not v.isdigit() or len(v) != 14:
        return False
    if v.startswith(LA_POSTE_SIREN):
        return sum(int(c) for c in v) % 5 == 0
    return luhn_ok(v)


INE_SHAPES = (
    re.compile(r"^\d{9}[A-HJK]{2}$"),  # INE-RNIE (universités)
    re.compile(r"^\d{10}[A-HJK]$"),  # INE-BEA (base élèves)
    re.compile(r"^[0-9A-Z]{10}\d$"),  # INE-SIFA / other academies
)


def ine_warning(value: str) -> str | None:
    """INE formats vary by origin: a shape we do not know is a warning, never a silent reject."""
    v = (value or "").strip().upper()
    if len(v) != 11 or not v.isalnum():
        return "L'INE doit comporter 11 caractères alphanumériques : vérifiez la saisie."
    if not any(shape.match(v) for shape in INE_SHAPES):
        return "Format d'INE inhabituel : vérifiez-le auprès de l'établissement (accepté sous réserve)."
    return None
