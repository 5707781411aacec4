"""Deterministic, realistic, fictitious demo data at national scale (stdlib only).

Same arguments → same records, byte for byte: random.Random(seed), ids from the generator, dates
relative to the `today` passed in. Pièce records are generated for open dossiers only (the
checklist of a decided file is history; the demo keeps the seed fast and the feed lean).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from aude_desktop.conventions.typology import OBJECTS, ORDER_OF_PROFESSION
from aude_desktop.dossiers.states import DossierState, Situation
from aude_desktop.rules.deadlines import eps_clock
from aude_desktop.rules.identifiers import luhn_check_digit
from aude_desktop.rules.pieces import expected_items
from aude_desktop.rules.reference import acces_partiel_region, authorities, professions, regions


@dataclass(frozen=True, slots=True)
class SeedRecord:
    kind: str
    id: str
    region: str | None
    authority: str | None
    owner: str | None
    payload: dict


@dataclass(frozen=True)
class DemoUser:
    login: str
    password: str
    role: str
    region: str | None
    authority: str | None
    display_name: str


FIRST_F = ["Élodie", "Zoé", "Hélène", "Anaïs", "Maëlle", "Inès", "Chloé", "Léa", "Fatima", "Yasmine", "Ana", "Ioana",
           "María José", "Bérénice", "Agnieszka", "Thị Mai", "Aïcha", "Noémie", "Gaëlle", "Célia", "Sofía", "Małgorzata"]
FIRST_M = ["Jérôme", "Théo", "Noé", "Karim", "Mehdi", "João", "Andrei", "José", "Grégoire", "Loïc", "Stéphane",
           "Mamadou", "Văn Minh", "Piotr", "Raphaël", "Hugo", "Youssef", "Cédric", "Matías", "Björn", "Łukasz"]
LAST = ["Nguyễn", "Lefèvre", "Müller", "Da Silva", "Benali", "Popescu", "García", "Kowalski", "Martin", "Dubois",
        "Leroy", "Fernández", "Brâncuși", "Ó Briain", "Ben Saïd", "Traoré", "Diallo", "Rossi", "Schröder", "Gonçalves",
        "El Amrani", "Petit", "Moreau", "Lambert", "Haddad", "Nowak", "Ionescu", "Żółkiewski", "Lê", "Faure", "N'Diaye"]
EU = ["Belgique", "Espagne", "Portugal", "Roumanie", "Italie", "Allemagne", "Pologne", "Suisse", "Luxembourg", "Grèce", "Irlande"]
THIRD = ["Maroc", "Algérie", "Tunisie", "Sénégal", "Liban", "Viêt Nam", "Brésil", "Canada", "Côte d'Ivoire"]
PROFESSION_WEIGHT = {"infirmier": 30, "aide_soignant": 18, "masseur_kinesitherapeute": 8, "auxiliaire_puericulture": 5,
                     "ergotherapeute": 3, "orthophoniste": 3, "manipulateur_erm": 3, "pedicure_podologue": 2,
                     "ibode": 2, "iade": 2, "puericultrice": 2, "psychomotricien": 2, "ambulancier": 2,
                     "assistant_service_social": 2, "preparateur_pharmacie": 2, "dieteticien": 1}
REGION_WEIGHT = {"IDF": 19, "ARA": 12, "NAQ": 9, "OCC": 9, "HDF": 9, "GES": 8, "PAC": 8, "PDL": 6, "BRE": 5,
                 "NOR": 5, "BFC": 4, "CVL": 4, "REU": 1.3, "COR": 0.5, "GUA": 0.6, "MTQ": 0.5, "GUY": 0.4, "MAY": 0.4}
# Receipts are spread evenly over three years (a steady inflow, some every week); each file then
# moves through the procedure at a realistic pace and is shown as it stands today, so decisions and
# closures spread over the months as receipts do (never piled on today), most open files are within
# their délais and a minority runs late.
HISTORY_DAYS = 3 * 365
DECISION_WEIGHT = {"autorisation": 58, "mesures_compensation": 22, "refus": 12, "irrecevabilite": 8}
OPEN = {DossierState.RECU, DossierState.INCOMPLET, DossierState.COMPLET, DossierState.EN_COMMISSION, DossierState.AVIS_RENDU}
COMPANY_WORDS = ["Laboratoires", "Pharma", "Santé", "MédiTech", "BioSoins", "Orthopédie", "Dentaire", "Optique"]
COMPANY_NAMES = ["Élan", "Aurélia", "Cévennes", "Provençale", "Hélios", "Léman", "Bréhat", "Vaucluse", "Ariège", "Gâtinais"]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _luhn_number(rng: random.Random, digits: int, prefix: str = "") -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(digits - 1 - len(prefix)))
    return body + luhn_check_digit(body)


def _siret(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.01:  # La Poste: digit sum divisible by 5
        while True:
            siret = "356000000" + "".join(str(rng.randrange(10)) for _ in range(5))
            if sum(map(int, siret)) % 5 == 0:
                return "356000000", siret
    siren = _luhn_number(rng, 9)
    nic = "".join(str(rng.randrange(10)) for _ in range(4))
    return siren, siren + nic + luhn_check_digit(siren + nic)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _person(rng: random.Random) -> tuple[str, str, str]:
    sex = rng.choice("FM")
    first = rng.choice(FIRST_F if sex == "F" else FIRST_M)
    if rng.random() < 0.2:
        first += " " + rng.choice(FIRST_F if sex == "F" else FIRST_M)
    return sex, first, rng.choice(LAST)


@dataclass
class _Chain:
    """A dossier's dated steps, some possibly after today (not yet happened)."""

    events: list[tuple[date, str, str | None, DossierState]]  # day, clock event, note, state from that day
    decision: dict | None

    def state_on(self, today: date) -> tuple[DossierState, list[dict], dict | None]:
        past = [e for e in self.events if e[0] <= today]
        decision = self.decision if self.decision and date.fromisoformat(self.decision["decided_on"]) <= today else None
        events = [{"on": d.isoformat(), "kind": kind, "note": note} for d, kind, note, _ in past if kind]
        return past[-1][3], events, decision

    def day(self, kind: str, today: date) -> date | None:
        return next((d for d, k, _n, _s in self.events if k == kind and d <= today), None)


def _late(rng: random.Random, share: float, usual: tuple[int, int], late: tuple[int, int]) -> int:
    return rng.randrange(*late) if rng.random() < share else rng.randrange(*usual)


def _dossier_chain(rng: random.Random, received: date, commission: bool, situation: Situation) -> _Chain:
    """The procedure at a real service's pace: acknowledgement within the month (a few late), a
    third of the files asked for pièces, the decision within the 4 months of completeness for
    most (some late: an implicit decision), the applicant's choice of measure within 2 months."""
    S = DossierState
    day = received
    steps: list[tuple[date, str, str | None, DossierState]] = [(received, "receipt", None, S.RECU)]

    def later(days: int, kind: str | None, note: str | None, state: DossierState) -> date:
        nonlocal day
        day = day + timedelta(days=days)
        steps.append((day, kind, note, state))
        return day

    if situation is Situation.HORS_UE:  # irrecevable on sight
        decided = later(rng.randrange(5, 40), "decision", "irrecevabilite", S.IRRECEVABLE)
        return _Chain(steps, {"kind": "irrecevabilite", "decided_on": decided.isoformat(),
                              "motifs": "Titre de formation obtenu hors de l'Union européenne."})
    later(_late(rng, 0.12, (2, 26), (33, 60)), "acknowledged", None, S.COMPLET)
    if rng.random() < 0.35:
        steps[-1] = steps[-1][:3] + (S.INCOMPLET,)
        steps.append((day, "pieces_requested", "Pièce g : programme détaillé", S.INCOMPLET))
        later(rng.randrange(10, 90), "pieces_received", None, S.COMPLET)
    steps.append((day, "complete", None, S.COMPLET))
    kind = _weighted(rng, DECISION_WEIGHT)
    to_decision = _late(rng, 0.14, (30, 112), (126, 190))  # 4 months ≈ 121 days
    if kind != "irrecevabilite":  # the avis: the CRAE's, or for ASS the DEASS establishment's
        if commission:
            inscribed = rng.randrange(8, max(9, to_decision // 3))
            later(inscribed, "commission", None, S.EN_COMMISSION)
            to_decision -= inscribed
        opinion = rng.randrange(10, 30)
        later(opinion, "avis", None, S.AVIS_RENDU)
        to_decision = max(3, to_decision - opinion)
    state = {"autorisation": S.AUTORISE, "mesures_compensation": S.MESURES_COMPENSATION,
             "refus": S.REFUSE, "irrecevabilite": S.IRRECEVABLE}[kind]
    decided = later(to_decision, "decision", kind, state)
    motifs = {"refus": "Différences substantielles non compensées (CRPA L.211-2).",
              "irrecevabilite": "Dossier ne relevant pas de la procédure d'autorisation d'exercice.",
              "mesures_compensation": "Différences substantielles en pédiatrie et en soins d'urgence."}.get(kind, "")
    decision = {"kind": kind, "decided_on": decided.isoformat(), "motifs": motifs}
    if kind == "mesures_compensation":
        later(_late(rng, 0.10, (10, 58), (64, 90)), "measure_chosen", "epreuve", S.MESURES_COMPENSATION)
        passed = rng.random() < 0.8
        later(rng.randrange(60, 110), "epreuve_passed" if passed else "epreuve_failed", None,
              S.AUTORISE if passed else S.REFUSE)
    if rng.random() < 0.6:  # the file is archived some weeks after its outcome
        later(rng.randrange(20, 120), "closed", None, S.CLOS)
    return _Chain(steps, decision)


def _dossier(rng: random.Random, number: int, today: date) -> tuple[SeedRecord, list[SeedRecord]]:
    profession = _weighted(rng, PROFESSION_WEIGHT) if rng.random() < 0.93 else rng.choice(list(professions()))
    spec = professions()[profession]
    acces_partiel = rng.random() < 0.03
    if acces_partiel:
        region = acces_partiel_region()
    elif spec.competent_region:
        region = spec.competent_region
    elif spec.deass_exam_centres:
        region = rng.choice(spec.deass_exam_centres)
    else:
        region = _weighted(rng, REGION_WEIGHT)
    situation = rng.choices(list(Situation), weights=[70, 12, 10, 3, 5])[0]
    received = today - timedelta(days=rng.randrange(0, HISTORY_DAYS))
    chain = _dossier_chain(rng, received, spec.has_commission, situation)
    state, events, decision = chain.state_on(today)
    chosen = chain.day("measure_chosen", today)
    if decision and decision["kind"] == "mesures_compensation":
        decision = {**decision, "measures": {
            "kind": "au_choix", "subjects": ["Pédiatrie", "Soins d'urgence"], "required_level": 3, "held_level": 2,
            "stage_months": 6, "differences": "Pédiatrie et soins d'urgence absents de la formation suivie.",
            **({"chosen": "epreuve", "chosen_on": chosen.isoformat()} if chosen else {})}}
    ack = chain.day("acknowledged", today)
    complete = chain.day("complete", today)
    closed = chain.day("closed", today)
    sex, first, last = _person(rng)
    country = rng.choice(THIRD if situation in (Situation.TIERS_RECONNU, Situation.HORS_UE) else EU)
    nationality = rng.choice(EU + ["France"]) if situation is not Situation.RESSORTISSANT_TIERS_TITRE_UE else rng.choice(THIRD)
    dossier_id = _uuid(rng)
    reference = f"AUDE-{received.year}-{region}-{number:06d}"
    payload = {
        "reference": reference, "profession": profession,
        "specialty": None, "region": region, "acces_partiel": acces_partiel, "situation": situation.value,
        "state": state.value, "assigned_to": f"agent.{region.lower()}" if rng.random() < 0.6 else None,
        "received_on": received.isoformat(), "acknowledged_on": ack.isoformat() if ack else None,
        "complete_on": complete.isoformat() if complete else None, "decision": decision,
        "closed_on": closed.isoformat() if closed else None,
        "applicant": {"last_name": last, "first_names": first,
                      "birth_date": (received - timedelta(days=rng.randrange(22 * 365, 55 * 365))).isoformat(),
                      "birth_place": None, "birth_country": country, "nationality": nationality, "sex": sex,
                      "email": f"demandeur{number}@exemple.invalid", "phone": None,
                      "address": f"{rng.randrange(1, 120)} rue de la République", "postal_code": None,
                      "city": regions()[region].dreets_seat, "country": "France"},
        "diploma": {"title": f"Diplôme {spec.de_label}", "country": country,
                    "obtained_on": (received - timedelta(days=rng.randrange(365, 12 * 365))).isoformat(),
                    "issuing_body": f"Institut de formation ({country})", "recognised_on": None},
        "experiences": [{"nature": spec.label, "place": f"Hôpital universitaire ({country})", "country": country,
                         "start": (received - timedelta(days=rng.randrange(800, 3000))).isoformat(), "end": None}],
        "clock_events": events,
    }
    payload = _out_of_scope(payload, number, today)
    state = DossierState(payload["state"])
    record = SeedRecord("dossier", dossier_id, region, None, None, payload)
    pieces = []
    if state in OPEN:
        for item in expected_items(situation):  # the checklist of the rules data, as the desktop shows it
            code, label = item["code"], item["label"]
            status = "recu"
            if state is DossierState.INCOMPLET and code in ("g", "f"):
                status = rng.choice(["manquant", "non_conforme", "traduction_requise"])
            elif state is DossierState.RECU and rng.random() < 0.3:
                status = "manquant"
            pieces.append(SeedRecord("piece", _uuid(rng), region, None, None, {
                "dossier_id": dossier_id, "code": code, "label": label, "status": status,
                "received_on": received.isoformat() if status == "recu" else None,
                "sha256": None, "filename": None, "note": None}))
    return record, pieces


def _out_of_scope(payload: dict, number: int, today: date) -> dict:
    """A third of the open nurse files whose title the annex V table lists are closed « hors champ » a week
    after their last step, as an agent would (the real transition). Draws nothing from the generator, so
    every other record stays the same."""
    from aude_desktop.dossiers import screening

    closing = max(date.fromisoformat(e["on"]) for e in payload["clock_events"]) + timedelta(days=7)
    if number % 3 or closing > today or not screening.proposes(payload):
        return payload
    found = screening.screen_payload(payload)
    return screening.close_out_of_scope(payload, {"on": closing.isoformat(), "acquired_rights_checked": found.basis != "liste"})


ORDER_AUTHORITIES = [code for code, a in authorities().items() if a.kind == "ordre"]
ARS = [code for code, a in authorities().items() if a.kind == "ars"]
NO_ORDER = ["orthophoniste", "ergotherapeute", "dieteticien", "psychomotricien", "audioprothesiste", "opticien_lunetier"]
PROFESSION_OF_ORDER = {v: k for k, v in ORDER_OF_PROFESSION.items()}


def _convention(rng: random.Random, number: int, today: date, companies: list[tuple[str, str, str]]) -> SeedRecord:
    roll = rng.random()
    if roll < 0.10:
        authority = "CNOM"
    elif roll < 0.65:
        authority = rng.choice(ORDER_AUTHORITIES)
    else:
        authority = rng.choice(ARS)
    region = authorities()[authority].region or rng.choice(list(REGION_WEIGHT))
    name, siren, siret = rng.choice(companies)
    filed = today - timedelta(days=rng.randrange(0, HISTORY_DAYS))
    start = filed + timedelta(days=rng.randrange(10, 60))
    end = start + timedelta(days=rng.randrange(1, 180))
    regime = "autorisation" if rng.random() < 0.2 else "declaration"
    beneficiaries, avantages = [], []
    for i in range(1 if rng.random() < 0.8 else rng.randrange(2, 5)):
        sex, first, last = _person(rng)
        if authority.startswith("ORDRE-PH"):
            profession, extra = "pharmacien", {"pharmacist_section": authority[-1]}
        elif authority == "CNOM":
            profession, extra = "medecin", {}
        elif authority.startswith("ORDRE"):
            profession, extra = PROFESSION_OF_ORDER[authority], {}
        else:
            profession, extra = rng.choice(NO_ORDER), {}
        student = rng.random() < 0.08 and authority != "CNOM"
        beneficiaries.append({
            "id": f"b{i + 1}", "category": "etudiant" if student else "professionnel", "last_name": last, "first_name": first,
            "quality": professions()[profession].label if profession in professions() else profession.replace("_", " ").capitalize(),
            "profession": profession, "rpps": None if student else _luhn_number(rng, 11, "10"),
            "order_number": None, "ine": f"{rng.randrange(10**9):09d}AB" if student else None,
            "school": "Université de Bordeaux" if student else None, "name": None, "object": None,
            "address": regions()[region].dreets_seat, **extra})
        high = regime == "autorisation" and i == 0
        hours = rng.randrange(1, 8)
        rate = rng.randrange(210, 400) if high else rng.randrange(60, 190)
        if student:  # the students' scale (80 €/h): same draws, so the data set stays the same otherwise
            rate = rate * 40 // 100
        day = start + timedelta(days=rng.randrange(0, max(1, (end - start).days)))
        avantages.append({"id": f"a{i + 1}", "beneficiary_id": f"b{i + 1}", "nature": "remuneration",
                          "amount": f"{hours * rate}.00", "hours": str(hours), "half_days": None, "nights": None,
                          "meals": None, "collations": None, "date": day.isoformat(), "description": "Intervention"})
        if rng.random() < 0.4:
            night = f"{rng.randrange(80, 149)}.{rng.randrange(100):02d}"
            if not student:  # no sure hospitality threshold for students (eps.md §4): keep the demo regime certain
                avantages.append({"id": f"h{i + 1}", "beneficiary_id": f"b{i + 1}", "nature": "hebergement",
                                  "amount": night, "hours": None, "half_days": None,
                                  "nights": 1, "meals": None, "collations": None, "date": day.isoformat(), "description": "Nuitée"})
    urgent = regime == "autorisation" and rng.random() < 0.05
    state, events, decision = _convention_chain(rng, regime, authority, urgent, filed).state_on(today)
    if state == "urgence_non_justifiee" or any(e["kind"] == "urgency_refused" for e in events):
        urgent = False  # the ordinary delays apply once the urgency is refused
    payload = {
        "reference": f"EPS-{filed.year}-{number:07d}", "authority": authority,
        "source": "cnom_import" if authority == "CNOM" else "eps", "read_only": authority == "CNOM",
        "company": {"name": name, "siren": siren, "siret": siret, "address": "Paris"},
        "object": rng.choice(list(OBJECTS)), "regime": regime, "state": state,
        "urgent": urgent, "filed_on": filed.isoformat(),
        "octroi_on": avantages[0]["date"], "period_start": start.isoformat(), "period_end": end.isoformat(),
        "signing_region": region, "decision": decision, "assigned_to": None,
        "beneficiaries": beneficiaries, "avantages": avantages, "events": events,
    }
    return SeedRecord("convention", _uuid(rng), None, authority, None, payload)


@dataclass
class _ConventionChain:
    steps: list[tuple[date, str | None, str | None, str]]  # day, event, note, state from that day
    decision: dict | None

    def state_on(self, today: date) -> tuple[str, list[dict], dict | None]:
        past = [step for step in self.steps if step[0] <= today]
        decision = self.decision if self.decision and date.fromisoformat(self.decision["decided_on"]) <= today else None
        # A tacit authorisation is recorded some days after it arose, and dated the day it arose (its note).
        events = [{"on": n, "kind": k, "note": None} if k == "tacit_authorisation" else {"on": d.isoformat(), "kind": k, "note": n}
                  for d, k, n, _ in past if k]
        return past[-1][3], events, decision


def _convention_chain(rng: random.Random, regime: str, authority: str, urgent: bool, filed: date) -> _ConventionChain:
    """A convention's steps at an authority's usual pace: déclarations registered within days;
    authorisation requests decided within the 2 months (3 weeks if urgent) for most, a few left to
    tacit authorisation, a fifth refused (some come back modified)."""
    day = filed
    steps: list[tuple[date, str | None, str | None, str]] = [(filed, "receipt", None, "recue")]

    def later(days: int, kind: str | None, note: str | None, state: str) -> date:
        nonlocal day
        day = day + timedelta(days=days)
        steps.append((day, kind, note, state))
        return day

    if regime == "declaration":
        later(rng.randrange(1, 6), "registered", None, "enregistree")
        if rng.random() < 0.3:
            later(rng.randrange(3, 15), "recommandations", None, "recommandations")
        later(rng.randrange(150, 240), "closed", None, "close")
        return _ConventionChain(steps, None)
    if urgent and rng.random() < 0.3:
        later(3, "urgency_refused", None, "urgence_non_justifiee")
        urgent = False
    else:
        later(2, "acknowledged", None, "en_instruction")
    delay = 21 if urgent else 61
    if rng.random() < 0.12:  # asked for the missing items within the month: the delay restarts on their receipt
        later(rng.randrange(5, 20), "incomplete", "Programme de la manifestation", "incomplete")
        later(rng.randrange(8, 40), "pieces_received", None, "en_instruction")
    if rng.random() < 0.08:  # no answer in time: authorised tacitly on the legal date, recorded some days later
        events = [{"on": d.isoformat(), "kind": k, "note": n} for d, k, n, _ in steps if k]
        acquired = eps_clock(events, "autorisation", authority, urgent, None, day).next_date
        later((acquired - day).days + rng.randrange(2, 15), "tacit_authorisation", acquired.isoformat(), "autorisee_tacitement")
        decision = None
    else:
        refused = rng.random() < 0.2
        decided = later(rng.randrange(8, delay - 4), "decision", "refus" if refused else "autorisation",
                        "refusee" if refused else "autorisee")
        decision = {"kind": "refus" if refused else "autorisation", "decided_on": decided.isoformat(),
                    "motifs": "Rémunération disproportionnée au regard du service rendu." if refused else ""}
        if refused and rng.random() < 0.4:  # a modified convention within the 15 days, decided within 15 days
            later(rng.randrange(3, 15), "modified_received", None, "modifiee_recue")
            second = later(rng.randrange(3, 14), "decision", "autorisation", "autorisee")
            decision = {"kind": "autorisation", "decided_on": second.isoformat(), "motifs": ""}
    later(rng.randrange(120, 240), "closed", None, "close")
    return _ConventionChain(steps, decision)


def generate_records(dossiers: int, conventions: int, seed: int, today: date | None = None) -> Iterator[SeedRecord]:
    today = today or date.today()
    rng = random.Random(seed)
    for number in range(1, dossiers + 1):
        record, pieces = _dossier(rng, number, today)
        yield record
        yield from pieces
    companies = []
    for _ in range(max(20, min(800, conventions // 50))):
        siren, siret = _siret(rng)
        companies.append((f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_NAMES)}", siren, siret))
    for number in range(1, conventions + 1):
        yield _convention(rng, number, today, companies)


def demo_users() -> list[DemoUser]:
    users = [DemoUser(f"agent.{r.lower()}", f"demo-agent-{r.lower()}", "agent_dreets", r, None,
                      f"Agent DREETS {regions()[r].label}") for r in regions()]
    users += [DemoUser(f"ars.{r.lower()}", f"demo-ars-{r.lower()}", "ars", r, None, f"Agent ARS {regions()[r].label}")
              for r in regions()]
    users += [DemoUser(f"ordre.{code.removeprefix('ORDRE-').lower()}", f"demo-ordre-{code.removeprefix('ORDRE-').lower()}",
                       "ordre", None, code, authorities()[code].label) for code in ORDER_AUTHORITIES]
    users += [DemoUser("dgos", "demo-dgos", "dgos", None, None, "Superviseur DGOS"),
              DemoUser("dgos.2", "demo-dgos-2", "dgos", None, None, "Superviseuse DGOS")]
    return users
