"""Classification of a convention by the thresholds of the arrêté of 7 August 2020 (eps.md §4).

The thresholds are rules data (resources/rules/eps_thresholds.json), versioned, each cell with its
source; a cell marked "uncertain" is never replaced by an invented number: when it is needed and
no sure threshold is exceeded, the regime is `indetermine` and the instructor decides.

Reading adopted (rules data, uncertain): per beneficiary, avantages of the same group summed over
the whole convention; "au-delà de" = strictly greater; exceeding any threshold → autorisation.
Amounts are Decimal euros; every line of the explanation cites the text.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from aude_desktop.paths import resources_dir

DECLARATION, AUTORISATION, INDETERMINE = "declaration", "autorisation", "indetermine"
UNIT_KEYS = {
    # threshold key -> (quantity key of the avantage, natures it applies to, French unit)
    "per_hour": ("hours", None, "h"),
    "per_half_day": ("half_days", None, "demi-journée"),
    "per_night": ("nights", {"hebergement"}, "nuit"),
    "per_meal": ("meals", {"restauration"}, "repas"),
    "per_collation": ("collations", {"collation"}, "collation"),
}
CELL_KEYS = set(UNIT_KEYS) | {"total"}


class RulesetError(ValueError):
    """A thresholds file that cannot be used: refused at load, the previous ruleset stays in force."""


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    natures: frozenset[str]
    purposes: frozenset[str] | None
    cells: dict[str, dict[str, Decimal] | None]  # category -> thresholds, None = uncertain
    source: str


@dataclass(frozen=True)
class Ruleset:
    version: str
    effective_from: str
    text: str
    groups: tuple[Group, ...]
    negligeable: dict[str, dict]
    negligeable_text: str


@dataclass
class Classification:
    regime: str
    lines: list[str] = field(default_factory=list)  # one per rule that fired, in French
    hors_regime: list[str] = field(default_factory=list)  # ids of avantages of valeur négligeable
    uncertain: list[str] = field(default_factory=list)


def _money(value, where: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RulesetError(f"{where} : montant illisible « {value} ».") from None
    if not amount.is_finite() or amount < 0:
        raise RulesetError(f"{where} : montant négatif ou invalide « {value} ».")
    return amount


def parse_ruleset(raw: dict) -> Ruleset:
    """Check a thresholds file completely; a precise French message names what is wrong."""
    try:
        groups = []
        for g in raw["groups"]:
            cells: dict[str, dict[str, Decimal] | None] = {}
            for category, cell in g["cells"].items():
                where = f"Seuils « {g['key']} », catégorie « {category} »"
                if cell == "uncertain":
                    cells[category] = None
                    continue
                if not isinstance(cell, dict) or not cell or set(cell) - CELL_KEYS:
                    raise RulesetError(f"{where} : cellule mal formée (clés permises : {', '.join(sorted(CELL_KEYS))}, ou \"uncertain\").")
                cells[category] = {k: _money(v, where) for k, v in cell.items()}
            groups.append(Group(g["key"], g["label"], frozenset(g["natures"]),
                                frozenset(g["purposes"]) if g.get("purposes") else None, cells, g["source"]))
        negligeable = raw["negligeable"]
        return Ruleset(str(raw["version"]), str(raw["effective_from"]), str(raw["text"]), tuple(groups),
                       dict(negligeable["items"]), str(negligeable["text"]))
    except KeyError as exc:
        raise RulesetError(f"Fichier de seuils incomplet : clé {exc} absente.") from None
    except (TypeError, AttributeError):
        raise RulesetError("Fichier de seuils mal formé (structure inattendue).") from None


def load_ruleset(path: Path) -> Ruleset:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RulesetError(f"Fichier de seuils illisible ({path.name}) : {exc}") from None
    return parse_ruleset(raw)


@cache
def default_ruleset() -> Ruleset:
    return load_ruleset(resources_dir() / "rules" / "eps_thresholds.json")


def euros(amount: Decimal) -> str:
    """1 234,50 € (French grouping with a narrow no-break space)."""
    text = f"{amount.quantize(Decimal('0.01')):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €"


def _group_of(ruleset: Ruleset, avantage: dict) -> Group | None:
    for group in ruleset.groups:
        if avantage.get("nature") in group.natures and (
            group.purposes is None or avantage.get("purpose") in group.purposes
        ):
            return group
    return None


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class ConventionInputError(ValueError):
    """A convention whose shape or amounts cannot be classified; the message says where, in French.
    Unreadable amounts are refused rather than counted as zero: a zero could hide an autorisation."""


QUANTITY_KEYS = ("hours", "nights", "meals")
TEXT_KEYS = ("nature", "purpose", "beneficiary_id", "id")


def check_shape(convention) -> None:
    if not isinstance(convention, dict):
        raise ConventionInputError("La convention doit être un objet JSON (avantages, bénéficiaires).")
    beneficiaries = convention.get("beneficiaries") or []
    avantages = convention.get("avantages") or []
    if not isinstance(beneficiaries, list) or not all(isinstance(b, dict) for b in beneficiaries):
        raise ConventionInputError("« beneficiaries » doit être une liste de bénéficiaires (objets JSON).")
    if not isinstance(avantages, list) or not all(isinstance(a, dict) for a in avantages):
        raise ConventionInputError("« avantages » doit être une liste d'avantages (objets JSON).")
    for b in beneficiaries:
        if not all(isinstance(b.get(k), str | None) for k in ("id", "category")):
            raise ConventionInputError("Bénéficiaire : « id » et « category » doivent être du texte.")
    for n, a in enumerate(avantages, start=1):
        for key in TEXT_KEYS:
            if not isinstance(a.get(key), str | None):
                raise ConventionInputError(f"Avantage n° {n} : « {key} » doit être du texte.")
        for key in ("amount", *QUANTITY_KEYS):
            value = a.get(key)
            if value in (None, ""):
                continue
            number = _decimal(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None
            if number is None or not number.is_finite() or number < 0:
                what = "montant" if key == "amount" else "quantité"
                raise ConventionInputError(f"Avantage n° {n} : {what} illisible ou négatif « {str(value)[:40]} ».")


def classify(convention: dict, ruleset: Ruleset | None = None) -> Classification:
    """Regime of a convention given in the API's JSON shape (amounts as strings of euros).
    Raises ConventionInputError (French) on a shape or amount it cannot read."""
    check_shape(convention)
    rules = ruleset or default_ruleset()
    categories = {b.get("id"): b.get("category") for b in convention.get("beneficiaries") or []}
    result = Classification(DECLARATION)
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    counted: dict[tuple[str, str], Group] = {}
    exceeded = False
    negligeable_seen: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for avantage in convention.get("avantages") or []:
        amount = _decimal(avantage.get("amount")) or Decimal(0)
        who = avantage.get("beneficiary_id") or "?"
        category = categories.get(who) or "professionnel"
        nature = avantage.get("nature")
        if nature in rules.negligeable:
            negligeable_seen[(who, nature)].append(amount)
            continue
        group = _group_of(rules, avantage)
        if group is None:
            continue  # a nature without threshold (prêt de matériel, autre…): declaration as far as thresholds go
        cell_known = category in group.cells
        cell = group.cells.get(category)
        if not cell_known or cell is None:
            why = "seuil incertain" if cell_known else "aucun seuil prévu pour cette catégorie"
            result.uncertain.append(f"{group.label} ({category}) : {why} — à apprécier par l'instructeur ({group.source}).")
            continue
        totals[(who, group.key)] += amount
        counted[(who, group.key)] = group
        for key, (quantity_key, natures, unit) in UNIT_KEYS.items():
            if key not in cell or (natures is not None and nature not in natures):
                continue
            quantity = _decimal(avantage.get(quantity_key))
            if not quantity:
                continue
            rate = (amount / quantity).quantize(Decimal("0.01"))
            if rate > cell[key]:
                exceeded = True
                result.lines.append(f"{group.label} : {euros(rate)}/{unit} > {euros(cell[key])}/{unit} — {rules.text}")
    for (who, key), total in totals.items():
        group = counted[(who, key)]
        limit = group.cells[categories.get(who) or "professionnel"].get("total")
        if limit is not None and total > limit:
            exceeded = True
            result.lines.append(f"{group.label} : total {euros(total)} > {euros(limit)} — {rules.text}")
    _negligeable(rules, convention, negligeable_seen, result)
    if exceeded:
        result.regime = AUTORISATION
    elif result.uncertain:
        result.regime = INDETERMINE
        result.lines.extend(result.uncertain)
    else:
        result.lines.append(f"Aucun seuil dépassé : déclaration — {rules.text}")
    return result


def _negligeable(rules: Ruleset, convention: dict, seen: dict, result: Classification) -> None:
    """Items of valeur négligeable are outside the regime; beyond its limits they are flagged."""
    by_key = {(a.get("beneficiary_id") or "?", a.get("nature")): [] for a in convention.get("avantages") or []}
    for a in convention.get("avantages") or []:
        by_key[(a.get("beneficiary_id") or "?", a.get("nature"))].append(a)
    for (who, nature), amounts in seen.items():
        limits = rules.negligeable[nature]
        unit_max = _decimal(limits.get("unit_max"))
        count_max = limits.get("count_per_year")
        amount_max = _decimal(limits.get("amount_per_year"))
        over = []
        if unit_max is not None and any(a > unit_max for a in amounts):
            over.append(f"plus de {euros(unit_max)} l'unité")
        if count_max is not None and len(amounts) > count_max:
            over.append(f"plus de {count_max} par an")
        if amount_max is not None and sum(amounts) > amount_max:
            over.append(f"plus de {euros(amount_max)} par an")
        if over:
            result.lines.append(f"{limits['label']} : {', '.join(over)} — ne relève plus de la valeur négligeable ({rules.negligeable_text}) : à inclure dans la convention.")
        else:
            result.hors_regime.extend(a.get("id") for a in by_key[(who, nature)])
            result.lines.append(f"{limits['label']} : valeur négligeable, hors régime des conventions ({rules.negligeable_text}).")


def line_checks(convention: dict, ruleset: Ruleset | None = None) -> dict[str, str]:
    """Per avantage, what its own line says against the thresholds (the convention's regime also
    sums lines of the same beneficiary: see classify)."""
    rules = ruleset or default_ruleset()
    out = {}
    for avantage in convention.get("avantages") or []:
        single = {"beneficiaries": convention.get("beneficiaries") or [], "avantages": [avantage]}
        result = classify(single, rules)
        if result.hors_regime:
            out[avantage.get("id")] = "valeur négligeable (hors régime)"
        elif result.regime == AUTORISATION:
            out[avantage.get("id")] = "au-delà : " + "; ".join(line.split(" : ", 1)[1].split(" — ")[0] for line in result.lines)
        elif result.regime == INDETERMINE:
            out[avantage.get("id")] = "seuil incertain : à apprécier"
        elif _group_of(rules, avantage) is None and avantage.get("nature") not in rules.negligeable:
            out[avantage.get("id")] = "sans seuil"
        else:
            out[avantage.get("id")] = "sous les seuils"
    return out


def check_classifiable(convention: dict, ruleset: Ruleset | None = None) -> None:
    """Typed input (aude-cli, an API client): refuse what `classify` would otherwise read silently as
    a declaration — no avantage, an unknown nature or category, an avantage of a beneficiary the
    convention does not list, a don without its purpose. ConventionInputError in French."""
    from aude_desktop.conventions.typology import CATEGORIES, DON_PURPOSES, NATURES

    check_shape(convention)
    rules = ruleset or default_ruleset()
    beneficiaries = convention.get("beneficiaries") or []
    avantages = convention.get("avantages") or []
    if not avantages:
        raise ConventionInputError("La convention ne comporte aucun avantage (« avantages ») : rien à classer.")
    ids = set()
    for n, b in enumerate(beneficiaries, start=1):
        if not b.get("id"):
            raise ConventionInputError(f"Bénéficiaire n° {n} : « id » manquant.")
        ids.add(b["id"])
        if b.get("category") not in CATEGORIES:
            raise ConventionInputError(f"Bénéficiaire n° {n} : catégorie inconnue « {str(b.get('category'))[:40]} » ; "
                                       f"catégories possibles : {', '.join(CATEGORIES)}.")
    don_natures = {nature for g in rules.groups if g.purposes for nature in g.natures}
    for n, a in enumerate(avantages, start=1):
        nature = a.get("nature")
        if nature not in NATURES and nature not in rules.negligeable and _group_of(rules, a) is None:
            raise ConventionInputError(f"Avantage n° {n} : nature inconnue « {str(nature)[:40]} » ; "
                                       f"natures possibles : {', '.join(NATURES)}.")
        if a.get("beneficiary_id") not in ids:
            raise ConventionInputError(f"Avantage n° {n} : bénéficiaire « {str(a.get('beneficiary_id'))[:40]} » absent "
                                       "de la liste des bénéficiaires (« beneficiaries »).")
        if nature in don_natures and a.get("purpose") not in DON_PURPOSES:
            raise ConventionInputError(f"Avantage n° {n} : un don doit indiquer son objet (« purpose ») : "
                                       f"{', '.join(DON_PURPOSES)}.")
        if a.get("amount") in (None, ""):
            raise ConventionInputError(f"Avantage n° {n} : montant (« amount ») manquant.")
