"""Batch output into one zip (--archive zip): the same bundles as folders, atomic, resumable."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from objector.archive import archive_name
from objector.batch import BatchOptions, run, run_batch

DAY = dt.date(2026, 11, 25)
PLACES = [("DE", ""), ("GB", ""), ("US", "CA"), ("FR", ""), ("BR", "")]


def _people(path: Path, n: int, start: int = 0) -> Path:
    lines = ["name,email,country,state,locale,reason_preset"]
    for i in range(start, start + n):
        country, state = PLACES[i % len(PLACES)]
        lines.append(f"Person {i} Example,person{i}@example.org,{country},{state},en,old-content")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _opts(out: Path, formats: tuple[str, ...] = ("text", "eml"), **kw: object) -> BatchOptions:
    return BatchOptions(out=out, formats=formats, on=DAY, archive="zip", **kw)  # type: ignore[arg-type]


def _zip(out: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(out / "letters.zip") as zf:
        assert zf.testzip() is None
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.rglob(".objector-*"))


def test_zip_holds_the_same_bundles_as_folders(tmp_path: Path) -> None:
    people = _people(tmp_path / "people.csv", 12)
    run_batch(people, BatchOptions(out=tmp_path / "folders", formats=("text", "eml", "json"), on=DAY))
    summary = run_batch(people, _opts(tmp_path / "zip", ("text", "eml", "json")))
    assert (summary.written, summary.failed) == (12, 0)
    folders = {str(p.relative_to(tmp_path / "folders")): p.read_bytes()
               for p in (tmp_path / "folders" / "letters").rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert _zip(tmp_path / "zip") == folders
    assert not (tmp_path / "zip" / "letters").exists()  # no folder was written, not even an empty letters/
    manifest = json.loads((tmp_path / "zip" / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["letters"]:
        for name, digest in entry["files"].items():
            assert hashlib.sha256(folders[f"letters/{entry['reference']}/{name}"]).hexdigest() == digest
    assert _leftovers(tmp_path / "zip") == []
    # The same input gives the same zip, byte for byte.
    first = (tmp_path / "zip" / "letters.zip").read_bytes()
    (tmp_path / "zip" / "letters.zip").unlink()
    run_batch(people, _opts(tmp_path / "zip", ("text", "eml", "json")))
    assert (tmp_path / "zip" / "letters.zip").read_bytes() == first


def test_a_stopped_run_leaves_a_whole_zip_and_a_rerun_finishes_the_rest(tmp_path: Path) -> None:
    people = _people(tmp_path / "people.csv", 10)
    out = tmp_path / "out"
    results = run(people, _opts(out))
    done = [next(results) for _ in range(4)]
    assert not (out / "letters.zip").exists()  # nothing appears before the run ends
    results.close()  # the run ends early, as on SIGINT
    first = _zip(out)
    assert {name.split("/")[1] for name in first} == {r.reference for r in done}
    assert len(first) == 8 and _leftovers(out) == []
    summary = run_batch(people, _opts(out))
    assert (summary.skipped, summary.written) == (4, 6)
    after = _zip(out)
    assert len(after) == 20 and all(after[name] == data for name, data in first.items())
    # Skipped rows get their hashes from the zip.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(len(e["files"]) == 2 for e in manifest["letters"])


def test_a_rerun_adds_formats_and_keeps_bundles_of_other_inputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(_people(tmp_path / "a.csv", 3), _opts(out, ("text",)))
    summary = run_batch(_people(tmp_path / "b.csv", 3, start=2), _opts(out, ("text", "json")))
    assert (summary.written, summary.skipped) == (3, 0)  # row 1 of b lacked only its JSON
    names = _zip(out)
    refs = {name.split("/")[1] for name in names}
    assert len(refs) == 5  # persons 0-4
    assert sum(name.endswith("letter.json") for name in names) == 3
    assert sum(name.endswith("letter.txt") for name in names) == 5


def test_a_broken_zip_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "letters.zip").write_bytes(b"not a zip")
    with pytest.raises(OSError, match="not a zip file"):
        run_batch(_people(tmp_path / "people.csv", 2), _opts(out))
    assert (out / "letters.zip").read_bytes() == b"not a zip"


def test_a_zip_with_a_damaged_entry_is_not_resumed_from(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(_people(tmp_path / "people.csv", 3), _opts(out, ("text",)))
    with zipfile.ZipFile(out / "letters.zip") as zf:
        info = zf.infolist()[1]
    data = bytearray((out / "letters.zip").read_bytes())
    data[info.header_offset + 30 + len(info.filename) + 2] ^= 0xFF  # a byte of its compressed text
    (out / "letters.zip").write_bytes(bytes(data))
    with pytest.raises(OSError, match="not a zip file objector can resume") as exc:
        run_batch(_people(tmp_path / "people.csv", 3), _opts(out, ("text",)))
    assert info.filename in str(exc.value)
    assert (out / "letters.zip").read_bytes() == bytes(data)  # left as it was, for the person to look at
    assert _leftovers(out) == []


def test_shards_get_their_own_zip() -> None:
    assert archive_name((1, 1)) == "letters.zip"
    assert archive_name((2, 4)) == "letters-2-of-4.zip"


@pytest.mark.timeout(120)
def test_cli_archive_with_two_workers(tmp_path: Path) -> None:
    people = _people(tmp_path / "people.csv", 30)
    cmd = [sys.executable, "-m", "objector", "batch", str(people), "--out", str(tmp_path / "out"),
           "--format", "text,eml", "--jobs", "2", "--archive", "zip", "--date", DAY.isoformat()]
    done = subprocess.run(cmd, capture_output=True, timeout=100, text=True)
    assert done.returncode == 0, done.stderr
    assert len(_zip(tmp_path / "out")) == 60
    refused = subprocess.run([*cmd, "--print-pdf", "--format", "pdf"], capture_output=True, timeout=100, text=True)
    assert refused.returncode == 2 and "--archive" in refused.stderr
