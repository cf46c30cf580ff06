"""Decisions on a school built to have known right answers (scripts/make_mtss_known_answers.py).

300 fictional Tier 2 reading students (the size of school the issue was tried on), seed
18, each with a designed response pattern (strong, on track, slow, flat, decelerating,
noisy, long absence, unrealistic goal), probe noise of 6 words (12 for the noisy ones)
and a winter break. At 6, 11 and 21 weeks of intervention the R8 decision must agree
with the design at these rates, and point the opposite way (raise the goal for a
student who is not growing, change instruction for one who is on track) at most at
these rates:

    weeks  agree   wrong way   why
    6      >= 92%  <= 4%       six noisy points: most answers are "not enough data yet";
                               the errors left are point-rule calls a team would also make
    11     >= 90%  <= 6%       the hardest checkpoint: 11 points still leave a slope
                               interval of about +/- 1.3 words/week, so some slow and flat
                               students still read "near the aimline"
    21     >= 97%  <= 1%       19 points: the interval is narrow, decisions settle

Measured on this seed: 94.3% / 3.3%, 91.0% / 5.3%, 98.7% / 0.7%. The rules before
issue 18 scored 58.3% / 30.3%, 76.3% / 17.7% and 78.3% / 12.0% on the same school (a
fixed 0.5 tolerance, no slope uncertainty, one student's absence read as the group's
fidelity, an unrealistic goal answered with "change instruction").
"""

from __future__ import annotations

import collections
import importlib.util
from pathlib import Path

import pytest

from eirules.plugins.mtss import rules
from eirules.plugins.mtss.params import params_for

ROOT = Path(__file__).resolve().parent.parent
RATES = {6: (0.92, 0.04), 11: (0.90, 0.06), 21: (0.97, 0.01)}


def _module():
    spec = importlib.util.spec_from_file_location(
        "make_mtss_known_answers", ROOT / "scripts" / "make_mtss_known_answers.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


KA = _module()


@pytest.fixture(scope="module")
def decisions(engine):
    """{weeks: [(student, pattern, decision, report)]} for the 300-student school."""
    students = []
    for s in KA.school(seed=18, n=300):
        pattern = s.pop("_pattern")
        students.append((s["id"], pattern, engine.case_from_dict(s).sections["mtss"]))
    out = {}
    for weeks in KA.CHECKPOINTS:
        day = KA.checkpoint_date(weeks)
        p = params_for(engine.rulesets.get("mtss"), day)
        out[weeks] = [
            (sid, pat, rep.decision.decision, rep)
            for sid, pat, rec in students
            for rep in [rules.evaluate_series(rec, rec.series[0], day, p)]
        ]
    return out


def test_the_school_has_every_pattern(decisions):
    counts = collections.Counter(pat for _, pat, _, _ in decisions[6])
    assert set(counts) == set(KA.PATTERNS) and sum(counts.values()) == 300
    assert min(counts.values()) >= 15


@pytest.mark.parametrize("weeks", KA.CHECKPOINTS)
def test_decisions_agree_with_the_design_at_the_asserted_rates(decisions, weeks):
    rows = decisions[weeks]
    agree = sum(dec in KA.ANSWERS[pat][weeks] for _, pat, dec, _ in rows) / len(rows)
    wrong = sum(dec in KA.WRONG_WAY[pat] for _, pat, dec, _ in rows) / len(rows)
    need_agree, max_wrong = RATES[weeks]
    misses = collections.Counter(
        (pat, dec) for _, pat, dec, _ in rows if dec not in KA.ANSWERS[pat][weeks]
    )
    assert agree >= need_agree, (agree, misses.most_common(6))
    assert wrong <= max_wrong, (wrong, misses.most_common(6))


def test_six_week_raise_goal_calls_need_a_trend_clear_of_the_noise(decisions):
    """Issue 18: at six weeks most wrong calls were raise-goal calls from six noisy points.
    Now a raise at six weeks needs the trend (or the four-point rule with the trend's
    estimate) above the aimline: on-track and noisy students almost never get one."""
    rows = [r for r in decisions[6] if r[1] in ("on_track", "noisy")]
    raised = [r for r in rows if r[2] == "raise_goal"]
    assert len(raised) <= 0.05 * len(rows)
    assert sum(r[2] == rules.INSUFFICIENT for r in rows) >= 0.85 * len(rows)


def test_flat_students_are_never_told_to_raise_the_goal_or_exit(decisions):
    """Never at any checkpoint; and by 21 weeks never "maintain" either."""
    for weeks in KA.CHECKPOINTS:
        bad = ("raise_goal", "exit") + (("maintain",) if weeks == 21 else ())
        assert not [sid for sid, pat, dec, _ in decisions[weeks] if pat == "flat" and dec in bad]


def test_a_long_absence_is_the_students_attendance_not_the_groups_fidelity(decisions):
    """R10 [S76]: the absent students (weeks 3-9) show an attendance issue on their own
    fidelity line; the sessions were held, so delivery is fine for every student."""
    for weeks in (11, 21):
        for _sid, pat, _dec, rep in decisions[weeks]:
            r10 = rep.r10[0]
            assert r10.decision != "fidelity_issue"
            if pat == "absent":
                assert r10.decision == "attendance_issue", r10.reasons
    absent_11 = [dec for _, pat, dec, _ in decisions[11] if pat == "absent"]
    assert "fidelity_issue" not in absent_11


def test_an_unrealistic_goal_is_revised_not_the_instruction(decisions):
    """R3 [S50] and R8: the goal needs 3 x typical growth; the student grows at 1.6 x.
    By 21 weeks every such student gets revise_goal, none change_within_tier."""
    rows = [dec for _, pat, dec, _ in decisions[21] if pat == "unrealistic_goal"]
    assert rows and rows.count("revise_goal") >= 0.9 * len(rows)
