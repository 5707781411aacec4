"""From a record (dossier or convention payload) to a letter: the values its template names, then the
PDF through the engine. Qt-free; every value is escaped (user data never becomes markup)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm

from aude_desktop.conventions import workflow as eps_workflow
from aude_desktop.conventions.states import REGIME_LABELS
from aude_desktop.conventions.typology import OBJECTS
from aude_desktop.dossiers.forms import MEASURE_LABELS
from aude_desktop.letters import engine
from aude_desktop.letters.templates import PLACEHOLDER, Template, shared_blocks, templates
from aude_desktop.rules.calendar import (
    add_months,
    calendar_for_region,
    extend_to_working_day,
    format_date_fr,
)
from aude_desktop.rules.deadlines import ClockInputError, aude_clock
from aude_desktop.rules.reference import authorities, professions, regions


class LetterNotApplicable(ValueError):
    """This letter cannot be written for this record now (French message: why)."""


@dataclass(frozen=True)
class Signatory:
    first_name: str
    last_name: str
    position: str
    image: bytes | None = None  # the signature, printed above the name


def _d(value: str | None) -> str:
    return format_date_fr(date.fromisoformat(value)) if value else "—"


def _de(label: str) -> str:
    """« d'infirmier (soins généraux) », « de masseur-kinésithérapeute »: a profession inside a sentence."""
    lower = label[:1].lower() + label[1:]
    return f"d'{lower}" if lower[:1] in "aeiouyéèh" else f"de {lower}"


def _code_articles(law: str, procedure: str) -> str:
    code, _, articles = law.partition(" ")
    name = "le code de l'action sociale et des familles" if code == "CASF" else "le code de la santé publique"
    return f"{name}, notamment ses articles {articles} et {procedure}"


def aude_fields(p: dict, today: date, service: str, contact: str) -> tuple[dict, dict]:
    """(values, lists) for the AUDE letters of dossier payload `p`."""
    spec = professions().get(p.get("profession"))
    region = regions().get(p.get("region"))
    applicant = p.get("applicant") or {}
    diploma = p.get("diploma") or {}
    decision = p.get("decision") or {}
    measures = decision.get("measures") or {}
    try:
        clock = aude_clock(p.get("clock_events") or [], p["profession"], p["region"], today)
    except (ClockInputError, KeyError):
        clock = None
    rejection = spec is None or spec.silence_means == "rejection"
    decided = decision.get("decided_on")
    epreuve_deadline = "—"
    if decided:
        due, _ = extend_to_working_day(add_months(date.fromisoformat(decided), 6), calendar_for_region(p["region"]))
        epreuve_deadline = format_date_fr(due)
    # An acknowledgement lists its pièces as « b) …, c) … »: one line each in the letter.
    missing = [item for e in p.get("clock_events") or [] if e["kind"] == "pieces_requested" and e.get("note")
               for item in re.split(r", (?=[a-i]\) )", e["note"])]
    chooses = measures.get("kind") == "au_choix"
    values = {
        "salutation": "Madame" if applicant.get("sex") == "F" else "Monsieur" if applicant.get("sex") == "M" else "Madame, Monsieur",
        "applicant_name": f"{applicant.get('first_names') or ''} {(applicant.get('last_name') or '').upper()}".strip(),
        "birth_date": _d(applicant.get("birth_date")),
        "profession": spec.label if spec else str(p.get("profession")),
        "de_profession": _de(spec.label if spec else str(p.get("profession"))),
        "dossier_reference": str(p.get("reference")),
        "diploma": diploma.get("title") or "—",
        "diploma_country": diploma.get("country") or "—",
        "received_on": _d(p.get("received_on")),
        "implicit_date": format_date_fr(clock.next_date) if clock and clock.next_date and "implicite" in clock.next_label else "—",
        "implicit_nature": "de rejet" if rejection else "d'acceptation",
        "implicit_outcome": "rejetée" if rejection else "acceptée",
        "service": service,
        "contact": contact,
        "region": region.label if region else str(p.get("region")),
        "code_articles": _code_articles(spec.law, spec.procedure) if spec else "le code de la santé publique",
        "avis_date": _d((p.get("avis") or {}).get("on")),
        "decision_date": _d(decided),
        "motifs": decision.get("motifs") or "—",
        "required_level": str(measures.get("required_level") or "—"),
        "held_level": str(measures.get("held_level") or "—"),
        "differences": measures.get("differences") or "voir les matières ci-dessous.",
        "measure": MEASURE_LABELS.get(measures.get("kind"), "—").lower(),
        "choice_sentence": ("Vous disposez d'un délai de deux mois à compter de la notification de la présente décision "
                            "pour faire connaître votre choix entre l'épreuve d'aptitude et le stage d'adaptation."
                            if chooses else "La mesure est imposée par la présente décision, au vu de votre niveau de qualification."),
        "organising_dreets": "la DREETS de la région de votre choix, dans la liste publiée par le ministre chargé de la santé",
        "epreuve_deadline": epreuve_deadline,
    }
    lists = {
        "missing": [m for m in missing] if p.get("state") == "incomplet" else [],
        "requested": [e.get("note") for e in p.get("clock_events") or [] if e["kind"] == "pieces_requested" and e.get("note")][-1:],
        "subjects": list(measures.get("subjects") or []),
        "measures_table": [["Mesure", "Matières", "Durée du stage"],
                           [MEASURE_LABELS.get(measures.get("kind"), "—"), ", ".join(measures.get("subjects") or []),
                            f"{measures['stage_months']} mois" if measures.get("stage_months") else "—"]],
    }
    return values, lists


def eps_fields(p: dict, today: date) -> tuple[dict, dict]:
    authority = authorities().get(p.get("authority"))
    try:
        clock = eps_workflow.clock(p, today)
    except (ClockInputError, KeyError, ValueError):
        clock = None
    decision = p.get("decision") or {}
    modified = "—"
    if decision.get("kind") == "refus" and clock and clock.next_date and "modifiée" in clock.next_label:
        modified = format_date_fr(clock.next_date)
    missing = [e.get("note") for e in p.get("events") or [] if e["kind"] == "incomplete" and e.get("note")]
    name = authority.label if authority else str(p.get("authority"))
    values = {
        "authority": with_article(name),
        "authority_name": name,
        "company": (p.get("company") or {}).get("name") or "—",
        "convention_reference": str(p.get("reference")),
        "object": OBJECTS.get(p.get("object"), str(p.get("object"))).lower(),
        "regime": REGIME_LABELS.get(p.get("regime"), str(p.get("regime"))).lower(),
        "filed_on": _d(p.get("filed_on")),
        "tacit_date": format_date_fr(clock.next_date) if clock and clock.next_date else "—",
        "motifs": decision.get("motifs") or "—",
        "modified_deadline": modified,
    }
    lists = {"missing": missing[-1:], "recommandations": [r.get("text") for r in p.get("recommandations") or []][-1:]}
    conditions = {"autorisation": p.get("regime") == "autorisation"}
    return values, lists | {"__conditions__": conditions}


def with_article(label: str) -> str:
    """« le Conseil national … », « l'ARS … »: authority names inside a sentence."""
    if label.startswith(("Conseil", "Comité")):
        return f"le {label}"
    if label[:1] in "AEIOUÉ":
        return f"l'{label}"
    return label


def _fill(text: str, values: dict) -> str:
    """Template text (trusted, escaped as text) with its placeholders replaced by escaped values."""
    parts, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        parts.append(engine.escape(text[last:match.start()]))
        parts.append(engine.escape(str(values.get(match.group(1), "—"))))
        last = match.end()
    parts.append(engine.escape(text[last:]))
    return "".join(parts)


def flowables(template: Template, values: dict, lists: dict, signatory: Signatory, for_authority: str) -> list:
    conditions = {**{k: bool(v) for k, v in lists.items() if not k.startswith("__")}, **lists.get("__conditions__", {})}
    out = []
    for block in template.blocks:
        if "when" in block and not conditions.get(block["when"]):
            continue
        if "unless" in block and conditions.get(block["unless"]):
            continue
        kind = block["type"]
        if kind == "text":
            out.append(engine.paragraph(_fill(block["text"], values)))
        elif kind == "heading":
            out.append(engine.paragraph(engine.escape(block["text"]), "heading"))
        elif kind == "list":
            out.extend(engine.paragraph("• " + engine.escape(str(item))) for item in lists.get(block["items"]) or [])
        elif kind == "table":
            rows = lists.get(block["rows"]) or []
            if rows:
                out.append(engine.table(rows, [45 * mm, 85 * mm, 40 * mm]))
        elif kind == "block":
            style = "visa" if block["ref"].startswith("visa") else "small"
            out.extend(engine.paragraph(_fill(text, values), style) for text in shared_blocks()[block["ref"]])
        elif kind == "signature":
            out.append(engine.signature_block(signatory.first_name, signatory.last_name, signatory.position, for_authority,
                                              signatory.image))
    return out


APPLICABLE = {
    # kind -> states of the record where the letter makes sense (a letter never precedes its step)
    ("aude", "accuse_reception"): {"incomplet", "complet", "en_commission", "avis_rendu"},
    ("aude", "demande_pieces"): {"incomplet"},
    ("aude", "convocation_epreuve"): {"mesures_compensation"},
    ("aude", "decision_autorisation"): {"autorise", "clos"},
    ("aude", "decision_mesures"): {"mesures_compensation"},
    ("aude", "decision_refus"): {"refuse"},
    ("aude", "decision_irrecevabilite"): {"irrecevable"},
    ("aude", "attestation_ass"): {"autorise", "clos"},
    ("eps", "accuse_reception"): {"recue", "en_instruction", "enregistree", "incomplete", "recommandations"},
    ("eps", "incomplet"): {"incomplete"},
    ("eps", "autorisation"): {"autorisee"},
    ("eps", "refus"): {"refusee"},
    ("eps", "recommandations"): {"recommandations"},
    ("eps", "urgence_non_justifiee"): {"urgence_non_justifiee"},
    ("eps", "attestation_tacite"): {"autorisee_tacitement"},
}


def applicable(procedure: str, payload: dict) -> list[str]:
    """Letter kinds that fit the record's state (and, for AUDE, its profession's path)."""
    kinds = [k for (proc, k), states in APPLICABLE.items() if proc == procedure and payload.get("state") in states]
    if procedure == "aude":
        ass = not professions()[payload["profession"]].has_commission if payload.get("profession") in professions() else False
        kinds = [k for k in kinds if (k == "attestation_ass") == ass or k not in ("attestation_ass", "decision_autorisation")]
    return kinds


def check(procedure: str, kind: str, payload: dict) -> None:
    """Refuse, in French, a letter that does not exist or does not fit the record's state."""
    from aude_desktop.dossiers.intake import is_provisional

    if procedure == "aude" and is_provisional(payload.get("reference")):
        raise LetterNotApplicable(f"Le dossier n'a encore qu'une référence provisoire ({payload.get('reference')}) : "
                                  "synchronisez pour obtenir sa référence définitive avant d'émettre un courrier.")
    if kind not in templates(procedure):
        raise LetterNotApplicable(f"Courrier inconnu : « {kind} ».")
    if kind not in applicable(procedure, payload):
        raise LetterNotApplicable(f"Ce courrier ne correspond pas à l'état {'du dossier' if procedure == 'aude' else 'de la convention'} "
                                  f"(« {_state_label(procedure, payload.get('state'))} »).")


def _state_label(procedure: str, state) -> str:
    from aude_desktop.conventions.states import STATE_LABELS as EPS_LABELS
    from aude_desktop.dossiers.states import STATE_LABELS as AUDE_LABELS

    labels = AUDE_LABELS if procedure == "aude" else EPS_LABELS
    return next((label for code, label in labels.items() if code == state), str(state))


def letter_spec(procedure: str, kind: str, payload: dict, *, reference: str, issued_on: date, signatory: Signatory,
                service: str = "", contact: str = "") -> engine.LetterSpec:
    check(procedure, kind, payload)
    template = templates(procedure)[kind]
    if procedure == "aude":
        values, lists = aude_fields(payload, issued_on, service, contact)
        region = regions().get(payload.get("region"))
        authority = f"le préfet de la région {region.label}" if region else "le préfet de région"
        head = engine.Letterhead(f"Préfet de la région {region.label if region else ''}".strip(),
                                 (f"DREETS {region.label}" if region else "DREETS", service or "Pôle autorisations d'exercice"),
                                 region.dreets_seat if region else "", contact)
        applicant = payload.get("applicant") or {}
        addressee = tuple(x for x in (values["applicant_name"], applicant.get("address"),
                                      f"{applicant.get('postal_code') or ''} {applicant.get('city') or ''}".strip(),
                                      applicant.get("country")) if x)
    else:
        values, lists = eps_fields(payload, issued_on)
        auth = authorities().get(payload.get("authority"))
        authority = with_article(auth.label if auth else str(payload.get("authority")))
        head = engine.Letterhead(auth.label if auth else authority, (service or "Instruction des conventions d'avantages",), auth.seat if auth else "", contact)
        company = payload.get("company") or {}
        addressee = tuple(x for x in (company.get("name"), company.get("address"), f"SIRET {company.get('siret')}" if company.get("siret") else None) if x)
    body = flowables(template, values, lists, signatory, authority)
    return engine.LetterSpec(title=template.title, reference=reference, issued_on=issued_on, letterhead=head,
                             addressee=addressee, body=tuple(body), subject=f"{template.title} — {payload.get('reference')}")


def render(procedure: str, kind: str, payload: dict, **kw) -> bytes:
    return engine.render(letter_spec(procedure, kind, payload, **kw))
