"""Ruleset versions: a copy of the files of each version used, and replaying old determinations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from ..convert import determination_to_dict
from ..errors import EirulesError, InputError
from ..rulesets.files import read_toml_bytes
from .audit import now
from .base import StoreBase, canonical_json


@attrs.frozen
class ReplayResult:
    """Whether re-running a stored determination gives the same answer."""

    case_id: str
    number: int
    same: bool
    differences: tuple[str, ...]
    stored_ruleset_version: str
    current_ruleset_version: str
    stored_engine: str
    current_engine: str
    #: Where the ruleset came from: "stored" (rebuilt from the caseload's copy) or "installed".
    ruleset_source: str = "installed"
    ruleset: str = ""
    #: Why the stored ruleset version was not used (empty when it was).
    ruleset_note: str = ""


def ruleset_files(ruleset) -> list[dict[str, Any]] | None:
    """The text of every file of a ruleset's lineage, nearest first (None if one is unreadable)."""
    lineage = []
    for node in ruleset.lineage:
        files = {}
        for path in node.files:
            try:
                files[path.name] = read_toml_bytes(path).decode("utf-8")
            except (InputError, UnicodeDecodeError):
                return None
        lineage.append({"id": node.id, "files": files})
    return lineage


class RulesetVersionsMixin(StoreBase):
    """Keeping ruleset versions and replaying determinations with them."""

    def _keep_ruleset_version(self, ruleset_id: str, full_version: str) -> None:
        """Store the files of a ruleset version once, so replay can rebuild it later."""
        if self.conn.execute(
            "SELECT 1 FROM ruleset_versions WHERE full_version = ?", (full_version,)
        ).fetchone():
            return
        try:
            ruleset = self._need_engine().rulesets.get(ruleset_id)
        except EirulesError:
            return
        lineage = ruleset_files(ruleset)
        if lineage is None or ruleset.full_version != full_version:
            return  # unreadable, or changed on disk since: replay says it uses the installed one
        self.conn.execute(
            "INSERT INTO ruleset_versions (full_version, ruleset, files, stored_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (full_version, ruleset_id, canonical_json(lineage), now()),
        )

    @contextmanager
    def _stored_ruleset(self, ruleset_id: str, full_version: str) -> Iterator[tuple[Any, str]]:
        """(the ruleset version rebuilt from its stored files, "") or (None, why not).

        The files are written to a temporary folder that lives while the block runs
        (a school calendar is read during evaluation).
        """
        row = self.conn.execute(
            "SELECT files FROM ruleset_versions WHERE full_version = ?", (full_version,)
        ).fetchone()
        if row is None:
            yield None, "is not stored in this caseload"
            return
        import tempfile

        from ..rulesets import RulesetRegistry

        with tempfile.TemporaryDirectory(prefix="eirules-replay-") as tmp:
            try:
                for node in json.loads(row[0]):
                    folder = Path(tmp) / node["id"]
                    folder.mkdir()
                    for name, text in node["files"].items():
                        (folder / Path(name).name).write_bytes(text.encode("utf-8"))
                ruleset = RulesetRegistry([Path(tmp)]).get(ruleset_id)
                rebuilt = ruleset.full_version
            except (EirulesError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                yield None, f"could not be rebuilt from its stored copy ({first})"
                return
            if rebuilt != full_version:
                yield None, f"could not be rebuilt from its stored copy (it gives {rebuilt})"
                return
            yield ruleset, ""

    def replay(self, case_id: str, number: int) -> ReplayResult:
        """Re-run a stored determination from its stored inputs, ruleset version and as-of date.

        The ruleset is rebuilt from the copy of its files stored with the caseload
        when there is one; otherwise the installed version is used (and said).
        """
        engine = self._need_engine()
        stored = self.determination(case_id, number)
        case = engine.case_from_dict(json.loads(stored["document"]), source=f"case {case_id}")
        with self._stored_ruleset(stored["ruleset"], stored["ruleset_version"]) as (kept, why):
            det = engine.evaluate(
                case, kept if kept is not None else stored["ruleset"],
                date.fromisoformat(stored["as_of"]),
            )  # fmt: skip
        fresh = determination_to_dict(det)
        old = json.loads(stored["result"])
        differences = []
        for key in sorted(set(old) | set(fresh)):
            if key in ("engine", "ruleset_version"):
                continue
            if canonical_json(old.get(key)) != canonical_json(fresh.get(key)):
                differences.append(
                    f"{key}: stored {canonical_json(old.get(key))} / now {canonical_json(fresh.get(key))}"
                )
        return ReplayResult(
            case_id,
            number,
            not differences,
            tuple(differences),
            stored["ruleset_version"],
            det.ruleset_version,
            stored["engine"],
            det.engine,
            "stored" if kept is not None else "installed",
            stored["ruleset"],
            why,
        )
