"""The country table (rules data): ISO 3166 alpha-2 codes, French names and their preposition."""

from __future__ import annotations

import json
import re

from aude_desktop.paths import resources_dir
from aude_desktop.rules.countries import countries, find, in_country, names


def test_codes_are_iso_alpha2_and_prepositions_known():
    raw = json.loads((resources_dir() / "rules" / "countries.json").read_text(encoding="utf-8"))
    assert raw["source"]
    for code, entry in raw["countries"].items():
        assert re.fullmatch(r"[A-Z]{2}", code) and entry["in"] in ("en", "au", "aux", "à"), code


def test_in_country_by_code_or_name_never_guesses():
    assert in_country("CA") == "au Canada" and in_country("US") == "aux États-Unis" and in_country("Belgique") == "en Belgique"
    assert in_country("etats-unis") == "aux États-Unis" and in_country("cote d’ivoire") == "en Côte d'Ivoire"
    assert in_country("Malte") == "à Malte" and in_country("Pays-Bas") == "aux Pays-Bas"
    assert in_country("Atlantide") == "dans le pays suivant : Atlantide"  # unknown: no invented article
    assert find("ZZ") is None and find("") is None


def test_every_demo_country_is_in_the_table():
    from central_api.demo_data import EU, THIRD

    assert all(find(c) for c in EU + THIRD + ["France"])
    assert len(names()) == len(countries())
