"""Reading people for a batch: CSV (any common delimiter, with or without BOM) or JSONL, streamed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

    A missing file or missing required column raises InputError; a single bad
    record is yielded with ``problem`` set so the batch can report it and go on.
    """
    if not path.is_file():
        raise InputError("input", f"no such file: {path}")
    if is_jsonl(path):
        yield from _jsonl(path)
    else:
        yield from _csv(path)


def _csv(path: Path) -> Iterator[Row]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        try:
            sample = fh.read(64 * 1024)
        except UnicodeDecodeError:
            raise InputError("input", f"{path} is not UTF-8 text") from None
        fh.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(fh, dialect)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("input", f"{path} is empty") from None
        except UnicodeDecodeError:
            raise InputError("input", f"{path} is not UTF-8 text") from None
        columns = [_column(h) for h in header]
        _check_header(columns, str(path))
        number = 1  # the header is row 1, as a spreadsheet numbers it
        while True:
            number += 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise InputError("input", f"{path} is not UTF-8 text (near line {reader.line_num})") from None
            except csv.Error as exc:
                yield Row(number, {}, f"unreadable CSV record: {exc}")
                continue
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns):
                yield Row(number, {}, f"{len(values)} fields but the header has {len(columns)}")
                continue
            yield Row(number, {c: v for c, v in zip(columns, values, strict=False) if c in COLUMNS})


def _jsonl(path: Path) -> Iterator[Row]:
    with path.open("r", encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Row(number, {}, f"invalid JSON: {exc.msg}")
                continue
            if not isinstance(obj, dict):
                yield Row(number, {}, "a line must hold one JSON object")
                continue
            fields: dict[str, str] = {}
            for key, value in obj.items():
                col = _column(str(key))
                if col not in COLUMNS or value is None:
                    continue
                if col == "address" and isinstance(value, list):
                    value = "\n".join(str(v) for v in value)
                fields[col] = value if isinstance(value, str) else json.dumps(value)
            missing = [c for c in REQUIRED if not fields.get(c)]
            if missing:
                yield Row(number, fields, f"missing {', '.join(missing)}")
                continue
            yield Row(number, fields)


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
