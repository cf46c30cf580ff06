"""Ruleset loading and validation: inheritance, effective dates, floors, clear errors."""

from __future__ import annotations

import shutil
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules.core.dates import BusinessCalendar, shift
from eirules.core.errors import RulesetError
from eirules.core.ruleset_validate import validate_paths
from eirules.core.rulesets import (
    RulesetRegistry,
    builtin_folder,
    find_line,
    line_index,
    ruleset_folders,
)

BUILTIN = builtin_folder()
SHIPPED = sorted(p.name for p in BUILTIN.iterdir() if (p / "ruleset.toml").is_file())


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def header(rid: str, extends: str | None = "us") -> str:
    ext = f'extends = "{extends}"\n' if extends else ""
    return f'[ruleset]\nid = "{rid}"\ntitle = "Test {rid}"\n{ext}'


def load(tmp_path: Path, rid: str):
    return RulesetRegistry(ruleset_folders([tmp_path])).get(rid)


def messages(exc: RulesetError) -> list[str]:
    return [str(p) for p in exc.problems]


def test_misspelt_value_key_is_rejected_with_file_line_path_and_suggestion(tmp_path):
    """A misspelt key silently ignored would freeze a parameter at a stale value."""
    folder = write(
        tmp_path / "us-zz",
        {
            "ruleset.toml": header("us-zz"),
            "part_c.toml": (
                "[[parameters.part_c.eligibility.delay_criteria.values]]\n"
                "effective = 2026-01-01\n"
                'value = [{ measure = "percent_delay", at_least = 25, domains = 1 }]\n'
                'citation = "State rule 1"\n'
                'citaton = "typo"\n'
            ),
        },
    )
    with pytest.raises(RulesetError) as info:
        load(tmp_path, "us-zz")
    assert messages(info.value) == [
        f"{folder / 'part_c.toml'}:5: parameters.part_c.eligibility.delay_criteria.values[0]"
        '.citaton: unknown key "citaton"; did you mean "citation"?'
    ]


def test_loosened_federal_floor_is_rejected_citing_the_federal_rule(tmp_path):
    """34 CFR 303.310(a): a state may shorten the 45-day timeline, never lengthen it."""
    folder = write(
        tmp_path / "us-zz",
        {
            "ruleset.toml": header("us-zz"),
            "part_c.toml": (
                "[[parameters.part_c.initial_ifsp_meeting.values]]\n"
                "effective = 2026-01-01\n"
                "value = { length = 60 }\n"
                'citation = "State rule 2"\n'
            ),
        },
    )
    with pytest.raises(RulesetError) as info:
        load(tmp_path, "us-zz")
    assert messages(info.value) == [
        f"{folder / 'part_c.toml'}:1: parameters.part_c.initial_ifsp_meeting.values[0]: "
        "found 60 calendar_days, which loosens the federal floor: 34 CFR 303.310(a) requires "
        "at most 45 calendar_days; set at most 45 calendar_days; a state may tighten a federal "
        "floor, never loosen it"
    ]


def test_tightened_floor_and_state_choice_timeline_are_accepted(tmp_path):
    """A shorter Part C timeline tightens 303.310(a); Part B may differ under 300.301(c)(1)(ii)."""
    write(
        tmp_path / "us-zz",
        {
            "ruleset.toml": header("us-zz"),
            "rules.toml": (
                "[[parameters.part_c.initial_ifsp_meeting.values]]\n"
                'effective = 2026-01-01\nvalue = { length = 30 }\ncitation = "S 1"\n'
                "[[parameters.part_b.initial_evaluation.values]]\n"
                'effective = 2026-01-01\nvalue = { length = 90 }\ncitation = "S 2"\n'
            ),
        },
    )
    rs = load(tmp_path, "us-zz")
    clock = rs.value("part_c.initial_ifsp_meeting", date(2026, 3, 1))
    assert clock["length"] == 30 and clock["start"] == ("referral_received",)
    assert rs.value("part_c.initial_ifsp_meeting", date(2025, 12, 31))["length"] == 45
    assert rs.value("part_b.initial_evaluation", date(2026, 3, 1))["length"] == 90


def test_floor_loosened_by_extra_excuse_or_repeal_is_rejected(tmp_path):
    write(
        tmp_path / "us-zz",
        {
            "ruleset.toml": header("us-zz"),
            "rules.toml": (
                "[[parameters.part_c.initial_ifsp_meeting.values]]\n"
                'effective = 2026-01-01\nvalue = { excused_by = ["staff_shortage"] }\n'
                'citation = "S"\n'
                "[[parameters.part_c.ifsp_annual_meeting.values]]\n"
                'effective = 2026-01-01\nrepealed = true\ncitation = "S"\n'
            ),
        },
    )
    with pytest.raises(RulesetError) as info:
        load(tmp_path, "us-zz")
    text = "\n".join(messages(info.value))
    assert (
        "excused_by adds staff_shortage, which loosens the federal floor: 34 CFR 303.310(a)" in text
    )
    assert "repeals a federal requirement that 34 CFR 303.342(c) sets (1 years)" in text


def test_overlay_setting_an_undeclared_parameter_is_rejected_with_a_close_match(tmp_path):
    folder = write(
        tmp_path / "us-zz",
        {
            "ruleset.toml": header("us-zz"),
            "p.toml": (
                "[[parameters.part_c.initial_ifsp_meting.values]]\n"
                'effective = 2026-01-01\nvalue = { length = 30 }\ncitation = "S"\n'
            ),
        },
    )
    with pytest.raises(RulesetError) as info:
        load(tmp_path, "us-zz")
    assert messages(info.value) == [
        f"{folder / 'p.toml'}:1: parameters.part_c.initial_ifsp_meting: "
        '"part_c.initial_ifsp_meting" is not a parameter declared by this ruleset or one it '
        'extends; did you mean "part_c.initial_ifsp_meeting"?'
    ]


def test_overlapping_periods_missing_citation_bad_type_and_unit_are_all_reported(tmp_path):
    folder = write(
        tmp_path / "us-zz",
        {
            "ruleset.toml": header("us-zz"),
            "p.toml": (
                "[[parameters.part_c.late_referral_days.values]]\n"
                'effective = 2026-01-01\nuntil = 2026-12-31\nvalue = 45\ncitation = "S"\n'
                "[[parameters.part_c.late_referral_days.values]]\n"
                'effective = 2026-06-01\nvalue = 45\ncitation = "S"\n'
                "[[parameters.part_c.age_limit_years.values]]\n"
                'effective = 2026-01-01\nvalue = "three"\n'
                '[parameters.local.x]\nlabel = "X"\ntype = "integer"\nunit = "dayz"\n'
            ),
        },
    )
    with pytest.raises(RulesetError) as info:
        load(tmp_path, "us-zz")
    p = folder / "p.toml"
    assert messages(info.value) == [
        f'{p}:16: parameters.local.x.unit: found "dayz"; expected a unit; expected one of: '
        "calendar_days, business_days, school_days, weeks, months, years, percent, "
        "standard_deviations, grams, micrograms_per_decilitre, grade, hours",
        f"{p}:10: parameters.part_c.age_limit_years.values[0].citation: found no citation; "
        'every value needs a citation; add citation = "34 CFR ..." or the state rule',
        f'{p}:12: parameters.part_c.age_limit_years.values[0].value: found a string "three"; '
        "expected a whole number of years",
        f"{p}:6: parameters.part_c.late_referral_days.values[1]: effective periods overlap: "
        "2026-01-01 to 2026-12-31 (parameters.part_c.late_referral_days.values[0]) and from "
        "2026-06-01; end the earlier one (until) before the later one starts",
    ]


def test_cycle_in_extends_is_rejected(tmp_path):
    write(tmp_path / "a", {"ruleset.toml": header("xa", "xb")})
    write(tmp_path / "b", {"ruleset.toml": header("xb", "xa")})
    with pytest.raises(RulesetError, match="rulesets extend each other in a cycle: xa -> xb -> xa"):
        load(tmp_path, "xa")


def test_line_index_finds_tables_arrays_and_keys():
    text = (
        '[ruleset]\nid = "x"\n\n[[parameters.a.values]]\neffective = 2020-01-01\n'
        'note = """\nmulti = 1\n"""\n[[parameters.a.values]]\nvalue = [\n  1,\n  2,\n]\n'
        'citation = "c"\n'
    )
    index = line_index(text)
    assert index["ruleset.id"] == 2
    assert index["parameters.a.values[0].effective"] == 5
    assert "parameters.a.values[0].multi" not in index
    assert index["parameters.a.values[1].citation"] == 14
    assert find_line(index, "parameters.a.values[1].value.bogus") == 10


# Properties --------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2012, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=25)
@given(
    base=st.integers(0, 100),
    override=st.one_of(st.none(), st.integers(0, 100)),
    on=DAYS,
)
def test_inherited_value_is_the_ancestors_unless_overridden(tmp_path_factory, base, override, on):
    tmp = tmp_path_factory.mktemp("inherit")
    write(
        tmp / "base",
        {
            "ruleset.toml": header("xbase", None),
            "p.toml": (
                '[parameters.n]\nlabel = "N"\ntype = "integer"\n'
                f'[[parameters.n.values]]\neffective = 2011-01-01\nvalue = {base}\ncitation = "B"\n'
            ),
        },
    )
    own = (
        f'[[parameters.n.values]]\neffective = 2011-01-01\nvalue = {override}\ncitation = "C"\n'
        if override is not None
        else ""
    )
    write(tmp / "mid", {"ruleset.toml": header("xmid", "xbase")})
    write(tmp / "leaf", {"ruleset.toml": header("xleaf", "xmid"), "p.toml": own})
    leaf = load(tmp, "xleaf")
    param = leaf.param("n", on)
    assert param.value == (base if override is None else override)
    assert param.ruleset == ("xbase" if override is None else "xleaf")


@settings(max_examples=25)
@given(
    starts=st.lists(DAYS, min_size=1, max_size=5, unique=True),
    on=st.dates(min_value=date(2011, 1, 1), max_value=date(2036, 12, 31)),
)
def test_effective_date_picks_the_latest_value_in_force(tmp_path_factory, starts, on):
    tmp = tmp_path_factory.mktemp("dated")
    starts = sorted(starts)
    entries = "".join(
        f'[[parameters.n.values]]\neffective = {d.isoformat()}\nvalue = {i}\ncitation = "v{i}"\n'
        for i, d in enumerate(starts)
    )
    write(
        tmp / "x",
        {
            "ruleset.toml": header("xdated", None),
            "p.toml": '[parameters.n]\nlabel = "N"\ntype = "integer"\n' + entries,
        },
    )
    rs = load(tmp, "xdated")
    in_force = [i for i, d in enumerate(starts) if d <= on]
    if not in_force:
        with pytest.raises(RulesetError, match='has no value of "n" before'):
            rs.param("n", on)
    else:
        assert rs.value("n", on) == in_force[-1]
        assert rs.param("n", on).citation == f"v{in_force[-1]}"


@given(
    start=DAYS,
    length=st.integers(0, 80),
    holidays=st.lists(DAYS, max_size=10),
    extra=DAYS,
)
def test_adding_a_holiday_never_makes_a_business_day_deadline_earlier(
    start, length, holidays, extra
):
    before = shift(start, length, "business_days", business=BusinessCalendar(holidays))
    after = shift(start, length, "business_days", business=BusinessCalendar([*holidays, extra]))
    assert after >= before


TOML_VALUES = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(-5, 100),
        st.floats(allow_nan=True),
        st.text(max_size=8),
        st.dates(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
KEYS = st.sampled_from(
    [
        "ruleset",
        "parameters",
        "calendar",
        "id",
        "title",
        "extends",
        "values",
        "value",
        "effective",
        "citation",
        "label",
        "type",
        "unit",
        "floor",
        "part_c",
        "x",
    ]
)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else (
                "inf"
                if value in (float("inf"),)
                else ("-inf" if value == float("-inf") else repr(value))
            )
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{_toml(str(k))} = {_toml(v)}" for k, v in value.items()) + "}"


@settings(max_examples=60)
@given(
    data=st.dictionaries(
        KEYS, st.one_of(TOML_VALUES, st.dictionaries(KEYS, TOML_VALUES)), max_size=4
    ),
    raw=st.text(max_size=60),
    use_raw=st.booleans(),
)
def test_garbage_toml_is_rejected_with_messages_never_a_traceback(
    tmp_path_factory, data, raw, use_raw
):
    tmp = tmp_path_factory.mktemp("garbage")
    body = raw if use_raw else "\n".join(f"{_toml(k)} = {_toml(v)}" for k, v in data.items())
    write(tmp / "g", {"ruleset.toml": header("xg") + "\n", "p.toml": body})
    try:
        tomllib.loads(body)
    except (tomllib.TOMLDecodeError, ValueError):
        pass
    try:
        load(tmp, "xg")
    except RulesetError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
    # A body that happens to be valid (e.g. empty) must load; either way no other exception.


def _tables(data, path=()):
    """Every table path in a TOML document, arrays of tables included."""
    if isinstance(data, dict):
        yield path
        for key, value in data.items():
            yield from _tables(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, dict):
                yield from _tables(value, (*path, i))


BUNDLED_FILES = sorted(
    p.relative_to(BUILTIN) for name in SHIPPED for p in (BUILTIN / name).glob("*.toml")
)


@settings(max_examples=60)
@given(data=st.data())
def test_a_stray_key_at_any_level_of_any_bundled_ruleset_is_rejected(tmp_path_factory, data):
    """A key the loader does not know must never be ignored, wherever it is inserted."""
    relative = data.draw(st.sampled_from(BUNDLED_FILES))
    tmp = tmp_path_factory.mktemp("stray")
    for name in SHIPPED:
        shutil.copytree(BUILTIN / name, tmp / name, ignore=shutil.ignore_patterns("tests"))
    path = tmp / relative
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    tables = [t for t in _tables(doc) if not (t and t[-1] == "value")]
    where = data.draw(st.sampled_from(tables))
    stray = data.draw(st.sampled_from(["zzstray", "efective", "citaton", "lable", "floor_cite"]))
    node = doc
    for key in where:
        node = node[key]
    if stray in node:
        return
    node[stray] = 1
    path.write_text(_dump(doc), encoding="utf-8")
    registry = RulesetRegistry([tmp])
    with pytest.raises(RulesetError) as info:
        registry.get(relative.parts[0])
    text = str(info.value)
    assert stray in text and str(path) in text


def _dump(doc, prefix=()) -> str:
    """A minimal TOML writer: scalars and inline values first, then sub-tables."""
    lines, subs = [], []
    for key, value in doc.items():
        if isinstance(value, dict) and not (prefix and prefix[-1] == "values"):
            subs.append((key, value))
        elif (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) for v in value)
            and (key == "values")
        ):
            subs.append((key, value))
        else:
            lines.append(f"{_toml(key)} = {_toml(value)}")
    out = "\n".join(lines) + "\n"
    for key, value in subs:
        name = ".".join(_toml(k) for k in (*prefix, key))
        if isinstance(value, list):
            for item in value:
                inner = "\n".join(f"{_toml(k)} = {_toml(v)}" for k, v in item.items())
                out += f"\n[[{name}]]\n{inner}\n"
        else:
            out += f"\n[{name}]\n" + _dump(value, (*prefix, key))
    return out


def test_every_shipped_value_and_declaration_has_a_citation_and_label():
    registry = RulesetRegistry([BUILTIN])
    for rid in SHIPPED:
        rs = registry.get(rid)
        for decl in rs.own_declarations.values():
            assert decl.label.strip(), decl.name
        for entries in rs.own_values.values():
            for entry in entries:
                assert entry.citation.strip(), entry


def test_days_helper_is_monotone_example():
    """Worked example: 10 business days from Wednesday 2026-11-18 over Thanksgiving 2026-11-26."""
    cal = BusinessCalendar([date(2026, 11, 26)])
    assert shift(date(2026, 11, 18), 10, "business_days", business=cal) == date(2026, 12, 3)
    assert shift(date(2026, 11, 18), 10, "business_days") == date(2026, 12, 2)
    assert date(2026, 12, 3) - date(2026, 12, 2) == timedelta(days=1)


EXAMPLES = Path(__file__).parent.parent / "examples" / "rulesets"


def test_three_level_chain_county_pilot_inherits_missouri_and_the_baseline():
    """us -> us-mo -> us-mo-stl-pilot: nearest ancestor wins for each parameter."""
    rs = RulesetRegistry(ruleset_folders([EXAMPLES])).get("us-mo-stl-pilot")
    assert [n.id for n in rs.lineage] == ["us-mo-stl-pilot", "us-mo", "us"]
    on = date(2026, 2, 1)
    assert rs.param("part_c.initial_ifsp_meeting", on).ruleset == "us-mo-stl-pilot"
    assert rs.value("part_c.initial_ifsp_meeting", on)["length"] == 30
    assert rs.value("part_c.initial_ifsp_meeting", date(2025, 12, 31))["length"] == 45
    assert rs.param("part_c.eligibility.delay_criteria", on).ruleset == "us-mo"
    assert rs.param("part_c.age_limit_years", on).ruleset == "us"


def test_district_school_calendar_file_is_read_not_taken_for_parameters():
    rs = RulesetRegistry(ruleset_folders([EXAMPLES])).get("us-il-district-example")
    school = rs.school_calendar()
    assert school.is_school_day(date(2026, 2, 17))
    assert not school.is_school_day(date(2026, 2, 16))  # a closure
    assert not school.is_school_day(date(2025, 12, 24))  # winter break
    assert shift(date(2026, 2, 2), 60, "school_days", school=school) == date(2026, 4, 29)
    business = rs.business_calendar([2026])
    assert not business.is_business_day(date(2026, 11, 26))  # Thanksgiving (US)


def test_bad_calendar_settings_are_reported(tmp_path):
    folder = write(
        tmp_path / "us-zz",
        {
            "ruleset.toml": header("us-zz")
            + '[calendar]\nholidays_subdivision = "ZZ"\nschool_calendar = "sc.toml"\n',
            "sc.toml": "[[terms]]\nfirst_day = 2026-01-10\nlast_day = 2026-01-01\n",
        },
    )
    with pytest.raises(RulesetError) as info:
        load(tmp_path, "us-zz")
    assert messages(info.value) == [
        f"{folder / 'sc.toml'}:3: terms[0].last_day: 2026-01-01 is before first_day 2026-01-10"
    ]
    (folder / "sc.toml").write_text("[[terms]]\nfirst_day = 2026-01-01\nlast_day = 2026-06-01\n")
    rs = load(tmp_path, "us-zz")  # holidays settings are checked when first needed
    with pytest.raises(RulesetError) as info:
        rs.business_calendar([2026])
    assert messages(info.value)[0].startswith(
        f'{folder / "ruleset.toml"}:6: calendar.holidays_subdivision: found "ZZ"; '
        "expected a subdivision of US"
    )
    [result] = validate_paths([folder], ruleset_folders([tmp_path]))
    assert [str(p) for p in result.problems] == messages(info.value)


@pytest.mark.parametrize(
    "value, loosens",
    [
        ("{ length = 100 }", False),  # 100 days before: stricter
        ('{ length = 12, unit = "weeks" }', True),  # 84 days < 90
        ('{ length = 13, unit = "weeks" }', False),
        ("{ length = 89 }", True),
    ],
)
def test_at_least_floor_transition_notice_90_days_before_third_birthday(tmp_path, value, loosens):
    """34 CFR 303.209(b)(1)(i): not fewer than 90 days before; weeks compare as 7 days."""
    write(
        tmp_path / "us-zz",
        {
            "ruleset.toml": header("us-zz"),
            "p.toml": "[[parameters.part_c.transition_notification.values]]\n"
            f'effective = 2026-01-01\nvalue = {value}\ncitation = "S"\n',
        },
    )
    if loosens:
        with pytest.raises(RulesetError, match="requires at least 90 calendar_days"):
            load(tmp_path, "us-zz")
    else:
        assert load(tmp_path, "us-zz").param("part_c.transition_notification", date(2026, 2, 1))


def _criteria_problems(tmp_path: Path, value: str) -> list[str]:
    write(
        tmp_path / "us-zz",
        {
            "ruleset.toml": header("us-zz"),
            "part_c.toml": (
                "[[parameters.part_c.eligibility.delay_criteria.values]]\n"
                "effective = 2026-01-01\n"
                f"value = {value}\n"
                'citation = "State rule 1"\n'
            ),
        },
    )
    with pytest.raises(RulesetError) as info:
        load(tmp_path, "us-zz")
    return messages(info.value)


def test_unless_only_misspelt_suggests_the_key(tmp_path):
    """Texas's expressive-only rule written with a typo must not silently drop the exception."""
    [msg] = _criteria_problems(
        tmp_path,
        '[{ measure = "percent_delay", at_least = 25, unless_onyl = ["communication.expressive"] }]',
    )
    assert 'unknown key "unless_onyl"' in msg and 'did you mean "unless_only"?' in msg


@pytest.mark.parametrize(
    "names, found",
    [("[]", "expected an array of domain names"), ('["communication."]', "domain.subdomain")],
)
def test_unless_only_needs_area_names(tmp_path, names, found):
    [msg] = _criteria_problems(
        tmp_path, f'[{{ measure = "percent_delay", at_least = 25, unless_only = {names} }}]'
    )
    assert found in msg


def test_only_and_unless_only_together_are_refused(tmp_path):
    [msg] = _criteria_problems(
        tmp_path,
        '[{ measure = "percent_delay", at_least = 25, only = ["expressive"], unless_only = ["expressive"] }]',
    )
    assert "both only and unless_only" in msg


def test_unless_only_with_a_subdomain_loads(tmp_path):
    write(
        tmp_path / "us-zz",
        {
            "ruleset.toml": header("us-zz"),
            "part_c.toml": (
                "[[parameters.part_c.eligibility.delay_criteria.values]]\n"
                "effective = 2026-01-01\n"
                'value = [{ measure = "percent_delay", at_least = 25, unless_only = ["communication.expressive"] }]\n'
                'citation = "State rule 1"\n'
            ),
        },
    )
    rs = load(tmp_path, "us-zz")
    value = rs.value("part_c.eligibility.delay_criteria", date(2026, 2, 1))
    assert list(value[0]["unless_only"]) == ["communication.expressive"]
