"""The mandatory mentions of each letter kind, as data (resources/letters/mentions.json), checked against the
text of a rendered PDF: what a letter must say for the record and sender it was issued for, and what no
letter may ever say (a default, an « (e) », a wrong date)."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from functools import cache

from pypdf import PdfReader

from aude_desktop.letters import compose
from aude_desktop.letters.sender import Sender
from aude_desktop.paths import resources_dir
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.rules.reference import authorities, regions

EACH = re.compile(r"^\{each:([a-z_]+)\}$")


@cache
def mentions() -> dict:
    return json.loads((resources_dir() / "letters" / "mentions.json").read_text(encoding="utf-8"))


def normalise(text: str) -> str:
    """One line, single spaces: a mention may break anywhere across lines or pages of the PDF."""
    return " ".join(text.replace("\u00a0", " ").split())


def pdf_text(pdf: bytes) -> str:
    return normalise(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def _context(procedure: str, payload: dict, issued_on: date, reference: str, signatory: compose.Signatory,
             sender: Sender) -> tuple[dict, dict, dict]:
    fields = compose.aude_fields if procedure == "aude" else compose.eps_fields
    values, lists = fields(payload, issued_on, sender)
    conditions = {**{k: bool(v) for k, v in lists.items() if not k.startswith("__")}, **lists.get("__conditions__", {})}
    if procedure == "aude":
        region = regions()[payload["region"]]
        city, for_authority = region.dreets_seat, f"le préfet de la région {region.label}"
        head_authority = f"Préfet de la région {region.label}"
    else:
        authority = authorities()[payload["authority"]]
        city, for_authority = authority.seat, compose.with_article(authority.label)
        head_authority = authority.label
    values = {**values, "reference": reference, "issued_on": format_date_fr(issued_on), "city": city,
              "service": sender.service, "address": " ".join(sender.address_lines), "phone": sender.phone,
              "service_email": sender.email, "hours": sender.hours, "officer_name": sender.officer_name,
              "officer_position": sender.officer_position, "officer_phone": sender.officer_phone,
              "officer_email": sender.officer_email, "signatory_name": f"{signatory.first_name} {signatory.last_name}",
              "signatory_position": signatory.position, "for_authority": for_authority, "head_authority": head_authority}
    return values, lists, conditions


def _applies(mention: dict, conditions: dict) -> bool:
    if "when" in mention and not conditions.get(mention["when"]):
        return False
    return not ("unless" in mention and conditions.get(mention["unless"]))


def failures(pdf: bytes, procedure: str, kind: str, payload: dict, *, issued_on: date, reference: str,
             signatory: compose.Signatory, sender: Sender) -> list[str]:
    """Every mention the letter lacks and every forbidden text it carries ([] when the letter is right)."""
    values, lists, conditions = _context(procedure, payload, issued_on, reference, signatory, sender)
    # Page furniture (footer, next page's header) may fall inside a sentence: read the letter without it.
    text = re.sub(rf"Réf\. {re.escape(reference)} page \d+ / \d+ ?", "", pdf_text(pdf))
    text = text.replace(f"{values['head_authority']} Réf. : {reference} ", "")
    out = []
    for mention in mentions()["every_letter"] + mentions()["kinds"][f"{procedure}.{kind}"]:
        if not _applies(mention, conditions):
            continue
        each = EACH.match(mention["text"])
        wanted = ([str(x) for x in lists.get(each.group(1)) or []] if each else
                  [compose.PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), mention["text"])])
        if each and not wanted:
            out.append(f"{mention['id']} : liste « {each.group(1)} » vide")
        if mention.get("absent"):  # a text this kind must not carry
            out += [f"{mention['id']} : « {w} » présent" for w in wanted if normalise(w) in text]
            continue
        out += [f"{mention['id']} ({mention.get('law', '')}) : « {w} » absent" for w in wanted if normalise(w) not in text]
    out += [f"interdit : « {bad} »" for bad in mentions()["forbidden"] if bad in text]
    return out
