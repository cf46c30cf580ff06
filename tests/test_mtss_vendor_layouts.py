"""Issue 18: vendor score exports read through a layout (plugins/mtss/layouts.py).

Each preset is checked on a fictional sample in the export's column layout
(examples/mtss/exports/); a layout reads or ignores every column, maps values by its own
tables, and an export that does not match is refused whole, naming file, line and column.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.errors import EirulesError, InputError
from eirules.plugins.mtss import datadir, rules
from eirules.plugins.mtss.layouts import load_layout, presets
from eirules.plugins.mtss.params import params_for

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "examples" / "mtss" / "exports"
BUNDLED = datadir.bundled_dir()


@pytest.fixture
def school(tmp_path):
    target = tmp_path / "elm"
    shutil.copytree(BUNDLED, target)
    return target


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _screenings(folder: Path, sid: str, instrument: str) -> list[dict]:
    doc = json.loads((folder / "students" / f"{sid}.json").read_text())
    return [s for s in doc["mtss"]["screenings"] if s["instrument"] == instrument]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (folder / "students").glob("*.json")}


def test_every_preset_loads_and_names_its_source():
    assert set(presets()) == {"fastbridge-cbmreading", "fastbridge-earlyreading", "mclass-dibels8"}
    for name in presets():
        lay = load_layout(name)
        assert lay.source and lay.documented is False  # read from a public sample, not the vendor
    out = run("mtss", "layouts").output
    assert "fastbridge-cbmreading" in out and "not the vendor's documentation" in out


def test_fastbridge_cbmreading_wide_export_becomes_one_screening_per_period(school, engine):
    """Fall, winter and spring columns of one row are three screenings; the risk code
    highRisk is FastBridge's High Risk, which the ruleset bands as intervention."""
    r = run(
        "mtss", "import", "screening", str(EXPORTS / "fastbridge-cbmreading.csv"),
        "--layout", "fastbridge-cbmreading", "--dir", str(school),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Imported screening for 4 students: 11 added, 0 replaced." in r.output
    got = _screenings(school, "ELM-015", "FastBridge CBMreading")
    assert got == [
        {"date": "2025-09-10", "window": "fall", "instrument": "FastBridge CBMreading",
         "skill_area": "reading", "scaled_score": 38, "category": "High Risk"},
        {"date": "2026-01-14", "window": "winter", "instrument": "FastBridge CBMreading",
         "skill_area": "reading", "scaled_score": 55, "category": "Some Risk"},
        {"date": "2026-05-06", "window": "spring", "instrument": "FastBridge CBMreading",
         "skill_area": "reading", "scaled_score": 81, "category": "Low Risk"},
    ]  # fmt: skip
    # ELM-017 was not screened in spring: no spring screening; ELM-016's AD is Advanced.
    assert [s["window"] for s in _screenings(school, "ELM-017", "FastBridge CBMreading")] == [
        "fall",
        "winter",
    ]
    assert _screenings(school, "ELM-016", "FastBridge CBMreading")[2]["category"] == "Advanced"
    data = datadir.load(school, engine)
    rec = data.cases["ELM-015"].sections["mtss"]
    p = params_for(engine.rulesets.get("mtss"), date(2025, 9, 15))
    r1 = rules.screening_band(_fall(rec), p)
    assert r1.decision == "intervention"


def _fall(rec):
    return next(s for s in rec.screenings if s.instrument == "FastBridge CBMreading")


def test_fastbridge_earlyreading_reads_the_composite_and_ignores_repeated_columns(school):
    """The earlyReading export repeats "Error" once per subtest; the layout reads none of
    the repeated columns, so they are no ambiguity. AV is the Advanced level."""
    r = run(
        "mtss", "import", "screening", str(EXPORTS / "fastbridge-earlyreading.csv"),
        "--layout", "fastbridge-earlyreading", "--dir", str(school),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Imported screening for 3 students: 8 added, 0 replaced." in r.output
    got = _screenings(school, "ELM-008", "FastBridge earlyReading")
    assert [(s["date"], s["window"], s["scaled_score"], s["category"]) for s in got] == [
        ("2025-09-09", "fall", 61, "Advanced"),
        ("2026-01-13", "winter", 66, "Advanced"),
    ]


def test_mclass_long_export_maps_benchmark_periods_and_levels(school):
    """One row per student and period: BOY is fall, MOY winter; the composite level is
    the category ("Well Below Benchmark": urgent in the ruleset)."""
    r = run(
        "mtss", "import", "screening", str(EXPORTS / "mclass-dibels8.csv"),
        "--layout", "mclass-dibels8", "--dir", str(school),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    got = _screenings(school, "ELM-002", "DIBELS 8 Composite (mCLASS)")
    assert [(s["date"], s["window"], s["scaled_score"], s["category"]) for s in got] == [
        ("2025-09-09", "fall", 318, "Well Below Benchmark"),
        ("2026-01-13", "winter", 340, "Well Below Benchmark"),
    ]
    again = run(
        "mtss", "import", "screening", str(EXPORTS / "mclass-dibels8.csv"),
        "--layout", "mclass-dibels8", "--dir", str(school),
    )  # fmt: skip
    assert "0 added, 0 replaced" in again.output


def test_own_layout_reads_percentiles_missing_values_and_a_category_table(school):
    r = run(
        "mtss", "import", "screening", str(EXPORTS / "district-screener.csv"),
        "--layout", str(EXPORTS / "district-screener.toml"), "--dir", str(school),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert _screenings(school, "ELM-004", "District reading screener")[0]["percentile"] == 18
    assert _screenings(school, "ELM-004", "District math screener")[0]["category"] == (
        "intervention"
    )
    assert _screenings(school, "ELM-005", "District math screener") == []  # "-" is missing


def _export(tmp_path, name, edit) -> Path:
    text = (EXPORTS / name).read_text()
    out = tmp_path / f"edited-{name}"
    out.write_text(edit(text))
    return out


def _refused(school, csv_path, layout) -> str:
    before = _snapshot(school)
    r = run("mtss", "import", "screening", str(csv_path), "--layout", layout, "--dir", str(school))
    assert r.exit_code != 0
    assert _snapshot(school) == before  # nothing written
    return r.output


def test_a_renamed_column_is_refused_with_its_name_never_guessed(school, tmp_path):
    f = _export(
        tmp_path, "fastbridge-cbmreading.csv", lambda t: t.replace("Risk Level", "Risk Lvl")
    )
    out = _refused(school, f, "fastbridge-cbmreading")
    assert f'{f}:1: no column "Fall CBMR-English Risk Level"' in out
    assert 'did you mean "Fall CBMR-English Risk Lvl"' in out
    assert 'AI "Fall CBMR-English Risk Lvl"' in out  # the unknown column, by letter


def test_an_unknown_column_is_refused_until_the_layout_reads_or_ignores_it(school, tmp_path):
    def add(t):
        lines = t.splitlines()
        return "\n".join([lines[0] + ",Reading Group"] + [x + ",G1" for x in lines[1:]]) + "\n"

    out = _refused(school, _export(tmp_path, "mclass-dibels8.csv", add), "mclass-dibels8")
    assert 'neither reads nor ignores: DB "Reading Group"' in out
    assert "in a copy of the preset" in out


def test_unmapped_values_name_the_row_and_column(school, tmp_path):
    f = _export(
        tmp_path,
        "mclass-dibels8.csv",
        lambda t: t.replace(",MOY,At Benchmark,", ",MID,At Benchmark,").replace(
            "Above Benchmark", "Way Above"
        ),
    )
    out = _refused(school, f, "mclass-dibels8")
    assert f'{f}:3: Benchmark Period "MID" is not in the layout\'s windows' in out
    assert f'{f}:7: Composite Level: "Way Above" is not in the layout\'s [categories]' in out


def test_a_date_in_another_format_is_refused(school, tmp_path):
    f = _export(
        tmp_path, "fastbridge-cbmreading.csv", lambda t: t.replace("9/10/2025", "2025-09-10")
    )
    out = _refused(school, f, "fastbridge-cbmreading")
    assert 'Fall CBMR-English Final Date: "2025-09-10" is not a date in the format %m/%d/%Y' in out


@pytest.mark.parametrize(
    "text, message",
    [
        ("[layout]\nname='x'\nstudent_id='id'\nsource='s'\n", "no [[scores]] table"),
        ("[layuot]\n", 'unknown key "layuot"'),
        (
            "[layout]\nname='x'\nstudent_id='id'\nsource='s'\n[[scores]]\ninstrument='i'\n"
            "skill_area='reading'\ndate='d'\ncategory='c'\nwindows={F='fall'}\n",
            "no window",
        ),
        (
            "[layout]\nname='x'\nstudent_id='id'\nsource='s'\n[[scores]]\ninstrument='i'\n"
            "skill_area='reading'\ndate='d'\ncategory='c'\nwindow_column='w'\n"
            "windows={F='autumn'}\n",
            '"autumn" is not one of fall, winter, spring',
        ),
        (
            "[layout]\nname='x'\nstudent_id='id'\nsource='s'\ndate_fmt='%Y'\n",
            'did you mean "date_format"',
        ),
    ],
)
def test_a_bad_layout_file_names_its_problem(tmp_path, text, message):
    f = tmp_path / "mine.toml"
    f.write_text(text)
    with pytest.raises(InputError) as exc:
        load_layout(str(f))
    assert message in str(exc.value)


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(
        ["fastbridge-cbmreading.csv", "fastbridge-earlyreading.csv", "mclass-dibels8.csv"]
    ),
    line=st.integers(0, 6),
    col=st.integers(0, 200),
    value=CELL,
)
def test_any_edited_export_is_imported_whole_or_refused_whole(
    tmp_path_factory, name, line, col, value
):
    """Invariant: a mangled export (any one cell or header changed) never crashes; it is
    imported or refused with an eirules error, and a refusal writes nothing."""
    import csv
    import io

    folder = tmp_path_factory.mktemp("edit")
    school = _shared_school(tmp_path_factory)
    rows = list(csv.reader((EXPORTS / name).read_text().splitlines()))
    line = min(line, len(rows) - 1)
    if col < len(rows[line]):
        rows[line][col] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    f = folder / name
    f.write_text(buf.getvalue())
    layout = load_layout(name.removesuffix(".csv"))
    data = _shared_data(school)
    before = _snapshot(school)
    try:
        datadir.import_csv(data, f, "screening", layout)
    except EirulesError:
        assert _snapshot(school) == before


_ENGINE = []
_SCHOOL = []
_DATA = []


def _shared_data(school):
    """Loaded once: import_csv keeps the loaded cases in step with the files it writes."""
    if not _DATA:
        _DATA.append(datadir.load(school, _engine()))
    return _DATA[0]


def _shared_school(factory) -> Path:
    """One copy for every example: an accepted import changes it, which the invariant allows."""
    if not _SCHOOL:
        target = factory.mktemp("elm") / "s"
        shutil.copytree(BUNDLED, target)
        _SCHOOL.append(target)
    return _SCHOOL[0]


def _engine():
    if not _ENGINE:
        from eirules.core.engine import Engine

        _ENGINE.append(Engine(entry_points=False))
    return _ENGINE[0]
