"""Who sends a letter: the service (CRPA R.112-5: designation, postal address, telephone, e-mail, opening
hours), the case officer (CRPA L.111-2: name from the signed-in account, qualité and direct line from the
settings) and the signatory (CRPA L.212-1). A letter is never issued with one of them left empty: the
refusal names each missing setting, in French, and where to set it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aude_desktop.settings import Settings

WHERE = "Fichier › Paramètres › Courriers, ou « aude-cli settings letters »"
# (setting, what the refusal calls it, the aude-cli option that sets it)
REQUIRED = (
    ("service_name", "nom du service", "--service"),
    ("service_address", "adresse postale du service", "--address"),
    ("service_phone", "téléphone du service", "--phone"),
    ("service_email", "courriel du service", "--email"),
    ("service_hours", "horaires d'ouverture du service", "--hours"),
    ("officer_position", "qualité de l'agent chargé du dossier", "--officer-quality"),
    ("signatory_first_name", "prénom du signataire", "--signatory"),
    ("signatory_last_name", "nom du signataire", "--signatory"),
    ("signatory_position", "qualité du signataire", "--quality"),
)


class SenderIncomplete(ValueError):
    """The letterhead or the signatory is not set: the message names what is missing."""


@dataclass(frozen=True)
class Sender:
    service: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    hours: str
    officer_name: str
    officer_position: str
    officer_phone: str
    officer_email: str
    delegation: str = "délégation"
    court_override: str = ""

    def contact_lines(self) -> tuple[str, ...]:
        return (f"Tél. {nbsp(self.phone)}", f"Courriel : {self.email}", f"Accueil : {self.hours}")

    def officer_lines(self) -> tuple[str, ...]:
        direct = ", ".join(x for x in (nbsp(self.officer_phone), self.officer_email) if x)
        return (f"Dossier suivi par {self.officer_name}, {self.officer_position}",) + ((f"Ligne directe : {direct}",) if direct else ())


def nbsp(text: str) -> str:
    """A phone number, a date or an amount never breaks across lines."""
    return (text or "").replace(" ", "\u00a0")


def _service_email(settings: Settings) -> str:
    return settings.service_email or (settings.service_contact if "@" in settings.service_contact else "")


def missing(settings: Settings, officer_name: str) -> list[str]:
    """French labels (with the aude-cli option) of every empty required setting."""
    values = {**{k: getattr(settings, k) for k, _l, _o in REQUIRED}, "service_email": _service_email(settings)}
    out = [f"{label} ({option})" for key, label, option in REQUIRED if not str(values[key]).strip()]
    if not officer_name.strip():
        out.append("nom de l'agent chargé du dossier (nom affiché du compte connecté : connectez-vous)")
    return out


def require(settings: Settings, officer_name: str) -> Sender:
    """The sender of the letters issued with these settings, or SenderIncomplete naming what is missing."""
    gaps = missing(settings, officer_name)
    if gaps:
        raise SenderIncomplete(f"Courrier refusé : paramètres des courriers à renseigner — {' ; '.join(gaps)}. "
                               f"Renseignez-les dans {WHERE}.")
    return Sender(
        service=settings.service_name.strip(),
        address_lines=tuple(x.strip() for x in re.split(r"\s*[;\n]\s*", settings.service_address) if x.strip()),
        phone=settings.service_phone.strip(), email=_service_email(settings).strip(), hours=settings.service_hours.strip(),
        officer_name=officer_name.strip(), officer_position=settings.officer_position.strip(),
        officer_phone=settings.officer_phone.strip(), officer_email=settings.officer_email.strip(),
        delegation=settings.signature_delegation or "délégation", court_override=settings.recours_court.strip(),
    )


def split_name(full: str) -> tuple[str, str]:
    """« Claire MARTIN » → (Claire, MARTIN); « Jean-Pierre LE GOFF » → (Jean-Pierre, LE GOFF): the last name
    is the trailing words written in capitals, else the last word."""
    words = full.split()
    if len(words) < 2:
        raise ValueError("Indiquez le prénom puis le NOM du signataire, par exemple « Claire MARTIN ».")
    cut = len(words)
    while cut > 1 and words[cut - 1].isupper():
        cut -= 1
    if cut == len(words):
        cut = len(words) - 1
    return " ".join(words[:cut]), " ".join(words[cut:])
