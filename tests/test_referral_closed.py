"""A referral never made stops counting days overdue the day it closed (`Referral.closed_on`).

34 CFR 303.209(b)(1): the lead agency notifies the SEA and the LEA that a toddler "on his
or her third birthday will reach the age of eligibility" for Part B, so the notice can only
be made while Part C lasts. One owed and never made is `not_made` once Part C ended: late,
and listed by `due` and `overdue` (`decisions.referral_is_outstanding`). Its lateness is
`by` - the day it closed, the same on every later date, as for a clock closed unmet
(`decisions.days_left`, the one rule of `check`, `due`, `overdue` and the HTTP API).

Rowan (fictional) is born 2024-11-02, so Part C ends at the third birthday 2027-11-02
(303.21(a)); referred 2026-01-05, found eligible 2026-02-01, IFSP 2026-02-10. The notice is
due 90 days before the birthday, 2027-08-04 (303.209(b)(1)(i)), and never sent: late 90 days.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta

import jsonschema
import pytest
from helpers import case, caseload_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules.core.convert import determination_from_dict, determination_to_dict
from eirules.core.decisions import Referral, days_left
from eirules.core.engine import Engine
from eirules.core.importing import Record
from eirules.core.schemas import json_schema
from eirules.core.store import Store

D = date.fromisoformat
BIRTH, ENDED, DUE = "2024-11-02", D("2027-11-02"), D("2027-08-04")
#: Two as-of dates after Part C ended, six months apart.
AFTER = (D("2027-11-20"), D("2028-05-20"))
ROWAN_EVENTS = [
    ("referral_received", "2026-01-05"),
    ("eligibility_determined", "2026-02-01", {"outcome": "eligible"}),
    ("ifsp_meeting_held", "2026-02-10"),
]
ROWAN = {
    "schema": "eirules/case@1",
    "id": "ROWAN-0001",
    "ruleset": "us",
    "child": {"birth_date": BIRTH, "name": "Rowan Fictive"},
    "events": [{"type": t, "date": d, **(m[0] if m else {})} for t, d, *m in ROWAN_EVENTS],
}


def _referral(engine, c, as_of: date, rid: str = "part_b_notification", ruleset: str = "us"):
    return {r.id: r for r in engine.evaluate(c, ruleset, as_of).referrals}[rid]


def _rowan(engine, *extra):
    return case(engine, birth=BIRTH, events=[*ROWAN_EVENTS, *extra], ruleset="us")


def test_the_one_rule_for_a_referral_closed_unmade():
    """303.209(b): by 2027-08-04, closed 2027-11-02: 90 days late on every later date; one
    still to make counts to the as-of date; a closing day must be a date."""
    r = Referral(
        id="part_b_notification", program="part_c", referrer="the Part C lead agency",
        to="the SEA and the LEA", reason="never made", citation="34 CFR 303.209(b)(1)(i)",
        by=DUE, status="not_made", closed_on=ENDED,
    )  # fmt: skip
    assert [r.days_left(d) for d in AFTER] == [-90, -90]
    assert r.is_outstanding
    open_ = Referral(**{**{k: getattr(r, k) for k in ("id", "program", "referrer", "to")},
                        "reason": "to make", "citation": r.citation, "by": DUE})  # fmt: skip
    assert (open_.closed_on, open_.days_left(AFTER[0])) == (None, -108)
    with pytest.raises(TypeError):
        Referral(**{**{k: getattr(r, k) for k in ("id", "program", "referrer", "to")},
                    "reason": "x", "citation": "x", "closed_on": "2027-11-02"})  # fmt: skip


def test_notification_never_made_is_90_days_late_on_both_dates_after_part_c_303_209_b(engine):
    """303.209(b)(1)(i): as of 2027-09-01 (Part C lasts) the notice is still to make, 28 days
    overdue and counting; as of 2027-11-20 and 2028-05-20 it is `not_made`, closed on the
    third birthday 2027-11-02, the day its clock closed: 90 days late on both."""
    before = _referral(engine, _rowan(engine), D("2027-09-01"))
    assert (before.status, before.closed_on, before.days_left(D("2027-09-01"))) == (
        "to_make", None, -28,
    )  # fmt: skip
    c = _rowan(engine)
    for as_of in AFTER:
        d = engine.evaluate(c, "us", as_of)
        r = {r.id: r for r in d.referrals}["part_b_notification"]
        assert (r.status, r.by, r.closed_on) == ("not_made", DUE, ENDED)
        assert r.closed_on == d.clock("transition_notification").closed_on
        assert r.days_left(as_of) == d.clock("transition_notification").days_left(as_of) == -90


def test_notification_closed_by_an_exit_after_its_date_stops_at_the_exit_303_209_b(engine):
    """303.209(b)(1)(i): Rowan exits Part C on 2027-09-01, after the notice was due
    (2027-08-04) and before it was sent: `not_made`, closed on the exit day, 28 days late on
    2027-10-01 (Part C would still last) and on 2028-01-01."""
    c = _rowan(engine, ("exited", "2027-09-01"))
    for as_of in (D("2027-10-01"), D("2028-01-01")):
        r = _referral(engine, c, as_of)
        assert (r.status, r.closed_on, r.days_left(as_of)) == ("not_made", D("2027-09-01"), -28)


def test_late_referral_to_the_school_stops_at_the_third_birthday_303_209_b_1_iii(engine):
    """303.209(b)(1)(iii): referred 2027-10-01, 32 days before the birthday; to be referred
    on by 2027-11-01 and never was: 1 day late (closed 2027-11-02) on both dates."""
    c = case(engine, birth=BIRTH, events=[("referral_received", "2027-10-01")], ruleset="us")
    for as_of in AFTER:
        r = _referral(engine, c, as_of, "part_b_referral_late")
        assert (r.status, r.by, r.closed_on, r.days_left(as_of)) == (
            "not_made", D("2027-11-01"), ENDED, -1,
        )  # fmt: skip


def test_primary_referral_never_made_stops_at_the_end_of_part_c_303_303_a_2_i(engine):
    """303.303(a)(2)(i): identified 2027-10-01, to refer by 2027-10-08, never referred: on
    2027-10-20 12 days overdue (to make); after the birthday 25 days late, on both dates.
    One identified 2027-10-30 (due 2027-11-06, after the birthday) is `not_required`, closed
    on the birthday too."""
    missed = case(engine, birth=BIRTH, events=[("child_identified", "2027-10-01")], ruleset="us")
    r = _referral(engine, missed, D("2027-10-20"), "primary_referral")
    assert (r.status, r.closed_on, r.days_left(D("2027-10-20"))) == ("to_make", None, -12)
    for as_of in AFTER:
        r = _referral(engine, missed, as_of, "primary_referral")
        assert (r.status, r.closed_on, r.days_left(as_of)) == ("not_made", ENDED, -25)
    late = case(engine, birth=BIRTH, events=[("child_identified", "2027-10-30")], ruleset="us")
    r = _referral(engine, late, AFTER[0], "primary_referral")
    assert (r.status, r.closed_on, r.is_outstanding) == ("not_required", ENDED, False)


def test_a_notification_not_required_closes_on_the_day_of_what_ended_it_303_209_b(engine):
    """303.209(b)(1): exited 2027-07-01, before the notice was due: `not_required`, closed
    that day; found not potentially eligible for Part B on 2027-06-01: closed that day. Both
    stay so after Part C ended. Neither is listed."""
    for event, day in (
        (("exited", "2027-07-01"), D("2027-07-01")),
        (("part_b_potential_eligibility", "2027-06-01",
          {"outcome": "not_potentially_eligible"}), D("2027-06-01")),
    ):  # fmt: skip
        c = _rowan(engine, event)
        for as_of in (D("2027-10-01"), AFTER[1]):
            r = _referral(engine, c, as_of)
            assert (r.status, r.closed_on, r.is_outstanding) == ("not_required", day, False)


OPT_OUT = """
[ruleset]
id = "xr"
title = "Referral test state with the 303.401(e) opt-out (fictional)"
jurisdiction = "US-XR"
extends = "us"
version = "test"

[[parameters.part_c.lea_notification_opt_out.values]]
effective = 2011-10-28
value = true
citation = "Referral test state rule (fictional)"
"""


def test_a_parents_objection_closes_the_notification_that_day_303_209_b_2(tmp_path):
    """303.209(b)(2), 303.401(e): under an opt-out policy the parent objected on 2027-05-10:
    the notice may not be made (`not_required`), closed that day."""
    (tmp_path / "xr").mkdir()
    (tmp_path / "xr" / "ruleset.toml").write_text(OPT_OUT)
    engine = Engine(entry_points=False, ruleset_dirs=[tmp_path])
    c = case(
        engine, birth=BIRTH, events=[*ROWAN_EVENTS, ("notification_objection", "2027-05-10")],
        ruleset="xr",
    )  # fmt: skip
    r = _referral(engine, c, AFTER[0], ruleset="xr")
    assert (r.status, r.closed_on) == ("not_required", D("2027-05-10"))


def test_closed_on_is_in_the_json_read_back_and_in_the_schema(engine):
    """The determination JSON has `closed_on` on every referral; it reads back to the same
    determination, and one stored before it (no `closed_on`) reads as not closed."""
    det = engine.evaluate(_rowan(engine), "us", AFTER[0])
    data = determination_to_dict(det)
    assert [r["closed_on"] for r in data["referrals"]] == ["2027-11-02"]
    jsonschema.validate(data, json_schema("determination"))
    assert determination_from_dict(json.loads(json.dumps(data))) == det
    old = json.loads(json.dumps(data))
    del old["referrals"][0]["closed_on"]
    assert determination_from_dict(old).referrals[0].closed_on is None


def test_check_says_the_same_lateness_on_both_dates_303_209_b(tmp_path, monkeypatch):
    """`check`: "by 2027-08-04, closed on 2027-11-02, 90 days after it was due (not made)"
    on 2027-11-20 and on 2028-05-20, never a number growing each day."""
    run = caseload_cli(tmp_path, monkeypatch)
    path = tmp_path / "rowan.json"
    path.write_text(json.dumps(ROWAN))
    for as_of in AFTER:
        text = " ".join(run("check", path, "--as-of", as_of).output.split())
        assert "by 2027-08-04, closed on 2027-11-02, 90 days after it was due (not made)" in text
        data = json.loads(run("check", path, "--as-of", as_of, "--format", "json").output)
        assert [(r["status"], r["closed_on"]) for r in data["referrals"]] == [
            ("not_made", "2027-11-02")
        ]


def _referral_rows(rows) -> list[tuple]:
    return [
        (r["clock"], r["status"], r["days_left"], r["closed_on"])
        for r in rows
        if r["kind"] == "referral"
    ]


LATE = [("part_b_notification", "not_made", -90, "2027-11-02")]


def test_due_and_overdue_count_to_the_closing_day_on_both_backends_303_209_b(db_target, engine):
    """The stored referral row keeps closed_on; `due` and `overdue` (dicts and the stored
    text) give -90 as of 2027-11-20 and 2028-05-20, on SQLite and PostgreSQL, from the
    stored rows and for a case re-evaluated for the answer alike; `audit verify` agrees."""
    store = Store.init(db_target, engine)[0]
    try:
        store.import_records([Record("rowan.json", "record 1", ROWAN)], user="tester")
        for as_of in AFTER:  # never evaluated as of it: re-evaluated for the answer
            assert _referral_rows(store.due(as_of=as_of).rows) == LATE
        store.evaluate(as_of=AFTER[0], user="tester")
        stored = store.conn.execute(
            "SELECT clock, status, closed_on FROM clocks WHERE kind = 'referral'"
        ).fetchall()
        assert [tuple(row) for row in stored] == [("part_b_notification", "not_made", "2027-11-02")]
        for as_of in AFTER:
            for overdue in (False, True):
                rows = store.due(as_of=as_of, overdue_only=overdue).rows
                assert _referral_rows(rows) == LATE, (as_of, overdue)
                lines = [json.loads(text) for _, text in store.due_lines(as_of=as_of).lines]
                assert _referral_rows(lines) == LATE, as_of
        assert store.verify_data() == []
    finally:
        store.close()


def test_the_http_api_due_gives_the_same_days(tmp_path):
    """/v1/due and /v1/overdue: the listing's rows, -90 for the notice on both dates."""
    from test_http_api import Server, _eirules

    env = {**os.environ, "EIRULES_USER": "tester", "EIRULES_DB": str(tmp_path / "c.db")}
    path = tmp_path / "rowan.json"
    path.write_text(json.dumps(ROWAN))
    _eirules("db", "init", env=env)
    _eirules("cases", "import", str(path), env=env)
    _eirules("evaluate", "--all", "--as-of", AFTER[0].isoformat(), env=env)
    server = Server(env=env)
    try:
        for as_of in AFTER:
            for what in ("due", "overdue"):
                status, body = server.get(f"/v1/{what}?as_of={as_of}")
                assert status == 200 and _referral_rows(body["clocks"]) == LATE, (what, as_of)
    finally:
        server.stop()


_dates = st.dates(date(1990, 1, 1), date(2150, 12, 31))


@given(by=_dates, closed=_dates, after=st.lists(st.integers(0, 20_000), min_size=2, max_size=5))
def test_days_left_is_constant_for_every_as_of_after_closed_on(by, closed, after):
    """For any referral closed unmade, every as-of date on or after closed_on gives one
    days_left: by - closed_on (`decisions.days_left`, as for a clock)."""
    r = Referral(
        id="r", program="part_c", referrer="a", to="b", reason="x", citation="x",
        by=by, status="not_made", closed_on=closed,
    )  # fmt: skip
    days = {r.days_left(closed + timedelta(days=n)) for n in after}
    assert days == {(by - closed).days} == {days_left(by, closed, closed)}


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 3000))
def test_rowans_notification_is_90_days_late_on_any_date_after_part_c(engine, n):
    """303.209(b)(1)(i): evaluated on any day from the third birthday on, the engine gives
    the same 90 days late."""
    as_of = ENDED + timedelta(days=n)
    r = _referral(engine, _rowan(engine), as_of)
    assert (r.status, r.closed_on, r.days_left(as_of)) == ("not_made", ENDED, -90)
