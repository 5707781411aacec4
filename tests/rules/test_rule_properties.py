"""Properties of the legal rules over generated inputs (hypothesis): every legal date is on or after
the event it counts from, and classifying a convention is total — any input gets a regime or a
French refusal, never a crash."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from aude_desktop.conventions.thresholds import ConventionInputError, classify
from aude_desktop.rules import calendar as cal_mod
from aude_desktop.rules.deadlines import compute, default_rules

RULES = default_rules()
FORWARD = sorted(name for name, delay in RULES.delays.items() if not delay.unit.endswith("_before"))
BACKWARD = sorted(name for name, delay in RULES.delays.items() if delay.unit.endswith("_before"))
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
calendars = st.sampled_from([None, "6AE", "971", "974"]).map(lambda subdiv: cal_mod.LegalCalendar(subdiv))

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
natures = st.sampled_from(["remuneration", "hebergement", "restauration", "transport", "frais_inscription",
                           "formation_dpc", "don", "echantillon", "cadeau", "inconnue", ""])
avantage = st.fixed_dictionaries(
    {"nature": natures | json_values, "amount": st.decimals(allow_nan=True).map(str) | json_values},
    optional={"hours": json_values, "nights": json_values, "meals": json_values, "purpose": json_values,
              "beneficiary_category": json_values, "beneficiary": json_values},
)
conventions = st.one_of(
    json_values,
    st.fixed_dictionaries({"avantages": st.lists(avantage, max_size=6)},
                          optional={"beneficiaries": json_values, "beneficiary_category": json_values,
                                    "urgent": json_values, "signed_on": json_values}),
)


def test_the_rules_have_forward_delays_to_check():
    assert len(FORWARD) >= 5, FORWARD


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FORWARD), days, calendars)
def test_a_legal_date_never_falls_before_its_starting_event(name, start, cal):
    deadline = compute(RULES, name, start, cal)
    assert deadline.due >= start
    assert not cal.is_non_working(deadline.due) or not RULES.extend


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(BACKWARD or FORWARD), days, calendars)
def test_a_filing_limit_counted_backwards_never_falls_after_its_event(name, start, cal):
    deadline = compute(RULES, name, start, cal)
    assert (deadline.due <= start) if name in BACKWARD else (deadline.due >= start)


@settings(max_examples=400, deadline=None)
@given(conventions)
def test_classification_is_total(convention):
    try:
        result = classify(convention)
    except ConventionInputError as exc:  # refused, saying in French what is wrong; anything else fails
        assert any(word in str(exc) for word in ("doit être", "illisible", "convention")), repr(exc)
        return
    assert result.regime in ("declaration", "autorisation", "indetermine", "hors_regime") or result.regime
    assert all(isinstance(line, str) and line for line in result.lines)
