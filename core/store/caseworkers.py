"""Caseworkers and assignments: at most one current caseworker per case, with history."""

from __future__ import annotations

import unicodedata
from typing import Any

from ..errors import InputError, Problem, did_you_mean
from ..text import identity_key, invisible, text_problem
from .audit import AuditWriter, now
from .base import StoreBase
from .lines import refresh_shown
from .reimport import SET_WITH_ASSIGN


def _nfc_folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


class CaseworkersMixin(StoreBase):
    """Who works each case: names tidied once, every change audited."""

    def _check_assignment(self, case_id: str, caseworker: str) -> str | None:
        if not caseworker.strip():
            return "the caseworker name is empty"
        if (found := text_problem(caseworker)) is not None:
            return f"the caseworker name {found[0]}"
        if self.conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
            return f'no case "{case_id}" in the caseload'
        return None

    def unknown_caseworker(
        self, raw: str, *, where: str = "CASEWORKER", new_option: str | None = "--new-caseworker"
    ) -> Problem | None:
        """A Problem when `raw` names no stored caseworker (a typo would move a case off a list,
        or give a coordinator an empty caseload); `new_option` is the flag that says it is new."""
        name = self.caseworker_name(raw)
        if self.conn.execute("SELECT 1 FROM caseworkers WHERE name = ?", (name,)).fetchone():
            return None
        names = [r[0] for r in self.conn.execute("SELECT name FROM caseworkers ORDER BY name")]
        hint = did_you_mean(name, names)
        return Problem(
            where,
            f'no caseworker "{name}" in the caseload' + (f"; {hint}" if hint else ""),
            f'if "{name}" is new, add them first with: eirules caseworkers add "{name}"'
            + (f" (or pass {new_option})" if new_option else ""),
        )

    def caseworkers(self) -> list[dict[str, Any]]:
        """Every caseworker with when they were added and how many cases they hold now."""
        return [
            dict(r)
            for r in self.conn.query(
                "SELECT w.name, w.added_at, count(a.id) AS cases FROM caseworkers w "
                "LEFT JOIN assignments a ON a.caseworker = w.name AND a.ended_at IS NULL "
                "GROUP BY w.name ORDER BY w.name"
            )
        ]

    def add_caseworker(self, raw: str, *, user: str | None = None) -> tuple[str, bool]:
        """Add a caseworker by name (audited); returns the stored spelling and whether it is new."""
        person = self.require("assign")  # who may assign cases may name a caseworker
        user = person.login if user is None else user
        name = " ".join(raw.split())
        if not name:
            raise InputError("the caseworker name is empty", [Problem("NAME", "give a name")])
        if (found := text_problem(raw)) is not None:  # split() would hide a newline
            raise InputError("the caseworker name is not valid", [Problem("NAME", *found)])
        if self.unknown_caseworker(name) is None:
            stored = self.caseworker_name(name)
            if _nfc_folded(stored) != _nfc_folded(name):  # one key: only invisibles differ
                raise InputError(
                    f'"{name}" looks the same as the caseworker "{stored}" already in the '
                    "caseload: they differ only by the invisible character "
                    f"{invisible(name) or invisible(stored)}",
                    [Problem("NAME", "an existing caseworker", f'use "{stored}"')],
                )
            return stored, False
        with self.write(user) as audit:
            self.conn.execute(
                "INSERT INTO caseworkers (name, added_at, name_key) VALUES (?, ?, ?)",
                (name, now(), identity_key(name)),
            )
            audit.append("caseworker.added", f"added caseworker {name}", after={"name": name})
        return name, True

    def caseworker_name(self, raw: str) -> str:
        """A caseworker name with spaces tidied, spelt as already stored when it looks the
        same (`text.identity_key`: case, spaces and invisible characters aside)."""
        return (self.caseworker_spellings(raw) or (" ".join(raw.split()),))[0]

    def caseworker_names(self, raws: list[str]) -> dict[str, str]:
        """`caseworker_name` of each of `raws`, reading the caseworkers once (an import
        names thousands; a caseload has hundreds of caseworkers, not millions)."""
        tidy = {raw: " ".join(raw.split()) for raw in raws}
        if not tidy:
            return {}
        stored = self._caseworkers_by_key()
        return {raw: stored.get(identity_key(name), [name])[0] for raw, name in tidy.items()}

    def _caseworkers_by_key(self) -> dict[str, list[str]]:
        """Every stored spelling by its identity key, oldest first (the first is the one
        kept; more than one only in a caseload from before look-alikes were refused)."""
        by_key: dict[str, list[str]] = {}
        for (name,) in self.conn.execute("SELECT name FROM caseworkers ORDER BY added_at, name"):
            by_key.setdefault(identity_key(name), []).append(name)
        return by_key

    def caseworker_spellings(self, name: str) -> tuple[str, ...]:
        """Every stored caseworker name with the identity key of `name` (`text.identity_key`),
        oldest first: the one mapping from a typed name to stored ones (`resolve_caseworker`,
        `caseworker_name`; `caseworker_names` for a batch). One probe of caseworkers_name_key
        (revision 0016), whatever the number of caseworkers; a row without a key (written
        by hand) is compared by its name. More than one name only in a caseload from
        before look-alikes were refused."""
        key = identity_key(name)
        rows = self.conn.execute(
            "SELECT name FROM caseworkers WHERE name_key = ? OR name_key IS NULL "
            "ORDER BY added_at, name",
            (key,),
        )
        return tuple(n for (n,) in rows if identity_key(n) == key)

    def resolve_caseworker(self, raw: str) -> tuple[str, ...]:
        """The stored caseworker name(s) a typed `--caseworker NAME` names, oldest first:
        what every caseworker filter looks up (`due`, `overdue`, `cases list`, the HTTP
        API's `caseworker`; a coordinator's own caseload, `own_caseworkers`).

        Two names typed differently are the same caseworker exactly when their identity
        keys are equal (case, Unicode composition, spacing and joiners aside), on SQLite
        and PostgreSQL alike. Names stored with one key before look-alikes were refused
        are one caseworker: the filter lists the cases of them all (docs/cli.md). A name
        that matches none is an InputError with a did-you-mean: a typo would look like
        no work.
        """
        names = self.caseworker_spellings(raw)
        if not names:
            raise self._unknown_filter(" ".join(raw.split()))
        return names

    def _assign(self, case_id: str, caseworker: str, audit: AuditWriter) -> int:
        return self._assign_many([(case_id, caseworker)], audit)

    def _assign_many(
        self, pairs: list[tuple[str, str]], audit: AuditWriter, mark: dict | None = None
    ) -> int:
        """Make each caseworker the current one for its case; returns how many changed.
        `mark` goes into each audit entry's content (`reimport.SET_WITH_ASSIGN`)."""
        if not pairs:
            return 0
        conn = self.conn
        names: dict[str, str] = {}
        by_key: dict[str, str] = {}  # names new in this batch, by identity key
        for raw, name in self.caseworker_names([raw for _, raw in pairs]).items():
            names[raw] = by_key.setdefault(identity_key(name), name)
        # The last assignment of a case in one batch wins.
        wanted = {case_id: names[raw] for case_id, raw in pairs}
        current: dict[str, str] = {}
        ids = list(wanted)
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            current.update(
                conn.execute(
                    f"SELECT case_id, caseworker FROM assignments "
                    f"WHERE ended_at IS NULL AND case_id IN ({marks})",
                    part,
                ).fetchall()
            )
        changed = [(c, w) for c, w in wanted.items() if current.get(c) != w]
        if not changed:
            return 0
        stamp = now()
        conn.executemany(
            "INSERT INTO caseworkers (name, added_at, name_key) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [(w, stamp, identity_key(w)) for w in sorted({w for _, w in changed})],
        )
        conn.executemany(
            "UPDATE assignments SET ended_at = ? WHERE case_id = ? AND ended_at IS NULL",
            [(stamp, c) for c, _ in changed if c in current],
        )
        conn.insert_rows(
            "assignments",
            ("case_id", "caseworker", "assigned_at"),
            [(c, w, stamp) for c, w in changed],
        )
        # The clock rows show the current caseworker (revision 0014): changed with it.
        refresh_shown(conn, [c for c, _ in changed])
        for case_id, caseworker in changed:
            was = current.get(case_id)
            audit.append(
                "case.assigned",
                f"assigned case {case_id} to {caseworker}" + (f" (was {was})" if was else ""),
                case_id=case_id,
                before={"caseworker": was} if was else None,
                after={"caseworker": caseworker, **(mark or {})},
            )
        return len(changed)

    def assign(
        self,
        case_id: str,
        caseworker: str,
        *,
        user: str | None = None,
        new_caseworker: bool = False,
    ) -> bool:
        """Make `caseworker` the case's current caseworker; False when already so.

        An unknown name is refused (with a did-you-mean) unless `new_caseworker`.
        """
        self.require_case(case_id)
        person = self.require("assign", case_id)
        user = person.login if user is None else user
        if not caseworker.strip():
            raise InputError("the caseworker name is empty", [Problem("CASEWORKER", "give a name")])
        if (found := text_problem(caseworker)) is not None:
            raise InputError("the caseworker name is not valid", [Problem("CASEWORKER", *found)])
        if not new_caseworker and (problem := self.unknown_caseworker(caseworker)):
            raise InputError(f"case {case_id} not assigned", [problem])
        with self.write(user) as audit:
            # Marked as set by hand: an import does not undo it unasked (store/reimport.py).
            pairs = [(case_id, caseworker.strip())]
            return bool(self._assign_many(pairs, audit, SET_WITH_ASSIGN))

    def _unknown_filter(self, name: str) -> InputError:
        """A caseworker filter must name a known caseworker: a typo would look like no work."""
        names = [r[0] for r in self.conn.execute("SELECT name FROM caseworkers ORDER BY name")]
        hint = (
            did_you_mean(name, names)
            or (
                f"caseworkers: {', '.join(names[:20])}{', ...' if len(names) > 20 else ''}"
                if names
                else "assign one with: eirules cases assign ID NAME"
            )
            + "; the cases no caseworker holds: --unassigned"
        )
        return InputError(
            f'no caseworker "{name}" in the caseload', [Problem("--caseworker", "not found", hint)]
        )
