"""Accès partiel (directive 2005/36/CE art. 4 septies; CSP L.4002-3, R.4002-1 et seq.; routes.md).

The decision follows the opinion of the commission and, for a profession with an order, of that
order: which bodies is rules data (resources/rules/partial_access.json, *uncertain* cells named).
Each opinion is an entry of the payload's `avis_partiel` list with its dates:
`{"body": "commission"|"ordre", "requested_on", "given_on", "opinion", "note"}`. When every required
body has given its opinion the dossier is « Avis rendu »; the decision (`dossier.decide`, kind
`acces_partiel`) names the activities allowed (`activities`) and the professional title to use
(`title`) — names the RPPS export reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache

from aude_desktop.domain.workflows import TransitionRefused, text_arg, texts_arg
from aude_desktop.domain.workflows import date_arg as _date
from aude_desktop.domain.workflows import not_before as _not_before
from aude_desktop.dossiers.states import DossierState
from aude_desktop.paths import resources_dir
from aude_desktop.rules.calendar import calendar_for_region, format_date_fr
from aude_desktop.rules.deadlines import compute, default_rules
from aude_desktop.rules.reference import authorities

S = DossierState
OPINIONS = {"favorable": "favorable", "defavorable": "défavorable"}
DECISION_KINDS = ("acces_partiel", "refus", "irrecevabilite")
AVIS_RULE = {"ordre": "acces_partiel.avis_ordre"}  # the commission's opinion has no délai of its own


@cache
def rules() -> dict:
    return json.loads((resources_dir() / "rules" / "partial_access.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Bodies:
    bodies: tuple[str, ...]
    order: str | None  # authorities.json code
    uncertain: bool

    def label(self, body: str) -> str:
        """« la commission d'autorisation d'exercice », « le Conseil national de l'ordre des infirmiers »."""
        if body == "ordre" and self.order in authorities():
            name = authorities()[self.order].label
            return "le " + name[:1].lower() + name[1:] if name.startswith("Conseil") else name
        return rules()["bodies"][body]["label"]

    def of(self, body: str) -> str:
        label = self.label(body)
        return "du " + label[3:] if label.startswith("le ") else "de " + label


def bodies_for(profession: str) -> Bodies:
    entry = rules()["professions"].get(profession) or rules()["default"]
    return Bodies(tuple(entry["bodies"]), entry.get("order"), bool(entry.get("uncertain")))


def concerns(p: dict) -> bool:
    return bool(p.get("acces_partiel"))


def entries(p: dict) -> list[dict]:
    return list(p.get("avis_partiel") or [])


def _entry(p: dict, body: str) -> dict | None:
    return next((e for e in entries(p) if e.get("body") == body), None)


def missing(p: dict) -> list[str]:
    """Bodies whose opinion is still missing, in the order the rules list them."""
    return [b for b in bodies_for(p["profession"]).bodies if not (_entry(p, b) or {}).get("given_on")]


def _body(p: dict, args: dict) -> str:
    body = args.get("body")
    required = bodies_for(p["profession"])
    if body not in required.bodies:
        names = " et ".join(required.label(b) for b in required.bodies)
        raise TransitionRefused("organe_inconnu", f"Avis demandé à un organe non prévu : pour cette profession, l'accès "
                                f"partiel est décidé après l'avis de {names}.")
    return body


def _require_partial(p: dict) -> None:
    if not concerns(p):
        raise TransitionRefused("reserve_acces_partiel", "Ce dossier n'est pas une demande d'accès partiel : l'avis de la "
                                "commission s'enregistre par « Enregistrer l'avis ».")


def request_avis(p: dict, args: dict) -> dict:
    """The request for an opinion (its letter goes to the body); the order's délai runs from it."""
    _require_partial(p)
    body = _body(p, args)
    day = _date(args, "on", "Date de la demande d'avis")
    _not_before(day, p.get("complete_on") or p["received_on"], "La demande d'avis", "la date du dossier complet")
    entry = _entry(p, body)
    if entry is not None:
        of = bodies_for(p["profession"]).of(body)
        if entry.get("given_on"):
            raise TransitionRefused("avis_deja_rendu", f"L'avis {of} a déjà été rendu le {format_date_fr(date.fromisoformat(entry['given_on']))}.")
        raise TransitionRefused("avis_deja_demande", f"L'avis {of} a déjà été demandé le "
                                f"{format_date_fr(date.fromisoformat(entry['requested_on']))}.")
    p["avis_partiel"] = [*entries(p), {"body": body, "requested_on": day.isoformat(), "given_on": None, "opinion": None, "note": None}]
    p.setdefault("clock_events", []).append({"on": day.isoformat(), "kind": "avis_requested", "note": body})
    return p


def record_avis(p: dict, args: dict) -> dict:
    """One body's opinion; the last one required makes the dossier « Avis rendu »."""
    _require_partial(p)
    body = _body(p, args)
    opinion = args.get("opinion")
    if opinion not in OPINIONS:
        raise TransitionRefused("avis_invalide", "Avis inconnu : favorable ou défavorable.")
    day = _date(args, "on", "Date de l'avis")
    entry = _entry(p, body)
    of = bodies_for(p["profession"]).of(body)
    if entry is None and body != "commission":
        raise TransitionRefused("avis_non_demande", f"Demandez d'abord l'avis {of} : le délai de sa réponse court de cette demande.")
    if entry is not None and entry.get("given_on"):
        raise TransitionRefused("avis_deja_rendu", f"L'avis {of} a déjà été enregistré "
                                f"(rendu le {format_date_fr(date.fromisoformat(entry['given_on']))}).")
    _not_before(day, (entry or {}).get("requested_on") or p.get("complete_on") or p["received_on"], "L'avis", "sa demande")
    given = {"body": body, "requested_on": (entry or {}).get("requested_on"), "given_on": day.isoformat(), "opinion": opinion,
             "note": text_arg(args, "note", "Observations") or None}
    p["avis_partiel"] = [given if e.get("body") == body else e for e in entries(p)] if entry else [*entries(p), given]
    p.setdefault("clock_events", []).append({"on": day.isoformat(), "kind": "avis_given", "note": body})
    if not missing(p):
        given_all = [e for e in p["avis_partiel"] if e.get("given_on")]
        last = max(e["given_on"] for e in given_all)
        favourable = all(e["opinion"] == "favorable" for e in given_all)
        p["avis"] = {"kind": "favorable" if favourable else "defavorable", "on": last,
                     "motifs": "; ".join(e["note"] for e in given_all if e.get("note"))}
        p["state"] = S.AVIS_RENDU
        p["clock_events"].append({"on": last, "kind": "avis", "note": p["avis"]["kind"]})
    return p


def decision_terms(p: dict, kind: str, args: dict) -> dict:
    """Checks of `dossier.decide` on a partial-access request; the extra fields of the decision."""
    if not concerns(p):
        raise TransitionRefused("reserve_acces_partiel", "L'accès partiel ne se décide que sur une demande d'accès partiel.")
    if kind not in DECISION_KINDS:
        raise TransitionRefused("decision_invalide", "Sur une demande d'accès partiel, la décision est l'accès partiel, "
                                "le refus ou l'irrecevabilité.")
    waiting = missing(p)
    if waiting and kind != "irrecevabilite":
        spec = bodies_for(p["profession"])
        raise TransitionRefused("avis_requis", "L'accès partiel ne peut être décidé qu'après l'avis "
                                + " et l'avis ".join(spec.of(b) for b in spec.bodies)
                                + f" : avis manquant {' et '.join(spec.of(b) for b in waiting)}.")
    if kind != "acces_partiel":
        return {}
    activities = texts_arg(args, "activities", "Activités autorisées")
    if not activities:
        raise TransitionRefused("activites_requises", "Nommez les activités que l'accès partiel autorise (une par ligne).")
    title = text_arg(args, "title", "Titre professionnel", limit=300)
    if not title:
        raise TransitionRefused("titre_requis", "Indiquez le titre professionnel sous lequel les activités seront exercées.")
    return {"activities": activities, "title": title}


@dataclass(frozen=True)
class AvisDue:
    body: str
    label: str
    requested_on: date
    due: date
    steps: tuple[str, ...]
    uncertain: bool


def avis_deadlines(p: dict) -> list[AvisDue]:
    """The date by which each pending opinion that has a délai is expected (rules data, the DREETS
    calendar: the délai is counted by the authority that waits for it)."""
    if not concerns(p):
        return []
    rules_ = default_rules()
    spec = bodies_for(p["profession"])
    out = []
    for e in entries(p):
        rule = AVIS_RULE.get(e.get("body"))
        if rule is None or e.get("given_on") or not e.get("requested_on"):
            continue
        start = date.fromisoformat(e["requested_on"])
        deadline = compute(rules_, rule, start, calendar_for_region(p["region"]))
        out.append(AvisDue(e["body"], spec.label(e["body"]), start, deadline.due, deadline.steps, rule in UNCERTAIN_RULES))
    return out


UNCERTAIN_RULES = {"acces_partiel.avis_ordre"}


def summary(p: dict) -> list[str]:
    """One French line per opinion, for the dossier view: requested, expected by, given."""
    if not concerns(p):
        return []
    spec = bodies_for(p["profession"])
    dues = {d.body: d for d in avis_deadlines(p)}
    lines = []
    for body in spec.bodies:
        e = _entry(p, body) or {}
        text = f"Avis {spec.of(body)}"
        if e.get("given_on"):
            text += f" : {OPINIONS.get(e.get('opinion'), e.get('opinion'))}, rendu le {format_date_fr(date.fromisoformat(e['given_on']))}"
            if e.get("note"):
                text += f" — {e['note']}"
        elif e.get("requested_on"):
            text += f" : demandé le {format_date_fr(date.fromisoformat(e['requested_on']))}"
            if body in dues:
                text += f", attendu au plus tard le {format_date_fr(dues[body].due)}" + (" (délai à vérifier)" if dues[body].uncertain else "")
        else:
            text += " : à demander" if body != "commission" else " : à recueillir"
        lines.append(text)
    if spec.uncertain:
        lines.append("Organes consultés pour cette profession : à vérifier (paramétrage).")
    return lines
