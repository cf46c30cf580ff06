"""The engine: plugins, rulesets and event vocabulary in one object, and `evaluate`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from .convert import case_from_dict, read_json
from .decisions import CLOCK_STATUSES, Clock, Determination, Eligibility, Finding, Referral
from .errors import EirulesError, InputError, PluginError, Problem
from .models import Case
from .plugin_manager import get_plugin_manager
from .rulesets import Ruleset, RulesetRegistry, ruleset_folders

DEFAULT_RULESET = "us"


@attrs.frozen
class EventType:
    """One word of the case-file event vocabulary."""

    name: str
    programs: tuple[str, ...] = attrs.field(converter=tuple)
    description: str
    #: Reasons accepted on the event; empty means any reason (or none).
    reasons: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    needs_reason: bool = False


def _engine_version() -> str:
    from eirules import __version__

    return f"eirules {__version__}"


class Engine:
    """Plugins, rulesets and vocabulary, loaded once and reused for many cases."""

    def __init__(
        self,
        *,
        pm=None,
        entry_points: bool = True,
        ruleset_dirs: Iterable[str | Path] = (),
    ):
        self.pm = pm or get_plugin_manager(entry_points=entry_points)
        self.rulesets = RulesetRegistry(ruleset_folders([Path(p) for p in ruleset_dirs], self.pm))
        self.version = _engine_version()
        self._event_types: dict[str, EventType] | None = None
        self._sections: dict[str, type] | None = None

    @property
    def event_types(self) -> dict[str, EventType]:
        """Every event type any plugin registered, by name."""
        if self._event_types is None:
            merged: dict[str, EventType] = {}
            for result in self.pm.hook.register_event_types():
                for spec in result or ():
                    if not isinstance(spec, EventType):
                        raise PluginError(
                            f"register_event_types returned {spec!r}, not an EventType"
                        )
                    existing = merged.get(spec.name)
                    if existing is not None:
                        spec = attrs.evolve(
                            existing,
                            programs=tuple(dict.fromkeys((*existing.programs, *spec.programs))),
                            reasons=tuple(dict.fromkeys((*existing.reasons, *spec.reasons))),
                            needs_reason=existing.needs_reason or spec.needs_reason,
                        )
                    merged[spec.name] = spec
            self._event_types = merged
        return self._event_types

    @property
    def case_sections(self) -> dict[str, type]:
        if self._sections is None:
            merged: dict[str, type] = {}
            for result in self.pm.hook.register_case_sections():
                merged.update(result or {})
            self._sections = merged
        return self._sections

    def case_from_dict(self, data: Any, *, source: str = "case file") -> Case:
        """Check a case-file document against the models and the event vocabulary."""
        return case_from_dict(
            data, source=source, event_types=self.event_types, sections=self.case_sections
        )

    def load_case(self, path: str | Path) -> Case:
        """Read and check a case file."""
        return self.case_from_dict(read_json(path), source=str(path))

    def ruleset_for(self, case: Case, ruleset: str | Ruleset | None = None) -> Ruleset:
        if isinstance(ruleset, Ruleset):
            return ruleset
        return self.rulesets.get(ruleset or case.ruleset or DEFAULT_RULESET)

    def evaluate(
        self, case: Case, ruleset: str | Ruleset | None = None, as_of: date | None = None
    ) -> Determination:
        """Decide eligibility, clocks, referrals and findings for one case as of a date."""
        as_of = as_of or date.today()
        rs = self.ruleset_for(case, ruleset)
        hook = self.pm.hook
        eligibility = tuple(
            _flatten(
                hook.eligibility_for(case=case, ruleset=rs, as_of=as_of),
                Eligibility,
                "eligibility_for",
            )
        )
        clocks = tuple(
            _flatten(
                hook.clocks_for(case=case, ruleset=rs, as_of=as_of, eligibility=eligibility),
                Clock,
                "clocks_for",
            )
        )
        referrals = tuple(
            _flatten(
                hook.referrals_for(case=case, ruleset=rs, as_of=as_of, eligibility=eligibility),
                Referral,
                "referrals_for",
            )
        )
        findings = tuple(
            _flatten(
                hook.findings_for(
                    case=case, ruleset=rs, as_of=as_of, eligibility=eligibility, clocks=clocks
                ),
                Finding,
                "findings_for",
            )
        )
        # Plugins are called in registration order; sort so output never depends on it.
        rank = {s: i for i, s in enumerate(CLOCK_STATUSES)}
        return Determination(
            case=case.id,
            ruleset=rs.id,
            ruleset_version=rs.full_version,
            as_of=as_of,
            engine=self.version,
            eligibility=sorted(eligibility, key=lambda e: e.program),
            clocks=sorted(
                clocks,
                key=lambda c: (c.due or date.max, rank[c.status], c.program, c.id, c.subject or ""),
            ),
            referrals=sorted(referrals, key=lambda r: (r.by or date.max, r.id)),
            findings=sorted(findings, key=lambda f: (f.program or "", f.rule)),
        )


def _flatten(results: list[Any], cls: type, hook: str) -> list[Any]:
    out = []
    for result in results:
        for item in result or ():
            if not isinstance(item, cls):
                raise PluginError(f"{hook} returned {item!r}, not a {cls.__name__}")
            out.append(item)
    return out


_default: Engine | None = None


def get_engine() -> Engine:
    """A shared engine with built-in and installed plugins."""
    global _default
    if _default is None:
        _default = Engine()
    return _default


def load_case(path: str | Path) -> Case:
    """Read and check a case file with the shared engine."""
    return get_engine().load_case(path)


def evaluate(
    case: Case, ruleset: str | Ruleset | None = None, as_of: date | None = None
) -> Determination:
    """Evaluate a case with the shared engine."""
    return get_engine().evaluate(case, ruleset, as_of)


__all__ = [
    "Engine",
    "EventType",
    "evaluate",
    "get_engine",
    "load_case",
    "EirulesError",
    "InputError",
    "Problem",
]
