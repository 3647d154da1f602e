"""Batch output into one zip per shard: streamed by the batch process, atomic, resumable.

Workers compose and render as usual but write nothing: they compress the
bundle's files (``objector.zipstream.pack``) and send them to the batch
process, which appends them to ``.objector-<name>-<pid>.part`` in input order.
However the run ends (done, stopped by a signal, a failed write), that file is
closed and renamed to ``letters.zip`` (``letters-K-of-N.zip`` for a shard), so
the zip is always whole and holds whole bundles only. A rerun copies the earlier
zip's bundles into the new one (as they are stored, each checked against its
CRC-32) and makes only the rest, as a rerun into folders skips the folders that
exist. A run killed outright (SIGKILL) leaves only its temporary file, which the
next run removes: it then starts from the last finished zip.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .zipstream import DamagedZip, Packed, ZipWriter, pack, read_entry, unpack

if TYPE_CHECKING:
    from .batch import BatchOptions, Result, Row
    from .letter import Letter

ARCHIVES = ("zip",)
# Formats that are compressed already gain nothing from deflate.
_STORED = (".pdf",)
_RESUME = "not a zip file objector can resume (move it away)"


def archive_name(shard: tuple[int, int]) -> str:
    """``letters.zip``, or ``letters-K-of-N.zip`` for share K of N (shards may share a folder)."""
    k, n = shard
    return "letters.zip" if n == 1 else f"letters-{k}-of-{n}.zip"


def pack_bundle(reference: str, files: Mapping[str, bytes]) -> tuple[Packed, ...]:
    """A bundle's files as zip entries ``letters/<reference>/<file>``, compressed (by the worker that made them)."""
    return tuple(pack(f"letters/{reference}/{name}", data, deflate=not name.endswith(_STORED))
                 for name, data in files.items())


def _bundles(zf: zipfile.ZipFile) -> dict[str, dict[str, zipfile.ZipInfo]]:
    """The earlier zip's entries by reference: ``letters/<reference>/<file>``."""
    found: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in zf.infolist():
        parts = info.filename.split("/")
        if len(parts) == 3 and parts[0] == "letters" and parts[1] and parts[2]:
            found.setdefault(parts[1], {})[parts[2]] = info
    return found


class ZipSink:
    """The batch process's side: copies an earlier zip, adds each result's bundle, renames at the end."""

    def __init__(self, out: Path, shard: tuple[int, int], temp_name: str) -> None:
        self.final = out / archive_name(shard)
        self.part = out / temp_name
        self.old: BinaryIO | None = None  # the earlier zip's file, read entry by entry as it is stored
        self.earlier: dict[str, dict[str, zipfile.ZipInfo]] = {}
        if self.final.is_file():
            try:
                with zipfile.ZipFile(self.final) as zf:
                    self.earlier = _bundles(zf)
            except zipfile.BadZipFile:
                raise OSError(0, _RESUME, str(self.final)) from None
            self.old = open(self.final, "rb")  # noqa: SIM115 (closed in close())
        self.fh = open(self.part, "wb")  # noqa: SIM115 (closed in close())
        self.zip = ZipWriter(self.fh)
        self.closed = False
        try:
            # Everything the earlier zip held stays, as every folder stays in
            # folder mode; rows of this run find their bundle here and skip it.
            # Entries are copied as stored, each checked against its CRC-32.
            for files in self.earlier.values():
                for info in files.values():
                    self.zip.add(self._earlier(info)[0])
        except BaseException:
            self.close(rename=False)
            raise

    def _earlier(self, info: zipfile.ZipInfo) -> tuple[Packed, bytes]:
        """An entry of the earlier zip as stored, and its file's bytes (checked against its CRC-32)."""
        assert self.old is not None  # only entries of an earlier zip are read
        try:
            p = read_entry(self.old, info)
            return p, unpack(p)
        except DamagedZip as exc:
            raise OSError(0, f"{_RESUME}: {exc}", str(self.final)) from None

    def done(self) -> dict[str, frozenset[str]]:
        """Reference -> the file names the earlier zip has for it (what workers need not make)."""
        return {ref: frozenset(files) for ref, files in self.earlier.items()}

    def add(self, result: Result) -> None:
        """Write the bundle a worker packed (or complete an earlier one) and fill in the entry's hashes."""
        ref = result.reference
        if ref is None or result.entry is None:
            return
        for p in result.packed or ():
            self.zip.add(p)
        hashes = dict(result.entry.get("files") or {})
        for name, info in self.earlier.get(ref, {}).items():
            if name not in hashes:
                hashes[name] = hashlib.sha256(self._earlier(info)[1]).hexdigest()
        result.entry["files"] = dict(sorted(hashes.items()))
        result.packed = None  # the bytes are in the zip: do not keep them in memory

    def close(self, rename: bool = True) -> None:
        """Finish the zip and move it into place (or, with ``rename`` False, remove it). Idempotent."""
        if self.closed:
            return
        self.closed = True
        try:
            try:
                if rename:
                    self.zip.close()
                    self.fh.flush()
                    os.fsync(self.fh.fileno())
            finally:
                self.fh.close()
                if self.old is not None:
                    self.old.close()
            if rename:
                os.replace(self.part, self.final)
        finally:
            with contextlib.suppress(OSError):
                self.part.unlink(missing_ok=True)


def produce(row: Row, letter: Letter, opts: BatchOptions, renderer: Any) -> Result:
    """A worker's share in archive mode: the bundle packed for the zip (only the files the earlier zip lacks)."""
    from .batch import FILE_NAMES, Result, entry_for, render_files
    from .errors import ObjectorError

    have: Mapping[str, frozenset[str]] = opts.done or {}
    earlier = have.get(letter.reference, frozenset())
    missing = tuple(f for f in opts.formats if FILE_NAMES[f] not in earlier)
    if earlier and not missing:
        return Result(row.number, "skipped", letter.reference, entry_for(letter, row.number, {}))
    try:
        files = render_files(letter, missing, renderer, opts.attach_pdf, opts.campaign)
    except ObjectorError as exc:
        return Result(row.number, "failed", letter.reference, field="render", message=str(exc))
    return Result(row.number, "written", letter.reference, entry_for(letter, row.number, files),
                  packed=pack_bundle(letter.reference, files))
