"""Which stored determinations cannot change if the case is evaluated again (issue 15).

A determination is current for an as-of date when it was made as of that date
from the case file the case holds now, by this engine, with the installed
version of its ruleset (version and content digest), and no district calendar
was imported or changed after it was made. Evaluating such a case again gives
the same determination, so `evaluate --all` skips it (`--force` does not).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from ..errors import EirulesError

#: Case statuses that say the latest determination is not the case's (changed, failed, none).
STALE_STATUSES = ("not_evaluated", "changed_since_evaluation", "evaluation_failed")


def calendars_changed_at(folder: Path | None) -> str:
    """The UTC time (ISO, as determinations' created_at) the calendars folder last changed."""
    if folder is None or not folder.is_dir():
        return ""
    stamps = [folder.stat().st_mtime]
    stamps.extend(p.stat().st_mtime for p in folder.iterdir() if p.is_file())
    return datetime.fromtimestamp(max(stamps), UTC).replace(microsecond=0).isoformat()


def current_ids(conn, engine, as_of: date, case_ids: list[str] | None = None) -> set[str]:
    """The cases (of `case_ids`, or all) whose latest determination is current for `as_of`."""
    versions: dict[str, str | None] = {}

    def installed(ruleset_id: str) -> str | None:
        if ruleset_id not in versions:
            try:
                versions[ruleset_id] = engine.rulesets.get(ruleset_id).full_version
            except EirulesError:
                versions[ruleset_id] = None
        return versions[ruleset_id]

    changed = calendars_changed_at(engine.calendars.folder)
    marks = ",".join("?" * len(STALE_STATUSES))
    sql = (
        "SELECT c.id, d.ruleset, d.ruleset_version FROM cases c "
        "JOIN determinations d ON d.id = c.last_determination_id "
        f"WHERE c.status NOT IN ({marks}) AND d.inputs_hash = c.document_hash "
        "AND c.evaluated_as_of = ? AND d.engine = ? AND d.created_at > ?"
    )
    args = [*STALE_STATUSES, as_of.isoformat(), engine.version, changed]
    wanted = set(case_ids) if case_ids is not None else None
    out = set()
    for case_id, ruleset, version in conn.stream(sql, args):
        if (wanted is None or case_id in wanted) and installed(ruleset) == version:
            out.add(case_id)
    return out
