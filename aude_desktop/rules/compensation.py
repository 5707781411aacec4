"""Compensation measures in words (rules data, resources/rules/compensation.json): the qualification
levels of directive 2005/36/CE art. 11, what the épreuve and the stage are, who organises them."""

from __future__ import annotations

import json
from functools import cache

from aude_desktop.paths import resources_dir


@cache
def compensation() -> dict:
    return json.loads((resources_dir() / "rules" / "compensation.json").read_text(encoding="utf-8"))


def level_text(level) -> str:
    """« 3 — diplôme sanctionnant … (article 11, c) »; an unknown level is not described."""
    described = compensation()["levels"].get(str(level))
    return f"niveau {level} : {described}" if described else f"niveau {level} (non décrit dans les règles)"


def organisers(profession: str, deciding_dreets: str) -> tuple[str, bool]:
    """(who organises the measures, uncertain?): the profession's list, else the deciding DREETS."""
    rule = compensation()["organisers"]
    named = rule["by_profession"].get(profession)
    return (", ".join(named) if named else deciding_dreets), bool(rule.get("uncertain"))


@cache
def personal_data() -> dict:
    """The RGPD art. 13 facts of each procedure's notice (retention, DPO), with what is uncertain."""
    return json.loads((resources_dir() / "rules" / "personal_data.json").read_text(encoding="utf-8"))
