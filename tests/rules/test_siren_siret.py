"""SIREN and SIRET: length, Luhn key, and La Poste's SIRETs (digit sum a multiple of 5)."""

from __future__ import annotations

import pytest

from aude_desktop.rules.identifiers import (
    luhn_check_digit,
    siren_error,
    siren_is_valid,
    siret_error,
    siret_is_valid,
)


@pytest.mark.parametrize(("value", "valid"), [
    ("732829320", True), ("552100554", True), ("356000000", True),  # La Poste's SIREN
    ("732829321", False), ("73282932", False), ("7328293200", False), ("73282932A", False), ("", False),
    ("732 829 320", True),  # spaces as printed on a Kbis
])
def test_siren(value, valid):
    assert siren_is_valid(value) is valid
    assert (siren_error(value) is None) is valid


@pytest.mark.parametrize(("value", "valid"), [
    ("73282932000074", True), ("73282932000075", False), ("7328293200007", False),
    ("35600000000048", False),  # La Poste: Luhn key right but digit sum 26, not a multiple of 5
    ("35600000049837", True),  # a La Poste SIRET: digits sum to 45, a multiple of 5 (its Luhn key fails)
    ("35600000000030", False),  # La Poste: digit sum 17 (Luhn right as well)
])
def test_siret(value, valid):
    assert siret_is_valid(value) is valid
    assert (siret_error(value) is None) is valid


def test_every_luhn_siren_is_valid_and_one_digit_off_is_not():
    for body in ("12345678", "98765432", "40483304"):
        good = body + luhn_check_digit(body)
        assert siren_is_valid(good)
        bad = body + str((int(good[-1]) + 1) % 10)
        assert not siren_is_valid(bad)
