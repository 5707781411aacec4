"""Registering a new dossier (paper application): the fields an agent types, checked in French, turned
into one `dossier.create` (plus the pièces received with it), with a provisional reference until the
server assigns the definitive one.

Qt-free: the Nouveau dossier window and `aude-cli dossiers create FILE.json` both call `build` and
`register`, so a date or a name refused in one is refused in the other with the same words.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.intake_rules import (  # noqa: F401 — also imported from here
    DEFINITIVE,
    LABELS,
    LPS_LABELS,
    PROVISIONAL_PREFIX,
    IntakeRefused,
    check_received_on,
    is_provisional,
    procedure_since,
    provisional_reference,
    reference_label,
    rules,
)
from aude_desktop.dossiers.models import Applicant, Dossier
from aude_desktop.dossiers.states import SITUATION_LABELS, Situation
from aude_desktop.rules.pieces import expected_items
from aude_desktop.rules.reference import acces_partiel_region, professions, regions

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 .()-]{6,25}$")
CIVILITIES = {"M": "Monsieur", "F": "Madame"}

REQUIRED = ("civility", "last_name", "first_names", "birth_date", "nationality", "profession", "situation",
            "diploma_title", "diploma_country", "received_on", "region")
NON_EU_EXPLANATION = (
    "Un titre obtenu uniquement hors de l'Union européenne ne permet pas d'obtenir une autorisation "
    "d'exercice : le dossier sera enregistré puis déclaré irrecevable (décision motivée). Orientez la "
    "personne vers la voie de la formation (par exemple un institut de formation, avec dispenses)."
)


# -- competent region ----------------------------------------------------------------------------


def department_region(postal_code: str | None) -> str | None:
    code = (postal_code or "").strip().replace(" ", "")
    if not re.fullmatch(r"\d{5}", code):
        return None
    for region, departments in rules()["departments_by_region"].items():
        if code[:3] in departments or code[:2] in departments:
            return region
    return None


def proposed_region(profession: str, acces_partiel: bool, postal_code: str | None, agent_region: str | None,
                    where: str = "Région où le demandeur s'établit") -> tuple[str | None, str]:
    """(region, why) from `competent_region_rule` (professions.json) and the applicant's address."""
    spec = professions().get(profession)
    if spec is None:
        return None, ""
    if acces_partiel:
        code = acces_partiel_region()
        return code, f"Accès partiel : toutes les demandes relèvent de la région {regions()[code].label}."
    if spec.competent_region:
        return spec.competent_region, (f"Profession instruite pour toute la France par la DREETS "
                                       f"{regions()[spec.competent_region].label}.")
    settled = department_region(postal_code)
    if settled:
        return settled, f"{where} (code postal {postal_code.strip()})."
    if agent_region:
        return agent_region, f"{where} : saisissez le code postal pour la vérifier."
    return None, ""


# -- duplicates ----------------------------------------------------------------------------------


def name_key(text: str | None) -> str:
    """« Nguyễn-Thị » and « NGUYEN thi » compare equal: no accents, no case, one space between words."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "D")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.casefold()).split())


@dataclass(frozen=True)
class Duplicate:
    reference: str
    region: str
    dossier_id: str | None = None  # only for dossiers this machine holds (same region)
    name: str = ""


def same_person(last_names: tuple[str | None, ...], first_names: str | None, other_last: tuple[str | None, ...], other_first: str | None) -> bool:
    ours = {name_key(n) for n in last_names if n}
    theirs = {name_key(n) for n in other_last if n}
    first_ours, first_theirs = name_key(first_names).split(), name_key(other_first).split()
    same_first = not first_ours or not first_theirs or first_ours[0] == first_theirs[0]
    return bool(ours & theirs) and same_first


def local_duplicates(session: Session, last_name: str, usage_name: str | None, first_names: str | None,
                     birth_date: date | None) -> list[Duplicate]:
    if birth_date is None or not name_key(last_name):
        return []
    rows = session.execute(
        select(Dossier.id, Dossier.reference, Dossier.region, Applicant.last_name, Applicant.usage_name, Applicant.first_names)
        .join(Applicant, Applicant.dossier_id == Dossier.id)
        .where(Applicant.birth_date == birth_date)
    ).all()
    return [Duplicate(r.reference, r.region, r.id, f"{r.first_names} {r.last_name}") for r in rows
            if same_person((last_name, usage_name), first_names, (r.last_name, r.usage_name), r.first_names)]


def national_duplicates(auth, last_name: str, usage_name: str | None, first_names: str | None,
                        birth_date: date) -> list[Duplicate]:
    """The server's national index (reference and region only). Raises sync.http.ApiError offline."""
    answer = auth.transport.request("POST", "/api/v1/duplicates", token=auth.access_token(), json={
        "last_name": last_name, "usage_name": usage_name or None, "first_names": first_names or None,
        "birth_date": birth_date.isoformat()})
    matches = answer.get("matches") if isinstance(answer, dict) else None
    return [Duplicate(str(m["reference"]), str(m["region"])) for m in matches or []
            if isinstance(m, dict) and isinstance(m.get("reference"), str) and isinstance(m.get("region"), str)]


def parse_date(text: str) -> date | None:
    """A date typed in the window (JJ/MM/AAAA or AAAA-MM-JJ), None when not (yet) a date."""
    try:
        return _date({"d": text}, "d")
    except IntakeRefused:
        return None


# -- the form ------------------------------------------------------------------------------------


def _text(values: dict, key: str, limit: int = 200) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise IntakeRefused(key, "texte attendu.", "type_invalide")
    value = " ".join(value.split()) if key != "address" else value.strip()
    if len(value) > limit:
        raise IntakeRefused(key, f"{len(value)} caractères, {limit} au plus.", "trop_long")
    return value or None


def _date(values: dict, key: str) -> date | None:
    value = values.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    french = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        return date(int(french[3]), int(french[2]), int(french[1])) if french else date.fromisoformat(text)
    except ValueError:
        raise IntakeRefused(key, f"date invalide « {value} » (JJ/MM/AAAA ou AAAA-MM-JJ).", "date_invalide") from None


def unknown_keys(values: dict) -> list[str]:
    return sorted(set(values) - set(LABELS))


def build(values: dict, today: date, *, dossier_id: str | None = None, duplicates: list[Duplicate] = (),
          agent_region: str | None = None) -> tuple[str, dict, list[str]]:
    """(id, `dossier.create` payload, pièce codes received) from what the agent typed; IntakeRefused names the field."""
    unknown = unknown_keys(values)
    if unknown:
        raise IntakeRefused(unknown[0], "champ inconnu (champs possibles : voir docs/cli.md).", "champ_inconnu")
    if values.get("route") not in (None, "", "autorisation"):  # filing.build sends declarations to lps_intake
        raise IntakeRefused("route", "procédure inconnue : « autorisation » ou « lps ».", "champ_invalide")
    lps_only = sorted(k for k in LPS_LABELS if values.get(k) not in (None, ""))
    if lps_only:
        raise IntakeRefused(lps_only[0], "champ propre aux déclarations de libre prestation de services "
                                         "(choisissez la procédure « Déclaration préalable (LPS) »).", "champ_inconnu")
    for key in REQUIRED:
        if values.get(key) in (None, "") or (isinstance(values.get(key), str) and not values[key].strip()):
            raise IntakeRefused(key, "champ obligatoire.", "champ_requis")
    applicant, birth = applicant_fields(values, today)
    profession = _text(values, "profession", 60)
    if profession not in professions():
        raise IntakeRefused("profession", f"profession non couverte par la procédure : « {profession} ».", "profession_inconnue")
    try:
        situation = Situation(values["situation"]).value
    except ValueError:
        raise IntakeRefused("situation", f"situation inconnue « {values['situation']} ».", "situation_invalide") from None
    received = _date(values, "received_on")
    check_received_on(received, today)
    obtained = _date(values, "diploma_obtained_on")
    if obtained and not birth < obtained <= today:
        raise IntakeRefused("diploma_obtained_on", "la date doit suivre la naissance et ne pas être future.")
    acces_partiel = values.get("acces_partiel") in (True, "oui", "true", 1)
    region, region_reason, duplicate_reason = region_and_reasons(values, profession, acces_partiel, agent_region, duplicates)
    received_codes = _pieces(values.get("pieces_received"), situation)
    dossier_id = dossier_id or str(uuid.uuid4())
    payload = {
        "reference": provisional_reference(dossier_id),
        "profession": profession,
        "specialty": _text(values, "specialty", 120),
        "region": region,
        "acces_partiel": acces_partiel,
        "situation": situation,
        "received_on": received.isoformat(),
        "applicant": applicant,
        "diploma": {
            "title": _text(values, "diploma_title", 300), "country": _text(values, "diploma_country", 100),
            "obtained_on": obtained.isoformat() if obtained else None,
            "issuing_body": _text(values, "diploma_issuing_body", 300),
        },
        "intake": {"channel": "papier", "region_reason": region_reason, "duplicate_reason": duplicate_reason},
    }
    return dossier_id, payload, received_codes


def region_and_reasons(values: dict, profession: str, acces_partiel: bool, agent_region: str | None,
                       duplicates: list[Duplicate], postal_code: str | None = None) -> tuple[str, str | None, str | None]:
    """(region, why another than the proposed one, why go on despite a duplicate), each checked."""
    region = _text(values, "region", 3)
    if region not in regions():
        raise IntakeRefused("region", f"région inconnue « {region} ».", "region_inconnue")
    proposed, _why = proposed_region(profession, acces_partiel, postal_code or values.get("postal_code"), agent_region)
    region_reason = _text(values, "region_reason", 500)
    if proposed and region != proposed and not region_reason:
        raise IntakeRefused("region_reason", f"la région proposée par les règles est {regions()[proposed].label} : "
                                             "indiquez pourquoi vous en choisissez une autre.", "motif_requis")
    duplicate_reason = _text(values, "duplicate_reason", 500)
    if duplicates and not duplicate_reason:
        refs = ", ".join(f"{d.reference} ({regions()[d.region].label if d.region in regions() else d.region})" for d in duplicates)
        raise IntakeRefused("duplicate_reason", f"cette personne a déjà un dossier ({refs}) : ouvrez-le, ou indiquez "
                                                "pourquoi vous en créez un autre.", "doublon")
    return region, region_reason, duplicate_reason


def applicant_fields(values: dict, today: date) -> tuple[dict, date]:
    """The person, as both procedures register them: (applicant payload, birth date)."""
    civility = _text(values, "civility", 1)
    if civility not in CIVILITIES:
        raise IntakeRefused("civility", "« M » (Monsieur) ou « F » (Madame).")
    birth = _date(values, "birth_date")
    if birth >= today:
        raise IntakeRefused("birth_date", "la date de naissance doit être passée.")
    if birth.year < today.year - 100:
        raise IntakeRefused("birth_date", "plus de 100 ans : vérifiez l'année saisie.")
    email = _text(values, "email", 254)
    if email and not EMAIL.match(email):
        raise IntakeRefused("email", f"adresse invalide « {email} ».")
    phone = _text(values, "phone", 40)
    if phone and not PHONE.match(phone):
        raise IntakeRefused("phone", f"numéro invalide « {phone} » (chiffres, espaces, + . - ( ) seulement).")
    return {
        "sex": civility, "last_name": _text(values, "last_name"), "usage_name": _text(values, "usage_name"),
        "first_names": _text(values, "first_names"), "birth_date": birth.isoformat(),
        "birth_place": _text(values, "birth_place"), "birth_country": _text(values, "birth_country", 100),
        "nationality": _text(values, "nationality", 100), "email": email, "phone": phone,
        "address": _text(values, "address", 1000), "postal_code": _text(values, "postal_code", 20),
        "city": _text(values, "city"), "country": _text(values, "country", 100),
    }, birth


def _pieces(value, situation: str) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise IntakeRefused("pieces_received", "liste de codes de pièces attendue (ex. [\"a\", \"b\"]).", "type_invalide")
    allowed = [item["code"] for item in expected_items(situation)]
    wrong = [v for v in value if v not in allowed]
    if wrong:
        raise IntakeRefused("pieces_received", f"pièce(s) {', '.join(wrong)} non prévue(s) pour cette situation "
                                               f"(possibles : {', '.join(allowed)}).", "piece_inconnue")
    return sorted(set(value))


def warnings(values: dict) -> list[str]:
    """What the agent must read before saving (the dossier can still be registered)."""
    return [NON_EU_EXPLANATION] if values.get("situation") == Situation.HORS_UE.value else []


def screening_notice(values: dict) -> str | None:
    """« Hors champ — reconnaissance automatique » proposed from what was typed (profession, speciality,
    situation, diploma country and date): the dossier is registered, then closed from its view."""
    from aude_desktop.dossiers import screening

    if values.get("acces_partiel") in (True, "oui", "true", 1):
        return None
    obtained = values.get("diploma_obtained_on")
    found = screening.screen(values.get("profession"), values.get("specialty"), values.get("situation"), values.get("diploma_country"),
                             parse_date(str(obtained)) if obtained else None)
    if found is None:
        return None
    return found.message + " Après l'enregistrement, le dossier propose « Clore hors champ »."


def situation_choices() -> list[tuple[str, str]]:
    return [(s.value, label) for s, label in SITUATION_LABELS.items()]


def register(session: Session, actor: Actor, dossier_id: str, payload: dict, received_codes: list[str]) -> str:
    """The dossier and the pièces received with it, in the caller's ONE transaction: all or nothing."""
    from aude_desktop.sync.local import apply_command

    if payload.get("route") == "lps":
        from aude_desktop.dossiers.lps import checklist_items

        apply_command(session, actor, "lps.declare", {"id": dossier_id, "payload": payload})
        by_code = {item["code"]: item["label"] for item in checklist_items()}
    else:
        apply_command(session, actor, "dossier.create", {"id": dossier_id, "payload": payload})
        by_code = {item["code"]: item["label"] for item in expected_items(payload["situation"])}
    for code in received_codes:
        apply_command(session, actor, "piece.upsert", {"id": str(uuid.uuid4()), "payload": {
            "dossier_id": dossier_id, "code": code, "label": by_code.get(code, code), "status": "recu",
            "received_on": payload["received_on"]}})
    return dossier_id
