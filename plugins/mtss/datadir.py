"""An MTSS data folder: `school.json` plus one case file per student, and CSV import.

    school.json            School: programs, interventionists, groups, windows
    students/<id>.json     case files (schema eirules/case@1) with an "mtss" section

CSV import (`csv_import`) adds screening results, session logs, progress points,
enrolments and phase changes to the students' case files.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from eirules.core.convert import read_json, structure
from eirules.core.errors import InputError, Problem
from eirules.core.models import Case

from .csv_import import KINDS, import_csv, read_csv  # noqa: F401  (the CSV import, re-exported)
from .models import MtssRecord, School

#: The documented CSV layouts (docs/mtss.md), used by the example-school generators.
SCREENING_COLUMNS = KINDS["screening"].columns
SESSION_COLUMNS = KINDS["sessions"].columns
REQUIRED = {name: k.required for name, k in KINDS.items()}


def bundled_dir() -> Path:
    """The fictional school shipped inside the package."""
    return Path(__file__).parent / "data" / "elm-street"


def default_dir() -> Path:
    env = os.environ.get("EIRULES_MTSS_DIR")
    return Path(env) if env else bundled_dir()


@attrs.define
class DataDir:
    """A loaded MTSS folder."""

    path: Path
    school: School
    cases: dict[str, Case]
    files: dict[str, Path]

    def records(self) -> dict[str, MtssRecord]:
        return {cid: c.sections["mtss"] for cid, c in self.cases.items() if "mtss" in c.sections}


def load(path: str | Path, engine) -> DataDir:
    """Read school.json and every students/*.json; InputError if the folder is not an MTSS folder."""
    path = Path(path)
    school_file = path / "school.json"
    if not school_file.is_file():
        raise InputError(
            f"{path} is not an MTSS data folder",
            [
                Problem(
                    str(school_file),
                    "no such file",
                    "create school.json (see docs/mtss.md) or pass --dir",
                )
            ],
        )
    school = structure(read_json(school_file), School, source=str(school_file))
    cases: dict[str, Case] = {}
    files: dict[str, Path] = {}
    for f in sorted((path / "students").glob("*.json")):
        case = engine.load_case(f)
        if case.id in cases:
            raise InputError(f"{f}: case id {case.id} is also in {files[case.id]}")
        cases[case.id] = case
        files[case.id] = f
    return DataDir(path, school, cases, files)
