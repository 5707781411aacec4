"""`GET /api/v1/reference/professions`: the professions of the procedure with their ANS NOS codes and
the body that registers each (rules data, public: no personal data, no sign-in)."""

from __future__ import annotations

from fastapi import FastAPI

from aude_desktop.rules.nos import NosCode
from aude_desktop.rules.reference import professions
from aude_desktop.rules.registration import receiving_body


def _code(code: NosCode | None) -> dict | None:
    if code is None:
        return None
    return {"table": code.table, "code": code.code, "uncertain": code.uncertain, **({"reason": code.reason} if code.uncertain else {})}


def profession_entries() -> list[dict]:
    out = []
    for p in professions().values():
        # the ARS depends on the region: `registered_by` names an order, or "ARS" (of the dossier's region)
        body = receiving_body(p.code, "IDF")
        out.append({"code": p.code, "label": p.label, "nos": _code(p.nos.profession if p.nos else None),
                    "speciality": _code(p.nos.speciality if p.nos else None),
                    "registered_by": body.code if body.kind == "ordre" else "ARS"})
    return out


def install(app: FastAPI) -> None:
    @app.get("/api/v1/reference/professions", tags=["référentiels"])
    def reference_professions():
        return {"professions": profession_entries()}
