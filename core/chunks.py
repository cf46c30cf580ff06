"""What a worker process runs: the engine recipe and the chunk functions of imports and evaluations.

A worker is a fresh interpreter (`store/workers.py`). It imports this module, not
the store package: the store brings SQLite helpers, sqlite-utils and (through
it) pandas, about 0.8 s of CPU per worker before it does anything, which a
worker never uses. So nothing here imports `eirules.core.store`, and the store
imports what it shares with the workers (the canonical JSON and its hash, a
case's table rows, a determination's due rows) from here.

A worker sends back compact results: for an evaluation, the determination's
JSON text and what the store derives from it (its due rows, the case status and
programs, the overdue clocks and eligibility outcomes change detection reads),
never the result as a dict of dicts, which costs more to pickle and unpickle
than to build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import pickle
import signal
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

import attrs

from . import collecting, fastload, jsontext
from .convert import FAST_CASE, case_to_dict, converter, determination_json
from .decisions import OPEN_STATUSES, is_outstanding, referral_is_outstanding
from .engine import EngineRecipe as EngineRecipe  # built in the workers (start_worker)
from .errors import EirulesError, InputError, Problem
from .models import Case
from .rulesets import DateNotCovered

# The canonical text of a document and its hash ---------------------------------


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces: the same data always gives the same text and hash."""
    return jsontext.canonical(value)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The engine of a worker process --------------------------------------------------

#: The engine a worker process uses (built once by `start_worker`).
_WORKER_ENGINE = None


#: How much a worker process lowers its own scheduling priority (os.nice). Workers
#: only compute; the process that spawned them holds the write lock while it writes
#: their results, and other people's commands (a coordinator's add-event) write too.
#: On a machine with fewer free cores than workers, a worker at the same priority
#: takes the core the lock holder needs, and every writer queued behind the lock
#: waits for that (issue 14: holds of 1-2 s that used 0.1 s of CPU). Lowered, the
#: workers still use every idle core; they give way only when someone else runs.
WORKER_NICENESS = 10


def start_worker(recipe: EngineRecipe) -> None:
    """A worker process's initializer: ignore Ctrl-C, lower its priority, build its engine once.

    A terminal's Ctrl-C reaches every process of the command; the process that
    started the workers alone decides what to do about it and stops them
    (`store/workers.py`). Started with SIGINT blocked on POSIX (`_interrupts_held`),
    so one sent while it started up is dropped here, not raised.
    """
    global _WORKER_ENGINE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if hasattr(os, "nice"):  # Linux and macOS; Windows has no nice (its workers keep theirs)
        # A sandbox that forbids it leaves the worker at the priority it was given.
        with contextlib.suppress(OSError):
            os.nice(WORKER_NICENESS)
    collecting.use_bulk_threshold()  # a worker only evaluates chunks (core/collecting.py)
    _WORKER_ENGINE = recipe.build()


def in_worker(fn: Callable, chunk):
    """Run a chunk function with the worker's engine."""
    return fn(_WORKER_ENGINE, chunk)


# Loading a stored case -------------------------------------------------------------


def stored_case(engine, document: dict[str, Any]) -> Case:
    """A case from a stored document, which was fully checked when it was imported.

    Through the fast loader alone (`fastload`: exact types, the models' own
    checks), without the detailed every-problem validation or the vocabulary and
    entry checks of `case_from_dict`; anything the fast loader refuses falls back
    to `case_from_dict`, so errors read the same.
    """
    sections = engine.case_sections
    core = {k: v for k, v in document.items() if k != "schema" and k not in sections}
    case = fastload.attempt(FAST_CASE, core)
    if case is None:
        return engine.case_from_dict(document)
    try:
        extra = {
            k: converter.structure(v, sections[k]) for k, v in document.items() if k in sections
        }
    except Exception:
        return engine.case_from_dict(document)
    return attrs.evolve(case, sections=extra) if extra else case


# Importing: a case checked and flattened to its rows ---------------------------------


class CaseRows(NamedTuple):
    """A case flattened to table rows (built in a worker, written by the parent)."""

    id: str
    ruleset: str | None
    district: str | None
    programs: tuple[str, ...]
    parts: dict[str, list[tuple]]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def case_rows(case: Case) -> CaseRows:
    """The rows of children, events, evaluations, conditions, enrolments and plans for a case."""
    cid = case.id
    child = case.child
    parts: dict[str, list[tuple]] = {
        "children": [
            (cid, child.name, child.birth_date.isoformat(), child.gestational_age_weeks,
             jsontext.plain(list(child.risk_factors)))
        ],
        "events": [
            (cid, i, e.type, e.date.isoformat(), e.program, e.reason, e.outcome, e.category,
             e.service, _iso(e.until), e.note)
            for i, e in enumerate(case.events)
        ],
        "evaluations": [
            (cid, i, v.date.isoformat(), v.instrument, v.program, v.informed_clinical_opinion,
             v.note, jsontext.plain(converter.unstructure(v.scores)))
            for i, v in enumerate(case.evaluations)
        ],
        "conditions": [(cid, k.name, k.code, _iso(k.diagnosed)) for k in case.conditions],
        "enrolments": [(cid, n.program, _iso(n.start), _iso(n.end)) for n in case.enrolments],
        "service_plans": [
            (cid, i, p.kind, jsontext.plain(converter.unstructure(p.meetings)),
             jsontext.plain(converter.unstructure(p.services)))
            for i, p in enumerate(case.service_plans)
        ],
    }  # fmt: skip
    return CaseRows(cid, case.ruleset, case.district, case.programs, parts)


def validate_chunk(
    engine, job: tuple[list, dict[str, str] | None], *, today: date, as_of: date | None = None
) -> list[tuple]:
    """Check import records against the models and vocabulary: (rows, problems, text, hash,
    evaluation) each.

    `job` is the records and the document hash the caseload holds for each of their
    case ids (None: evaluate none, the import is refused). With `as_of`, a valid
    case whose hash is not the stored one (new or changed: the cases an import
    writes) is evaluated as of it here, from the model just checked (`evaluation`),
    so an import never loads a case twice.
    """
    records, stored = job
    out = []
    for record in records:
        found = [Problem(record.place(p.where), p.what, p.fix) for p in record.problems]
        if found:
            out.append((None, found, None, None, None))
        else:
            out.append(check_record(engine, record, today=today, as_of=as_of, stored=stored))
    return out


def check_record(
    engine, record, *, today: date, as_of: date | None, stored: dict[str, str] | None
) -> tuple:
    """One record read without problems, checked as `validate_chunk` checks each: (rows,
    problems, text, hash, evaluation), evaluated as of `as_of` when its hash is not the
    one `stored` holds for its case (also for a record an import remakes from the stored
    case, `store/reimport.py`)."""
    try:
        case = engine.case_from_dict(record.data, source=record.source, today=today)
    except InputError as exc:
        found = [Problem(record.where(p.where), p.what, p.fix) for p in exc.problems]
        return None, found or [Problem(record.where(""), exc.message)], None, None, None
    text = canonical_json(case_to_dict(case))
    digest = sha256(text)
    evaluated = None
    if as_of is not None and stored is not None and stored.get(case.id) != digest:
        evaluated = evaluation(engine, case, as_of)
    return case_rows(case), [], text, digest, evaluated


# Evaluating: a determination and the rows the store derives from it --------------------


def due_items(result: dict[str, Any]) -> list[tuple]:
    """A determination's clocks and referrals still to make as rows of the due index.

    Each row: kind, id, program, label, subject, start, opens, due, status, is_open,
    met_on, excused_by, reason, citation, closed_on (the day a clock or a referral
    closed, e.g. at the end of Part C: its days overdue stop there, `decisions.days_left`).
    Every clock is kept; is_open says whether
    it is listed (`decisions.is_outstanding`: owed, or gone past its due date unmet
    and closed since, e.g. at the end of Part C); a referral is kept while it is
    listed (still to make, or `not_made`: `referral_is_outstanding`), or when it
    has a due date.
    """
    rows = []
    for clock in result["clocks"]:
        owed = is_outstanding(clock["status"], clock["met_on"], clock.get("closed_on"))
        rows.append(
            ("clock", clock["id"], clock["program"], clock["label"], clock["subject"],
             clock["start"], clock["opens"], clock["due"], clock["status"], int(owed),
             clock["met_on"], clock["excused_by"], clock["reason"], clock["citation"],
             clock.get("closed_on"))
        )  # fmt: skip
    for ref in result.get("referrals", ()):
        owed = referral_is_outstanding(ref["status"])
        if ref.get("by") is None and not owed:
            continue
        rows.append(
            ("referral", ref["id"], ref["program"], f"Referral to {ref['to']}",
             ref["referrer"], None, None, ref.get("by"), ref["status"], int(owed), None,
             None, ref["reason"], ref["citation"], ref.get("closed_on"))
        )  # fmt: skip
    return rows


def case_status(items: list[tuple]) -> str:
    """A case's most urgent listed clock status: overdue, due_soon, pending,
    needs_information, then any other; no_open_clocks when none is listed. Derived from
    the same rows `due` lists (`decisions.is_outstanding`), so the two always agree.

    A listed `late_excused` clock (e.g. an initial evaluation past the 60 days of 34 CFR
    300.301(c)(1) with a 300.301(d) exception on file, not yet done) is past its due date
    and still owed, as soon as possible: it makes its case `overdue`, as it is on
    `eirules overdue`. The excuse says the lateness is not the agency's, not that the
    work is done.

    A listed referral is owed work too: one `not_made` (owed and never made, the
    program since ended) makes its case `overdue`; one still to make, `pending` (its
    status does not change with the date, so neither does this: `due` counts its
    days). A case owing only a referral is never `no_open_clocks`.
    """
    owed = []
    for item in items:
        if not item[9]:
            continue
        if item[0] == "clock":
            owed.append("overdue" if item[8] == "late_excused" else item[8])
        elif item[0] == "referral":
            owed.append("overdue" if item[8] == "not_made" else "pending")
    for status in OPEN_STATUSES:
        if status in owed:
            return status
    return owed[0] if owed else "no_open_clocks"


def result_programs(result: dict[str, Any]) -> list[str]:
    """The programs a case is in, from its determination: clocks and eligibility.

    Untagged events belong to whichever program's rules used them, so the case
    file alone often names no program (cases list --program would miss it).
    """
    found: dict[str, None] = {}
    for clock in result["clocks"]:
        if clock["status"] != "not_applicable" and clock["program"]:
            found.setdefault(clock["program"])
    for elig in result["eligibility"]:
        if elig["outcome"] == "eligible":
            found.setdefault(elig["program"])
    return sorted(found)


def result_digest(inputs_hash: str, result_text: str, as_of: str) -> str:
    """SHA-256 of what a determination decided apart from its as-of date.

    Over the case file's hash and the result's JSON without its top-level
    ``"as_of"`` (the first one in the text: the keys before it hold only
    strings), so the same decision on another day has the same digest.
    """
    text = result_text.replace(f'"as_of":"{as_of}",', "", 1)
    return sha256(inputs_hash + "\n" + text)


class Outcome(NamedTuple):
    """One case's evaluation as a worker sends it back (`evaluate_chunk`)."""

    #: The determination's JSON, exactly as it is stored and shown.
    text: str
    ruleset: str
    ruleset_version: str
    engine: str
    #: Its rows of the due index (`due_items`) and the case status they give.
    items: list[tuple]
    status: str
    #: The programs the case is in (`result_programs`).
    programs: list[str]
    #: (id, subject, label, due) of each overdue clock, in the determination's order.
    overdue: tuple[tuple, ...]
    #: (program, outcome) of each eligibility decision.
    eligibility: tuple[tuple[str, str], ...]
    #: Its stability interval as ISO dates (stable_from, stable_until or None: no end),
    #: from `evaluate_chunk_stable` (core/stability.py); None from `evaluate_chunk`.
    stable: tuple[str, str | None] | None = None
    #: (rule, reason) of each finding whose outcome is "warning", in the determination's
    #: order: what the store tells the person whose change it evaluated (`warnings_of`).
    warnings: tuple[tuple[str, str], ...] = ()


def outcome_of(
    result: dict[str, Any], text: str, stable: tuple[str, str | None] | None = None
) -> Outcome:
    """What the store keeps of a determination, from its dict and its JSON text."""
    items = due_items(result)
    return Outcome(
        text,
        result["ruleset"],
        result["ruleset_version"],
        result["engine"],
        items,
        case_status(items),
        result_programs(result),
        tuple(
            (c["id"], c["subject"], c["label"], c["due"])
            for c in result["clocks"]
            if c["status"] == "overdue"
        ),
        tuple((e["program"], e["outcome"]) for e in result["eligibility"]),
        stable,
        warnings_of(result),
    )


def warnings_of(result: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(rule, reason) of each warning finding of a determination's dict (`outcome_of`)."""
    return tuple(
        (f["rule"], f["reason"]) for f in result.get("findings", ()) if f["outcome"] == "warning"
    )


def evaluate_chunk(engine, job: tuple[date, list[tuple[str, str]]]) -> list[tuple]:
    """Evaluate stored cases: (case id, error or None, `Outcome` or None) each."""
    return _evaluated(engine, job, False)


def evaluate_chunk_stable(engine, job: tuple[date, list[tuple[str, str]]]) -> list[tuple]:
    """`evaluate_chunk`, each Outcome with its determination's stability interval
    (`Engine.evaluate_stable`), which the store keeps to skip the case on later days."""
    return _evaluated(engine, job, True)


def _evaluated(engine, job: tuple[date, list[tuple[str, str]]], stable: bool) -> list[tuple]:
    as_of, items = job
    out: list[tuple[str, str | None, Outcome | None]] = []
    for case_id, document in items:
        try:
            case = stored_case(engine, json.loads(document))
        except EirulesError as exc:
            out.append((case_id, str(exc), None))
            continue
        except Exception as exc:  # a plugin bug must not lose the whole run
            out.append((case_id, f"{exc.__class__.__name__}: {exc}", None))
            continue
        out.append((case_id, *_evaluate_one(engine, case, as_of, stable)))
    return out


def _evaluate_one(
    engine, case: Case, as_of: date, stable: bool
) -> tuple[str | None, Outcome | None]:
    """(None, its Outcome), or (the message, None) when the case cannot be evaluated.

    Raises DateNotCovered when `as_of` itself is before the ruleset's dates: bad
    input for every case, which refuses the whole run.
    """
    try:
        interval = None
        if stable:
            det, (start, until) = engine.evaluate_stable(case, None, as_of)
            interval = (start.isoformat(), until.isoformat() if until else None)
        else:
            det = engine.evaluate(case, None, as_of)
        result, text = determination_json(det)
    except DateNotCovered as exc:
        if exc.as_of is not None:  # the date asked is bad input for every case: refuse it
            raise
        return str(exc), None
    except EirulesError as exc:
        return str(exc), None
    except Exception as exc:  # a plugin bug must not lose the whole run
        return f"{exc.__class__.__name__}: {exc}", None
    return None, outcome_of(result, text, interval)


def evaluation(engine, case: Case, as_of: date) -> Any:
    """A case's evaluation as `evaluate_chunk_stable` gives it, for the importing process
    to hold until it writes it (`store/held.py`): (message or None, Outcome or None), or
    the DateNotCovered that refuses the run, raised when it is taken.

    A worker process packs it here (`pack_evaluation`), so the importing process holds
    the bytes it received without reading them until it writes; in the importing process
    itself it is handed over as it is.
    """
    try:
        value: Any = _evaluate_one(engine, case, as_of, True)
    except DateNotCovered as exc:
        value = exc
    if engine is not _WORKER_ENGINE:
        return value
    return pack_evaluation(value)


#: The first byte of a packed evaluation: marshal of plain tuples, or a pickle.
_MARSHALLED, _PICKLED = b"M", b"P"


def pack_evaluation(value: Any) -> bytes:
    """An evaluation (`evaluation`) as bytes, for the importing process to hold
    (`store/held.py`): (message, the Outcome's fields as a plain tuple) through
    marshal, about half of pickle's cost each way for these tuples of texts and
    numbers, read back by the same interpreter within one import; anything
    marshal cannot write (a DateNotCovered, a value of a str subclass) is pickled."""
    packed = _marshalled(value)
    if packed is not None:
        return packed
    return _PICKLED + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _marshalled(value: Any) -> bytes | None:
    """(message, Outcome or None) through marshal, or None for what marshal cannot write."""
    if type(value) is not tuple or len(value) != 2:
        return None
    message, outcome = value
    if outcome is not None and type(outcome) is not Outcome:
        return None
    try:
        return _MARSHALLED + marshal.dumps((message, None if outcome is None else tuple(outcome)))
    except ValueError:  # an object marshal does not write (a str subclass)
        return None


def unpack_evaluation(data: bytes) -> Any:
    """The evaluation `pack_evaluation` packed, equal to the one given it."""
    if data[:1] == _MARSHALLED:
        message, fields = marshal.loads(memoryview(data)[1:])
        return message, None if fields is None else Outcome._make(fields)
    return pickle.loads(memoryview(data)[1:])
