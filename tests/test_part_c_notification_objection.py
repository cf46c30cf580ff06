"""A parent's objection to the 303.209(b) notification under a ruleset with no opt-out policy.

34 CFR 303.401(e): a state may adopt a policy under which a parent may object to the
notification of the SEA and LEA; under it the notification may not be made
(303.209(b)(2)). Without one the notice is disclosed without consent (303.401(d)(1)): the
objection does not stop it, but it is recorded, and the determination says so rather than
ignoring it.

Rowan (fictional), born 2024-11-02: referred 2026-01-05, found eligible 2026-02-01, IFSP
2026-02-10; the notification is due 90 days before the third birthday, 2027-08-04
(303.209(b)(1)(i)). The parent objects on 2027-05-10.
"""

from __future__ import annotations

from datetime import date

from helpers import case

from eirules.core.engine import Engine

BIRTH = "2024-11-02"
EVENTS = [
    ("referral_received", "2026-01-05"),
    ("eligibility_determined", "2026-02-01", {"outcome": "eligible"}),
    ("ifsp_meeting_held", "2026-02-10"),
    ("notification_objection", "2027-05-10"),
]
AS_OF = date(2027, 8, 20)

OPT_OUT = """
[ruleset]
id = "xo"
title = "Objection test state with the 303.401(e) opt-out (fictional)"
jurisdiction = "US-XO"
extends = "us"
version = "test"

[[parameters.part_c.lea_notification_opt_out.values]]
effective = 2011-10-28
value = true
citation = "Objection test state rule (fictional)"
"""


def _finding(det):
    return [f for f in det.findings if f.rule == "part_c.notification_objection"]


def test_303_401_e_objection_without_opt_out_policy_is_recorded_and_the_notice_stays_due(
    engine,
):
    """34 CFR 303.401(e), 303.209(b)(1)(i): under `us` (no opt-out policy) the objection of
    2027-05-10 does not stop the notice: still overdue after 2027-08-04, and a finding and
    the referral's reason say the objection was recorded and why it does not apply."""
    det = engine.evaluate(case(engine, birth=BIRTH, events=EVENTS, ruleset="us"), "us", AS_OF)
    clock = det.clock("transition_notification")
    assert (clock.status, clock.due) == ("overdue", date(2027, 8, 4))
    [finding] = _finding(det)
    assert (finding.outcome, finding.citation) == (
        "no_opt_out_policy",
        "34 CFR 303.401(e); 303.209(b)(2); 303.401(d)(1)",
    )
    assert finding.reason.startswith(
        'The parent objected on 2027-05-10 to the notification of the SEA and LEA; ruleset "us" '
        "has no opt-out policy in force then (part_c.lea_notification_opt_out is false;"
    )
    assert finding.inputs == {"notification_objection": "2027-05-10"}
    assert finding.parameters == {"part_c.lea_notification_opt_out": False}
    referral = {r.id: r for r in det.referrals}["part_b_notification"]
    assert referral.status == "to_make"
    assert referral.reason.endswith(
        "the parent's objection of 2027-05-10 is recorded, but the ruleset has no opt-out "
        "policy (303.401(e)), so it does not stop the notification"
    )


def test_303_209_b_2_objection_under_an_opt_out_policy_has_no_such_finding(tmp_path):
    """34 CFR 303.209(b)(2): under a state opt-out policy the objection stops the notice
    (not applicable, referral not required); the no-policy finding is not given."""
    (tmp_path / "xo").mkdir()
    (tmp_path / "xo" / "ruleset.toml").write_text(OPT_OUT)
    engine = Engine(entry_points=False, ruleset_dirs=[tmp_path])
    det = engine.evaluate(case(engine, birth=BIRTH, events=EVENTS, ruleset="xo"), "xo", AS_OF)
    assert det.clock("transition_notification").status == "not_applicable"
    assert _finding(det) == []
    referral = {r.id: r for r in det.referrals}["part_b_notification"]
    assert referral.status == "not_required" and "recorded, but" not in referral.reason


def test_303_401_e_objection_later_than_the_as_of_date_is_not_yet_said(engine):
    """34 CFR 303.401(e): as of 2027-05-01 the objection of 2027-05-10 has not happened."""
    det = engine.evaluate(
        case(engine, birth=BIRTH, events=EVENTS, ruleset="us"), "us", date(2027, 5, 1)
    )
    assert _finding(det) == []
