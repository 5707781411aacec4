"""From a record (dossier or convention payload) to a letter: the values its template names, then the
PDF through the engine. Qt-free; every value is escaped (user data never becomes markup)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from aude_desktop.conventions import workflow as eps_workflow
from aude_desktop.conventions.states import REGIME_LABELS
from aude_desktop.conventions.typology import OBJECTS
from aude_desktop.letters import engine
from aude_desktop.letters import routes as letter_routes
from aude_desktop.letters.sender import Sender
from aude_desktop.letters.templates import PLACEHOLDER, Template, shared_blocks, templates
from aude_desktop.rules.calendar import (
    add_months,
    calendar_for_authority,
    calendar_for_region,
    format_date_fr,
)
from aude_desktop.rules.compensation import compensation, level_text, personal_data
from aude_desktop.rules.compensation import organisers as organisers_for
from aude_desktop.rules.countries import in_country
from aude_desktop.rules.courts import court_for
from aude_desktop.rules.deadlines import (
    ClockInputError,
    aude_clock,
    compute,
    default_rules,
    from_notification,
    in_words,
    notified_on,
)
from aude_desktop.rules.pieces import code_pattern
from aude_desktop.rules.reference import authorities, professions, regions


class LetterNotApplicable(ValueError):
    """This letter cannot be written for this record now (French message: why)."""


@dataclass(frozen=True)
class Signatory:
    first_name: str
    last_name: str
    position: str
    image: bytes | None = None  # the signature, printed above the name


NBSP = "\u00a0"


def _date_text(d: date) -> str:
    """« 12 mai 2026 » that never breaks across lines."""
    return format_date_fr(d).replace(" ", NBSP)


def _d(value: str | None) -> str:
    return _date_text(date.fromisoformat(value)) if value else ""


def _du(phrase: str) -> str:
    """« le ministre … » → « du ministre … », « l'ARS … » → « de l'ARS … »: never « de le »."""
    if phrase.startswith("le "):
        return "du " + phrase[3:]
    if phrase.startswith("les "):
        return "des " + phrase[4:]
    return "de " + phrase


def _code_articles(spec) -> str:
    _code, _, articles = spec.law.partition(" ")
    return f"{spec.code_name}, notamment ses articles {articles}" + (f" et {spec.procedure}" if spec.procedure else "")


def _agreement(applicant: dict) -> dict:
    """Madame / Monsieur and the agreement that follows from it: no « né(e) » in a letter."""
    sex = applicant.get("sex")
    if sex not in ("F", "M"):
        raise LetterNotApplicable("Civilité du demandeur non renseignée (Madame ou Monsieur) : complétez l'identité "
                                  "avant d'émettre ce courrier, qui doit s'accorder avec elle.")
    female = sex == "F"
    return {"salutation": "Madame" if female else "Monsieur", "e": "e" if female else "",
            "interesse": "l'intéressée" if female else "l'intéressé", "il": "elle" if female else "il"}


def _split_pieces(note: str) -> list[str]:
    # A request lists its pièces as « b) …, c) … » (or one per line): one line each in the letter.
    return [x.strip() for x in re.split(rf"\n|, (?={code_pattern()}\) )", note) if x.strip()]


PIECE_STATUS = {"manquant": "", "non_conforme": " (pièce non conforme)",
                "traduction_requise": " (traduction par un traducteur agréé requise)"}


def _missing_pieces(p: dict) -> list[str]:
    """Every piece still missing — never only the last request: the checklist's pieces not received, then
    what the requests since the file was last complete asked for beyond the checklist."""
    pieces = p.get("pieces") or []
    status = {x.get("code"): x.get("status") for x in pieces}
    out = [f"{x.get('code')}) {x.get('label')}{PIECE_STATUS[x.get('status')]}" for x in pieces if x.get("status") in PIECE_STATUS]
    requested: list[str] = []
    for e in p.get("clock_events") or []:
        if e["kind"] == "complete":
            requested = []
        elif e["kind"] == "pieces_requested" and e.get("note"):
            requested += [x for x in _split_pieces(e["note"]) if x not in requested]
    return out + [x for x in requested if not re.match(rf"({code_pattern()})\) ", x) or x[0] not in status]


def _implicit_date(p: dict, region: str, today: date) -> str:
    events = list(p.get("clock_events") or [])
    if not any(e["kind"] == "acknowledged" for e in events):
        events.append({"on": today.isoformat(), "kind": "acknowledged", "note": None})
    try:
        clock = aude_clock(events, p["profession"], region, today)
    except (ClockInputError, KeyError):
        clock = None
    if clock and clock.next_date and "implicite" in clock.next_label:
        return _date_text(clock.next_date)
    start = p.get("complete_on") or p.get("received_on")  # a record without its clock history
    if not start:
        return ""
    return _date_text(compute(default_rules(), "aude.decision", date.fromisoformat(start), calendar_for_region(region)).due)


MEASURE_WORDS = {
    "au_choix": "une épreuve d'aptitude ou un stage d'adaptation, à votre choix",
    "epreuve": "une épreuve d'aptitude",
    "stage": "un stage d'adaptation",
    "epreuve_et_stage": "une épreuve d'aptitude et un stage d'adaptation",
}


def aude_fields(p: dict, today: date, sender: Sender) -> tuple[dict, dict]:
    """(values, lists) for the AUDE letters of dossier payload `p`."""
    spec = professions().get(p.get("profession"))
    if spec is None:
        raise LetterNotApplicable(f"Profession inconnue des règles : « {p.get('profession')} ».")
    region = regions().get(p.get("region"))
    if region is None:
        raise LetterNotApplicable(f"Région inconnue des règles : « {p.get('region')} ».")
    applicant = p.get("applicant") or {}
    diploma = p.get("diploma") or {}
    decision = p.get("decision") or {}
    measures = decision.get("measures") or {}
    avis = p.get("avis") or {}
    acceptance = spec.silence_means == "acceptance"
    kind = measures.get("kind")
    court = court_for("aude", region.code, sender.court_override)
    organisers, _uncertain = organisers_for(spec.code, f"la DREETS {region.label}")
    cal = calendar_for_region(region.code)
    missing = _missing_pieces(p)
    session = p.get("epreuve_session") or {}
    values = {
        **_agreement(applicant),
        "applicant_name": f"{applicant.get('first_names') or ''} {(applicant.get('last_name') or '').upper()}".strip(),
        "birth_date": _d(applicant.get("birth_date")),
        "profession": spec.label,
        "de_profession": spec.de_label,
        "dossier_reference": str(p.get("reference")),
        "diploma": diploma.get("title") or "",
        "in_country": in_country(diploma.get("country")),
        "received_on": _d(p.get("received_on")),
        "implicit_date": _implicit_date(p, region.code, today),
        "implicit_nature": "d'acceptation" if acceptance else "de rejet",
        "implicit_outcome": "acceptée" if acceptance else "rejetée",
        "pieces_deadline": _date_text(compute(default_rules(), "aude.pieces_reply", today, cal).due),
        "service": sender.service,
        "region": region.label,
        "court": court.name,
        "to_minister": _du(spec.minister),
        "code_articles": _code_articles(spec),
        "avis_date": _d(avis.get("on")),
        "decision_date": _d(decision.get("decided_on")),
        "motifs": decision.get("motifs") or "",
        "required_level": level_text(measures.get("required_level")) if measures.get("required_level") else "",
        "held_level": level_text(measures.get("held_level")) if measures.get("held_level") else "",
        "differences": measures.get("differences") or ", ".join(measures.get("subjects") or []),
        "measure": MEASURE_WORDS.get(kind, ""),
        "epreuve_content": compensation()["epreuve"]["content"],
        "epreuve_within": compensation()["epreuve"]["within"],
        "stage_content": compensation()["stage"]["content"],
        "stage_duration": f"{measures['stage_months']}{NBSP}mois" if measures.get("stage_months") else "",
        "stage_at_most": compensation()["stage"]["at_most"],
        "organising_dreets": organisers,
        "service_email": sender.email,
        "retention": personal_data()["aude"]["retention"],
        "dpo": personal_data()["aude"]["dpo"],
        "epreuve_deadline": epreuve_limit(p),
        "session_date": _d(session.get("session_on")),
        "session_time": hour_fr(session.get("starts_at")),
        "session_place": session.get("address") or "",
        "session_bring": session.get("bring") or "une pièce d'identité en cours de validité et la présente convocation",
    }
    route_values, route_lists, route_conditions = letter_routes.fields(p)
    values.update(route_values)
    lists = {
        **route_lists,
        "missing": missing,
        "subjects": list(measures.get("subjects") or []),
        "profession_visas": [_fill_plain(v, values) for v in spec.visas],
        "__conditions__": {
            "missing": bool(missing), "complete": not missing, "acceptance": acceptance, "rejection": not acceptance,
            "avis": bool(avis.get("on")), "chooses": kind == "au_choix", "imposed": kind in ("epreuve", "stage", "epreuve_et_stage"),
            "epreuve": kind in ("au_choix", "epreuve", "epreuve_et_stage"), "stage": kind in ("au_choix", "stage", "epreuve_et_stage"),
            "stage_duration": bool(measures.get("stage_months")), **route_conditions,
        },
    }
    if p.get("route") == "lps":  # a libre prestation de services declaration: its own dates and words
        from aude_desktop.letters.lps_fields import lps_fields

        return lps_fields(p, values, lists)
    return values, lists


def _fill_plain(text: str, values: dict) -> str:
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), text)


def eps_fields(p: dict, today: date, sender: Sender) -> tuple[dict, dict]:
    authority = authorities().get(p.get("authority"))
    if authority is None:
        raise LetterNotApplicable(f"Autorité inconnue des règles : « {p.get('authority')} ».")
    try:
        clock = eps_workflow.clock(p, today)
    except (ClockInputError, KeyError, ValueError):
        clock = None
    decision = p.get("decision") or {}
    events = p.get("events") or []
    missing = [x for e in events if e["kind"] == "incomplete" and e.get("note") for x in _split_pieces(e["note"])]
    refused_urgency = [e.get("note") for e in events if e["kind"] == "urgency_refused"]
    filed = date.fromisoformat(p["filed_on"]) if p.get("filed_on") else today
    urgent = bool(p.get("urgent"))
    name = authority.label
    tacit = ""
    if clock and clock.next_date and "tacite" in clock.next_label:
        tacit = _date_text(clock.next_date)
    elif p.get("regime") == "autorisation":  # suspended or decided: the delay as it runs from receipt
        rule = "eps.urgent_decision" if urgent else "eps.autorisation_decision"
        tacit = _date_text(compute(default_rules(), rule, filed, calendar_for_authority(authority.code)).due)
    # Issued before it is notified: the délai is stated in words, never as a date (R.1453-18).
    modified = f"{in_words('eps.modified_filing')} à compter de la notification de la présente décision"
    values = {
        "authority": with_article(name),
        "authority_cap": with_article(name)[:1].upper() + with_article(name)[1:],
        "of_authority": _du(with_article(name)),
        "authority_name": name,
        "company": (p.get("company") or {}).get("name") or "",
        "convention_reference": str(p.get("reference")),
        "object": OBJECTS.get(p.get("object"), str(p.get("object"))).lower(),
        "regime": REGIME_LABELS.get(p.get("regime"), str(p.get("regime"))).lower(),
        "filed_on": _d(p.get("filed_on")),
        "tacit_date": tacit,
        "decision_delay": "trois semaines" if urgent else "deux mois",
        "modified_delay": in_words("eps.urgent_modified_decision" if urgent else "eps.modified_decision"),
        "modified_deadline": modified,
        "motifs": decision.get("motifs") or "",
        "urgency_motifs": (refused_urgency[-1] or "") if refused_urgency else "",
        "court": court_for("eps", authority.code, sender.court_override).name,
    }
    lists = {"missing": missing, "recommandations": [r.get("text") for r in p.get("recommandations") or [] if r.get("text")]}
    conditions = {"autorisation": p.get("regime") == "autorisation", "urgent": urgent,
                  # R.1453-18: only a notice sent within one month of receipt makes the two months run again.
                  "incomplete_in_time": today <= add_months(filed, 1), "incomplete_late": today > add_months(filed, 1)}
    return values, lists | {"__conditions__": conditions}


def hour_fr(value: str | None) -> str:
    """« 09:30 » → « 9 h 30 »."""
    if not value:
        return ""
    hours, _, minutes = value.partition(":")
    return f"{int(hours)} h {minutes}"


def epreuve_limit(p: dict) -> str:
    """« au plus tard le 22 septembre 2025 » once the decision's notification is recorded, else the
    délai in words (it runs from the notification, aude.md §6)."""
    decided = (p.get("decision") or {}).get("decided_on")
    try:
        notified = notified_on(p.get("clock_events") or [], "aude.decision_mesures",
                               date.fromisoformat(decided) if decided else None)
    except ClockInputError:
        notified = None
    if notified is None:
        return (f"dans un délai de {in_words('aude.epreuve')} à compter de la notification de la décision"
                + (f" du {_d(decided)}" if decided else ""))
    limits = {d.rule: d.deadline.due for d in from_notification("aude.decision_mesures", notified, calendar_for_region(p["region"]))}
    return f"au plus tard le {_date_text(limits['aude.epreuve'])}"


def with_article(label: str) -> str:
    """« le Conseil national … », « l'ARS … »: authority names inside a sentence."""
    if label.startswith(("Conseil", "Comité")):
        return f"le {label}"
    if label[:1] in "AEIOUÉ":
        return f"l'{label}"
    return label


def _typography(text: str) -> str:
    """French typography: « n° » stays with its number, guillemets with their words, and « ; », « : » never
    start a line."""
    text = re.sub(r"\bn° ", "n°" + NBSP, text)
    text = re.sub(r"(?<=\d) (?=\d{3}\b)|(?<=\d) (?=€)", NBSP, text)  # « 3 200 € » stays on one line
    return re.sub(r" ([;:?!»])", NBSP + r"\1", text).replace("« ", "«" + NBSP)


def _fill(text: str, values: dict) -> str:
    """Template text (trusted, escaped as text) with its placeholders replaced by escaped values."""
    parts, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        parts.append(engine.escape(text[last:match.start()]))
        parts.append(engine.escape(str(values[match.group(1)])))
        last = match.end()
    parts.append(engine.escape(text[last:]))
    return _typography("".join(parts))


def _needed(template: Template, values: dict, conditions: dict) -> None:
    """Every value a printed block names must be known: a letter never prints a gap or a default."""
    for block in _printed(template.blocks, conditions):
        texts = shared_blocks()[block["ref"]] if block["type"] == "block" else [block.get("text") or ""]
        for text in texts:
            for name in PLACEHOLDER.findall(text):
                if name not in MAY_BE_EMPTY and not str(values.get(name, "")).strip():
                    raise LetterNotApplicable(f"Courrier incomplet : {FIELD_LABELS.get(name, name)} à renseigner "
                                              "dans le dossier avant d'émettre ce courrier.")


MAY_BE_EMPTY = {"e"}  # the agreement of a masculine noun is no ending at all
FIELD_LABELS = {
    "birth_date": "date de naissance du demandeur", "diploma": "titre de formation", "received_on": "date de réception",
    "avis_date": "date de l'avis", "decision_date": "date de la décision", "motifs": "motifs de la décision",
    "required_level": "niveau de qualification requis", "held_level": "niveau de qualification détenu",
    "differences": "différences substantielles", "measure": "mesure de compensation", "stage_duration": "durée du stage",
    "tacit_date": "date de l'autorisation tacite", "urgency_motifs": "motif de l'urgence non justifiée",
    "company": "nom de l'entreprise", "filed_on": "date de dépôt", "implicit_date": "date de la décision implicite",
}


def _printed(blocks, conditions: dict):
    for block in blocks:
        if "when" in block and not conditions.get(block["when"]):
            continue
        if "unless" in block and conditions.get(block["unless"]):
            continue
        yield block


def flowables(template: Template, values: dict, lists: dict, signatory: Signatory, for_authority: str,
              delegation: str = "délégation") -> list:
    conditions = {**{k: bool(v) for k, v in lists.items() if not k.startswith("__")}, **lists.get("__conditions__", {})}
    _needed(template, values, conditions)
    out = []
    for block in _printed(template.blocks, conditions):
        kind = block["type"]
        if kind == "text":
            out.append(engine.paragraph(_fill(block["text"], values), block.get("style", "body")))
        elif kind == "heading":
            out.append(engine.paragraph(engine.escape(block["text"]), "heading"))
        elif kind == "list":
            bullet = "• " if block.get("bullet", True) else ""
            out.extend(engine.paragraph(bullet + _typography(engine.escape(str(item))), block.get("style", "body"))
                       for item in lists.get(block["items"]) or [])
        elif kind == "table":
            rows = lists.get(block["rows"]) or []
            if rows:
                out.append(engine.table(rows, [45 * mm, 85 * mm, 40 * mm]))
        elif kind == "block":
            if block["ref"].startswith("visa"):
                out.extend(engine.paragraph(_fill(text, values), "visa") for text in shared_blocks()[block["ref"]])
            else:  # a notice (recours, données personnelles) is read as a whole: never split across pages
                out.append(KeepTogether([engine.paragraph(_fill(text, values), "notice") for text in shared_blocks()[block["ref"]]]))
        elif kind == "signature":
            keep_with = out.pop() if out else None  # the signature never stands alone on a page
            out.append(engine.signature_block(signatory.first_name, signatory.last_name, signatory.position, for_authority,
                                              signatory.image, delegation, keep_with))
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
    ("aude", "lps_accuse_reception"): {"lps_recue", "lps_incomplete", "lps_verification"},
    ("aude", "lps_decision_epreuve"): {"lps_epreuve"},
    ("aude", "lps_prestation_possible"): {"lps_prestation_possible"},
    ("aude", "lps_refus"): {"lps_refusee"},
    **{("aude", kind): set(states) for kind, states in letter_routes.KINDS.items()},
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
        kinds = [k for k in kinds if letter_routes.fits(k, payload) and not letter_routes.not_applicable(k, payload)]
    return kinds


def check(procedure: str, kind: str, payload: dict, issued_on: date | None = None) -> None:
    """Refuse, in French, a letter that does not exist or does not fit the record's state."""
    from aude_desktop.dossiers.intake_rules import is_provisional

    if procedure == "aude" and is_provisional(payload.get("reference")):
        raise LetterNotApplicable(f"Le dossier n'a encore qu'une référence provisoire ({payload.get('reference')}) : "
                                  "synchronisez pour obtenir sa référence définitive avant d'émettre un courrier.")
    if kind not in templates(procedure):
        raise LetterNotApplicable(f"Courrier inconnu : « {kind} ».")
    if kind not in applicable(procedure, payload):
        raise LetterNotApplicable(f"Ce courrier ne correspond pas à l'état {'du dossier' if procedure == 'aude' else 'de la convention'} "
                                  f"(« {_state_label(procedure, payload.get('state'))} »).")
    if (procedure, kind) == ("aude", "convocation_epreuve"):
        session = payload.get("epreuve_session")
        if not session:
            raise LetterNotApplicable("Convoquez d'abord le demandeur à une session d'épreuve (Dossiers › Sessions d'épreuve…) : "
                                      "la convocation en imprime la date, l'heure et le lieu.")
        if issued_on is not None and date.fromisoformat(session["session_on"]) <= issued_on:
            raise LetterNotApplicable(f"La session d'épreuve du {format_date_fr(date.fromisoformat(session['session_on']))} est passée : convoquez le "
                                      "demandeur à une session à venir.")


def _state_label(procedure: str, state) -> str:
    from aude_desktop.conventions.states import STATE_LABELS as EPS_LABELS
    from aude_desktop.dossiers.lps import state_label
    from aude_desktop.dossiers.states import STATE_LABELS as AUDE_LABELS

    if procedure == "aude" and state_label(str(state)):
        return state_label(str(state))
    labels = AUDE_LABELS if procedure == "aude" else EPS_LABELS
    return next((label for code, label in labels.items() if code == state), str(state))


def letter_spec(procedure: str, kind: str, payload: dict, *, reference: str, issued_on: date, signatory: Signatory,
                sender: Sender) -> engine.LetterSpec:
    check(procedure, kind, payload, issued_on)
    template = templates(procedure)[kind]
    if procedure == "aude":
        values, lists = aude_fields(payload, issued_on, sender)
        region = regions()[payload["region"]]
        authority = f"le préfet de la région {region.label}"
        head = engine.Letterhead(f"Préfet de la région {region.label}", (f"DREETS {region.label}", sender.service, *sender.address_lines),
                                 region.dreets_seat, sender.contact_lines(), sender.officer_lines())
        applicant = payload.get("applicant") or {}
        addressee = tuple(x for x in (f"{values['salutation']} {values['applicant_name']}", applicant.get("address"),
                                      f"{applicant.get('postal_code') or ''} {applicant.get('city') or ''}".strip(),
                                      applicant.get("country") if (applicant.get("country") or "France") != "France" else None) if x)
        if kind == "demande_avis_partiel":
            addressee = letter_routes.addressee(payload)
    else:
        values, lists = eps_fields(payload, issued_on, sender)
        auth = authorities()[payload["authority"]]
        authority = with_article(auth.label)
        head = engine.Letterhead(auth.label, (sender.service, *sender.address_lines), auth.seat, sender.contact_lines(),
                                 sender.officer_lines())
        company = payload.get("company") or {}
        addressee = tuple(x for x in (company.get("name"), company.get("address"), f"SIRET {company.get('siret')}" if company.get("siret") else None) if x)
    body = flowables(template, values, lists, signatory, authority, sender.delegation)
    return engine.LetterSpec(title=template.title, reference=reference, issued_on=issued_on, letterhead=head,
                             addressee=addressee, body=tuple(body), subject=f"{template.title} — {payload.get('reference')}")


def render(procedure: str, kind: str, payload: dict, **kw) -> bytes:
    return engine.render(letter_spec(procedure, kind, payload, **kw))
