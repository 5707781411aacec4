"""Letter templates as data (resources/letters/*.json): texts with named placeholders, shared
blocks (visas, voies et délais de recours), versioned. A template that names an unknown
placeholder or lacks a mandatory block is refused at load, with the file, letter and block."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

from aude_desktop.paths import resources_dir

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
BLOCK_TYPES = {"text", "list", "table", "heading", "block", "signature"}

# What each procedure's letters may name (filled by letters/compose.py).
FIELDS = {
    "aude": {
        "salutation", "e", "interesse", "il", "applicant_name", "birth_date", "profession", "de_profession",
        "dossier_reference", "diploma", "in_country", "received_on", "implicit_date", "implicit_nature", "implicit_outcome",
        "pieces_deadline", "service", "service_email", "region", "court", "to_minister", "code_articles", "avis_date",
        "decision_date", "motifs", "required_level", "held_level", "differences", "measure", "epreuve_content",
        "epreuve_within", "stage_content", "stage_duration", "stage_at_most", "organising_dreets", "retention", "dpo",
        "epreuve_deadline", "session_date", "session_time", "session_place", "session_bring",
        # libre prestation de services (resources/letters/lps.json, letters/lps_fields.py)
        "in_establishment", "service_period", "service_place", "inform_date", "renewal_date", "outcome_date", "epreuve_by",
        "epreuve_date", "epreuve_decision_date", "lps_article",
        # the other routes (letters/routes.py): automatic recognition, accès partiel
        "reference_date", "order_law", "order_name_cap", "closed_on", "avis_law", "of_avis_body", "of_all_bodies", "avis_due",
        "partial_law", "partial_title",
    },
    "eps": {
        "authority", "authority_cap", "of_authority", "authority_name", "company", "convention_reference", "object", "regime",
        "filed_on", "tacit_date", "decision_delay", "modified_delay", "modified_deadline", "motifs", "urgency_motifs", "court",
    },
}
LISTS = {"aude": {"missing", "subjects", "profession_visas", "activities", "avis_visas"}, "eps": {"missing", "recommandations"}}
TABLES: dict[str, set[str]] = {"aude": set(), "eps": set()}
CONDITIONS = {
    "aude": {"missing", "complete", "acceptance", "rejection", "avis", "chooses", "imposed", "epreuve", "stage",
             "stage_duration", "lps_no_check", "lps_checked", "lps_test", "lps_silence", "acquired_rights", "avis_due"},
    "eps": {"autorisation", "urgent", "incomplete_in_time", "incomplete_late"},
}
# Mandatory content (aude.md §7, eps.md §6, letters.md) checked at load; resources/letters/mentions.json
# lists what the rendered PDF must say, checked by the tests.
MUST_NAME = {
    ("aude", "accuse_reception"): {"received_on", "implicit_date", "implicit_nature", "pieces_deadline"},
    ("aude", "demande_pieces"): {"received_on", "pieces_deadline"},
    ("aude", "decision_mesures"): {"motifs", "required_level", "held_level", "differences", "measure", "applicant_name",
                                   "dossier_reference"},
    ("aude", "decision_refus"): {"motifs"},
    ("aude", "decision_irrecevabilite"): {"motifs"},
    ("aude", "information_hors_champ"): {"reference_date", "order_law", "closed_on"},
    ("aude", "decision_acces_partiel"): {"partial_title", "applicant_name", "dossier_reference"},
    ("aude", "convocation_epreuve"): {"session_date", "session_time", "session_place", "session_bring", "epreuve_deadline"},
    ("eps", "refus"): {"motifs", "modified_deadline"},
    ("aude", "lps_accuse_reception"): {"received_on", "inform_date", "pieces_deadline", "service_period"},
    ("aude", "lps_decision_epreuve"): {"motifs", "epreuve_by", "applicant_name", "dossier_reference"},
    ("aude", "lps_prestation_possible"): {"outcome_date", "renewal_date"},
    ("aude", "lps_refus"): {"motifs", "epreuve_date"},
    ("eps", "urgence_non_justifiee"): {"urgency_motifs"},
}
MUST_REFER = {
    ("aude", "accuse_reception"): {"recours_implicite", "attestation_acceptation", "donnees_personnelles"},
    ("eps", "accuse_reception"): {"attestation_tacite_eps"},
    ("aude", "lps_accuse_reception"): {"donnees_personnelles_lps"},
}
# Files whose letters belong to a procedure beside its own file: the LPS route's letters are dossier letters.
EXTRA_FILES = {"aude": ("lps.json",)}
STYLES = {"body", "visa", "notice"}


class LetterTemplateError(ValueError):
    """A template that cannot be used: the message names the file, the letter and the block."""


@dataclass(frozen=True)
class Template:
    procedure: str
    kind: str
    version: str
    title: str
    decision: bool
    blocks: tuple[dict, ...]


@cache
def shared_blocks() -> dict[str, list[str]]:
    raw = json.loads((resources_dir() / "letters" / "blocks.json").read_text(encoding="utf-8"))
    return raw["blocks"]


def load(procedure: str) -> dict[str, Template]:
    out: dict[str, Template] = {}
    for name in (f"{procedure}.json", *EXTRA_FILES.get(procedure, ())):
        path = resources_dir() / "letters" / name
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LetterTemplateError(f"{path.name} : fichier illisible ({exc}).") from None
        out.update(parse(procedure, raw, path.name))
    return out


def parse(procedure: str, raw: dict, source: str = "modèle") -> dict[str, Template]:
    out = {}
    for kind, letter in (raw.get("letters") or {}).items():
        where = f"{source}, courrier « {kind} »"
        blocks = letter.get("blocks")
        if not isinstance(blocks, list) or not blocks:
            raise LetterTemplateError(f"{where} : aucun bloc.")
        named, refs, types = set(), set(), set()
        for i, block in enumerate(blocks, start=1):
            kind_of = block.get("type")
            if kind_of not in BLOCK_TYPES:
                raise LetterTemplateError(f"{where}, bloc {i} : type inconnu « {kind_of} ».")
            types.add(kind_of)
            texts = [block.get("text") or ""]
            if kind_of == "block":
                ref = block.get("ref")
                if ref not in shared_blocks():
                    raise LetterTemplateError(f"{where}, bloc {i} : bloc partagé inconnu « {ref} ».")
                refs.add(ref)
                texts = shared_blocks()[ref]
            for text in texts:
                for name in PLACEHOLDER.findall(text):
                    if name not in FIELDS[procedure]:
                        raise LetterTemplateError(f"{where}, bloc {i} : champ inconnu {{{name}}}.")
                    named.add(name)
            for key, allowed in (("items", LISTS[procedure]), ("rows", TABLES[procedure])):
                if key in block and block[key] not in allowed:
                    raise LetterTemplateError(f"{where}, bloc {i} : liste inconnue « {block[key]} ».")
            if block.get("style", "body") not in STYLES:
                raise LetterTemplateError(f"{where}, bloc {i} : style inconnu « {block['style']} ».")
            for key in ("when", "unless"):
                if key in block and block[key] not in CONDITIONS[procedure]:
                    raise LetterTemplateError(f"{where}, bloc {i} : condition inconnue « {block[key]} ».")
        if "signature" not in types:
            raise LetterTemplateError(f"{where} : bloc de signature manquant (prénom, nom et qualité du signataire, CRPA L.212-1).")
        decision = bool(letter.get("decision"))
        if decision and not any(r.startswith("recours_") for r in refs):
            raise LetterTemplateError(f"{where} : voies et délais de recours manquants (CJA R.421-5).")
        if decision and procedure == "aude" and not refs & {"visas_aude", "visas_ass", "visas_lps"}:
            raise LetterTemplateError(f"{where} : visas manquants.")
        missing = (MUST_NAME.get((procedure, kind), set()) - named) | {
            f"bloc {r}" for r in MUST_REFER.get((procedure, kind), set()) - refs}
        if missing:
            raise LetterTemplateError(f"{where} : mention(s) obligatoire(s) absente(s) : {', '.join(sorted(missing))}.")
        out[kind] = Template(procedure, kind, str(raw.get("version") or "?"), str(letter.get("title") or kind), decision,
                             tuple(blocks))
    return out


@cache
def templates(procedure: str) -> dict[str, Template]:
    return load(procedure)
