"""Reference data of both procedures (professions, regions, authorities), loaded from resources/rules.

These are rules data, not code: a changed competent region or a moved authority seat is an edit of
the JSON files. Fields that the domain notes mark as uncertain are listed in each entry's
`uncertain` so the UI can show them as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from aude_desktop.paths import resources_dir
from aude_desktop.rules.nos import Nos, parse_nos


@dataclass(frozen=True)
class Region:
    code: str
    insee: str
    label: str
    dreets_seat: str
    holiday_subdiv: str | None  # calendar of the DREETS seat (dates.md): Strasbourg → Alsace
    ars_holiday_subdiv: str | None  # calendar of the ARS seat: Grand Est ARS sits in Nancy


@dataclass(frozen=True)
class Profession:
    number: int
    code: str
    label: str
    law: str
    procedure: str | None
    competent_region: str | None  # None: the region where the applicant settles
    competent_region_rule: str
    has_commission: bool
    silence_means: str  # "rejection" or "acceptance" (aude.md §5)
    silence_source: str
    outcome: str
    uncertain: tuple[str, ...] = ()
    deass_exam_centres: tuple[str, ...] = ()
    # Letters: the visas that depend on the profession, the minister of the recours hiérarchique
    # and the code the profession belongs to (rules data, with their source).
    visas: tuple[str, ...] = ()
    visas_source: str = ""
    minister: str = "le ministre chargé de la santé"
    code_name: str = "le code de la santé publique"
    nos: Nos | None = None  # ANS code of the profession (and speciality), rules/nos.py

    @property
    def de_label(self) -> str:
        """« d'infirmier (soins généraux) », « de masseur-kinésithérapeute »: the profession inside a sentence."""
        lower = self.label[:1].lower() + self.label[1:]
        return f"d'{lower}" if lower[:1] in "aeiouyéèh" else f"de {lower}"


@dataclass(frozen=True)
class Authority:
    code: str
    kind: str  # ordre, ars, cnom
    label: str
    seat: str
    holiday_subdiv: str | None
    professions: tuple[str, ...] = ()
    region: str | None = None
    pharmacist_section: str | None = None
    read_only_import: bool = False
    extra: dict = field(default_factory=dict, compare=False)


def _load(name: str) -> dict:
    with open(resources_dir() / "rules" / name, encoding="utf-8") as handle:
        return json.load(handle)


@cache
def regions() -> dict[str, Region]:
    return {r["code"]: Region(**r) for r in _load("regions.json")["regions"]}


@cache
def professions() -> dict[str, Profession]:
    out = {}
    for p in _load("professions.json")["professions"]:
        p = dict(p)
        p["uncertain"] = tuple(p.get("uncertain", ()))
        p["deass_exam_centres"] = tuple(p.get("deass_exam_centres", ()))
        p["visas"] = tuple(p.get("visas", ()))
        p["nos"] = parse_nos(p.get("nos"), p["code"])
        out[p["code"]] = Profession(**p)
    return out


@cache
def acces_partiel_region() -> str:
    return _load("professions.json")["acces_partiel_region"]


@cache
def authorities() -> dict[str, Authority]:
    out = {}
    for a in _load("authorities.json")["authorities"]:
        a = dict(a)
        a["professions"] = tuple(a.get("professions", ()))
        out[a["code"]] = Authority(**a)
    return out
