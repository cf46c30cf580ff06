"""A plugin's eligibility criteria combined by Part B and MTSS into their one decision.

The plugin here uses only the public hooks (`from eirules import Criterion, hookimpl`):
Part B keeps the team's determination as what eligibility rests on (34 CFR
300.306(a)(1)) and checks it against the state's criteria for the category (300.307(b));
MTSS counts a criterion as one more tier-entry data source for its skill area.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules import Criterion, Engine, hookimpl
from eirules.core.plugin_manager import get_plugin_manager

AS_OF = date(2025, 11, 1)
SLD = "specific_learning_disability"


class StateCriteria:
    """A fictional state plugin: returns the criteria it was built with."""

    def __init__(self, *criteria: Criterion):
        self.criteria = list(criteria)

    @hookimpl
    def eligibility_criteria(self):
        return self.criteria or None


def crit(outcome, basis=SLD, program="part_b", **more):
    return Criterion(
        program=program,
        basis=basis,
        outcome=outcome,
        reason=more.pop("reason", f"the state's {basis.replace('_', ' ')} rule is {outcome}"),
        citation=more.pop("citation", "Fictional State Rule 7"),
        **more,
    )


def engine_with(*criteria: Criterion) -> Engine:
    pm = get_plugin_manager(entry_points=False)
    pm.register(StateCriteria(*criteria))
    return Engine(pm=pm)


def part_b_case(engine, *events, birth="2015-03-10"):
    return engine.case_from_dict(
        {
            "id": "PB-CRIT",
            "ruleset": "us",
            "child": {"birth_date": birth},
            "events": [{"type": t, "date": d, **(m[0] if m else {})} for t, d, *m in events],
        }
    )


ELIGIBLE_SLD = ("eligibility_determined", "2025-10-24", {"category": SLD, "outcome": "eligible"})
NOT_ELIGIBLE = ("eligibility_determined", "2025-10-24", {"outcome": "not_eligible"})
CONSENT = ("consent_for_evaluation", "2025-09-02")


def part_b(engine, *events, as_of=AS_OF, **kw):
    det = engine.evaluate(part_b_case(engine, *events, **kw), None, as_of)
    outcomes = [e for e in det.eligibility if e.program == "part_b"]
    assert len(outcomes) == 1, outcomes  # one outcome per program, whatever the plugin says
    return outcomes[0], det


def test_part_b_sld_not_meeting_the_states_criteria_is_not_confirmed():
    """300.307(b): the agency must use the state's SLD criteria, so a team finding of
    SLD that the state's criteria (decided by a plugin) do not support cannot be confirmed."""
    outcome, det = part_b(engine_with(crit("not_met")), ELIGIBLE_SLD)
    assert outcome.outcome == "needs_information"
    assert outcome.missing == (
        "a determination that meets the state's criteria for specific learning disability",
    )
    assert "Fictional State Rule 7" in outcome.citation
    assert "the state's specific learning disability rule is not_met" in outcome.reason
    finding = next(f for f in det.findings if f.rule == f"part_b.eligibility.{SLD}")
    assert finding.outcome == "not_eligible"


def test_part_b_sld_meeting_the_states_criteria_cites_them_beside_the_category():
    """300.306(c)(1), 300.307(b): team finding plus the state's criteria met: eligible, both cited."""
    outcome, _ = part_b(engine_with(crit("met")), ELIGIBLE_SLD)
    assert outcome.outcome == "eligible"
    assert outcome.basis == (SLD,)
    assert outcome.citation.endswith("; Fictional State Rule 7")
    assert outcome.reason.endswith(
        "Also met: the state's specific learning disability rule is met."
    )


def test_part_b_state_criteria_needing_information_leave_the_category_open():
    outcome, _ = part_b(
        engine_with(crit("needs_information", missing=("the state's SLD worksheet",))),
        ELIGIBLE_SLD,
    )
    assert (outcome.outcome, outcome.missing) == (
        "needs_information",
        ("the state's SLD worksheet",),
    )


def test_part_b_a_met_criterion_of_another_basis_is_listed_after_the_category():
    outcome, _ = part_b(engine_with(crit("met", basis="dyslexia_screening")), ELIGIBLE_SLD)
    assert outcome.outcome == "eligible"
    assert outcome.basis == (SLD, "dyslexia_screening")


def test_part_b_a_criterion_of_another_basis_not_met_changes_nothing_but_is_a_finding():
    plain, _ = part_b(engine_with(), ELIGIBLE_SLD)
    outcome, det = part_b(engine_with(crit("not_met", basis="dyslexia_screening")), ELIGIBLE_SLD)
    assert outcome == plain
    assert any(f.rule == "part_b.eligibility.dyslexia_screening" for f in det.findings)


def test_part_b_without_the_team_a_met_criterion_does_not_make_the_child_eligible():
    """300.306(a)(1): only the team determines eligibility; the met criterion is reported."""
    outcome, _ = part_b(engine_with(crit("met")), CONSENT, as_of=date(2025, 9, 10))
    assert outcome.outcome == "needs_information"
    assert "eligibility_determined" in outcome.missing[0]
    assert "Already met: the state's specific learning disability rule is met." in outcome.reason


def test_part_b_without_the_team_a_criterion_needing_information_adds_what_is_missing():
    outcome, _ = part_b(
        engine_with(crit("needs_information", missing=("vision screening",))),
        CONSENT,
        as_of=date(2025, 9, 10),
    )
    assert outcome.missing[1:] == ("vision screening",)


def test_part_b_team_not_eligible_stands_against_a_met_criterion():
    """300.306(a)(1): the team's not-eligible determination is the team's to change."""
    outcome, _ = part_b(engine_with(crit("met")), NOT_ELIGIBLE)
    assert outcome.outcome == "not_eligible"
    assert "A criterion is met (the state's specific learning disability rule is met" in (
        outcome.reason
    )


def test_part_b_past_age_21_criteria_change_nothing():
    """300.101(a), 300.102(a)(1): born 2000-03-10, FAPE ended on the 22nd birthday, 2022-03-10."""
    outcome, det = part_b(engine_with(crit("met")), ELIGIBLE_SLD, birth="2000-03-10")
    assert outcome.outcome == "not_eligible"
    assert not any(f.rule == f"part_b.eligibility.{SLD}" for f in det.findings)


OUTCOMES = st.sampled_from(["met", "not_met", "needs_information"])
BASES = st.sampled_from([SLD, "autism", "dyslexia_screening"])


@given(
    st.lists(st.tuples(OUTCOMES, BASES), max_size=4),
    st.sampled_from([ELIGIBLE_SLD, NOT_ELIGIBLE, CONSENT]),
)
def test_part_b_one_outcome_and_never_eligible_without_the_team(criteria, event):
    """Whatever criteria a plugin returns: one part_b outcome, eligible only when the team found it."""
    engine = engine_with(*(crit(o, basis=b) for o, b in criteria))
    outcome, det = part_b(engine, event)
    if outcome.outcome == "eligible":
        assert event is ELIGIBLE_SLD
        assert outcome.basis[0] == SLD
    if event is NOT_ELIGIBLE:
        assert outcome.outcome == "not_eligible"
    rules = [f.rule for f in det.findings if f.rule.startswith("part_b.eligibility.")]
    for _, basis in criteria:
        assert f"part_b.eligibility.{basis}" in rules


# MTSS: a criterion is one more tier-entry data source (R2) -------------------------------


def mtss_case(engine, met_indicators: int):
    indicators = [
        {"name": f"source_{i}", "skill_area": "decoding", "met": True, "date": "2025-09-10"}
        for i in range(met_indicators)
    ]
    return engine.case_from_dict(
        {
            "id": "ELM-CRIT",
            "ruleset": "mtss",
            "child": {"birth_date": "2018-03-01"},
            "mtss": {
                "student": {"grade": 2, "school": "Elm"},
                "indicators": indicators,
            },
        }
    )


def tier_entry(engine, as_of=AS_OF):
    det = engine.evaluate(mtss_case(engine, 3), None, as_of)
    return next(f for f in det.findings if f.rule == "mtss.R2.decoding"), det


def test_mtss_a_met_criterion_is_the_fourth_of_four_sources_and_nominates_tier_2():
    """R2 [S8]: Tier 2 entry in reading needs 4 data sources showing need (mtss ruleset);
    three are on file, the plugin's state reading-deficiency criterion is the fourth."""
    plain, _ = tier_entry(engine_with())
    assert plain.outcome == "not_nominated"
    criterion = crit("met", basis="state_reading_deficiency", program="mtss", subject="decoding")
    entry, det = tier_entry(engine_with(criterion))
    assert entry.outcome == "nominate_tier2"
    assert "state_reading_deficiency" in entry.inputs["met"]
    assert entry.inputs["of"] == 4
    finding = next(f for f in det.findings if f.rule == "mtss.eligibility.state_reading_deficiency")
    assert finding.outcome == "eligible"


def test_mtss_a_criterion_not_met_is_a_source_that_shows_no_need():
    criterion = crit(
        "not_met", basis="state_reading_deficiency", program="mtss", subject="decoding"
    )
    entry, _ = tier_entry(engine_with(criterion))
    assert (entry.outcome, entry.inputs["of"]) == ("not_nominated", 4)
    assert "state_reading_deficiency" in entry.inputs["not_met"]


@pytest.mark.parametrize(
    "criterion",
    [
        crit(
            "needs_information",
            basis="state_reading_deficiency",
            program="mtss",
            subject="decoding",
        ),
        crit("met", basis="state_reading_deficiency", program="mtss"),  # no skill area
    ],
)
def test_mtss_a_criterion_that_cannot_be_a_source_is_still_a_finding(criterion):
    entry, det = tier_entry(engine_with(criterion))
    assert entry.inputs["of"] == 3
    assert any(f.rule == "mtss.eligibility.state_reading_deficiency" for f in det.findings)
