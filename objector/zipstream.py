"""A zip file appended from entries compressed elsewhere: workers deflate, the batch process only writes.

``zipfile`` can only add an entry by compressing it itself, so in a batch the
one batch process would do all the compressing. Here a worker ``pack``s a file
(raw deflate and CRC-32) and the batch process's ``ZipWriter`` appends the
ready bytes with their headers; ``close`` writes the central directory (with
the Zip64 records when there are more than 65,535 entries or 4 GiB). The result
is an ordinary zip that ``zipfile``, ``unzip`` and every archive tool read.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

STORED, DEFLATED = 0, 8
# Every entry gets this time (2000-01-01 00:00): the same letters give the same zip bytes.
_DOS_DATE = (2000 - 1980) << 9 | 1 << 5 | 1
_DOS_TIME = 0
# rw-r--r-- on a Unix system ("made by" 3), as zipfile writes it on Linux.
_EXTERNAL = 0o644 << 16
_MADE_BY = 3
_VERSION, _VERSION_ZIP64 = 20, 45
_UTF8 = 0x800  # general purpose flag bit 11: the name is UTF-8
_LIMIT = 0xFFFFFFFF
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")


class DamagedZip(ValueError):
    """An entry of an earlier zip does not read back as it was written (what, in words)."""


@dataclass(frozen=True, slots=True)
class Packed:
    """One file ready for a zip: its name, how it is stored, its CRC-32, sizes and stored bytes."""

    name: str
    method: int
    crc: int
    size: int
    data: bytes


def pack(name: str, data: bytes, deflate: bool = True, level: int = 1) -> Packed:
    """``data`` as a zip entry: raw deflate at ``level`` (1 costs a third of zlib's default and
    the files come out barely larger), or stored as it is for formats compressed already."""
    if not deflate:
        return Packed(name, STORED, zlib.crc32(data), len(data), data)
    # A window no larger than the file (the same matches) and, for a letter's few
    # kilobytes, a smaller hash table: zlib sets up and clears a fifth of the
    # memory, which took more time than compressing (35 -> 25 us a letter, +0.2%).
    window = min(15, max(10, (len(data) - 1).bit_length()))
    c = zlib.compressobj(level, zlib.DEFLATED, -window, 7 if window <= 13 else 8)
    return Packed(name, DEFLATED, zlib.crc32(data), len(data), c.compress(data) + c.flush())


def unpack(p: Packed) -> bytes:
    """The file ``p`` holds, checked against its size and CRC-32 (DamagedZip if they differ)."""
    if p.method == STORED:
        data = p.data
    elif p.method == DEFLATED:
        try:
            d = zlib.decompressobj(-15)
            data = d.decompress(p.data) + d.flush()
        except zlib.error:
            raise DamagedZip(f"{p.name}: its compressed bytes are damaged") from None
    else:
        raise DamagedZip(f"{p.name}: compression method {p.method} is not one objector writes")
    if len(data) != p.size or zlib.crc32(data) != p.crc:
        raise DamagedZip(f"{p.name}: its bytes do not match their CRC-32")
    return data


def read_entry(fh: BinaryIO, info: zipfile.ZipInfo) -> Packed:
    """An entry of an earlier zip as it is stored (no recompressing), from the local header ``info`` points at."""
    name, stored_size = info.filename, info.compress_size
    if info.flag_bits & 0x1:
        raise DamagedZip(f"{name}: the entry is encrypted")
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL.size)
    if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
        raise DamagedZip(f"{name}: no local header where the directory points")
    fields = _LOCAL.unpack(header)
    fh.seek(fields[10] + fields[11], 1)  # past the name and the extra field
    data = fh.read(stored_size)
    if len(data) != stored_size:
        raise DamagedZip(f"{name}: the file ends inside the entry")
    return Packed(name, info.compress_type, info.CRC, info.file_size, data)


class ZipWriter:
    """Appends packed entries to ``fh`` (opened for writing at its start); ``close`` ends the zip.

    Only what a reader needs per entry (about 100 bytes) is kept until ``close``.
    """

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.offset = 0
        self.directory: list[bytes] = []
        # An entry written in part (a full disk) that could not be cut off again:
        # the bytes before the directory would no longer match its offsets.
        self.broken = False

    def add(self, p: Packed) -> None:
        """Write one entry: its local header, then its bytes as packed."""
        name = p.name.encode("utf-8")
        flags = 0 if p.name.isascii() else _UTF8
        stored = len(p.data)
        big = p.size >= _LIMIT or stored >= _LIMIT
        local_extra = struct.pack("<2H2Q", 1, 16, p.size, stored) if big else b""
        version = _VERSION_ZIP64 if big or self.offset >= _LIMIT else _VERSION
        head = _LOCAL.pack(b"PK\x03\x04", version, 0, flags, p.method, _DOS_TIME, _DOS_DATE, p.crc,
                           _LIMIT if big else stored, _LIMIT if big else p.size, len(name), len(local_extra))
        if self.broken:
            raise OSError("an earlier entry was written only in part")
        try:
            self.fh.write(head + name + local_extra)
            self.fh.write(p.data)
        except BaseException:
            self._cut()
            raise
        # The central directory's Zip64 field holds, in this order, only the
        # values too large for their 32-bit places.
        wide = [v for v in (p.size, stored, self.offset) if v >= _LIMIT]
        extra = struct.pack(f"<2H{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
        self.directory.append(_CENTRAL.pack(
            b"PK\x01\x02", version, _MADE_BY, version, 0, flags, p.method, _DOS_TIME, _DOS_DATE, p.crc,
            min(stored, _LIMIT), min(p.size, _LIMIT), len(name), len(extra), 0, 0, 0, _EXTERNAL,
            min(self.offset, _LIMIT)) + name + extra)
        self.offset += len(head) + len(name) + len(local_extra) + stored

    def _cut(self) -> None:
        """Remove what a failed ``add`` wrote, so the entries before it still make a whole zip."""
        try:
            self.fh.seek(self.offset)
            self.fh.truncate()
        except (OSError, ValueError):
            self.broken = True

    def close(self) -> None:
        """Write the central directory and the end records (Zip64 ones where a count or offset needs them)."""
        if self.broken:
            raise OSError("an entry was written only in part")
        start = self.offset
        self.fh.writelines(self.directory)
        size = sum(len(d) for d in self.directory)
        count = len(self.directory)
        if count >= 0xFFFF or start >= _LIMIT or size >= _LIMIT:
            end64 = start + size
            self.fh.write(_END64.pack(b"PK\x06\x06", _END64.size - 12, _VERSION_ZIP64, _VERSION_ZIP64,
                                      0, 0, count, count, size, start))
            self.fh.write(_LOCATOR64.pack(b"PK\x06\x07", 0, end64, 1))
        self.fh.write(_END.pack(b"PK\x05\x06", 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                                min(size, _LIMIT), min(start, _LIMIT), 0))
        self.directory = []
