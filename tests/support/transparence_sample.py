"""A realistic Transparence Santé export (declaration_convention, the public open-data format) and
the EPS conventions it should be compared with, with known planted mismatches.

`build()` returns both sides and what the matching must find, computed from the plan here (not
from the matching code). `python -m tests.support.transparence_sample` rewrites the sample kept in
tests/data/transparence/; the bench calls `write_export` for a million lines.

Companies are named by a Transparence Santé identifier (8 letters), never by SIREN, as in the real
export: the matching recognises them by their name (« Laboratoires X SAS » = « LABORATOIRES X »).
"""

from __future__ import annotations

import csv
import json
import random
import string
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from aude_desktop.conventions.transparence import rules
from aude_desktop.rules.identifiers import luhn_check_digit

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "transparence"
SAMPLE = SAMPLE_DIR / "declaration_convention_2026_11_25_04_00.csv"
EXPECTED = SAMPLE_DIR / "expected.json"
NAMESPACE = uuid.UUID("a8f1c6d2-7e54-4b0b-9c31-5b9e2f6d7a40")
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
        "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard",
        "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure"]
FIRST = ["Anaïs", "Julien", "Hélène", "Mathieu", "Camille", "Nicolas", "Léa", "Thomas", "Chloé", "Hugo", "Inès",
         "Lucas", "Manon", "Louis", "Zoé", "Théo", "Élodie", "Paul", "Jeanne", "Arthur"]
CITIES = [("75011", "PARIS"), ("69003", "LYON"), ("31000", "TOULOUSE"), ("34000", "MONTPELLIER"), ("33000", "BORDEAUX"),
          ("44000", "NANTES"), ("59000", "LILLE"), ("13005", "MARSEILLE")]


def siren(rng: random.Random) -> str:
    body = str(rng.randrange(10**7, 10**8))
    return body + luhn_check_digit(body)


def rpps(rng: random.Random) -> str:
    body = "10" + str(rng.randrange(10**7, 10**8))
    return body + luhn_check_digit(body)


def ts_id(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(8))


@dataclass
class Sample:
    conventions: list[tuple[str, str, dict]] = field(default_factory=list)  # (id, authority, payload)
    rows: list[list[str]] = field(default_factory=list)
    # What the matching must find: per line status counts, per convention status, per company counts.
    lines: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)  # convention id → status


def _beneficiary(rng, bid: str, student: bool = False) -> dict:
    return {"id": bid, "category": "etudiant" if student else "professionnel", "last_name": rng.choice(LAST),
            "first_name": rng.choice(FIRST), "quality": "Étudiant" if student else "Infirmier", "profession": "infirmier",
            "order_number": None, "school": "IFSI de Montpellier" if student else None, "name": None, "object": None,
            "address": None, "rpps": None if student else rpps(rng), "ine": None}


def _convention(rng, company: dict, beneficiaries: list[dict], amounts: list[str], start: date, number: int) -> tuple[str, str, dict]:
    cid = str(uuid.uuid5(NAMESPACE, f"{company['siren']}-{number}"))
    filed = start - timedelta(days=20)
    avantages = [{"id": f"a{i + 1}", "beneficiary_id": b["id"], "nature": "remuneration", "amount": amount,
                  "hours": None, "half_days": None, "nights": None, "meals": None, "collations": None,
                  "date": (start + timedelta(days=5)).isoformat(), "description": None}
                 for i, (b, amount) in enumerate(zip(beneficiaries, amounts, strict=True))]
    return cid, "ORDRE-INF", {
        "reference": f"EPS-2026-{number:07d}", "authority": "ORDRE-INF", "source": "eps", "read_only": False,
        "company": {"name": company["name"], "siren": company["siren"], "siret": None, "address": None},
        "object": "conseil_expertise", "urgent": False, "octroi_on": None, "period_start": start.isoformat(),
        "period_end": (start + timedelta(days=60)).isoformat(), "signing_region": "OCC", "beneficiaries": beneficiaries,
        "avantages": avantages, "assigned_to": None, "regime": "declaration", "state": "enregistree",
        "filed_on": filed.isoformat(), "decision": None, "routing": None,
        "events": [{"on": filed.isoformat(), "kind": "receipt", "note": None},
                   {"on": filed.isoformat(), "kind": "registered", "note": None}]}


def _row(rng, company: dict, ligne: str, b: dict, signed: date, amount: str, *, with_rpps: bool = True) -> list[str]:
    columns = rules().columns
    postcode, city = rng.choice(CITIES)
    student = b["category"] == "etudiant"
    values = {name: "" for name in columns}
    values.update({
        "entreprise_identifiant": company["ts_id"], "denomination_sociale": company["ts_name"], "ligne_identifiant": ligne,
        "ligne_rectification": "N", "benef_categorie_code": "[ETU]" if student else "[PRS]",
        "categorie": "Étudiant" if student else "Professionnel de santé", "benef_nom": b["last_name"].upper(),
        "benef_prenom": b["first_name"], "benef_qualite_code": "" if student else "[INF]",
        "qualite": "Étudiant" if student else "Infirmier", "benef_adresse1": f"{rng.randrange(1, 120)} rue de la République",
        "benef_codepostal": postcode, "benef_ville": city, "benef_pays_code": "[FR]", "pays": "FRANCE",
        "benef_identifiant_type_code": "[RPPS]" if (b.get("rpps") and with_rpps) else "",
        "identifiant_type": "RPPS" if (b.get("rpps") and with_rpps) else "",
        "benef_identifiant_valeur": b["rpps"] if (b.get("rpps") and with_rpps) else "",
        "benef_etablissement": "IFSI de Montpellier" if student else "", "ligne_type": "[C]",
        "conv_date_signature": signed.strftime("%d/%m/%Y"), "conv_objet": "Contrat d'expertise",
        "conv_date_debut": signed.strftime("%d/%m/%Y"), "conv_date_fin": (signed + timedelta(days=60)).strftime("%d/%m/%Y"),
        "conv_montant_ttc": amount.replace(".00", ""),
    })
    return [values[name] for name in columns]


def build(companies: int = 40, per_company: int = 30, seed: int = 21) -> Sample:
    """About companies × per_company × 2 lines, with every planted case a few times."""
    rng = random.Random(seed)
    s = Sample()
    number = 0
    made = []
    for i in range(companies):
        name = f"Laboratoires {rng.choice(LAST)}-{i:03d}"
        made.append({"siren": siren(rng), "name": f"{name} SAS", "ts_name": name.upper(), "ts_id": ts_id(rng)})
    for ci, company in enumerate(made):
        for j in range(per_company):
            number += 1
            case = (ci * per_company + j) % 12
            start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 250))
            ligne = f"{company['ts_id']}-{number:07d}"
            amount = f"{rng.randrange(300, 5000)}.00"
            if case == 0:  # filed in EPS, never published
                b = _beneficiary(rng, "b1")
                cid, auth, p = _convention(rng, company, [b], [amount], start, number)
                s.conventions.append((cid, auth, p))
                s.statuses[cid] = "absente"
                continue
            if case == 1:  # published, never filed in EPS
                s.rows.append(_row(rng, company, ligne, _beneficiary(rng, "b1"), start, amount))
                s.lines[ligne] = "jamais_deposee"
                continue
            if case == 2:  # amounts differ
                b = _beneficiary(rng, "b1")
                cid, auth, p = _convention(rng, company, [b], [amount], start, number)
                s.conventions.append((cid, auth, p))
                s.rows.append(_row(rng, company, ligne, b, start, f"{int(float(amount)) + 150}.00"))
                s.lines[ligne], s.statuses[cid] = "montant_different", "montant_different"
                continue
            if case == 3:  # a student, matched by name (no RPPS)
                b = _beneficiary(rng, "b1", student=True)
                cid, auth, p = _convention(rng, company, [b], [amount], start, number)
                s.conventions.append((cid, auth, p))
                s.rows.append(_row(rng, company, ligne, b, start, amount))
                s.lines[ligne], s.statuses[cid] = "rapprochee", "declaree"
                continue
            if case == 4:  # two conventions with the same person and period: a third amount is ambiguous
                b = _beneficiary(rng, "b1")
                first = _convention(rng, company, [b], [amount], start, number)
                number += 1
                second = _convention(rng, company, [b], [f"{int(float(amount)) + 40}.00"], start + timedelta(days=3), number)
                s.conventions += [first, second]
                s.rows.append(_row(rng, company, ligne, b, start, f"{int(float(amount)) + 999}.00"))
                s.lines[ligne] = "ambigue"
                s.statuses[first[0]] = s.statuses[second[0]] = "ambigue"
                continue
            if case == 5:  # two beneficiaries, only one published
                b1, b2 = _beneficiary(rng, "b1"), _beneficiary(rng, "b2")
                cid, auth, p = _convention(rng, company, [b1, b2], [amount, "800.00"], start, number)
                s.conventions.append((cid, auth, p))
                s.rows.append(_row(rng, company, ligne, b1, start, amount))
                s.lines[ligne], s.statuses[cid] = "rapprochee", "partielle"
                continue
            if case == 6:  # a rectified line: the last version (right amount) stands
                b = _beneficiary(rng, "b1")
                cid, auth, p = _convention(rng, company, [b], [amount], start, number)
                s.conventions.append((cid, auth, p))
                s.rows.append(_row(rng, company, ligne, b, start, "1.00"))
                fixed = _row(rng, company, ligne, b, start, amount)
                fixed[rules().columns.index("ligne_rectification")] = "O"
                s.rows.append(fixed)
                s.lines[ligne], s.statuses[cid] = "rapprochee", "declaree"
                continue
            if case == 7:  # signed long before the period: another convention, never filed
                b = _beneficiary(rng, "b1")
                cid, auth, p = _convention(rng, company, [b], [amount], start, number)
                s.conventions.append((cid, auth, p))
                s.rows.append(_row(rng, company, ligne, b, start, amount))
                s.rows.append(_row(rng, company, ligne + "-A", b, start - timedelta(days=400), amount))
                s.lines[ligne], s.lines[ligne + "-A"], s.statuses[cid] = "rapprochee", "jamais_deposee", "declaree"
                continue
            # the ordinary case: filed and published alike, matched by RPPS
            b = _beneficiary(rng, "b1")
            cid, auth, p = _convention(rng, company, [b], [amount], start, number)
            s.conventions.append((cid, auth, p))
            s.rows.append(_row(rng, company, ligne, b, start + timedelta(days=rng.randrange(-10, 10)), amount))
            s.lines[ligne], s.statuses[cid] = "rapprochee", "declaree"
    # A company published on Transparence Santé and absent from EPS altogether.
    stranger = {"siren": siren(rng), "name": "Dispositifs Inconnus", "ts_name": "DISPOSITIFS INCONNUS SA", "ts_id": ts_id(rng)}
    for k in range(5):
        ligne = f"{stranger['ts_id']}-{k:07d}"
        s.rows.append(_row(rng, stranger, ligne, _beneficiary(rng, "b1"), date(2026, 3, 1), "250.00"))
        s.lines[ligne] = "jamais_deposee"
    return s


def write_export(path: Path, rows, header: bool = True) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        if header:
            writer.writerow(rules().columns)
        writer.writerows(rows)


def main() -> None:
    sample = build()
    SAMPLE_DIR.mkdir(parents=True, exist_ok=True)
    write_export(SAMPLE, sample.rows)
    EXPECTED.write_text(json.dumps({"lines": sample.lines, "statuses": sample.statuses}, indent=0, sort_keys=True) + "\n",
                        encoding="utf-8")
    print(f"{len(sample.rows)} lignes, {len(sample.conventions)} conventions EPS → {SAMPLE}")


if __name__ == "__main__":
    main()
