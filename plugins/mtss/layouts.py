"""Vendor export layouts: a TOML file that maps a screener's CSV export onto the screening
rows `mtss import screening` reads (student_id, date, window, instrument, skill_area,
percentile, scaled_score, category).

A layout names every column it reads; every other column of the export must be listed
under `ignore` (exact names or shell-style patterns such as "* Percentile at School"), so
a renamed or new column is an error naming the file and the column, never guessed. Values
are mapped by tables in the layout (`windows`, `categories`, `missing`); a value not in a
table is an error naming the file, row and column. Presets ship in `data/layouts/`; each
says where its layout was read (`source`) and whether that is the vendor's own
documentation (`documented`). The format is in docs/mtss.md ("Vendor exports").
"""

from __future__ import annotations

import fnmatch
import tomllib
from datetime import datetime
from pathlib import Path

import attrs

from eirules.core.errors import InputError, Problem, did_you_mean
from eirules.core.input_files import CsvRecords, read_text

PRESETS = Path(__file__).parent / "data" / "layouts"
FIELDS = ("date", "scaled_score", "percentile", "category")
LAYOUT_KEYS = {
    "name",
    "kind",
    "source",
    "documented",
    "student_id",
    "date_format",
    "missing",
    "ignore",
}
BLOCK_KEYS = {"instrument", "skill_area", "window_column", "windows", *FIELDS}


@attrs.frozen
class Block:
    """One score read from each row (or from each window's columns of a wide export)."""

    instrument: str
    skill_area: str
    #: window label -> eirules window; labels are cell values when window_column is
    #: set (a long export: one row per window), else the text put for {window} in the
    #: column names (a wide export: one column set per window).
    windows: dict[str, str]
    columns: dict[str, str]
    window_column: str | None = None


@attrs.frozen
class Layout:
    name: str
    path: Path
    source: str
    documented: bool
    student_id: str
    blocks: tuple[Block, ...]
    date_format: str = "%Y-%m-%d"
    missing: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    categories: dict[str, str] = attrs.field(factory=dict)

    def referenced(self) -> dict[str, str]:
        """{export column: what it is read as} for every column the layout reads."""
        out = {self.student_id: "student_id"}
        for b in self.blocks:
            if b.window_column:
                out[b.window_column] = "window"
                for field, col in b.columns.items():
                    out[col] = field
            else:
                for label in b.windows:
                    for field, col in b.columns.items():
                        out[col.replace("{window}", label)] = field
        return out


def presets() -> dict[str, Path]:
    return {p.stem: p for p in sorted(PRESETS.glob("*.toml"))}


def _fail(where: str, what: str, fix: str = "") -> InputError:
    return InputError(f"{where}: not a valid layout", [Problem(where, what, fix)])


def load_layout(name: str) -> Layout:
    """A preset by name, or a layout TOML file by path."""
    known = presets()
    path = known.get(name) or Path(name)
    if not path.exists():  # a pipe or a device is refused by name below
        hint = did_you_mean(name, known)
        raise InputError(
            f'no layout "{name}"',
            [
                Problem(
                    "--layout",
                    f"neither a preset ({', '.join(known)}) nor a file",
                    hint or "give a preset name or the path of your layout TOML",
                )
            ],
        )
    try:
        data = tomllib.loads(read_text(path, expected="a layout file (TOML)"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _fail(str(path), f"cannot be read as TOML ({exc})") from None
    return _parse(data, path)


def _strings(value, where: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise _fail(where, f"{what} must be a list of strings")
    return tuple(value)


def _table(value, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(where, "must be a table of strings")
    return dict(value)


def _unknown(keys, allowed, where):
    for key in keys:
        if key not in allowed:
            hint = did_you_mean(key, allowed)
            raise _fail(
                where, f'unknown key "{key}"', hint or f"allowed: {', '.join(sorted(allowed))}"
            )


def _parse(data: dict, path: Path) -> Layout:
    from .models import WINDOWS

    where = str(path)
    _unknown(data, {"layout", "scores", "categories"}, where)
    head = data.get("layout")
    if not isinstance(head, dict):
        raise _fail(where, "no [layout] table", "start the file with [layout] and name = ...")
    _unknown(head, LAYOUT_KEYS, f"{where}: [layout]")
    for key in ("name", "student_id", "source"):
        if not isinstance(head.get(key), str) or not head[key]:
            raise _fail(f"{where}: [layout]", f"{key} is required (a string)")
    if head.get("kind", "screening") != "screening":
        raise _fail(f"{where}: [layout]", f'kind "{head["kind"]}": only "screening" is read')
    date_format = head.get("date_format", "%Y-%m-%d")
    if not isinstance(date_format, str) or "%" not in date_format:
        raise _fail(f"{where}: [layout]", "date_format must be a strptime format such as %m/%d/%Y")
    blocks = []
    raw_blocks = data.get("scores")
    if not isinstance(raw_blocks, list) or not raw_blocks:
        raise _fail(where, "no [[scores]] table", "add one [[scores]] per score to read")
    for n, raw in enumerate(raw_blocks, start=1):
        bw = f"{where}: [[scores]] {n}"
        if not isinstance(raw, dict):
            raise _fail(bw, "must be a table")
        _unknown(raw, BLOCK_KEYS, bw)
        for key in ("instrument", "skill_area", "date"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise _fail(bw, f"{key} is required (a string)")
        windows = _table(raw.get("windows", {}), f"{bw}: windows")
        if not windows:
            raise _fail(bw, "windows is required", 'e.g. windows = { BOY = "fall", ... }')
        bad = [w for w in windows.values() if w not in WINDOWS]
        if bad:
            raise _fail(f"{bw}: windows", f'"{bad[0]}" is not one of {", ".join(WINDOWS)}')
        columns = {f: raw[f] for f in FIELDS if f in raw}
        if not any(f in columns for f in ("scaled_score", "percentile", "category")):
            raise _fail(bw, "reads no score", "map scaled_score, percentile or category")
        window_column = raw.get("window_column")
        wide = any("{window}" in c for c in columns.values())
        if window_column is None and not wide:
            raise _fail(bw, "no window", "set window_column, or put {window} in the column names")
        if window_column is not None and wide:
            raise _fail(bw, "window_column and {window} columns together", "use one of the two")
        blocks.append(Block(raw["instrument"], raw["skill_area"], windows, columns, window_column))
    return Layout(
        name=head["name"],
        path=path,
        source=head["source"],
        documented=bool(head.get("documented", False)),
        student_id=head["student_id"],
        blocks=tuple(blocks),
        date_format=date_format,
        missing=_strings(head.get("missing", []), f"{where}: [layout]", "missing"),
        ignore=_strings(head.get("ignore", []), f"{where}: [layout]", "ignore"),
        categories=_table(data.get("categories", {}), f"{where}: [categories]"),
    )


def _edit_hint(layout: Layout, change: str) -> str:
    """Where to make a change: the user's own layout, or a copy of a preset."""
    if layout.path.parent == PRESETS:
        return f"{change} in a copy of the preset ({layout.path}) and pass the copy with --layout"
    return f"{change} in {layout.path}"


def _letters(i: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 -> A, 26 -> AA."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def translate(path: Path, text: str, layout: Layout) -> tuple[list[tuple[int, str, dict]], list]:
    """The export's rows as screening rows: ([(line, where, row)], problems). A problem names
    the file, the line and the export column; nothing is guessed."""
    rows = list(CsvRecords(str(path), text.splitlines()))  # each record bounded
    if not rows:
        return [], [Problem(f"{path}:1", "the file is empty")]
    header = [h.strip() for h in rows[0]]
    problems = []
    wanted = layout.referenced()
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in wanted:
            if h in index:
                problems.append(
                    Problem(
                        f"{path}:1",
                        f'column "{h}" appears twice (columns {_letters(index[h])} and {_letters(i)})',
                        "the layout cannot tell which one to read; remove one",
                    )
                )
            index[h] = i
    missing = [c for c in wanted if c not in index]
    for c in missing:
        hint = did_you_mean(c, header)
        problems.append(
            Problem(
                f"{path}:1",
                f'no column "{c}" (read as {wanted[c]} by layout {layout.path.name})',
                hint or "check the export's header, or change the column in the layout",
            )
        )
    unknown = [
        (i, h)
        for i, h in enumerate(header)
        if h not in wanted and not any(fnmatch.fnmatchcase(h, pat) for pat in layout.ignore)
    ]
    if unknown:
        shown = ", ".join(f'{_letters(i)} "{h}"' for i, h in unknown[:8])
        more = f" and {len(unknown) - 8} more" if len(unknown) > 8 else ""
        problems.append(
            Problem(
                f"{path}:1",
                f"column(s) the layout neither reads nor ignores: {shown}{more}",
                _edit_hint(layout, "add them to ignore (or map them)")
                + "; a column is never guessed",
            )
        )
    if problems:
        return [], problems
    out = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(Problem(f"{path}:{line}", "more cells than columns"))
            continue

        def cell(col: str, cells=cells) -> str:
            i = index[col]
            v = cells[i].strip() if i < len(cells) else ""
            return "" if v in layout.missing else v

        sid = cell(layout.student_id)
        for b in layout.blocks:
            for label, window, cols in _windows(b, cell):
                vals = {f: cell(c) for f, c in cols.items()}
                if not any(vals.get(f) for f in ("scaled_score", "percentile", "category")):
                    continue  # no score in this window
                where = f"{path}:{line}"
                if label is None:
                    problems.append(
                        Problem(
                            where,
                            f'{b.window_column} "{cell(b.window_column)}" is not in the layout\'s '
                            f"windows ({', '.join(b.windows)})",
                            _edit_hint(layout, "add it to windows"),
                        )
                    )
                    continue
                row = {
                    "student_id": sid,
                    "window": window,
                    "instrument": b.instrument,
                    "skill_area": b.skill_area,
                }
                try:
                    row["date"] = _iso(vals["date"], layout.date_format, cols["date"])
                    cat = vals.get("category", "")
                    if cat and layout.categories:
                        if cat not in layout.categories:
                            raise ValueError(
                                f'{cols["category"]}: "{cat}" is not in the layout\'s '
                                f"[categories] ({', '.join(layout.categories)}); "
                                + _edit_hint(layout, "add it to [categories]")
                            )
                        cat = layout.categories[cat]
                    row["category"] = cat
                    row["scaled_score"] = vals.get("scaled_score", "")
                    row["percentile"] = vals.get("percentile", "")
                except ValueError as exc:
                    problems.append(Problem(where, str(exc)))
                    continue
                out.append((line, f"{where} ({window} {b.instrument})", row))
    return out, problems


def _windows(b: Block, cell):
    """(label, window, {field: column}) per window of one row; label None for a window
    value the layout does not map."""
    if b.window_column:
        value = cell(b.window_column)
        if value in b.windows:
            yield value, b.windows[value], b.columns
        else:
            yield None, None, b.columns
        return
    for label, window in b.windows.items():
        yield label, window, {f: c.replace("{window}", label) for f, c in b.columns.items()}


def _iso(text: str, fmt: str, column: str) -> str:
    if not text:
        raise ValueError(f"{column}: empty, but the row has a score; give the date")
    try:
        return datetime.strptime(text, fmt).date().isoformat()
    except ValueError:
        raise ValueError(f'{column}: "{text}" is not a date in the format {fmt}') from None
