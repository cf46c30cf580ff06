"""An IFSP meeting dated before its referral is said (plugins/part_c/event_order.py).

QA: a case whose IFSP meeting (2025-12-20) was typed before its referral (2026-01-05)
was accepted without a word: the 34 CFR 303.310(a) clock, which counts from the
referral, ignored the meeting and showed the initial IFSP meeting overdue, while the
303.342 review clocks counted from that same meeting. Neither is changed; a warning
finding names both dates.
"""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner
from helpers import case

from eirules.cli import cli

BIRTH = "2024-11-02"
AS_OF = date(2026, 3, 1)
RULE = "part_c.ifsp_meeting_before_referral"


def _warnings(det):
    return [f for f in det.findings if f.rule == RULE]


def _det(engine, events):
    return engine.evaluate(case(engine, birth=BIRTH, events=events, ruleset="us"), "us", AS_OF)


def test_303_310_a_meeting_typed_before_the_referral_is_a_warning_with_both_dates(engine):
    """303.310(a): 45 days from the referral of 2026-01-05 is 2026-02-19; the meeting of
    2025-12-20 is not counted (the clock is overdue as of 2026-03-01) and the warning
    says so; the 303.342(b)(1) review still counts six months from it (2026-06-20)."""
    det = _det(engine, [("ifsp_meeting_held", "2025-12-20"), ("referral_received", "2026-01-05")])
    initial = det.clock("initial_ifsp_meeting")
    assert (initial.status, initial.due) == ("overdue", date(2026, 2, 19))
    assert det.clock("ifsp_periodic_review").due == date(2026, 6, 20)
    [warning] = _warnings(det)
    assert warning.outcome == "warning"
    assert warning.citation == "34 CFR 303.310(a); 303.342"
    assert warning.inputs == {
        "ifsp_meeting_held": "2025-12-20",
        "referral_received": "2026-01-05",
    }
    assert warning.reason.startswith(
        "the IFSP meeting dated 2025-12-20 is before the referral received on 2026-01-05"
    )


def test_a_meeting_on_or_after_the_referral_has_no_warning(engine):
    """The same day as the referral and 40 days after it are both in order (303.310(a))."""
    for held in ("2026-01-05", "2026-02-14"):
        det = _det(engine, [("referral_received", "2026-01-05"), ("ifsp_meeting_held", held)])
        assert _warnings(det) == [], held
        assert det.clock("initial_ifsp_meeting").status == "met"


def test_a_file_with_no_referral_has_no_warning(engine):
    """A file opened at its IFSP meeting (a child moving in) has no referral to compare."""
    det = _det(engine, [("ifsp_meeting_held", "2025-12-20")])
    assert _warnings(det) == []


def test_check_prints_the_warning_on_standard_error(tmp_path):
    """`check` shows a warning finding as `Warning: ...` on the standard error."""
    import json

    path = tmp_path / "order.json"
    path.write_text(
        json.dumps(
            {
                "id": "QA-ORDER",
                "ruleset": "us",
                "child": {"birth_date": BIRTH},
                "events": [
                    {"type": "ifsp_meeting_held", "date": "2025-12-20"},
                    {"type": "referral_received", "date": "2026-01-05"},
                ],
            }
        )
    )
    result = CliRunner().invoke(cli, ["check", str(path), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Warning: the IFSP meeting dated 2025-12-20 is before the referral" in result.stderr
