"""People and roles: who is using the caseload, and what each role may do.

The person is never a name typed on the command line: on PostgreSQL it is the
database login (``session_user``), on an SQLite file the operating-system user;
`eirules serve` passes the login its token stands for. The `staff` table gives
each login a role:

* coordinator: reads and changes the cases assigned to their caseworker name;
* supervisor: reads, changes and assigns the cases of their district (all
  districts when none is set);
* data manager: imports, evaluates, reports, destroys records and manages staff;
* auditor: reads every case and the audit log, changes nothing.

A caseload with no staff yet (a personal SQLite file, or a new database before
its data manager sets up the staff list) belongs to whoever can open it: that
person may do everything. The first `staff add` also makes its author a data
manager; from then on everyone must be on the list. (On PostgreSQL, who may
connect at all is the server's own login and GRANT setup.)
"""

from __future__ import annotations

import attrs

from ..errors import EirulesError, Problem
from .base import StoreBase, default_user

ROLES = ("coordinator", "supervisor", "data_manager", "auditor")
#: The role of the only person of a caseload without staff.
OWNER = "owner"
_ROLE_WORDS = {
    "coordinator": "a service coordinator",
    "supervisor": "a supervisor",
    "data_manager": "a data manager",
    "auditor": "an auditor",
}

#: What each action is, for messages, and the roles that may do it.
ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "read_case": ("read case {case}", frozenset(ROLES)),
    "change_case": ("change case {case}", frozenset({"coordinator", "supervisor", "data_manager"})),
    "assign": ("assign case {case}", frozenset({"supervisor", "data_manager"})),
    "evaluate_case": (
        "evaluate case {case}",
        frozenset({"coordinator", "supervisor", "data_manager"}),
    ),
    "evaluate_all": ("evaluate the whole caseload", frozenset({"data_manager"})),
    "import": ("import cases", frozenset({"data_manager"})),
    "report": (
        "run reports over the caseload",
        frozenset({"supervisor", "data_manager", "auditor"}),
    ),
    "audit": (
        "read the audit log and the record of access",
        frozenset({"data_manager", "auditor"}),
    ),
    "destroy": ("destroy case {case}", frozenset({"data_manager"})),
    "prune": ("prune determination history", frozenset({"data_manager"})),
    "staff": ("change who may use the caseload", frozenset({"data_manager"})),
}
#: Actions on one case that are limited to the person's caseload.
_SCOPED = {"read_case", "change_case", "assign", "evaluate_case", "destroy"}


class AccessDenied(EirulesError):
    """The person's role does not allow what they asked for (exit status 1)."""


@attrs.frozen
class Person:
    """Who is using the caseload: their login, role and caseload."""

    login: str
    role: str | None  # None: not on the staff list
    caseworker: str | None = None
    district: str | None = None

    def describe(self) -> str:
        if self.role == OWNER:
            return f"{self.login} (the only user of this caseload)"
        if self.role is None:
            return f"{self.login} (not on this caseload's staff list)"
        return f"{self.login} ({self.role.replace('_', ' ')})"


def os_login() -> str:
    """Who runs the command on an SQLite file: the OS account (`base.default_user`)."""
    return default_user()


def os_accounts() -> list[str] | None:
    """The accounts of this machine (None where there is no account database to read)."""
    try:
        import pwd
    except ImportError:  # not a POSIX system: nothing to check a login against
        return None
    return [entry.pw_name for entry in pwd.getpwall()]


def os_account(login: str) -> bool:
    """Whether `login` is an account of this machine (True where that cannot be known)."""
    if login == os_login():
        return True
    accounts = os_accounts()
    return accounts is None or login in accounts


def _who_may(roles: frozenset[str]) -> str:
    words = [_ROLE_WORDS[r] for r in ROLES if r in roles]
    return "only " + (
        " or ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " or " + words[-1]
    )


class PeopleMixin(StoreBase):
    """The person using the store and the one permission check (the staff list: staff.py)."""

    #: The login a trusted caller (eirules serve) vouches for; else the database's or the OS's.
    login: str | None = None
    _person: Person | None = None
    #: `own_caseworkers` of the person it was read for.
    _own: tuple[Person, tuple[str, ...]] | None = None

    @property
    def person(self) -> Person:
        if self._person is None:
            login = self.login
            if login is None:
                login = (
                    self.conn.execute("SELECT session_user").fetchone()[0]
                    if self.conn.postgres
                    else os_login()
                )
            row = self.conn.execute(
                "SELECT role, caseworker, district FROM staff WHERE login = ?", (login,)
            ).fetchone()
            if row is not None:
                self._person = Person(login, *row)
            elif self.conn.execute("SELECT 1 FROM staff LIMIT 1").fetchone() is None:
                self._person = Person(login, OWNER)
            else:
                self._person = Person(login, None)
        return self._person

    def as_login(self, login: str) -> None:
        """Act as `login` from now on (for a caller that authenticated them, e.g. a token)."""
        self.login = login
        self._person = None

    def allowed(self, action: str) -> bool:
        role = self.person.role
        return role == OWNER or role in ACTIONS[action][1]

    def require(self, action: str, case_id: str | None = None) -> Person:
        """Raise AccessDenied, saying plainly what the person may not do, unless allowed."""
        person = self.person
        doing, roles = ACTIONS[action]
        what = doing.format(case=case_id or "")
        if person.role is None:
            raise self._outsider(what)
        if not self.allowed(action):
            raise AccessDenied(
                f"{person.describe()} may not {what}: {_who_may(roles)} may",
                [
                    Problem(
                        "", f"your role is {person.role.replace('_', ' ')}", "ask a data manager"
                    )
                ],
            )
        if case_id is not None and action in _SCOPED and not self.in_scope(case_id):
            where = (
                f"assigned to {person.caseworker}"
                if person.role == "coordinator"
                else f"in district {person.district}"
            )
            raise AccessDenied(
                f"{person.describe()} may not {what}: it is not in your caseload",
                [
                    Problem(
                        "",
                        f"your caseload is the cases {where}",
                        "ask a data manager (eirules staff add) to change your caseload, "
                        "or someone whose caseload holds the case",
                    )
                ],
            )
        return person

    def _outsider(self, what: str) -> AccessDenied:
        """The refusal of someone not on the staff list, whatever they asked for."""
        person = self.person
        return AccessDenied(
            f"{person.describe()} may not {what}",
            [
                Problem(
                    "",
                    "only people on the staff list may use this caseload",
                    f"ask a data manager to add you: eirules staff add {person.login} --role ROLE",
                )
            ],
        )

    def require_caseworker_in_scope(self, names: tuple[str, ...]) -> None:
        """Refuse a listing of a caseworker's cases (`due`, `overdue`, `cases list`
        --caseworker) the person may not see: it would print "Nothing open", not a refusal.

        A coordinator may list only their own caseworker's cases; a supervisor of a
        district, a caseworker who holds no current case in it (but holds some elsewhere).
        `names` are the caseworker's stored names (`resolve_caseworker`).
        """
        person = self.person
        caseworker = names[0]
        if person.role == "coordinator":
            if caseworker in self.own_caseworkers():
                return
            where = f"assigned to {person.caseworker or person.login}"
        elif person.role == "supervisor" and person.district:
            sql, args = self.scope_sql("a.case_id")
            held = self.conn.execute(
                "SELECT count(*), count(CASE WHEN "
                + sql
                + " THEN 1 END) FROM assignments a WHERE a.caseworker IN ("
                + ",".join("?" * len(names))
                + ") AND a.ended_at IS NULL",
                (*args, *names),
            ).fetchone()
            if held[0] == 0 or held[1] > 0:
                return
            where = f"in district {person.district}"
        else:
            return
        raise AccessDenied(
            f"{person.describe()} may not list the cases of {caseworker}: "
            "they are not in your caseload",
            [
                Problem(
                    "--caseworker",
                    f"your caseload is the cases {where}",
                    "leave --caseworker out to list your own caseload; ask a data manager "
                    "(eirules staff add) to change your caseload",
                )
            ],
        )

    def own_caseworkers(self) -> tuple[str, ...]:
        """A coordinator's caseload is the cases assigned to these names: the stored names
        of their staff caseworker (`resolve_caseworker`; their login when none), read once
        for the person."""
        person = self.person
        if self._own is None or self._own[0] is not person:
            name = person.caseworker or person.login
            self._own = (person, self.caseworker_spellings(name) or (name,))  # type: ignore[attr-defined]
        return self._own[1]

    def in_scope(self, case_id: str) -> bool:
        """Whether a case is in the person's caseload (every case for the roles without one)."""
        sql, args = self.scope_sql("c.id")
        row = self.conn.execute(
            f"SELECT 1 FROM cases c WHERE c.id = ?{' AND ' + sql if sql else ''}",
            (case_id, *args),
        ).fetchone()
        return row is not None

    def scope_sql(self, case_id_column: str) -> tuple[str, list[str]]:
        """A WHERE condition on a case id column limiting rows to the person's caseload.

        "" for the roles that see every case. The one place a listing or a count
        (`due`, `overdue`, `cases list`, indicators; CLI and HTTP) learns what the
        person may see, so someone not on the staff list is refused here, as
        `cases show` refuses them: an empty answer would read as "no work".
        """
        person = self.person
        if person.role == "coordinator":
            own = self.own_caseworkers()
            return (
                f"{case_id_column} IN (SELECT case_id FROM assignments "
                f"WHERE ended_at IS NULL AND caseworker IN ({','.join('?' * len(own))}))",
                list(own),
            )
        if person.role == "supervisor" and person.district:
            return f"{case_id_column} IN (SELECT id FROM cases WHERE district = ?)", [
                person.district
            ]
        if person.role is None:
            raise self._outsider("see the cases of this caseload")
        return "", []
