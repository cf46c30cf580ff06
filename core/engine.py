"""The engine: plugins, rulesets and event vocabulary in one object, and `evaluate`."""

from __future__ import annotations

import importlib
import os
import types
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

import attrs

from .calendars import CALENDARS_ENV, DistrictCalendars
from .convert import Sections, case_from_dict, event_programs, read_json
from .dates import in_range, parse_date, range_text
from .decisions import Determination, Finding
from .dispatch import _PLAIN_EXEC, HookCalls
from .errors import (
    EirulesError,
    InputError,
    PluginError,
    Problem,
    UnknownRuleset,
    did_you_mean,
    show_value,
)
from .evaluator import Evaluator
from .models import Case, as_tuple
from .plugin_manager import BUILTINS, get_plugin_manager
from .rulesets import DEFAULT_RULESET, DateNotCovered, Ruleset, RulesetRegistry, ruleset_folders

#: The hooks called once per case with its as-of date.
_CASE_HOOKS = (
    "eligibility_criteria", "eligibility_for", "episodes_for", "clocks_for", "referrals_for",
    "findings_for",
)  # fmt: skip


@attrs.frozen
class EventType:
    """One word of the case-file event vocabulary."""

    name: str
    programs: tuple[str, ...] = attrs.field(converter=as_tuple)
    description: str
    #: Reasons accepted on the event; empty means any reason (or none).
    reasons: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    needs_reason: bool = False
    #: The event covers a period whose last day is `until` (a delay's end or agreed date,
    #: the last day absent); `cases add-event --until` is refused for any other type.
    takes_until: bool = False


def _engine_version(pm) -> str:
    """What makes the determinations: `eirules 0.1.0`, then each installed plugin distribution.

    `eirules 0.1.0 + eirules-tiny 1.2.3`: stored with every determination and
    compared by the caseload, so a plugin upgraded, installed or removed under
    the same eirules version makes the stored evaluations stale (issue 10).
    Built-in plugins are part of eirules' own version.
    """
    from eirules import __version__

    dists = {
        (dist.project_name, dist.version)
        for _, dist in pm.list_plugin_distinfo()
        if dist.project_name != "eirules"
    }
    return " + ".join([f"eirules {__version__}", *(f"{n} {v}" for n, v in sorted(dists))])


class Engine:
    """Plugins, rulesets and vocabulary, loaded once and reused for many cases."""

    def __init__(
        self,
        *,
        pm=None,
        entry_points: bool = True,
        ruleset_dirs: Iterable[str | Path] = (),
        calendars_dir: str | Path | None = None,
    ):
        self.pm = pm or get_plugin_manager(entry_points=entry_points)
        self.hooks = HookCalls(self.pm)
        if calendars_dir is None and os.environ.get(CALENDARS_ENV):
            calendars_dir = os.environ[CALENDARS_ENV]
        self._evaluators: dict[tuple[Ruleset, date], Evaluator] = {}
        #: Imported district calendars (`eirules calendars import`); None folder: none.
        self.calendars = DistrictCalendars(calendars_dir)
        self.rulesets = RulesetRegistry(
            ruleset_folders([Path(p) for p in ruleset_dirs], self.pm), self.calendars
        )
        self.version = _engine_version(self.pm)
        self._event_types: dict[str, EventType] | None = None
        #: The programs the event types name (`event_programs`), made with them.
        self._event_programs: frozenset[str] = frozenset()
        self._sections: Sections | None = None
        self._tracks: tuple[Any, bool] | None = None

    def call(self, hook_name: str, cls: type | None = None, **kwargs: Any) -> list[Any]:
        """Call a hook by keyword and check what plugins returned.

        With `cls`, every non-None result must be a list (or tuple) of `cls`
        instances, flattened into one list. An exception inside a plugin, or a
        result of the wrong type, becomes a PluginError that names the plugin;
        EirulesErrors a plugin raises on purpose (a missing ruleset parameter)
        pass through unchanged.
        """
        return self.call_with(hook_name, cls, kwargs)

    def call_with(self, hook_name: str, cls: type | None, kwargs: dict[str, Any]) -> list[Any]:
        """`call` with the hook's arguments as one dict (the evaluator's six calls a case
        build theirs directly, without a keyword call and its copy of the dict)."""
        try:
            results = self.hooks.call(hook_name, kwargs)
        except EirulesError:
            raise
        except Exception as exc:
            caller = getattr(self.pm.hook, hook_name)
            name = _raising_plugin(caller, exc)
            raise PluginError(
                f'plugin "{name}" failed in {hook_name}: {exc.__class__.__name__}: {exc}',
                [Problem("", "fix or uninstall the plugin; `eirules plugins` lists them")],
            ) from exc
        if cls is None:
            return results
        out = []
        for result in results:
            if not _list_of(result, cls):
                caller = getattr(self.pm.hook, hook_name)
                name = _returning_plugin(caller, kwargs, _not_list_of(cls))
                raise PluginError(
                    f'plugin "{name}" returned {show_value(result)} from {hook_name}; '
                    f"expected a list of {cls.__name__} or None"
                )
            out.extend(result)
        return out

    @property
    def event_types(self) -> dict[str, EventType]:
        """Every event type any plugin registered, by name."""
        if self._event_types is None:
            merged: dict[str, EventType] = {}
            for spec in self.call("register_event_types", EventType):
                existing = merged.get(spec.name)
                if existing is not None:  # two plugins share a word: merge, never lose one
                    spec = attrs.evolve(
                        existing,
                        programs=_merged(existing.programs, spec.programs),
                        reasons=_merged(existing.reasons, spec.reasons),
                        needs_reason=existing.needs_reason or spec.needs_reason,
                    )
                merged[spec.name] = spec
            self._event_types = merged
            self._event_programs = event_programs(merged)
        return self._event_types

    @property
    def case_sections(self) -> Mapping[str, type]:
        """Every plugin's case-file sections by name; a class named by an import string
        ("package.module:Class") is imported when a case file has the section."""
        if self._sections is None:
            merged: dict[str, type | str] = {}
            caller = self.pm.hook.register_case_sections
            for result in self.call("register_case_sections"):
                if not _sections_map(result):
                    name = _returning_plugin(
                        caller, {}, lambda r: r is not None and not _sections_map(r)
                    )
                    raise PluginError(
                        f'plugin "{name}" returned {show_value(result)} from '
                        "register_case_sections; expected {section name: attrs class}"
                    )
                merged.update(result)
            self._sections = Sections(merged)
        return self._sections

    def case_from_dict(
        self, data: Any, *, source: str = "case file", today: date | None = None
    ) -> Case:
        """Check a case-file document against the models and the event vocabulary.

        With `today`, also what every way into a caseload checks: no event after
        today or before the birth, no exact duplicate event, known enrolment programs.
        """
        # Each made once (the event types with the programs they name): read as made.
        event_types = self.event_types if self._event_types is None else self._event_types
        sections = self.case_sections if self._sections is None else self._sections
        return case_from_dict(
            data,
            source=source,
            event_types=event_types,
            sections=sections,
            today=today,
            # Made with the event types, not for every case (about 12 us a case checked).
            programs=self._event_programs,
        )

    def load_case(self, path: str | Path, *, today: date | None = None) -> Case:
        """Read and check a case file (with `today`: the checks of `case_from_dict`)."""
        return self.case_from_dict(
            read_json(path, expected="a case file"), source=str(path), today=today
        )

    def ruleset_for(self, case: Case, ruleset: str | Ruleset | None = None) -> Ruleset:
        """The ruleset a case is evaluated under: `ruleset` (the --ruleset option or the
        API's ruleset=), else the case file's "ruleset", else the default. An id no
        ruleset folder has is bad input (`UnknownRuleset`: exit 2, HTTP 422) naming where it was written,
        not a fault in the rulesets: a typo in a file, or a ruleset not installed."""
        if isinstance(ruleset, Ruleset):
            return ruleset
        rid = ruleset or case.ruleset or DEFAULT_RULESET
        if rid not in self.rulesets.index:
            where = "--ruleset" if ruleset else "ruleset"
            hint = did_you_mean(rid, self.rulesets.index)
            raise UnknownRuleset(
                f'no ruleset "{rid}"'
                + ("" if ruleset else f' (case {case.id} names it in its "ruleset")'),
                [
                    Problem(
                        where,
                        f"{show_value(rid)} is not a ruleset id here",
                        (f"{hint} " if hint else "")
                        + f"(known rulesets: {', '.join(self.rulesets.ids())}; add one of "
                        "your own with --rulesets-dir)",
                    )
                ],
            )
        return self.rulesets.get(rid)

    def compile(self, ruleset: str | Ruleset | None, as_of: date | str | None = None) -> Evaluator:
        """The evaluator for a ruleset version as of a date, compiled once and reused.

        `ruleset` None is the default ruleset; `as_of` defaults to today. The evaluator
        pickles (for worker processes) when every plugin of this engine is a module.
        """
        day = _as_date(as_of)
        rs = (
            ruleset
            if isinstance(ruleset, Ruleset)
            else self.rulesets.get(ruleset or DEFAULT_RULESET)
        )
        key = (rs, day)
        found = self._evaluators.get(key)
        if found is None:
            if len(self._evaluators) >= 64:
                self._evaluators.clear()
            found = self._evaluators[key] = Evaluator(self, rs, day)
        return found

    def evaluate(
        self,
        case: Case | Mapping[str, Any],
        ruleset: str | Ruleset | None = None,
        as_of: date | str | None = None,
    ) -> Determination:
        """Decide eligibility, clocks, referrals and findings for one case as of a date.

        `case` may also be a case-file dict; `as_of` defaults to today and may be
        an ISO date string. The same case, ruleset version and date always give
        the same Determination.
        """
        if isinstance(case, Mapping):
            case = self.case_from_dict(case)
        elif not isinstance(case, Case):
            raise InputError(
                "evaluate needs a case",
                [Problem("case", f"{show_value(case)} is not a Case or a case-file dict")],
            )
        day = _as_date(as_of)
        try:
            det = self.compile(self.ruleset_for(case, ruleset), day).evaluate(case)
        except DateNotCovered as exc:
            if exc.as_of is None and day < exc.first:  # the as-of date itself is too early
                raise exc.for_as_of(day) from None
            raise
        if day < case.child.birth_date:
            det = attrs.evolve(det, findings=(before_birth(case, day), *det.findings))
        return det

    def evaluate_stable(
        self,
        case: Case,
        ruleset: str | Ruleset | None = None,
        as_of: date | str | None = None,
    ) -> tuple[Determination, tuple[date, date | None]]:
        """`evaluate`, with the determination's stability interval (stable_from,
        stable_until): the as-of dates on which the same case file, ruleset version,
        engine and calendars certainly give the same determination apart from its
        top-level as_of (`Evaluator.evaluate_stable`, core/stability.py)."""
        day = _as_date(as_of)
        try:
            det, (start, until) = self.compile(
                self.ruleset_for(case, ruleset), day
            ).evaluate_stable(case)
        except DateNotCovered as exc:
            if exc.as_of is None and day < exc.first:
                raise exc.for_as_of(day) from None
            raise
        born = case.child.birth_date
        if day < born:  # the warning names the day itself
            det = attrs.evolve(det, findings=(before_birth(case, day), *det.findings))
            return det, (day, date.fromordinal(day.toordinal() + 1))
        return det, (max(start, born), until)

    def tracks_as_of(self) -> bool:
        """Whether every per-case hook implementation is one whose use of the as-of date
        core/stability.py can follow: eirules' own plugins, and a plugin that declares
        `EIRULES_AS_OF_TRACKED = True` (docs/plugins.md). Anything else might read the
        date where no observation is recorded, so its determinations hold for one day."""
        impls = [
            impl for name in _CASE_HOOKS for impl in getattr(self.pm.hook, name).get_hookimpls()
        ]
        # The implementations themselves (kept alive, compared by identity), not their ids:
        # an id can be reused by a plugin registered after another was removed.
        key = (tuple(impls), getattr(self.pm, "_inner_hookexec", None))
        if self._tracks is None or self._tracks[0] != key:
            plain = key[1] is _PLAIN_EXEC  # a hook-call monitor sees the arguments too
            trusted = all(
                impl.plugin_name in BUILTINS
                or getattr(impl.plugin, "EIRULES_AS_OF_TRACKED", False) is True
                for impl in impls
            )
            self._tracks = (key, plain and trusted)
        return self._tracks[1]

    def __reduce__(self):
        # One way to rebuild an engine in another process: the worker pool's recipe
        # (its plugins by module, ruleset and calendar folders, and version).
        recipe = EngineRecipe.of(self)
        if recipe is None:
            raise TypeError(
                "this Engine has a plugin that is not an importable module, so another "
                "process cannot rebuild it; register plugins as modules to send it to workers"
            )
        return (EngineRecipe.build, (recipe,))


def _merged(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    """Both tuples' items in order, each once."""
    return tuple(dict.fromkeys([*first, *second]))


def before_birth(case: Case, as_of: date) -> Finding:
    """The warning an as-of date before the child's birth gets: nothing can be owed yet."""
    born = case.child.birth_date.isoformat()
    return Finding(
        rule="as_of.before_birth",
        outcome="warning",
        reason=f"the as-of date {as_of.isoformat()} is before the child's birth on {born}: "
        "nothing is owed yet; check the --as-of date and the birth date",
        citation="",
        inputs={"as_of": as_of.isoformat(), "birth_date": born},
    )


def _as_date(value: Any) -> date:
    if value is None:
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date) and in_range(value):
        return value
    if isinstance(value, str) and (day := parse_date(value)) is not None:
        return day
    if isinstance(value, date) and not in_range(value):
        raise InputError("as_of is not valid", [Problem("as_of", "out of range", range_text())])
    raise InputError(
        "as_of is not valid", [Problem("as_of", f"{show_value(value)} is not a date (YYYY-MM-DD)")]
    )


def _not_list_of(cls: type) -> Any:
    """A test for an answer that is not a list of `cls` (a function of its own, so
    `Engine.call` allocates no cell for `cls` on every call)."""
    return lambda r: r is not None and not _list_of(r, cls)


def _list_of(result: Any, cls: type) -> bool:
    if not isinstance(result, (list, tuple)):  # a tuple constant, not a new union per call
        return False
    # Every item checked in C (no Python loop): this runs for every answer.
    return all(map(isinstance, result, repeat(cls)))


def _sections_map(result: Any) -> bool:
    return isinstance(result, Mapping) and all(
        isinstance(k, str) and (attrs.has(v) or Sections.is_reference(v)) for k, v in result.items()
    )


def _raising_plugin(caller: Any, exc: BaseException) -> str:
    """The plugin whose hook implementation is on the traceback of `exc`."""
    codes = {impl.function.__code__: impl.plugin_name for impl in caller.get_hookimpls()}
    tb = exc.__traceback__
    while tb is not None:
        name = codes.get(tb.tb_frame.f_code)
        if name is not None:
            return name
        tb = tb.tb_next
    return "unknown"


def _returning_plugin(caller: Any, kwargs: dict[str, Any], bad: Any) -> str:
    """Call each implementation alone to find the one that returned something bad.

    Only on the error path: hooks are pure, so calling one again is harmless.
    """
    for impl in caller.get_hookimpls():
        if impl.hookwrapper or impl.wrapper:
            continue
        try:
            result = impl.function(*(kwargs[arg] for arg in impl.argnames))
        except Exception:  # noqa: BLE001 - only looking for the bad result
            continue
        if bad(result):
            return impl.plugin_name
    return "unknown"


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
    case: Case | Mapping[str, Any],
    ruleset: str | Ruleset | None = None,
    as_of: date | str | None = None,
) -> Determination:
    """Evaluate a case (or a case-file dict) with the shared engine; as_of defaults to today."""
    return get_engine().evaluate(case, ruleset, as_of)


@attrs.frozen
class EngineRecipe:
    """What a worker process needs to build the same engine again."""

    plugins: tuple[tuple[str, str], ...]  # (registered name, module name), in order
    ruleset_folders: tuple[str, ...]
    calendars_folder: str | None
    #: The engine's version as the command's engine names it (eirules and each plugin
    #: distribution with its version): modules registered by name carry no distribution.
    version: str

    @classmethod
    def of(cls, engine) -> EngineRecipe | None:
        """The recipe of an engine, or None when a plugin is not an importable module."""
        plugins = []
        for name, plugin in engine.pm.list_name_plugin():
            if plugin is None:  # blocked
                continue
            if not isinstance(plugin, types.ModuleType):
                return None
            plugins.append((name, plugin.__name__))
        folder = engine.calendars.folder
        return cls(
            tuple(plugins),
            tuple(str(p) for p in engine.rulesets.folders),
            str(folder) if folder is not None else None,
            engine.version,
        )

    def build(self) -> Engine:
        pm = get_plugin_manager(entry_points=False, builtins=False)
        for name, module in self.plugins:
            pm.register(importlib.import_module(module), name=name)
        # The folders already hold $EIRULES_RULESETS_PATH's, the plugins' and the
        # built-in one, in priority order; Engine adds them again after, which changes nothing.
        engine = Engine(
            pm=pm, ruleset_dirs=self.ruleset_folders, calendars_dir=self.calendars_folder
        )
        engine.version = self.version
        return engine


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
