"""A new file from what the agent typed (the Nouveau dossier window, `aude-cli dossiers create`): an
autorisation request (intake.py) or a libre prestation de services declaration (lps_intake.py), by its
`route`. Both builders share intake's identity and region checks; choosing here keeps them free of
each other (intake imports neither)."""

from __future__ import annotations

from datetime import date

from aude_desktop.dossiers import intake, lps_intake
from aude_desktop.dossiers.lps import ROUTE


def build(values: dict, today: date, **options) -> tuple[str, dict, list[str]]:
    """(id, create payload, pièce codes received); IntakeRefused names the field to correct."""
    if values.get("route") == ROUTE:
        return lps_intake.build_declaration(values, today, **options)
    return intake.build(values, today, **options)
