"""Who registers an authorised professional (RPPS hand-off): the order, or the ARS of the region.

Rule (professions.json, `registration`): the order whose entry in authorities.json names the
profession — or a profession with the same NOS code (IBODE, IADE and puéricultrice are nurses, code
60, so the nurses' order) —, otherwise the ARS of the dossier's region (uncertain: the ARS of the
place of practice, which the dossier does not know).
"""

from __future__ import annotations

from functools import cache

from aude_desktop.rules.reference import Authority, authorities, professions


@cache
def _orders_by_nos() -> dict[tuple[str, str], Authority]:
    by_code = {}
    for authority in authorities().values():
        if authority.kind != "ordre":
            continue
        for code in authority.professions:
            profession = professions().get(code)
            if profession is not None and profession.nos is not None:
                by_code[(profession.nos.profession.table, profession.nos.profession.code)] = authority
    return by_code


def receiving_body(profession_code: str, region: str) -> Authority:
    """The order or ARS that registers this profession; KeyError for an unknown profession or region."""
    profession = professions()[profession_code]
    nos = profession.nos.profession if profession.nos else None
    order = _orders_by_nos().get((nos.table, nos.code)) if nos else None
    if order is not None:
        return order
    return authorities()[f"ARS-{region}"]
