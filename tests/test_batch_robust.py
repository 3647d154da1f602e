"""Batches that always end: bad rows, worker faults, signals, kill -9, a full disk, reruns, merges."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from objector.batch import Progress
from objector.cli import main

DATE = "2026-11-25"
PLACES = [("DE", ""), ("FR", ""), ("US", "CA"), ("GB", ""), ("US", "TX"), ("CA", "QC")]
OBJECTOR = [sys.executable, "-m", "objector"]
# Runs objector with faults injected where a bug would be: the reason text picks one.
# Workers are forked, so they inherit the patched function.
FAULTY = """
import os, sys
import objector.batch as b
real = b._letter_for
class Unpicklable(Exception):
    def __init__(self, a, b):  # pickle cannot rebuild it from its args
        super().__init__(a)
def fault(row, opts):
    reason = row.fields.get("reason")
    if reason == "raise unpicklable":
        raise Unpicklable("x", "y")
    if reason == "kill the worker":
        os._exit(3)
    return real(row, opts)
b._letter_for = fault
from objector.cli import main
sys.exit(main(sys.argv[1:]))
"""


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def people(path: Path, n: int, special: dict[int, str] | None = None) -> Path:
    """A CSV of n people in six places; ``special`` puts a reason on some rows (by index)."""
    lines = ["name,email,country,state,reason_preset,reason"]
    for i in range(n):
        country, state = PLACES[i % len(PLACES)]
        lines.append(f"Person {i},p{i}@example.org,{country},{state},old-content,{(special or {}).get(i, '')}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def temporaries(out: Path) -> list[str]:
    return [p.name for p in out.rglob("*") if p.name.endswith(".part") or p.name.startswith((".objector-", ".tmp-"))]


def error_rows(out: Path) -> list[list[str]]:
    return [line.split(",", 2) for line in (out / "errors.csv").read_text().splitlines()[1:]]


def manifest_rows(out: Path) -> list[int]:
    return [e["row"] for e in json.loads((out / "manifest.json").read_text())["letters"]]


def wait_for_letters(out: Path, count: int, proc: subprocess.Popen[str], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        letters = out / "letters"
        if letters.is_dir() and sum(1 for _ in letters.glob("OBJ-*")) >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"no {count} letters in time (status {proc.poll()})")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# --- faults in workers ----------------------------------------------------------------------

@pytest.mark.timeout(120)
def test_an_exception_or_a_dead_worker_fails_one_row_and_the_batch_ends(tmp_path: Path) -> None:
    # More rows than the old pool's window (jobs x 128), where an error used to deadlock it.
    src = people(tmp_path / "p.csv", 600, {9: "raise unpicklable", 299: "kill the worker"})
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-c", FAULTY, "batch", str(src), "--out", str(out), "--date", DATE,
                           "--format", "text", "--jobs", "2"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    died = "the worker process stopped (exit status 3); run the batch again to retry"
    assert error_rows(out) == [["11", "row", "internal error: Unpicklable"], ["301", "row", died]]
    assert len(manifest_rows(out)) == 598 and temporaries(out) == []


# --- signals and kill -9 ----------------------------------------------------------------------

@pytest.mark.timeout(120)
def test_sigterm_stops_at_once_with_reports_and_a_rerun_finishes(tmp_path: Path) -> None:
    src = people(tmp_path / "p.csv", 3000)
    out = tmp_path / "out"
    cmd = [*OBJECTOR, "batch", str(src), "--out", str(out), "--date", DATE, "--format", "text", "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    wait_for_letters(out, 100, proc)
    os.killpg(proc.pid, signal.SIGTERM)  # as a supervisor does: the whole group
    sent = time.monotonic()
    stdout, stderr = proc.communicate(timeout=20)
    assert time.monotonic() - sent < 5
    assert proc.returncode == 143, stderr
    assert stderr.startswith("objector: stopped by SIGTERM after ") and stderr.count("\n") == 1, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["stopped"] == "terminated" and summary["written"] == json.loads(stdout)["written"]
    assert 100 <= summary["written"] < 3000 and summary["failed"] == 0
    assert len(manifest_rows(out)) == summary["written"] and temporaries(out) == []
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["skipped"] >= summary["written"]
    assert manifest_rows(out) == list(range(2, 3002))


@pytest.mark.timeout(120)
def test_workers_of_a_killed_run_die_with_it_and_the_rerun_is_clean(tmp_path: Path) -> None:
    # PDF rows are slow: an orphaned worker would go on writing while the rerun starts.
    src = people(tmp_path / "p.csv", 40)
    out = tmp_path / "out"
    cmd = [*OBJECTOR, "batch", str(src), "--out", str(out), "--date", DATE, "--format", "pdf", "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_letters(out, 4, proc)
    workers = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
    assert len(workers) == 2
    proc.kill()  # the parent only, as the OOM killer would
    proc.wait(timeout=10)
    rerun = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # at once
    deadline = time.monotonic() + 1
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(alive(w) for w in workers)
    _, stderr = rerun.communicate(timeout=90)
    assert rerun.returncode == 0, stderr  # no valid row taken for a duplicate
    assert manifest_rows(out) == list(range(2, 42)) and temporaries(out) == []


# --- duplicates -------------------------------------------------------------------------------

@pytest.mark.timeout(60)
@pytest.mark.parametrize("how", ["clean", "clean, 2 jobs", "resumed", "dry run"])
def test_a_repeated_row_is_rejected_however_the_run_goes(tmp_path: Path, how: str) -> None:
    rows = "name,email,country,state\nJo Doe,jo@example.com,US,CA\nJo Doe,jo@example.com,US,CA\n"
    (tmp_path / "dup2.csv").write_text(rows)
    (tmp_path / "first.csv").write_text(rows.rsplit("Jo", 1)[0])
    out = tmp_path / "out"
    args = ["--out", str(out), "--date", DATE, "--format", "text"]
    if how == "resumed":
        assert cli("batch", str(tmp_path / "first.csv"), *args)[0] == 0
    extra = {"clean, 2 jobs": ["--jobs", "2"], "dry run": ["--dry-run"]}.get(how, ["--jobs", "1"])
    status, _, _ = cli("batch", str(tmp_path / "dup2.csv"), *args, *extra)
    assert status == 2
    assert error_rows(out) == [["3", "row", "same person and letter as row 2"]]
    if how != "dry run":
        assert manifest_rows(out) == [2]


# --- the output folder ------------------------------------------------------------------------

def test_only_objectors_own_leftovers_of_ended_runs_are_removed(tmp_path: Path) -> None:
    src = people(tmp_path / "p.csv", 2)
    out = tmp_path / "out"
    (out / "letters").mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (out / ".thesis.part").write_text("precious")
    (out / "letters" / ".notes.part").write_text("mine")
    (out / "letters" / f".objector-OBJ-X-{dead.pid}.part").mkdir()  # a killed run's half folder
    live = out / "letters" / f".objector-OBJ-Y-{os.getppid()}.part"  # a writer that still runs
    live.mkdir()
    status, _, _ = cli("batch", str(src), "--out", str(out), "--date", DATE, "--format", "text")
    assert status == 0
    assert (out / ".thesis.part").read_text() == "precious" and (out / "letters" / ".notes.part").exists()
    assert not (out / "letters" / f".objector-OBJ-X-{dead.pid}.part").exists() and live.is_dir()


def test_a_symlinked_out_is_refused(tmp_path: Path) -> None:
    src = people(tmp_path / "p.csv", 1)
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / ".important.part").write_text("x")
    (tmp_path / "out").symlink_to(target)
    status, stdout, err = cli("batch", str(src), "--out", str(tmp_path / "out"), "--format", "text")
    assert (status, stdout) == (2, "")
    assert err == f"objector: error: out: {tmp_path / 'out'} is a symbolic link; give the folder it points to\n"
    assert sorted(p.name for p in target.iterdir()) == [".important.part"]


def test_a_failed_write_is_one_line_naming_the_file_and_leaves_nothing_half(tmp_path: Path) -> None:
    import resource

    src = people(tmp_path / "p.csv", 20)
    out = tmp_path / "out"
    cmd = [*OBJECTOR, "batch", str(src), "--out", str(out), "--date", DATE, "--format", "text", "--jobs", "1"]

    def small_files() -> None:  # every file past 2 KB fails (EFBIG), as a full disk fails them (ENOSPC)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, preexec_fn=small_files)
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"objector: error: output: cannot write: {out}/letters/OBJ-"), line
    assert line.endswith("/letter.txt (File too large)")
    assert temporaries(out) == []
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0 and manifest_rows(out) == list(range(2, 22))


def test_print_pdf_without_the_pdf_format_is_refused_before_the_run(tmp_path: Path) -> None:
    src = people(tmp_path / "p.csv", 1)
    status, stdout, err = cli("batch", str(src), "--out", str(tmp_path / "out"), "--format", "text", "--print-pdf")
    assert (status, stdout) == (2, "")
    assert err == "objector: error: format: --print-pdf needs the pdf format (e.g. --format pdf,eml,text)\n"
    assert not (tmp_path / "out").exists()


def test_a_rerun_on_another_day_finishes_the_same_letters(tmp_path: Path) -> None:
    src = people(tmp_path / "p.csv", 3)
    out = tmp_path / "out"
    assert cli("batch", str(src), "--out", str(out), "--date", DATE, "--format", "text")[0] == 0
    status, stdout, err = cli("batch", str(src), "--out", str(out), "--format", "text")
    assert status == 0 and json.loads(stdout)["skipped"] == 3
    assert err == f"objector: note: using {DATE}, the date of the earlier batch in {out} (give --date to change it)\n"
    assert len(list((out / "letters").iterdir())) == 3


# --- progress -----------------------------------------------------------------------------------

def test_progress_line_is_cleared_and_the_first_eta_waits_for_a_rate() -> None:
    now = [0.0]
    stream = io.StringIO()
    bar = Progress(stream, total=200, clock=lambda: now[0])
    now[0] = 7.0  # workers took 7 s to start (WeasyPrint's import): the first letter is no rate
    bar.update(1)
    assert stream.getvalue().endswith("ETA --:--")
    now[0] = 9.0
    bar.update(41)  # 40 letters in the 2 s since the first: 20 letters/s, 159 to go
    first = stream.getvalue().split("\r")[-1]
    assert first.endswith("ETA 0:07")
    now[0] = 300.0
    bar.update(150)  # a slow spell: the ETA grows a digit, then shrinks back
    long = stream.getvalue().split("\r")[-1]
    now[0] = 301.0
    bar.update(199)
    last = stream.getvalue().split("\r")[-1]
    assert len(last) == len(long) and last.rstrip().endswith("ETA 0:01")


# --- shards and merge -----------------------------------------------------------------------------

CAMPAIGN = """
name = "Stop LinkedIn AI training"
reason_preset = "old-content"
[organisation]
name = "Digital Rights Example"
email = "campaign@example.org"
address = ["1 Campaign Street", "Dublin 8"]
[representation]
article_80 = true
not_for_profit = true
"""


def test_merge_refuses_a_malformed_manifest_before_writing(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "manifest.json").write_text('{"objector_manifest": 1, "letters": [{"row": 2}]}')
    status, _, err = cli("merge", str(tmp_path / "a"), "--out", str(tmp_path / "m"))
    assert status == 2
    assert err == (f"objector: error: folder: {tmp_path / 'a' / 'manifest.json'} is not an objector manifest "
                   "(letter 1 lacks a field or has one of the wrong type)\n")
    assert not (tmp_path / "m").exists()


def test_merged_shards_match_one_run_with_one_covering_letter(tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text("name,email,country\nAnn Lee,ann@example.org,IE\nAnn Lee,ann@example.org,IE\n"
                   "Bo Bad,not-an-email,DE\nCy Fox,cy@example.org,FR\nDi Ray,di@example.org,NL\n")
    campaign = tmp_path / "campaign.toml"
    campaign.write_text(CAMPAIGN)
    common = ["--date", DATE, "--format", "text", "--campaign", str(campaign)]
    assert cli("batch", str(src), "--out", str(tmp_path / "full"), *common)[0] == 2
    for k in (1, 2):
        status, _, err = cli("batch", str(src), "--out", str(tmp_path / f"s{k}"), *common, "--shard", f"{k}/2")
        assert "writes no covering letters" in err
        assert not list((tmp_path / f"s{k}").glob("covering-letter-*"))
    status, _, err = cli("merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out", str(tmp_path / "m"),
                         "--campaign", str(campaign))
    assert status == 2 and "merged 3 letters" in err and "1 of them repeating an earlier row" in err
    full, merged = tmp_path / "full", tmp_path / "m"
    assert manifest_rows(merged) == manifest_rows(full) == [2, 5, 6]
    assert (merged / "errors.csv").read_text() == (full / "errors.csv").read_text()
    covering = sorted(p.name for p in merged.glob("covering-letter-*"))
    assert covering == sorted(p.name for p in full.glob("covering-letter-*")) and len(covering) == 2
    for name in covering:
        assert (merged / name).read_text() == (full / name).read_text()


# --- stress -----------------------------------------------------------------------------------------

def _stress_input(path: Path) -> tuple[Path, set[int], set[int]]:
    """5,000 JSONL rows in six places, with bad records and repeats injected; returns the bad and repeated lines."""
    lines, bad, repeats = [], set(), set()
    hostile = ['{"name": "Anna \\ud800 Muster", "email": "s@example.org", "country": "US", "state": "CA"}',
               "{not json", '{"name": 12345, "email": "n@example.org", "country": "FR"}',
               '{"name": "Bad Mail", "email": "nope", "country": "DE"}', "[" * 10000 + "]" * 10000,
               '{"name": "Big", "email": "b@example.org", "country": "FR", "reason": ' + "9" * 5000 + "}"]
    for i in range(5000):
        if i % 250 == 125:
            lines.append(hostile[(i // 250) % len(hostile)])
            bad.add(i + 1)
        elif i % 500 == 7:
            lines.append(lines[i - 5])  # the same person and letter as five lines up
            repeats.add(i + 1)
        else:
            country, state = PLACES[i % len(PLACES)]
            lines.append(json.dumps({"name": f"Member {i}", "email": f"m{i}@example.org", "country": country,
                                     "state": state, "reason_preset": "old-content"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, bad, repeats


@pytest.mark.stress
@pytest.mark.timeout(240)
def test_stress_bad_rows_a_full_disk_and_sigint_always_end_and_a_rerun_completes(tmp_path: Path) -> None:
    src, bad, repeats = _stress_input(tmp_path / "members.jsonl")
    good = [n for n in range(1, 5001) if n not in bad | repeats]
    argv = ["batch", str(src), "--date", DATE, "--format", "text", "--jobs", "2"]

    # 1. A full disk: a 1 MB tmpfs in a private mount namespace, then room made and the same command again.
    #    Where no mount namespace can be made, a 2 KB file size limit (EFBIG) stands in for ENOSPC.
    disk = tmp_path / "disk"
    disk.mkdir()
    cmd = " ".join(map(shlex_quote, [*OBJECTOR, *argv, "--out", str(disk / "out")]))
    script = (f"mount -t tmpfs -o size=1m tmpfs {disk} || exit 99\n"
              f"{cmd} >{tmp_path}/a.out 2>{tmp_path}/a.err; echo $? >{tmp_path}/a.status\n"
              f"find {disk}/out -name '.*' ! -name .fingerprint >{tmp_path}/a.left\n"
              f"mount -o remount,size=128m {disk}\n"
              f"{cmd} >{tmp_path}/b.out 2>{tmp_path}/b.err; echo $? >{tmp_path}/b.status\n"
              f"find {disk}/out -name '.*' ! -name .fingerprint >>{tmp_path}/a.left\n"
              f"cp {disk}/out/manifest.json {tmp_path}/b.manifest.json\n")
    ns = _in_own_group(["unshare", "-rm", "sh", "-c", script], timeout=150) if shutil.which("unshare") else None
    if ns is not None and ns.returncode == 0:
        first_err = (tmp_path / "a.err").read_text()
        assert (tmp_path / "a.status").read_text() == "1\n", first_err
        (line,) = first_err.splitlines()
        assert line.startswith(f"objector: error: output: cannot write: {disk}/out/"), line
        assert line.endswith("(No space left on device)"), line
        assert (tmp_path / "a.left").read_text() == ""  # no temporary or partial file, before or after
        assert (tmp_path / "b.status").read_text() == "2\n", (tmp_path / "b.err").read_text()
        finished = json.loads((tmp_path / "b.manifest.json").read_text())["letters"]
        assert [e["row"] for e in finished] == good
    else:
        import resource

        def small_files() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

        out = disk / "out"
        full = subprocess.run([*OBJECTOR, *argv, "--out", str(out)], capture_output=True, text=True, timeout=60,
                              preexec_fn=small_files)
        assert full.returncode == 1 and full.stderr.count("\n") == 1 and "(File too large)" in full.stderr
        assert temporaries(out) == []
        assert subprocess.run([*OBJECTOR, *argv, "--out", str(out)], timeout=120).returncode == 2
        assert manifest_rows(out) == good

    # 2. Ctrl-C (SIGINT to the process group, as a terminal sends it) half-way, then the same command again.
    out = tmp_path / "out"
    proc = subprocess.Popen([*OBJECTOR, *argv, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    wait_for_letters(out, 300, proc)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130, stderr
    assert stderr.startswith("objector: interrupted after ") and stderr.count("\n") == 1, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["stopped"] == "interrupted" and summary["rows"] == json.loads(stdout)["rows"] < 5000
    assert set(manifest_rows(out)) <= set(good) and temporaries(out) == []
    rerun = subprocess.run([*OBJECTOR, *argv, "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 2, rerun.stderr
    assert manifest_rows(out) == good
    rejected = {int(r[0]): r for r in error_rows(out)}
    assert set(rejected) == bad | repeats
    assert all(rejected[n][2] == f"same person and letter as row {n - 5}" for n in repeats)
    assert rejected[126][1] == "name" and temporaries(out) == []


def _in_own_group(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in its own process group; on timeout the whole group is killed, grandchildren too."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def shlex_quote(s: str) -> str:
    import shlex

    return shlex.quote(s)
