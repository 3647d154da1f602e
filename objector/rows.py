"""Reading people for a batch: CSV (any common delimiter, with or without BOM) or JSONL, streamed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

REQUIRED = ("name", "email", "country")
OPTIONAL = ("state", "locale", "address", "profile_url", "reason", "reason_preset", "kind")
COLUMNS = REQUIRED + OPTIONAL
# Header spellings people use for the same column.
ALIASES = {"e-mail": "email", "mail": "email", "full_name": "name", "profile": "profile_url",
           "linkedin": "profile_url", "linkedin_url": "profile_url", "province": "state", "language": "locale",
           "preset": "reason_preset", "reason-preset": "reason_preset", "profile-url": "profile_url"}


@dataclass(frozen=True)
class Row:
    """One input record: its 1-based line number in the file and its fields."""

    number: int
    fields: dict[str, str]
    problem: str | None = None  # set when the record itself could not be read
    field: str = "row"  # the field ``problem`` is about ("row": the record as a whole)

    def error(self) -> InputError | None:
        """The record's problem as the InputError a bad field raises, or None."""
        return InputError(self.field, self.problem) if self.problem is not None else None


def _column(name: str) -> str:
    key = name.strip().lower().replace(" ", "_")
    return ALIASES.get(key, key)


def _check_header(columns: list[str], source: str) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InputError("columns", f"{source} lacks the required column(s) {', '.join(missing)} "
                         f"(it has: {', '.join(columns) or 'none'})")


def is_jsonl(path: Path) -> bool:
    """JSON Lines by extension (.jsonl / .ndjson / .json), else CSV."""
    return path.suffix.lower() in (".jsonl", ".ndjson", ".json")


def read_rows(path: Path) -> Iterator[Row]:
    """Yield the records of a CSV or JSONL file one at a time (memory stays flat).

    A missing file, a file that is not UTF-8 (anywhere in it) or a missing
    required column raises InputError before the first record; a single bad
    record is yielded with ``problem`` (and ``field``) set so the batch can
    report it and go on.
    """
    if not path.is_file():
        raise InputError("input", f"no such file: {path}")
    check_utf8(path)
    if is_jsonl(path):
        yield from _jsonl(path)
    else:
        yield from _csv(path)


# --- encoding ---------------------------------------------------------------------------

_CHUNK = 1 << 20
_checked: dict[tuple[str, int, int, int], None] = {}


def check_utf8(path: Path) -> None:
    """Refuse a file with a byte sequence that is not UTF-8, naming its line.

    The whole file is checked before any record is read (a streaming pass over
    the bytes, about 1 s per GB), so a bad byte at the end stops the run before
    the first letter is written rather than after thousands. A file already
    checked, unchanged, is not read again.
    """
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    if key in _checked:
        return
    line = 1
    tail = b""
    with path.open("rb") as fh:
        while True:
            block = fh.read(_CHUNK)
            data = tail + block
            # Decode up to the last line break; the rest waits for the next block,
            # so a character split across blocks is never mistaken for an error.
            cut = len(data) if not block else data.rfind(b"\n") + 1
            try:
                data[:cut].decode("utf-8")
            except UnicodeDecodeError as exc:
                where = line + data.count(b"\n", 0, exc.start)
                raise InputError("input", f"{path} is not UTF-8 text (line {where})") from None
            line += data.count(b"\n", 0, cut)
            tail = data[cut:]
            if not block:
                break
    if len(_checked) > 64:
        _checked.clear()
    _checked[key] = None


# --- CSV --------------------------------------------------------------------------------

_DELIMITERS = (",", ";", "\t", "|")
_NAMES = {"\t": "tab"}


def _delimiter(header: str, source: str) -> str:
    """The delimiter that splits the header into objector's column names.

    The header alone decides: a data cell (a quoted name with a comma, a
    spreadsheet formula) cannot change how the file is read.
    """
    scores: dict[str, tuple[bool, int]] = {}
    for d in _DELIMITERS:
        cols = [_column(c) for c in next(csv.reader([header], delimiter=d))]
        scores[d] = (all(c in cols for c in REQUIRED), sum(c in COLUMNS for c in cols))
    best = max(scores.values())
    winners = [d for d, score in scores.items() if score == best]
    if len(winners) > 1 and best[1] > 1:
        shown = " and ".join(repr(_NAMES.get(d, d)) for d in winners)
        raise InputError("columns", f"cannot tell how {source} separates its columns: its header splits into "
                         f"column names at both {shown}; use one separator")
    return winners[0]


def _csv(path: Path) -> Iterator[Row]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        try:
            first = fh.readline()
        except UnicodeDecodeError:  # the file changed after it was checked
            raise InputError("input", f"{path} is not UTF-8 text (line 1)") from None
        if not first.strip():
            raise InputError("input", f"{path} is empty")
        header_line = first.rstrip("\r\n")
        delimiter = _delimiter(header_line, str(path))
        columns = [_column(h) for h in next(csv.reader([header_line], delimiter=delimiter))]
        _check_header(columns, str(path))
        reader = csv.reader(fh, delimiter=delimiter)
        number = 1  # the header is row 1, as a spreadsheet numbers it
        while True:
            number += 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:  # the file changed after it was checked
                raise InputError("input", f"{path} is not UTF-8 text (line {reader.line_num + 2})") from None
            except csv.Error as exc:
                yield Row(number, {}, f"unreadable CSV record: {exc}")
                continue
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns):
                yield Row(number, {}, f"{len(values)} fields but the header has {len(columns)}")
                continue
            yield Row(number, {c: v for c, v in zip(columns, values, strict=False) if c in COLUMNS})


# --- JSON Lines -------------------------------------------------------------------------

# A person's record is a few kilobytes; a longer line is refused without being
# held in memory whole.
MAX_JSON_LINE = 1 << 20


class _Number(str):
    """A JSON number, kept as its text: never converted, so a 5,000-digit one costs
    nothing, and never a ``str`` value of a field (numbers are not text)."""


def _jsonl(path: Path) -> Iterator[Row]:
    with path.open("r", encoding="utf-8-sig") as fh:
        number = 0
        while True:
            line = fh.readline(MAX_JSON_LINE + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_JSON_LINE and not line.endswith("\n"):
                while (rest := fh.readline(MAX_JSON_LINE)) and not rest.endswith("\n"):
                    pass
                yield Row(number, {}, f"the line is longer than {MAX_JSON_LINE} characters")
                continue
            if not line.strip():
                continue
            yield _json_row(number, line)


def _json_row(number: int, line: str) -> Row:
    try:
        obj = json.loads(line, parse_int=_Number, parse_float=_Number, parse_constant=_Number)
    except json.JSONDecodeError as exc:
        return Row(number, {}, f"invalid JSON: {exc.msg}")
    except RecursionError:
        return Row(number, {}, "invalid JSON: nested too deeply")
    if not isinstance(obj, dict):
        return Row(number, {}, "a line must hold one JSON object")
    fields: dict[str, str] = {}
    for key, value in obj.items():
        col = _column(key)
        if col not in COLUMNS or value is None:
            continue
        if col == "address" and isinstance(value, list):
            if not all(isinstance(v, str) and not isinstance(v, _Number) for v in value):
                return Row(number, {}, "each line must be text", field=col)
            # One line per item; the final line break marks the value as
            # multi-line, so a "|" inside an item is kept, not split.
            value = "".join(f"{v}\n" for v in value)
        elif not isinstance(value, str) or isinstance(value, _Number):
            return Row(number, {}, "must be text", field=col)
        fields[col] = value
    return Row(number, fields)


# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (prefixed with ')."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_line(values: list[object]) -> str:
    """One CSV line (RFC 4180 quoting) of neutralised cells."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([safe_cell(v) for v in values])
    return buf.getvalue()
