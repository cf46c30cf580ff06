"""The same commands on an SQLite file and a PostgreSQL database (--db takes either)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from eirules.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "caseload"


def test_import_evaluate_due_show_and_verify_through_the_cli(db_target, monkeypatch, tmp_path):
    monkeypatch.setenv("EIRULES_DB", str(db_target))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result

    assert run("db", "init").output.startswith("Created caseload ")
    assert run("cases", "import", str(EXAMPLES)).output.startswith("Imported: ")
    run("evaluate", "--all", "--as-of", "2026-02-01")
    due = json.loads(run("due", "--as-of", "2026-02-01", "--format", "json").stdout)
    assert due
    for row in due:
        if row["due"] is None:  # cannot compute (e.g. no age of majority): no days either
            assert row["days_left"] is None
            continue
        assert row["days_left"] == (date.fromisoformat(row["due"]) - date(2026, 2, 1)).days
    case_id = due[0]["case_id"]
    run("cases", "show", case_id, "--purpose", "review")
    assert run("audit", "verify").output.startswith("Audit log intact: ")
    access = json.loads(run("audit", "access", "--case", case_id, "--format", "json").stdout)
    # The due listing named the case too (34 CFR 300.614, 303.405), then the show.
    assert [(a["action"], a["purpose"]) for a in access] == [
        ("due", "not stated"),
        ("show", "review"),
    ]
