"""Missouri First Steps: eligibility conditions a ruleset cannot express (a state plugin).

Written only against the public API (`from eirules import ...`), as an agency's own
plugin would be. It adds two case-file sections and two Part C criteria, combined by
Part C into its one outcome (the `eligibility_criteria` hook):

* Newborn Condition: birth weight at or under the state's limit together with one of
  the listed factors diagnosed at birth or within the state's window after it;
* lead poisoning: a blood lead level above the state's level.

Every number is a parameter of the us-mo ruleset (rulesets/us-mo/first_steps.toml),
with its citation to Missouri DESE's First Steps eligibility page. The criteria apply
only under a ruleset that declares those parameters (us-mo and rulesets extending it).
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from eirules import Criterion, Ruleset, hookimpl

PROGRAM = "part_c"
NEWBORN = "us_mo.newborn_condition"
LEAD = "us_mo.blood_lead_more_than"


@attrs.frozen(kw_only=True)
class Hemorrhage:
    """An intraventricular hemorrhage: its grade (1 to 4) and the day it was diagnosed."""

    grade: int = attrs.field(
        validator=attrs.validators.and_(attrs.validators.ge(1), attrs.validators.le(4))
    )
    diagnosed: date


@attrs.frozen(kw_only=True)
class Ventilation:
    """Positive pressure ventilation (CPAP, ventilator or oscillator) after birth."""

    hours: float = attrs.field(validator=attrs.validators.ge(0))
    started: date


@attrs.frozen(kw_only=True)
class Newborn:
    """What the birth record says about the newborn period (case-file section `newborn`)."""

    birth_weight_grams: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(200))
    )
    #: APGAR score at 5 minutes (0 to 10).
    apgar_5_minutes: int | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(
            attrs.validators.and_(attrs.validators.ge(0), attrs.validators.le(10))
        ),
    )
    intraventricular_hemorrhage: Hemorrhage | None = None
    positive_pressure_ventilation: Ventilation | None = None
    #: The day of a resuscitation or code event that required chest compressions.
    chest_compressions_on: date | None = None


@attrs.frozen(kw_only=True)
class LeadTest:
    """One blood lead test result."""

    date: date
    micrograms_per_decilitre: float = attrs.field(validator=attrs.validators.ge(0))


@attrs.frozen(kw_only=True)
class BloodLead:
    """Blood lead test results (case-file section `blood_lead`)."""

    tests: tuple[LeadTest, ...] = attrs.field(default=(), converter=tuple)


@hookimpl
def register_case_sections():
    return {"newborn": Newborn, "blood_lead": BloodLead}


@hookimpl
def eligibility_criteria(case, ruleset: Ruleset, as_of: date):
    if not ruleset.has(LEAD) and not ruleset.has(f"{NEWBORN}.birth_weight_at_most"):
        return None  # not a Missouri ruleset
    criteria = []
    newborn = case.sections.get("newborn")
    if newborn is not None and newborn.birth_weight_grams is not None:
        criteria.append(newborn_condition(newborn, case.child.birth_date, ruleset, as_of))
    lead = case.sections.get("blood_lead")
    if lead is not None and any(t.date <= as_of for t in lead.tests):
        criteria.append(lead_poisoning(lead, ruleset, as_of))
    return criteria or None


def newborn_condition(newborn: Newborn, born: date, ruleset: Ruleset, as_of: date) -> Criterion:
    """Birth weight at or under the limit plus one listed factor within the window after birth."""
    p = {k: ruleset.param(f"{NEWBORN}.{k}", as_of) for k in _NEWBORN_PARAMS}
    used = {f"{NEWBORN}.{k}": v.value for k, v in p.items()}
    weight, limit = newborn.birth_weight_grams, p["birth_weight_at_most"].value
    inputs = {"birth_date": born.isoformat(), **attrs.asdict(newborn, value_serializer=_plain)}
    cite = p["birth_weight_at_most"].citation

    def answer(outcome: str, reason: str, missing: tuple[str, ...] = ()) -> Criterion:
        return Criterion(
            program=PROGRAM,
            basis="newborn_condition",
            outcome=outcome,
            reason=reason,
            citation=cite,
            missing=missing,
            inputs=inputs,
            parameters=used,
        )

    if weight > limit:
        return answer(
            "not_met",
            f"Newborn Condition not met: birth weight {weight} g is over {limit} g ({cite})",
        )
    last_day = born + timedelta(days=p["diagnosed_within"].value)
    found, unknown = [], []
    if newborn.apgar_5_minutes is None:
        unknown.append("the APGAR score at 5 minutes")
    elif newborn.apgar_5_minutes <= p["apgar_5_minutes_at_most"].value:
        found.append(
            f"APGAR {newborn.apgar_5_minutes} at 5 minutes "
            f"(at most {p['apgar_5_minutes_at_most'].value})"
        )
    ivh = newborn.intraventricular_hemorrhage
    least = p["intraventricular_hemorrhage_grade_at_least"].value
    if ivh is not None and ivh.grade >= least and born <= ivh.diagnosed <= last_day:
        found.append(
            f"intraventricular hemorrhage grade {ivh.grade} diagnosed {ivh.diagnosed} "
            f"(grade {least} or higher)"
        )
    ppv = newborn.positive_pressure_ventilation
    hours = p["positive_pressure_ventilation_more_than"].value
    if ppv is not None and ppv.hours > hours and born <= ppv.started <= last_day:
        found.append(
            f"positive pressure ventilation for {ppv.hours:g} hours from {ppv.started} "
            f"(more than {hours:g})"
        )
    pushed = newborn.chest_compressions_on
    if pushed is not None and born <= pushed <= last_day:
        found.append(f"resuscitation with chest compressions on {pushed}")
    window = f"at birth or by {last_day}"
    if found:
        return answer(
            "met",
            f"Newborn Condition: birth weight {weight} g (at most {limit} g) "
            f"with {'; '.join(found)}, {window} ({cite})",
        )
    if unknown:
        return answer(
            "needs_information",
            f"Newborn Condition cannot be decided: birth weight {weight} g is at most {limit} g, "
            f"no listed factor is recorded {window}, and {unknown[0]} is not recorded ({cite})",
            tuple(f"{u} (newborn.apgar_5_minutes)" for u in unknown),
        )
    return answer(
        "not_met",
        f"Newborn Condition not met: birth weight {weight} g is at most "
        f"{limit} g, but no listed factor is recorded {window} ({cite})",
    )


_NEWBORN_PARAMS = (
    "birth_weight_at_most",
    "diagnosed_within",
    "apgar_5_minutes_at_most",
    "intraventricular_hemorrhage_grade_at_least",
    "positive_pressure_ventilation_more_than",
)


def lead_poisoning(lead: BloodLead, ruleset: Ruleset, as_of: date) -> Criterion:
    """The highest blood lead level recorded on or before as_of, against the state's level."""
    level = ruleset.param(LEAD, as_of)
    tests = [t for t in lead.tests if t.date <= as_of]
    high = max(tests, key=lambda t: (t.micrograms_per_decilitre, t.date))
    met = high.micrograms_per_decilitre > level.value
    said = f"blood lead {high.micrograms_per_decilitre:g} mcg/dL on {high.date}"
    reason = (
        f"lead poisoning: {said}, above {level.value:g} mcg/dL ({level.citation})"
        if met
        else f"lead poisoning not met: the highest level, {said}, is not above "
        f"{level.value:g} mcg/dL ({level.citation})"
    )
    return Criterion(
        program=PROGRAM,
        basis="lead_poisoning",
        outcome="met" if met else "not_met",
        reason=reason,
        citation=level.citation,
        inputs={"tests": [[t.date.isoformat(), t.micrograms_per_decilitre] for t in tests]},
        parameters={LEAD: level.value},
    )


def _plain(instance, field, value):
    return value.isoformat() if isinstance(value, date) else value
