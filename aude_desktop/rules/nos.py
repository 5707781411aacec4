"""ANS « NOS » codes of each profession (resources/rules/professions.json, `nos`), checked at load.

The national repository (RPPS) names professions by the ANS tables TRE_G15 « Profession de santé »
and TRE_R94 « Profession du social », and the nurses' specialities by TRE_G20 « Spécialisation ».
A missing or malformed code stops the rules from loading: an export would otherwise hand the
order or the ARS a registration without its profession.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROFESSION_TABLES = ("TRE_G15", "TRE_R94")
SPECIALITY_TABLES = ("TRE_G20",)
_CODE = re.compile(r"[0-9]{2,3}")


class NosError(ValueError):
    """The rules data carry a missing or malformed NOS code (the message names the profession)."""


@dataclass(frozen=True)
class NosCode:
    table: str
    code: str
    uncertain: bool = False
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.table} {self.code}"


@dataclass(frozen=True)
class Nos:
    profession: NosCode
    speciality: NosCode | None = None

    @property
    def uncertain(self) -> bool:
        return self.profession.uncertain or bool(self.speciality and self.speciality.uncertain)


def _code(raw, tables: tuple[str, ...], where: str) -> NosCode:
    if not isinstance(raw, dict):
        raise NosError(f"{where} : code NOS absent (objet {{\"table\", \"code\"}} attendu).")
    table, code = raw.get("table"), raw.get("code")
    if table not in tables:
        raise NosError(f"{where} : table NOS « {table} » inattendue ({', '.join(tables)}).")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise NosError(f"{where} : code NOS « {code} » mal formé (2 ou 3 chiffres, en texte).")
    uncertain = raw.get("uncertain", False)
    reason = raw.get("reason", "")
    if not isinstance(uncertain, bool) or (uncertain and not (isinstance(reason, str) and reason.strip())):
        raise NosError(f"{where} : un code incertain dit pourquoi (« reason »).")
    return NosCode(table, code, uncertain, reason if uncertain else "")


def parse_nos(raw, profession_code: str) -> Nos:
    """The `nos` entry of one profession, or NosError naming what is wrong."""
    where = f"Profession « {profession_code} »"
    if not isinstance(raw, dict):
        raise NosError(f"{where} : code NOS absent de professions.json.")
    speciality = raw.get("speciality")
    return Nos(
        profession=_code(raw, PROFESSION_TABLES, where),
        speciality=None if speciality is None else _code(speciality, SPECIALITY_TABLES, f"{where}, spécialité"),
    )


def nos_text(nos: Nos | None) -> str:
    """« TRE_G15 60 », « TRE_G15 60 / TRE_G20 61 » (speciality), « (à confirmer) » when uncertain."""
    if nos is None:
        return ""
    text = str(nos.profession) + (f" / {nos.speciality}" if nos.speciality else "")
    return text + (" (à confirmer)" if nos.uncertain else "")


def nos_columns(nos: Nos | None) -> dict[str, str]:
    """The four NOS cells of an export row (French headers are the caller's)."""
    if nos is None:
        return {"nos_table": "", "nos_code": "", "speciality_table": "", "speciality_code": ""}
    speciality = nos.speciality
    return {"nos_table": nos.profession.table, "nos_code": nos.profession.code,
            "speciality_table": speciality.table if speciality else "", "speciality_code": speciality.code if speciality else ""}
