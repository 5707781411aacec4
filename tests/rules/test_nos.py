"""NOS codes of the professions (ANS TRE_G15 / TRE_R94, specialities TRE_G20) and who registers whom."""

from __future__ import annotations

import json

import pytest

from aude_desktop.paths import resources_dir
from aude_desktop.rules.nos import NosError, nos_columns, parse_nos
from aude_desktop.rules.reference import professions
from aude_desktop.rules.registration import receiving_body

# Checked by hand against the ANS tables (sources in professions.json, « nos_source »).
EXPECTED = {
    "infirmier": "60", "ibode": "60", "iade": "60", "puericultrice": "60", "masseur_kinesitherapeute": "70",
    "pedicure_podologue": "80", "audioprothesiste": "26", "opticien_lunetier": "28", "assistant_dentaire": "31",
    "physicien_medical": "32", "aide_soignant": "35", "ambulancier": "36", "auxiliaire_puericulture": "37",
    "preparateur_pharmacie_hospitaliere": "38", "preparateur_pharmacie": "39", "orthoprothesiste": "81",
    "podo_orthesiste": "82", "orthopediste_orthesiste": "83", "oculariste": "84", "epithesiste": "85",
    "technicien_laboratoire": "86", "orthophoniste": "91", "orthoptiste": "92", "ergotherapeute": "94",
    "dieteticien": "95", "psychomotricien": "96", "manipulateur_erm": "98",
}


def test_every_profession_carries_its_nos_code():
    loaded = professions()
    assert set(loaded) == set(EXPECTED) | {"assistant_service_social"}
    for code, expected in EXPECTED.items():
        assert (loaded[code].nos.profession.table, loaded[code].nos.profession.code) == ("TRE_G15", expected), code
    social = loaded["assistant_service_social"].nos.profession
    assert (social.table, social.code) == ("TRE_R94", "41")
    specialities = {c: (p.nos.speciality.table, p.nos.speciality.code) for c, p in loaded.items() if p.nos.speciality}
    assert specialities == {"iade": ("TRE_G20", "61"), "ibode": ("TRE_G20", "62"), "puericultrice": ("TRE_G20", "07")}
    assert loaded["puericultrice"].nos.uncertain and "puériculture" in loaded["puericultrice"].nos.speciality.reason
    assert nos_columns(loaded["iade"].nos) == {"nos_table": "TRE_G15", "nos_code": "60", "speciality_table": "TRE_G20",
                                               "speciality_code": "61"}


@pytest.mark.parametrize("raw, said", [
    (None, "absent"),
    ({"table": "TRE_G15"}, "mal formé"),
    ({"table": "TRE_G15", "code": 60}, "mal formé"),
    ({"table": "TRE_G15", "code": "6O"}, "mal formé"),
    ({"table": "TRE_X99", "code": "60"}, "inattendue"),
    ({"table": "TRE_G15", "code": "60", "speciality": {"table": "TRE_G15", "code": "61"}}, "inattendue"),
    ({"table": "TRE_G15", "code": "60", "uncertain": True}, "pourquoi"),
])
def test_a_missing_or_malformed_code_stops_the_rules(raw, said):
    with pytest.raises(NosError, match=said):
        parse_nos(raw, "infirmier")


def test_the_shipped_file_has_a_nos_entry_for_each_profession():
    data = json.loads((resources_dir() / "rules" / "professions.json").read_text(encoding="utf-8"))
    for entry in data["professions"]:
        parse_nos(entry.get("nos"), entry["code"])  # raises on the first bad one
    assert {"TRE_G15", "TRE_R94", "TRE_G20"} <= set(data["nos_source"])


def test_orders_register_their_professions_and_specialities_the_ars_the_others():
    assert receiving_body("infirmier", "OCC").code == "ORDRE-INF"
    assert receiving_body("ibode", "BRE").code == "ORDRE-INF"  # a nurse's speciality: same NOS code 60
    assert receiving_body("masseur_kinesitherapeute", "OCC").code == "ORDRE-MK"
    assert receiving_body("pedicure_podologue", "IDF").code == "ORDRE-PP"
    assert receiving_body("orthoptiste", "PDL").code == "ARS-PDL"
    assert receiving_body("assistant_service_social", "GES").code == "ARS-GES"
