"""How long a determination stays the same: its stability interval (issue 15).

A determination made as of D depends on D only through what the rules do with
the as-of date. `Engine.evaluate_stable` hands the rules a `TrackedDate`: a date
equal to D that records, in a `Stability`, every way the rules look at it.

* A comparison with a plain date d (`<`, `<=`, `==`, min, max, sorting, bisect)
  has the same outcome on every as-of date on D's side of the threshold it
  implies, so the interval is cut there and no further.
* `as_of + timedelta(n)` (or minus) is another TrackedDate on the same record,
  n days on; its comparisons are thresholds on the as-of date shifted by n, and
  the difference of two such dates is a constant.
* `year` and `month` are constant over their year and month.
* Anything that reads the exact day (the difference with a plain date, the
  ordinal, the weekday, hashing, text of any kind, pickling, `replace`) holds
  the interval to the one day D.
* A ruleset parameter read on a tracked date holds the interval to the period
  between the parameter's change dates around it (`pin`): its value is the same
  on every day of the period (`Ruleset.find` resolves it once per period).

Every value the rules compute is a function of the case, the compiled ruleset
and these observations; each observation is the same on every day of the
interval, so the whole determination (apart from its top-level as_of) is the
same on every day of it. What cannot be observed (C code reading the date's
fields: `datetime.combine`, numpy, an unbound `date` method; a third-party
plugin) must not see a TrackedDate: `Engine.evaluate_stable` hands a plain date
(and a one-day interval) when a plugin that has not declared
`EIRULES_AS_OF_TRACKED = True` implements a per-case hook, and `seal` replaces
every TrackedDate left in a determination by a plain date, held to one day, so
a serialiser that reads the fields in C cannot widen the interval either.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from .explain import Prose

_MIN = date.min.toordinal()
_END = date.max.toordinal() + 1
_ord = date.toordinal  # the C method: the real value, never a recorded observation
_from = date.fromordinal
_new = date.__new__
_year = date.__dict__["year"].__get__
_month = date.__dict__["month"].__get__
_day = date.__dict__["day"].__get__


class Stability:
    """The as-of dates [lo, hi) (proleptic ordinals) on which every observation of a
    TrackedDate made so far has the outcome it had on `day`."""

    __slots__ = ("day", "lo", "hi")

    def __init__(self, day: date):
        self.day = _ord(day)
        self.lo = _MIN
        self.hi = _END

    def split(self, t: int) -> None:
        """Keep the as-of date on D's side of `t`: below it when D < t, else at or above it."""
        if self.day < t:
            if t < self.hi:
                self.hi = t
        elif t > self.lo:
            self.lo = t

    def within(self, lo: int, hi: int) -> None:
        """Keep the as-of date in [lo, hi) (which holds D)."""
        if lo > self.lo:
            self.lo = lo
        if hi < self.hi:
            self.hi = hi

    def exact(self) -> None:
        """The outcome depends on the very day: only D itself is certain."""
        self.within(self.day, self.day + 1)

    @property
    def interval(self) -> tuple[date, date | None]:
        """(stable_from, stable_until): the first day and the day after the last (None:
        no end), clipped to the dates `date` can hold."""
        return _from(max(self.lo, _MIN)), (None if self.hi >= _END else _from(self.hi))

    def __repr__(self) -> str:
        start, until = self.interval
        return f"<Stability {_from(self.day)} in [{start}, {until or '...'})>"


def _plain(value: date) -> date:
    return _from(_ord(value))


class TrackedDate(date):
    """A date equal to an evaluation's as-of date (or a fixed number of days from it)
    that records each observation in its `Stability`. Built only by `tracked`."""

    __slots__ = ("_s", "_k")
    _s: Stability
    _k: int

    # Comparisons ---------------------------------------------------------------
    # The value is as_of + k, so `value < o` holds exactly when `as_of < o - k`: a
    # threshold t = o - k, and the outcome stays while the as-of date keeps its side
    # of t (`value <= o` is `as_of < o - k + 1`). Written out per operator: they run
    # for every event date a rule compares with the as-of date.
    def __lt__(self, other: Any) -> bool:
        if type(other) is not date:
            return self._compare(other, operator.lt)
        s = self._s
        t = _ord(other) - self._k
        if s.day < t:
            if t < s.hi:
                s.hi = t
            return True
        if t > s.lo:
            s.lo = t
        return False

    def __ge__(self, other: Any) -> bool:
        if type(other) is not date:
            return self._compare(other, operator.ge)
        s = self._s
        t = _ord(other) - self._k
        if s.day < t:
            if t < s.hi:
                s.hi = t
            return False
        if t > s.lo:
            s.lo = t
        return True

    def __le__(self, other: Any) -> bool:
        if type(other) is not date:
            return self._compare(other, operator.le)
        s = self._s
        t = _ord(other) - self._k + 1
        if s.day < t:
            if t < s.hi:
                s.hi = t
            return True
        if t > s.lo:
            s.lo = t
        return False

    def __gt__(self, other: Any) -> bool:
        if type(other) is not date:
            return self._compare(other, operator.gt)
        s = self._s
        t = _ord(other) - self._k + 1
        if s.day < t:
            if t < s.hi:
                s.hi = t
            return False
        if t > s.lo:
            s.lo = t
        return True

    def __eq__(self, other: Any) -> bool:
        if type(other) is not date:
            return self._compare(other, operator.eq)
        s = self._s
        t = _ord(other) - self._k
        if s.day == t:  # equal on that one day only
            s.within(t, t + 1)
            return True
        if s.day < t:
            if t < s.hi:
                s.hi = t
        elif t + 1 > s.lo:
            s.lo = t + 1
        return False

    def _compare(self, other: Any, op: Any) -> Any:
        """A comparison with anything but a plain `date`."""
        if type(other) is TrackedDate:
            if other._s is not self._s:  # two evaluations' dates met: exact on both
                self._s.exact()
                other._s.exact()
            return op(_ord(self), _ord(other))  # the same record: a constant difference
        if isinstance(other, date) and not isinstance(other, datetime):
            return op(self, _plain(other))  # another date subclass: by its value
        return NotImplemented

    def __ne__(self, other: Any) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        self._s.exact()
        return hash(_plain(self))

    # Arithmetic ----------------------------------------------------------------
    def _shift(self, days: int) -> TrackedDate:
        s, k = self._s, self._k + days
        value = s.day + k
        if not _MIN <= value < _END:
            s.exact()
            raise OverflowError("date value out of range")
        s.within(_MIN - k, _END - k)  # every as-of date of the interval stays in range
        return _make(s, k, value)

    def __add__(self, other: Any) -> TrackedDate:
        if isinstance(other, timedelta):
            return self._shift(other.days)
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        if isinstance(other, timedelta):
            return self._shift(-other.days)
        if type(other) is TrackedDate and other._s is self._s:
            return timedelta(days=self._k - other._k)  # the same on every as-of date
        if isinstance(other, date) and not isinstance(other, datetime):
            self._s.exact()
            if type(other) is TrackedDate:
                other._s.exact()
            return timedelta(days=_ord(self) - _ord(other))
        return NotImplemented

    def __rsub__(self, other: Any) -> Any:
        if isinstance(other, date) and not isinstance(other, datetime):
            self._s.exact()
            return timedelta(days=_ord(other) - _ord(self))
        return NotImplemented

    # Parts ---------------------------------------------------------------------
    @property
    def year(self) -> int:
        y = _year(self)
        start = _ord(date(y, 1, 1))
        end = _ord(date(y + 1, 1, 1)) if y < date.max.year else _END
        self._s.within(start - self._k, end - self._k)
        return y

    @property
    def month(self) -> int:
        y, m = _year(self), _month(self)
        start = _ord(date(y, m, 1))
        if m < 12:
            end = _ord(date(y, m + 1, 1))
        else:
            end = _ord(date(y + 1, 1, 1)) if y < date.max.year else _END
        self._s.within(start - self._k, end - self._k)
        return m

    @property
    def day(self) -> int:
        self._s.exact()
        return _day(self)

    def replace(self, *args: Any, **kwargs: Any) -> date:
        self._s.exact()
        return _plain(self).replace(*args, **kwargs)

    def __reduce__(self) -> Any:
        self._s.exact()
        return (date, (_year(self), _month(self), _day(self)))

    def __reduce_ex__(self, protocol: Any) -> Any:
        return self.__reduce__()

    def __copy__(self) -> TrackedDate:
        return self  # the same value on the same record

    def __deepcopy__(self, memo: Any) -> date:
        self._s.exact()
        return _plain(self)


def _exactly(name: str) -> Any:
    """A `date` method that reads the exact day: the interval is held to one day."""

    def method(self: TrackedDate, *args: Any, **kwargs: Any) -> Any:
        self._s.exact()
        return getattr(_plain(self), name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = getattr(date, name).__doc__
    return method


for _name in (
    "toordinal", "weekday", "isoweekday", "isocalendar", "isoformat", "strftime",
    "ctime", "timetuple", "__str__", "__repr__", "__format__",
):  # fmt: skip
    setattr(TrackedDate, _name, _exactly(_name))


def _plain_classmethod(name: str) -> Any:
    original = getattr(date, name)  # bound to date: builds a plain date

    def method(cls: type, *args: Any, **kwargs: Any) -> date:
        return original(*args, **kwargs)

    method.__name__ = name
    return classmethod(method)


for _name in ("fromordinal", "fromisoformat", "fromtimestamp", "today", "fromisocalendar"):
    setattr(TrackedDate, _name, _plain_classmethod(_name))


def _make(s: Stability, k: int, ordinal: int) -> TrackedDate:
    day = _from(ordinal)
    obj = _new(TrackedDate, _year(day), _month(day), _day(day))
    obj._s = s
    obj._k = k
    return obj


def tracked(day: date) -> tuple[TrackedDate, Stability]:
    """A TrackedDate equal to `day` and the Stability it records into."""
    s = Stability(day)
    return _make(s, 0, s.day), s


def plain(day: date) -> date:
    """`day` as a plain date; a TrackedDate is held to its one day."""
    if type(day) is TrackedDate:
        day._s.exact()
        return _plain(day)
    return day


def pin(day: date, change_dates: Sequence[date]) -> date:
    """`day` as a plain date. A TrackedDate's interval is held to the period between
    the sorted `change_dates` that holds it (what a value resolved per period reads)."""
    if type(day) is not TrackedDate:
        return day
    return held(day, period_of(day, change_dates))


def period_of(day: TrackedDate, change_dates: Sequence[date]) -> tuple[int, int, date]:
    """(first ordinal, end ordinal, the plain date) of the period of `change_dates`
    holding the value of `day`; records nothing."""
    value = _plain(day)
    i = bisect.bisect_right(change_dates, value)
    lo = _ord(change_dates[i - 1]) if i > 0 else _MIN
    hi = _ord(change_dates[i]) if i < len(change_dates) else _END
    return lo, hi, value


def held(day: TrackedDate, period: tuple[int, int, date]) -> date:
    """Hold `day`'s interval to where its value stays in `period` (`period_of`)."""
    lo, hi, value = period
    day._s.within(lo - day._k, hi - day._k)
    return value


def same_day(a: Any, b: Any) -> bool:
    """Whether a cache entry made for as-of date `a` serves as-of date `b`: the very same
    TrackedDate (one evaluation's), or two equal plain dates; never across evaluations."""
    if a is b:
        return True
    return type(a) is not TrackedDate and type(b) is not TrackedDate and a == b


# Sealing -------------------------------------------------------------------------
_ATOMS = frozenset({str, int, float, bool, type(None), date})
_all_atoms = _ATOMS.issuperset
#: Per attrs class: its field names and a getter of their values (from the instance
#: dict where it has one: a finding keeps its reason there as unrendered Prose).
_FIELDS: dict[type, tuple[tuple[str, ...], Any, bool]] = {}


def seal(value: Any) -> Any:
    """`value` (a determination, or anything in one) with every TrackedDate in it replaced
    by a plain date held to its one day; the same object when it holds none."""
    t = type(value)
    if t in _ATOMS:
        return value
    known = _FIELDS.get(t)
    if known is not None:  # an attrs class met before: most of what a determination holds
        return _sealed_fields(value, known)
    if t is TrackedDate:
        return plain(value)
    if t is tuple or t is list:
        if _all_atoms(map(type, value)):
            return value
        items = [seal(v) for v in value]
        if all(map(operator.is_, items, value)):  # as long as value: made from it
            return value
        return t(items)
    if t is dict:
        if _all_atoms(map(type, value.values())) and _all_atoms(map(type, value)):
            return value
        items = {seal(k): seal(v) for k, v in value.items()}
        if all(a is b for a, b in zip(items.values(), value.values(), strict=True)) and all(
            a is b for a, b in zip(items, value, strict=True)
        ):
            return value
        return items
    if t is Prose:
        values = seal(value.values)
        return value if values is value.values else Prose(value.template, values)
    if not attrs.has(t):
        return value  # nothing eirules builds: left as it is
    names = tuple(
        f.name
        for f in attrs.fields(t)
        # A property (a finding's reason) may keep other than what its annotation says.
        if isinstance(getattr(t, f.name, None), property) or not _text_only(f.type)
    )
    if not names:
        _FIELDS[t] = ((), None, False)
        return value
    in_dict = hasattr(value, "__dict__")
    getter = (operator.itemgetter if in_dict else operator.attrgetter)(*names)
    known = _FIELDS[t] = (names, getter, in_dict)
    return _sealed_fields(value, known)


def _sealed_fields(value: Any, known: tuple[tuple[str, ...], Any, bool]) -> Any:
    """`seal` of an attrs instance, given its class's entry of `_FIELDS`."""
    names, getter, in_dict = known
    if not names:
        return value
    try:
        values = getter(value.__dict__ if in_dict else value)
    except KeyError:  # a field not in the instance dict: read each one
        values = tuple(value.__dict__.get(n, getattr(value, n)) for n in names)
    if len(names) == 1:
        values = (values,)
    if _all_atoms(map(type, values)):
        return value
    changes = {}
    for name, old in zip(names, values, strict=True):
        kind = type(old)
        if kind in _ATOMS or (kind is tuple and _all_atoms(map(type, old))):
            continue
        new = seal(old)
        if new is not old:
            changes[name] = new
    if not changes:
        return value
    reason = changes.pop("reason", None) if in_dict else None
    out = attrs.evolve(value, **changes)
    if reason is not None:
        object.__setattr__(out, "reason", reason)  # a finding's Prose, still unrendered
    return out


#: Annotations made of these words only (`str`, `tuple[str, ...]`, `int | None`) type a
#: field that cannot hold a date; every other field is looked into.
_TEXT_WORDS = frozenset({"str", "int", "float", "bool", "None", "tuple", "..."})


def _text_only(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    words = set(re.findall(r"[A-Za-z_.]+|\.\.\.", text))
    return bool(words) and words <= _TEXT_WORDS
