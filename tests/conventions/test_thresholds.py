"""Classification by the thresholds of the arrêté of 7 August 2020: at, just below and just above every
threshold of every category, uncertain cells, several beneficiaries, mixed avantages, valeur
négligeable, a monotonicity property, and rules files refused at load."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aude_desktop.conventions.thresholds import (
    AUTORISATION,
    DECLARATION,
    INDETERMINE,
    UNIT_KEYS,
    RulesetError,
    classify,
    default_ruleset,
    parse_ruleset,
)
from aude_desktop.paths import resources_dir

RULES = default_ruleset()
CENT = Decimal("0.01")


def convention(*avantages, categories=("professionnel",)) -> dict:
    return {
        "beneficiaries": [{"id": f"b{i}", "category": c} for i, c in enumerate(categories)],
        "avantages": [{"id": f"a{i}", "beneficiary_id": "b0", **a} for i, a in enumerate(avantages)],
    }


def _cases():
    """(id, avantage, category, expected) for every sure cell and key: at, below, above."""
    for group in RULES.groups:
        for category, cell in group.cells.items():
            if cell is None:
                continue
            for key, limit in cell.items():
                if key == "total":
                    nature = sorted(group.natures)[0]
                    base = {"nature": nature, **({"purpose": sorted(group.purposes)[0]} if group.purposes else {})}
                    for delta, expected in ((-CENT, DECLARATION), (0, DECLARATION), (CENT, AUTORISATION)):
                        yield (f"{group.key}-{category}-total{delta:+}", {**base, "amount": str(limit + delta)}, category, expected)
                    continue
                quantity_key, natures, _unit = UNIT_KEYS[key]
                nature = sorted(natures or group.natures)[0]
                for delta, expected in ((-CENT, DECLARATION), (0, DECLARATION), (CENT, AUTORISATION)):
                    amount = (limit + delta) * 2  # two units, each just below, at, or just above
                    yield (f"{group.key}-{category}-{key}{delta:+}", {"nature": nature, "amount": str(amount), quantity_key: "2"},
                           category, expected)


CASES = list(_cases())


@pytest.mark.parametrize(("case", "avantage", "category", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_threshold_at_below_and_above(case, avantage, category, expected):
    result = classify(convention(avantage, categories=(category,)))
    assert result.regime == expected, result.lines
    if expected == AUTORISATION:
        assert any(" > " in line and line.endswith("arrêté du 7 août 2020") for line in result.lines)


def test_the_explanation_reads_like_the_text():
    result = classify(convention({"nature": "remuneration", "amount": "500.00", "hours": "2"}))
    assert result.lines == ["Rémunération, indemnisation, défraiement : 250,00 €/h > 200,00 €/h — arrêté du 7 août 2020"]
    total = classify(convention({"nature": "remuneration", "amount": "2500.00"}))
    assert total.lines == ["Rémunération, indemnisation, défraiement : total 2\u202f500,00 € > 2\u202f000,00 € — arrêté du 7 août 2020"]


def test_an_uncertain_cell_makes_the_regime_indetermine_unless_a_sure_threshold_is_exceeded():
    student_night = {"nature": "hebergement", "amount": "120.00", "nights": "1"}
    result = classify(convention(student_night, categories=("etudiant",)))
    assert result.regime == INDETERMINE and "seuil incertain" in result.lines[0]
    over = {"nature": "remuneration", "amount": "900.00", "hours": "1"}
    assert classify(convention(student_night, over, categories=("etudiant",))).regime == AUTORISATION


def test_amounts_are_per_beneficiary_and_summed_over_the_convention():
    split = convention({"nature": "remuneration", "amount": "1500.00"}, {"nature": "remuneration", "amount": "1500.00"},
                       categories=("professionnel", "professionnel"))
    split["avantages"][1]["beneficiary_id"] = "b1"
    assert classify(split).regime == DECLARATION
    same = convention({"nature": "remuneration", "amount": "1100.00"}, {"nature": "defraiement", "amount": "1000.00"})
    assert classify(same).regime == AUTORISATION


def test_mixed_avantages_report_each_rule_that_fired():
    result = classify(convention({"nature": "remuneration", "amount": "150.00", "hours": "1"},
                                 {"nature": "hebergement", "amount": "360.00", "nights": "2"},
                                 {"nature": "restauration", "amount": "120.00", "meals": "2"}))
    assert result.regime == AUTORISATION
    assert [line.split(" : ")[1].split(" — ")[0] for line in result.lines] == ["180,00 €/nuit > 150,00 €/nuit", "60,00 €/repas > 50,00 €/repas"]


def test_dons_depend_on_what_they_finance():
    rup = {"nature": "dons_liberalites", "purpose": "association_rup", "amount": "9000.00"}
    health = {"nature": "dons_liberalites", "purpose": "association_sante", "amount": "9000.00"}
    assert classify(convention(rup, categories=("association",))).regime == DECLARATION
    assert classify(convention(health, categories=("association",))).regime == AUTORISATION
    assert "aucun seuil prévu" in classify(convention(rup)).lines[0]  # not for a professional


def test_valeur_negligeable_is_outside_the_regime_within_its_limits():
    books = convention({"nature": "livres_revues", "amount": "25.00"}, {"nature": "livres_revues", "amount": "29.00"})
    result = classify(books)
    assert result.regime == DECLARATION and result.hors_regime == ["a0", "a1"]
    meals = convention(*[{"nature": "repas_impromptu", "amount": "20.00"}] * 3)
    flagged = classify(meals)
    assert flagged.hors_regime == [] and "plus de 2 par an" in flagged.lines[0]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["remuneration", "hebergement", "restauration", "frais_inscription", "formation_dpc"]),
                       st.decimals(min_value=0, max_value=5000, places=2), st.integers(min_value=1, max_value=5)),
             min_size=1, max_size=6),
    st.integers(min_value=0, max_value=5), st.decimals(min_value=0, max_value=3000, places=2),
)
def test_raising_an_amount_never_turns_an_autorisation_into_a_declaration(items, which, raise_by):
    quantity = {"remuneration": "hours", "hebergement": "nights", "restauration": "meals"}
    avantages = [{"nature": n, "amount": str(a), **({quantity[n]: str(q)} if n in quantity else {})} for n, a, q in items]
    before = classify(convention(*avantages)).regime
    raised = copy.deepcopy(avantages)
    target = raised[which % len(raised)]
    target["amount"] = str(Decimal(target["amount"]) + raise_by)
    after = classify(convention(*raised)).regime
    assert before in (DECLARATION, AUTORISATION, INDETERMINE)
    if before == AUTORISATION:
        assert after == AUTORISATION


@pytest.mark.parametrize(("edit", "words"), [
    (lambda r: r["groups"][0]["cells"]["professionnel"].update(per_hour="deux cents"), "montant illisible"),
    (lambda r: r["groups"][0]["cells"]["professionnel"].update(per_year="10"), "cellule mal formée"),
    (lambda r: r["groups"][1]["cells"].update(etudiant="inconnu"), "cellule mal formée"),
    (lambda r: r["groups"][0]["cells"]["etudiant"].update(total="-5"), "négatif"),
    (lambda r: r.pop("negligeable"), "clé 'negligeable' absente"),
])
def test_a_bad_ruleset_is_refused_with_a_precise_message(edit, words):
    raw = json.loads((resources_dir() / "rules" / "eps_thresholds.json").read_text(encoding="utf-8"))
    edit(raw)
    with pytest.raises(RulesetError, match=words):
        parse_ruleset(raw)
    assert default_ruleset().groups[0].cells["professionnel"]["per_hour"] == Decimal("200")  # still in force
