"""The staff list and its tokens: who may use the caseload, in which role.

A data manager adds and removes staff (`eirules staff`), keeping at least one real
data manager, and issues the tokens `eirules serve` takes for a login. Who the person
using the store is, and what each role may do, is core/store/people.py.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from ..errors import InputError, Problem, did_you_mean
from ..text import text_problem
from .audit import now
from .base import sha256
from .people import _ROLE_WORDS, OWNER, ROLES, PeopleMixin, os_account, os_accounts, os_login

#: Days a token for eirules serve works by default, and at most (`staff token --expires-in`).
#: A security setting, not a legal period (IDEA sets none): a token stands for one
#: person's access to children's records, so a forgotten one (a lost laptop, a retired
#: integration, a person who changed jobs but stayed on the list) should stop on its
#: own within one quarter; the longest, one year, is GitLab's default maximum lifetime
#: of an access token, for an integration that is renewed once a year.
TOKEN_DAYS = 90
TOKEN_MAX_DAYS = 365


def _later(at: str, days: int) -> str:
    """The ISO-8601 UTC time `days` days after `at` (as `audit.now` writes it)."""
    return (datetime.fromisoformat(at) + timedelta(days=days)).isoformat()


class StaffMixin(PeopleMixin):
    """The staff list (`staff add`, `staff remove`) and the tokens of eirules serve."""

    def staff(self) -> list[dict]:
        if not self.allowed("staff"):
            self.require("audit")
        return list(
            self.conn.query(
                "SELECT login, role, caseworker, district, added_at, added_by FROM staff "
                "ORDER BY login"
            )
        )

    def add_staff(
        self,
        login: str,
        role: str,
        *,
        caseworker: str | None = None,
        district: str | None = None,
        force: bool = False,
    ) -> None:
        """Give `login` a role (replacing the one they had); audited.

        A coordinator's caseworker and a supervisor's district must already be in the
        caseload (a typo would show them an empty caseload). On an SQLite file the
        person is the OS account, so a login naming no account of this machine is
        refused unless `force` (a login only for `eirules serve` tokens, say).
        """
        self.require("staff")
        login = login.strip()
        problems = []
        if not login:
            problems.append(Problem("LOGIN", "empty", "give the person's login"))
        for where, value in (
            ("LOGIN", login),
            ("--caseworker", caseworker),
            ("--district", district),
        ):
            if value and (found := text_problem(value)) is not None:
                problems.append(Problem(where, *found))
        if problems:  # a name that is not text is not looked up
            raise InputError(f"{login or 'nobody'} not added to the staff", problems)
        if role not in ROLES:
            problems.append(
                Problem("--role", f'"{role}" is not a role', f"one of: {', '.join(ROLES)}")
            )
        if role == "coordinator" and not (caseworker or "").strip():
            problems.append(
                Problem(
                    "--caseworker",
                    "a coordinator's caseload is the cases assigned to a caseworker name",
                    "give the name cases are assigned to (eirules cases assign ID NAME)",
                )
            )
        if role == "coordinator" and (caseworker or "").strip():
            found = self.unknown_caseworker(caseworker, where="--caseworker", new_option=None)
            if found is not None:
                problems.append(found)
            caseworker = self.caseworker_name(caseworker)
        if district is not None:
            found, district = self._known_district(district)
            if found is not None:
                problems.append(found)
        if login and not force and not self.real_login(login):
            problems.append(self._not_an_account(login))
        if problems:
            raise InputError(f"{login or 'nobody'} not added to the staff", problems)
        me = self.person
        # The owner of a caseload without staff is its data manager until the first add.
        managers = self._real_data_managers() + (me.role == OWNER)
        with self.write(me.login) as audit:
            if me.role == OWNER and login != me.login:
                # The first person added: the owner stays in, as a data manager.
                self._insert_staff(me.login, "data_manager", None, None, me.login, audit)
            old = self.conn.execute(
                "SELECT role, caseworker, district FROM staff WHERE login = ?", (login,)
            ).fetchone()
            self.conn.execute("DELETE FROM staff WHERE login = ?", (login,))
            self._insert_staff(login, role, caseworker, district, me.login, audit, old)
            self._keep_a_data_manager(login, f"{login} not made {_ROLE_WORDS[role]}", managers)
        self._person = None

    def real_login(self, login: str) -> bool:
        """Whether `login` can be someone using this caseload: any login on PostgreSQL (the
        server decides who connects), an account of this machine on an SQLite file."""
        return bool(self.conn.postgres) or os_account(login)

    def _not_an_account(self, login: str) -> Problem:
        hint = did_you_mean(login, os_accounts() or [])
        return Problem(
            "LOGIN",
            f'"{login}" is not an account of this machine'
            + (f"; {hint}" if hint else "")
            + f" (on an SQLite file you are your OS account: you are {os_login()})",
            "check the spelling; to add it anyway (a login only for eirules serve tokens, or "
            "an account of another machine that opens this file), pass --force",
        )

    def _real_data_managers(self) -> int:
        """How many data managers could open the caseload as themselves (`real_login`)."""
        rows = self.conn.execute("SELECT login FROM staff WHERE role = 'data_manager'")
        return sum(1 for (login,) in rows.fetchall() if self.real_login(login))

    def _known_district(self, raw: str) -> tuple[Problem | None, str]:
        """A supervisor's district as the cases spell it, or a Problem when no case has it."""
        name = " ".join(raw.split())
        districts = [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT district FROM cases WHERE district IS NOT NULL ORDER BY district"
            )
        ]
        same = [d for d in districts if d.casefold() == name.casefold()]
        if same:
            return None, same[0]
        hint = did_you_mean(name, districts) or (
            f"districts: {', '.join(districts[:20])}{', ...' if len(districts) > 20 else ''}"
            if districts
            else "no case has a district yet: import the cases first"
        )
        return (
            Problem(
                "--district",
                f'no case in the caseload is in district "{name}"; {hint}',
                "give the district as the case files spell it, or leave --district out "
                "for every district",
            ),
            name,
        )

    def _keep_a_data_manager(self, login: str, headline: str, before: int) -> None:
        """Refuse a change that leaves no data manager who can open the caseload (rolled back).

        Only a data manager may change the staff list, so a list without one could
        never be changed again by anyone, through the CLI or the HTTP API. On an
        SQLite file only data managers who are accounts of this machine count
        (`real_login`): a misspelt login could never open it. `before`: how many
        of those there were before the change (a list that had none, run through
        eirules serve by forced logins, is not made worse, but keeps one data manager).
        """
        left = self.conn.execute(
            "SELECT COUNT(*) FROM staff WHERE role = 'data_manager'"
        ).fetchone()[0]
        if left == 0 or (before and self._real_data_managers() == 0):
            who = "" if self.conn.postgres else " with an account on this machine"
            raise InputError(
                headline,
                [
                    Problem(
                        "LOGIN",
                        f"{login} is the last data manager{who}: nobody could change the "
                        "staff list afterwards",
                        f"first make someone else data manager (eirules staff add LOGIN "
                        f"--role data_manager), then change {login}",
                    )
                ],
            )

    def _insert_staff(self, login, role, caseworker, district, by, audit, old=None) -> None:
        self.conn.execute(
            "INSERT INTO staff (login, role, caseworker, district, added_at, added_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (login, role, caseworker, district, now(), by),
        )
        audit.append(
            "staff.added",
            f"{login} is {_ROLE_WORDS[role]}" + (f" (was {old[0]})" if old else ""),
            before=dict(zip(("role", "caseworker", "district"), old, strict=True)) if old else None,
            after={"login": login, "role": role, "caseworker": caseworker, "district": district},
        )

    # Tokens for eirules serve ----------------------------------------------------------

    def issue_token(self, login: str, label: str | None = None, *, days: int = TOKEN_DAYS) -> str:
        """A new bearer token standing for `login` (on the staff list) for `days` days (1 to
        TOKEN_MAX_DAYS); shown only now."""
        self.require("staff")
        if not isinstance(days, int) or not 1 <= days <= TOKEN_MAX_DAYS:
            raise InputError(
                f"no token made for {login}",
                [
                    Problem(
                        "--expires-in",
                        f"{days!r} days is not between 1 and {TOKEN_MAX_DAYS}",
                        f"give a number of days from 1 to {TOKEN_MAX_DAYS} "
                        f"(default {TOKEN_DAYS}); make a new token when it expires",
                    )
                ],
            )
        if self.conn.execute("SELECT 1 FROM staff WHERE login = ?", (login,)).fetchone() is None:
            raise InputError(
                f"no token made for {login}",
                [
                    Problem(
                        "LOGIN",
                        "not on the staff list",
                        f"add them first: eirules staff add {login} --role ROLE",
                    )
                ],
            )
        token = "eir_" + secrets.token_urlsafe(32)
        me = self.person
        made = now()
        expires = _later(made, days)
        with self.write(me.login) as audit:
            self.conn.execute(
                "INSERT INTO staff_tokens (token_sha256, login, label, created_at, created_by, "
                "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (sha256(token), login, label, made, me.login, expires),
            )
            audit.append(
                "staff.token_issued",
                f"a token for {login}" + (f" ({label})" if label else "") + f", until {expires}",
                after={"login": login, "label": label, "expires_at": expires},
            )
        return token

    def tokens(self, login: str | None = None) -> list[dict]:
        """The tokens made (of `login`, or of everyone), newest first; never the secrets."""
        if not self.allowed("staff"):
            self.require("audit")
        sql = (
            "SELECT login, label, created_at, created_by, expires_at, revoked_at, "
            "CASE WHEN revoked_at IS NOT NULL THEN 'revoked' "
            "WHEN expires_at IS NULL OR expires_at <= ? THEN 'expired' "
            "WHEN login NOT IN (SELECT login FROM staff) THEN 'left the staff' "
            "ELSE 'valid' END AS status FROM staff_tokens"
        )
        args: list = [now()]
        if login is not None:
            sql += " WHERE login = ?"
            args.append(login)
        return list(self.conn.query(sql + " ORDER BY id DESC", args))

    def revoke_tokens(self, login: str) -> int:
        """Revoke every token of `login`; how many were still in use."""
        self.require("staff")
        me = self.person
        with self.write(me.login) as audit:
            count = self.conn.execute(
                "SELECT count(*) FROM staff_tokens WHERE login = ? AND revoked_at IS NULL",
                (login,),
            ).fetchone()[0]
            self.conn.execute(
                "UPDATE staff_tokens SET revoked_at = ? WHERE login = ? AND revoked_at IS NULL",
                (now(), login),
            )
            audit.append(
                "staff.tokens_revoked",
                f"{count} token(s) of {login} revoked",
                after={"login": login},
            )
        return count

    def login_for_token(self, token: str) -> str | None:
        """The login a token stands for: None when unknown, revoked, expired, or its login
        left the staff."""
        row = self.conn.execute(
            "SELECT t.login FROM staff_tokens t JOIN staff s ON s.login = t.login "
            "WHERE t.token_sha256 = ? AND t.revoked_at IS NULL AND t.expires_at > ?",
            (sha256(token), now()),
        ).fetchone()
        return row[0] if row else None

    def remove_staff(self, login: str) -> None:
        self.require("staff")
        me = self.person
        managers = self._real_data_managers()
        with self.write(me.login) as audit:
            old = self.conn.execute("SELECT role FROM staff WHERE login = ?", (login,)).fetchone()
            if old is None:
                raise InputError(
                    f'no "{login}" on the staff list',
                    [Problem("LOGIN", "not found", "eirules staff list")],
                )
            self.conn.execute("DELETE FROM staff WHERE login = ?", (login,))
            self._keep_a_data_manager(login, f"{login} not removed from the staff", managers)
            audit.append(
                "staff.removed",
                f"{login} removed (was {old[0]})",
                before={"login": login, "role": old[0]},
            )
        self._person = None
