"""Who sees and who changes what. The server is the one place that enforces it.

- agent_dreets: the dossiers and pièces of their region;
- ordre: the conventions of their authority (a national council, or a pharmacists' section);
- ars: the conventions of the ARS of their region;
- dgos: everything, read-only (with the Transparence Santé per-company table);
- transparence (a convention's Transparence Santé status): its authority, read-only;
- annotations: only their author, whatever the role.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, true
from sqlalchemy.sql.elements import ColumnElement

from aude_desktop.domain.commands import Actor, instructing_authority
from central_api.db import Record, ScopeExit

AUDE_KINDS = ("dossier", "piece", "commission_session", "epreuve_session", "letter")
EPS_KINDS = ("convention", "letter")
# Written by the server only (Transparence Santé import): read by the convention's authority.
EPS_READ_KINDS = (*EPS_KINDS, "transparence")
SHARED_KINDS = ("ruleset",)  # published by the server only (aude-central rules publish)


def visible(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `records` for what `actor` may receive."""
    own_notes = and_(Record.kind == "annotation", Record.owner == actor.login)
    rules = Record.kind.in_(SHARED_KINDS)  # rules files: everyone receives them
    if actor.role == "dgos":
        return or_(Record.kind != "annotation", own_notes)
    if actor.role == "agent_dreets":
        return or_(and_(Record.region == actor.region, Record.kind.in_(AUDE_KINDS)), own_notes, rules)
    authority = instructing_authority(actor)
    if authority:
        return or_(and_(Record.authority == authority, Record.kind.in_(EPS_READ_KINDS)), own_notes, rules)
    return ~true()


def exits_visible(actor: Actor) -> ColumnElement[bool] | None:
    """SQL condition on `scope_exits`: the tombstones of records that left the actor's scope (None:
    nothing ever leaves it — DGOS sees every region and authority)."""
    if actor.role == "agent_dreets":
        return and_(ScopeExit.region == actor.region, ScopeExit.kind.in_(AUDE_KINDS))
    authority = instructing_authority(actor)
    if authority:
        return and_(ScopeExit.authority == authority, ScopeExit.kind.in_(EPS_KINDS))
    return None


def may_see(actor: Actor, kind: str, region: str | None, authority: str | None, owner: str | None) -> bool:
    """The same rule as `visible`, for one record in Python (mutations, attachments)."""
    if kind == "annotation":
        return owner == actor.login
    if kind in SHARED_KINDS:
        return True
    if actor.role == "dgos":
        return True
    if actor.role == "agent_dreets":
        return kind in AUDE_KINDS and region == actor.region
    return kind in EPS_READ_KINDS and authority is not None and authority == instructing_authority(actor)


def may_write_kind(actor: Actor, kind: str) -> bool:
    if actor.role == "dgos":
        return False
    if kind == "annotation":
        return True
    if actor.role == "agent_dreets":
        return kind in AUDE_KINDS
    return kind in EPS_KINDS
