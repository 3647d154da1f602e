"""The zip writer for archive batches: entries packed by workers make a zip every reader accepts."""

from __future__ import annotations

import binascii
import dataclasses
import io
import quopri
import random
import subprocess
import zipfile
from pathlib import Path

import pytest

from objector.output.eml import quoted_printable
from objector.zipstream import DEFLATED, STORED, DamagedZip, ZipWriter, pack, read_entry, unpack

FILES = {
    "letters/OBJ-1/letter.txt": b"Dear LinkedIn,\n\nI object.\n" * 40,
    "letters/OBJ-1/letter.pdf": bytes(range(256)) * 9,
    "letters/OBJ-2/letter.eml": "Grüße, Ωμέγα, 日本語 — مرحبا\n".encode() * 30,
    "letters/ÜBER/letter.json": b"{}",  # a non-ASCII name (UTF-8 flag)
    "letters/OBJ-3/empty.txt": b"",
}


def _write(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    w = ZipWriter(buf)
    for name, data in files.items():
        w.add(pack(name, data, deflate=not name.endswith(".pdf")))
    w.close()
    return buf.getvalue()


def test_the_zip_reads_back_with_zipfile() -> None:
    data = _write(FILES)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert [i.filename for i in zf.infolist()] == list(FILES)
        assert {i.filename: zf.read(i) for i in zf.infolist()} == FILES
        methods = {i.filename: i.compress_type for i in zf.infolist()}
        assert methods["letters/OBJ-1/letter.pdf"] == zipfile.ZIP_STORED
        assert methods["letters/OBJ-1/letter.txt"] == zipfile.ZIP_DEFLATED
        for info in zf.infolist():
            assert info.date_time == (2000, 1, 1, 0, 0, 0)
            assert (info.external_attr >> 16) == 0o644


def test_unzip_accepts_it(tmp_path: Path) -> None:
    path = tmp_path / "letters.zip"
    path.write_bytes(_write(FILES))
    done = subprocess.run(["unzip", "-tq", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_same_files_give_the_same_bytes() -> None:
    assert _write(FILES) == _write(dict(FILES))
    assert _write(FILES) != _write({**FILES, "letters/OBJ-3/empty.txt": b"x"})


def test_more_than_65535_entries_get_zip64_end_records() -> None:
    files = {f"letters/{i}/a.txt": b"" for i in range(65_540)}
    data = _write(files)
    assert b"PK\x06\x06" in data[-200:]  # the Zip64 end of central directory
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        assert len(infos) == 65_540 and infos[-1].filename == "letters/65539/a.txt"


def test_entries_beyond_4_gib_carry_their_offset_in_a_zip64_field(tmp_path: Path) -> None:
    # A sparse file: the first 4 GiB are a hole, as if earlier entries were there.
    path = tmp_path / "big.zip"
    with path.open("wb") as fh:
        w = ZipWriter(fh)
        w.add(pack("letters/OBJ-0/letter.txt", b"first"))
        start = 2**32 + 10
        fh.seek(start)
        w.offset = start
        w.add(pack("letters/OBJ-1/letter.txt", b"second entry " * 100))
        w.close()
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        assert infos[1].header_offset == start
        assert zf.read(infos[1]) == b"second entry " * 100
        assert zf.read(infos[0]) == b"first"


@pytest.mark.parametrize("name", list(FILES))
def test_an_entry_copied_as_stored_is_the_same_entry(name: str) -> None:
    data = _write(FILES)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    p = read_entry(io.BytesIO(data), info)
    assert p.method == (STORED if name.endswith(".pdf") else DEFLATED)
    assert unpack(p) == FILES[name]


def test_damaged_bytes_are_caught() -> None:
    p = pack("a.txt", b"hello " * 100)
    with pytest.raises(DamagedZip, match="do not match their CRC-32"):
        unpack(dataclasses.replace(p, crc=p.crc ^ 1))
    with pytest.raises(DamagedZip, match="damaged"):
        unpack(dataclasses.replace(p, data=b"\xff" + p.data[1:]))
    info = zipfile.ZipInfo("a.txt")
    info.header_offset, info.compress_type, info.file_size, info.compress_size = 10, DEFLATED, 1, 1
    with pytest.raises(DamagedZip, match="no local header"):
        read_entry(io.BytesIO(b"x" * 100), info)
    info.flag_bits = 1
    with pytest.raises(DamagedZip, match="encrypted"):
        read_entry(io.BytesIO(b""), info)


class _FullDisk(io.BytesIO):
    """A file that takes ``room`` more bytes, half of the next write, then fails."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, b: bytes) -> int:  # type: ignore[override]
        if len(b) > self.room:
            super().write(bytes(b)[: self.room // 2])
            self.room = 0
            raise OSError(28, "No space left on device")
        self.room -= len(b)
        return super().write(b)


def test_an_entry_written_in_part_is_cut_off_and_the_zip_stays_whole() -> None:
    fh = _FullDisk(room=3_000)
    w = ZipWriter(fh)
    w.add(pack("letters/A/a.txt", b"a" * 100))
    with pytest.raises(OSError, match="No space"):
        w.add(pack("letters/B/b.pdf", bytes(5_000), deflate=False))
    fh.room = 10_000
    w.close()
    with zipfile.ZipFile(io.BytesIO(fh.getvalue())) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == ["letters/A/a.txt"]


def test_a_writer_that_cannot_cut_refuses_to_close() -> None:
    class NoSeek(_FullDisk):
        def seek(self, *a: object) -> int:  # type: ignore[override]
            raise OSError(29, "Illegal seek")

    w = ZipWriter(NoSeek(room=10))
    with pytest.raises(OSError, match="No space"):
        w.add(pack("a.txt", b"x" * 100))
    with pytest.raises(OSError, match="only in part"):
        w.close()


# quoted_printable encodes line by line and reuses lines; it must equal the standard library.
_PIECES = ["a", " ", "\t", "\n", "=", ".", "é", "😀", "x" * 80, "  \n", "From ", "\u00a0", "\x00", "\n\n",
           ". \n", "\u2028", "\r", "\r\n", "ü" * 30]


@pytest.mark.parametrize("seed", range(20))
def test_quoted_printable_is_the_standard_encoding(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(500):
        text = "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, 40))).encode("utf-8")
        # Twice: the second time lines come from the cache.
        assert quoted_printable(text) == quopri.encodestring(text) == binascii.b2a_qp(text)
        assert quoted_printable(text) == quopri.encodestring(text)
