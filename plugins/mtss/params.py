"""MTSS parameters read from a ruleset once per date, with their citations.

A case whose ruleset does not extend `mtss` still gets MTSS decisions: the
parameters then come from the shipped `mtss` ruleset (or one of that id found on
the ruleset path), and every finding says so in `parameters["_source"]`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from eirules.core.errors import RulesetError
from eirules.core.rulesets import Ruleset, RulesetRegistry, ruleset_folders
from eirules.core.stability import TrackedDate, pin

PREFIX = "mtss."
_MISSING = object()


@attrs.frozen
class Params:
    """Parameter values (without the `mtss.` prefix) and their citations."""

    ruleset: str
    values: dict[str, Any] = attrs.field(hash=False)
    citations: dict[str, str] = attrs.field(hash=False)
    #: Where the values came from when the case's own ruleset has no MTSS parameters.
    fallback_note: str | None = None

    def v(self, name: str, default: Any = _MISSING) -> Any:
        """A parameter's value; `default` when the ruleset declares it without a value."""
        if name in self.values:
            return self.values[name]
        if default is _MISSING:
            raise RulesetError(
                f'ruleset "{self.ruleset}" has no value for "{PREFIX}{name}"',
            )
        return default

    def cite(self, *names: str) -> str:
        seen: dict[str, None] = {}
        for n in names:
            c = self.citations.get(n)
            if c:
                seen.setdefault(c)
        return "; ".join(seen)

    def used(self, *names: str) -> dict[str, Any]:
        """{name: value} for the names a rule used (missing ones as None)."""
        out = {f"{PREFIX}{n}": self.values.get(n) for n in names}
        if self.fallback_note:
            out["_source"] = self.fallback_note
        return out


_cache: dict[tuple, Params] = {}
_fallback: dict[str, Ruleset] = {}


def params_from(ruleset: Ruleset, on: date, fallback_note: str | None = None) -> Params:
    """Read every `mtss.*` parameter in force on a date (cached per ruleset and date)."""
    if type(on) is TrackedDate:  # an evaluation's as-of date (core/stability.py):
        for name in ruleset.declarations:  # held to where every mtss.* value is the same
            if name.startswith(PREFIX):
                ruleset.pinned(name, on)
        on = pin(on, ())
    key = (ruleset.id, ruleset.full_version, str(ruleset.folder), on)
    found = _cache.get(key)
    if found is not None and found.fallback_note == fallback_note:
        return found
    values, cites = {}, {}
    for name in ruleset.declarations:
        if not name.startswith(PREFIX):
            continue
        try:
            param = ruleset.param(name, on)
        except RulesetError:
            continue  # declared without a value: the rule says it is not configured
        values[name[len(PREFIX) :]] = param.value
        cites[name[len(PREFIX) :]] = param.citation
    found = Params(ruleset.id, values, cites, fallback_note)
    if len(_cache) > 256:
        _cache.clear()
    _cache[key] = found
    return found


def params_for(ruleset: Ruleset, on: date) -> Params:
    """MTSS parameters for a case's ruleset, falling back to the `mtss` ruleset."""
    if any(n.startswith(PREFIX) for n in ruleset.declarations):
        return params_from(ruleset, on)
    rs = _fallback.get("mtss")
    if rs is None:
        rs = RulesetRegistry(ruleset_folders()).get("mtss")
        _fallback["mtss"] = rs
    note = (
        f'ruleset "{ruleset.id}" has no MTSS parameters; values from ruleset "mtss" '
        f"{rs.full_version}"
    )
    return params_from(rs, on, note)
