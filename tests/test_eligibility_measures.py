"""Part C developmental delay measured on a scale the state's criteria do not read.

34 CFR 303.21(a)(1) makes a child eligible with a developmental delay "as measured by
appropriate diagnostic instruments and procedures"; the level of delay, and so the
measure, is the state's (303.111(b)). A standard score tells nothing on a criterion in
percent delay, so it can never make the child "not eligible" (which would need prior
written notice, 303.322, 303.421): the outcome is needs_information, naming the kind of
score the state's criterion reads. No score is converted to another measure.

The fictional child: born 2024-07-01, evaluated 2026-01-01 at 18 months (term birth).
"""

from __future__ import annotations

from datetime import date

import pytest

from eirules.core.models import DOMAINS

BIRTH, EVALUATED, AS_OF = "2024-07-01", "2026-01-01", date(2026, 1, 10)
#: Communication standard score 55, mean 100, SD 15: 3.00 SD below the mean.
SS_55 = {"domain": "communication", "standard_score": 55, "mean": 100, "sd": 15}
PERCENT_ONLY = "an age equivalent or a percent delay in communication"


def _child(make_case, rid, *scores, events=()):
    return make_case(
        birth_date=BIRTH,
        ruleset=rid,
        events=[("referral_received", "2025-12-01"), *events],
        evaluations=[{"date": EVALUATED, "scores": list(scores)}],
    )


def _part_c(engine, c, rid):
    det = engine.evaluate(c, rid, AS_OF)
    found = next(f for f in det.findings if f.rule == "part_c.eligibility.developmental_delay")
    return det.eligibility_for("part_c"), found


@pytest.mark.parametrize(
    "rid, criterion",
    [
        ("us-ny", "2.0 SD below the mean in one area"),  # 10 NYCRR 69-4.1(g)
        ("us-pa", "1.5 SD below the mean in one domain"),  # 55 Pa. Code 4226.22(a)
        ("us-fl", "2.0 SD below the mean in one domain"),  # Fla. Admin. Code 6A-6.03031
        ("us-in", "2.0 SD below the mean in one domain"),  # 470 IAC 3.1-7-1(b)
    ],
)
def test_303_21_a_1_standard_score_3_sd_below_is_eligible_where_the_state_reads_sd(
    engine, make_case, rid, criterion
):
    """34 CFR 303.21(a)(1), 303.111: these states' criteria are in SD (regulations.md
    section 3), so communication at 3.00 SD below the mean is eligible."""
    eligibility, finding = _part_c(engine, _child(make_case, rid, SS_55), rid)
    assert (eligibility.outcome, eligibility.basis) == ("eligible", ("developmental_delay",))
    assert "communication is 3.00 SD below the mean (standard score 55" in eligibility.reason
    assert criterion in eligibility.reason
    assert finding.outcome == "eligible"


@pytest.mark.parametrize(
    "rid, source",
    [
        ("us-tx", "26 TAC 350.809"),  # 25%; "not expressed in SD"
        ("us-mo", "Missouri DESE, First Steps Eligibility"),  # half the level; SD unverified
        ("us-il", "89 Ill. Adm. Code 500.50"),  # 30%; SD unverified
        ("us-ca", "Gov. Code 95014"),  # 25% since 2022-07-01; SD not found
    ],
)
def test_303_111_standard_score_only_is_needs_information_where_the_state_reads_percent(
    engine, make_case, rid, source
):
    """34 CFR 303.21(a)(1), 303.111: a criterion in percent delay cannot read a standard
    score, so the same child is needs_information (never not eligible, never prior
    written notice) and `missing` asks for an age equivalent or a percent delay."""
    eligibility, finding = _part_c(engine, _child(make_case, rid, SS_55), rid)
    assert eligibility.outcome == "needs_information"
    assert eligibility.missing == (
        f"{PERCENT_ONLY} (the state's delay criteria read percent delay; "
        "the only score there is a standard score)",
    )
    assert "Prior written notice" not in eligibility.reason
    assert finding.outcome == "needs_information"
    assert finding.reason.startswith(
        "Cannot decide by developmental delay: communication has a standard score of 55 "
        "(mean 100, SD 15): a score the state's criteria do not read;"
    )
    assert source in finding.citation and finding.citation.startswith(
        "34 CFR 303.21(a)(1); 303.111"
    )


@pytest.mark.parametrize("rid", ["us", "us-oh"])
def test_303_111_no_state_criteria_is_needs_information(engine, make_case, rid):
    """34 CFR 303.111: the baseline and Ohio (OAC 5123-10-02 not read) set no criteria."""
    c = _child(make_case, rid, SS_55)
    eligibility = engine.evaluate(c, rid, AS_OF).eligibility_for("part_c")
    assert eligibility.outcome == "needs_information"
    assert eligibility.missing == (
        "the state's developmental delay criteria (part_c.eligibility.delay_criteria)",
    )


def test_303_111_the_states_own_measure_in_the_area_decides(engine, make_case):
    """34 CFR 303.111; Missouri DESE (half the expected level, 50%): with an age
    equivalent of 12 months at 18 months (33.3%) in communication as well, Missouri's
    own measure reads the area, and 33% is short of 50%: not eligible on the merits."""
    ae_12 = {"domain": "communication", "age_equivalent_months": 12}
    eligibility, _ = _part_c(engine, _child(make_case, "us-mo", SS_55, ae_12), "us-mo")
    assert eligibility.outcome == "not_eligible"
    assert "communication is 33% delayed (age 18 months, age equivalent 12 months)" in (
        eligibility.reason
    )
    assert "Prior written notice of the determination is required" in eligibility.reason


def test_303_111_texas_unread_area_beside_a_read_one_names_it(engine, make_case):
    """34 CFR 303.111, 26 TAC 350.809 (25%): communication 12 months at 18 (33%) alone
    would be eligible; here communication is 16 months (11%), and physical is only a
    standard score 55. Texas cannot read physical: needs_information naming physical,
    and the team's recorded determination (303.322) is reported as not checkable."""
    c = _child(
        make_case,
        "us-tx",
        {"domain": "communication", "age_equivalent_months": 16},
        {**SS_55, "domain": "physical"},
        events=[("eligibility_determined", EVALUATED, {"outcome": "eligible"})],
    )
    eligibility, finding = _part_c(engine, c, "us-tx")
    assert eligibility.outcome == "needs_information"
    assert eligibility.missing[0].startswith("an age equivalent or a percent delay in physical")
    assert eligibility.reason.endswith(
        "The team determined the child eligible on 2026-01-01 (303.322); the rules cannot "
        "check that on the scores on file."
    )
    assert "communication is 11% delayed" in finding.reason


def test_303_111_florida_reads_only_sd_so_an_age_equivalent_alone_is_needs_information(
    engine, make_case
):
    """34 CFR 303.111; Fla. Admin. Code 6A-6.03031: percent delay is "not used for Part C"
    in Florida (regulations.md section 3). Communication at 9 months at 18 (50%) is not
    converted to SD: needs_information asking for a standard score."""
    ae_9 = {"domain": "communication", "age_equivalent_months": 9}
    eligibility, _ = _part_c(engine, _child(make_case, "us-fl", ae_9), "us-fl")
    assert eligibility.outcome == "needs_information"
    assert eligibility.missing == (
        "a standard score in communication (the state's delay criteria read standard "
        "deviations below the mean; the only score there is an age equivalent)",
    )


def test_303_21_a_1_every_score_read_and_below_the_level_stays_not_eligible(engine, make_case):
    """34 CFR 303.21(a)(1), 303.111; 89 Ill. Adm. Code 500.50 (30%): every domain scored
    by age equivalent at 16 months at 18 (11%): Illinois reads them all, so not eligible,
    with prior written notice (303.322, 303.421)."""
    scores = [{"domain": d, "age_equivalent_months": 16} for d in DOMAINS]
    eligibility, _ = _part_c(engine, _child(make_case, "us-il", *scores), "us-il")
    assert eligibility.outcome == "not_eligible"
    assert eligibility.reason.endswith(
        "Prior written notice of the determination is required (303.322, 303.421)."
    )
