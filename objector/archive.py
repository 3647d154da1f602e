"""Batch output into one zip per shard: streamed by the batch process, atomic, resumable.

Workers compose and render as usual but write nothing: the bundle's bytes come
back to the batch process, which streams them into ``.objector-<name>-<pid>.part``
in input order. However the run ends (done, stopped by a signal, a failed
write), that file is closed and renamed to ``letters.zip`` (``letters-K-of-N.zip``
for a shard), so the zip is always whole and holds whole bundles only. A rerun
copies the earlier zip's bundles into the new one and makes only the rest, as a
rerun into folders skips the folders that exist. A run killed outright (SIGKILL)
leaves only its temporary file, which the next run removes: it then starts from
the last finished zip.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batch import BatchOptions, Result, Row
    from .letter import Letter

ARCHIVES = ("zip",)
# Every entry gets this time: the same letters give the same zip bytes.
_ENTRY_TIME = (2000, 1, 1, 0, 0, 0)
# Formats that are compressed already gain nothing from deflate.
_STORED = (".pdf",)
# The batch process compresses every file itself: at zlib's default level that
# alone would cap a text batch near 2,000 letters/s. Level 1 is about three
# times faster and the files come out barely larger.
_LEVEL = 1


def archive_name(shard: tuple[int, int]) -> str:
    """``letters.zip``, or ``letters-K-of-N.zip`` for share K of N (shards may share a folder)."""
    k, n = shard
    return "letters.zip" if n == 1 else f"letters-{k}-of-{n}.zip"


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ENTRY_TIME)
    info.compress_type = zipfile.ZIP_STORED if name.endswith(_STORED) else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


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
        self.old: zipfile.ZipFile | None = None
        self.earlier: dict[str, dict[str, zipfile.ZipInfo]] = {}
        if self.final.is_file():
            try:
                self.old = zipfile.ZipFile(self.final)
            except zipfile.BadZipFile:
                raise OSError(0, "not a zip file objector can resume (move it away)", str(self.final)) from None
            self.earlier = _bundles(self.old)
        self.zip = zipfile.ZipFile(self.part, "w", allowZip64=True)
        self.closed = False
        try:
            # Everything the earlier zip held stays, as every folder stays in
            # folder mode; rows of this run find their bundle here and skip it.
            for files in self.earlier.values():
                for info in files.values():
                    assert self.old is not None
                    self.zip.writestr(_entry(info.filename), self.old.read(info), compresslevel=_LEVEL)
        except BaseException:
            self.close(rename=False)
            raise

    def done(self) -> dict[str, frozenset[str]]:
        """Reference -> the file names the earlier zip has for it (what workers need not make)."""
        return {ref: frozenset(files) for ref, files in self.earlier.items()}

    def add(self, result: Result) -> None:
        """Write the bundle a worker made (or complete an earlier one) and fill in the entry's hashes."""
        ref = result.reference
        files = result.files or {}
        if ref is None or result.entry is None:
            return
        for name, data in files.items():
            self.zip.writestr(_entry(f"letters/{ref}/{name}"), data, compresslevel=_LEVEL)
        hashes = dict(result.entry.get("files") or {})
        if self.old is not None and ref in self.earlier:
            for name, info in self.earlier[ref].items():
                if name not in hashes:
                    hashes[name] = hashlib.sha256(self.old.read(info)).hexdigest()
        result.entry["files"] = dict(sorted(hashes.items()))
        result.files = None  # the bytes are in the zip: do not keep them in memory

    def close(self, rename: bool = True) -> None:
        """Finish the zip and move it into place (or, with ``rename`` False, remove it). Idempotent."""
        if self.closed:
            return
        self.closed = True
        try:
            self.zip.close()
            if self.old is not None:
                self.old.close()
            if rename:
                with open(self.part, "rb") as fh:
                    os.fsync(fh.fileno())
                os.replace(self.part, self.final)
        finally:
            with contextlib.suppress(OSError):
                self.part.unlink(missing_ok=True)


def produce(row: Row, letter: Letter, opts: BatchOptions, renderer: Any) -> Result:
    """A worker's share in archive mode: the bundle's bytes (only the files the earlier zip lacks)."""
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
    return Result(row.number, "written", letter.reference, entry_for(letter, row.number, files), files=files)
