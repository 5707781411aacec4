"""« The EPS thresholds in force on date D », decided in one place for every caller.

Inputs are plain data: the rulesets published through the change feed (`aude-central rules
publish`, payloads of `ruleset` records) and the file shipped with the application. Client and
server hold the same published payloads once synced, so `ruleset_in_force` answers the same on
both sides; `convention.create` (client and server), the company filing endpoint, the convention
view and `aude-cli eps classify` all call it (docs/ARCHITECTURE.md, « The ruleset in force »).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from aude_desktop.conventions.thresholds import (
    Ruleset,
    RulesetError,
    default_ruleset,
    parse_ruleset,
)

KIND = "eps_thresholds"


def _usable(published: Iterable[dict]) -> list[Ruleset]:
    """Published payloads this version can read; a file it cannot use never changes the rules."""
    usable = []
    for payload in published:
        if not isinstance(payload, dict) or payload.get("kind") != KIND:
            continue
        try:
            usable.append(parse_ruleset(payload))
        except RulesetError:
            continue
    return usable


def ruleset_in_force(published: Iterable[dict], on: date) -> Ruleset:
    """The ruleset whose effective date is the latest one not after `on`; a published ruleset wins
    over the shipped file on the same date, then the higher version. Before every effective date,
    the shipped file (the regime did not exist before it)."""
    shipped = default_ruleset()
    candidates = [(shipped.effective_from, 0, shipped.version, shipped)]
    candidates += [(r.effective_from, 1, r.version, r) for r in _usable(published)]
    day = on.isoformat()
    in_force = [c for c in candidates if c[0] <= day]
    if not in_force:
        return shipped
    return max(in_force, key=lambda c: c[:3])[3]


def is_shipped(ruleset: Ruleset) -> bool:
    return ruleset is default_ruleset()


def convention_rules_date(payload: dict) -> date | None:
    """The date whose thresholds classify a convention: its filing date (reading adopted, uncertain:
    an arrêté's transitional provisions could name another date, e.g. the signature)."""
    filed_on = payload.get("filed_on")
    try:
        return date.fromisoformat(filed_on) if isinstance(filed_on, str) else None
    except ValueError:
        return None


def local_published(session) -> list[dict]:
    """The rulesets this client received through sync (every one: `ruleset_in_force` skips the
    files it cannot use, as the server's copy of the same payloads would be skipped)."""
    from sqlalchemy import select

    from aude_desktop.store.models import Ruleset as SyncedRuleset

    return list(session.scalars(select(SyncedRuleset.payload).where(SyncedRuleset.kind == KIND)))


def local_in_force(session, on: date) -> Ruleset:
    return ruleset_in_force(local_published(session), on)
