"""Batches: mixed input, error reports, determinism, kill -9 and resume, shards, campaigns, print PDF."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from objector.batch import BatchOptions, Row, merge_manifests, run, run_batch
from objector.campaign import CampaignError, load_campaign
from objector.cli import main
from objector.rows import read_rows, safe_cell

DATE = "2026-11-25"
MIXED = """\ufeffname;e-mail;country;state;locale;reason_preset;address;kind
Anna Müller;anna@example.org;DE;BY;en_GB;creative-work;Hauptstraße 1|80331 München;
Jo Doe;jo@example.com;US;CA;;;;
Bad Mail;not-an-email;FR;;;;;
Nobody;nobody@example.org;XX;;;;;
Li Wei;li@example.org;HK;;;;;
Sam Taylor;sam@example.org;GB;;;job-seeker;;
Pat Smith;pat@example.org;FR;;;;;
=cmd|' /C calc'!A0;formula@example.org;CA;QC;;;;
Jean Tremblay;jean@example.org;CA;QC;;;;erasure
No State;nostate@example.org;US;;;;;
Rita Rossi;rita@example.org;IT;;en_US;safety;;objection
"""


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(MIXED, encoding="utf-8")
    return path


def test_mixed_csv_produces_every_valid_bundle_and_an_error_report(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    status, stdout, stderr = cli("batch", str(mixed), "--out", str(out), "--date", DATE, "--jobs", "2",
                                 "--format", "text,eml,json")
    assert status == 2  # rows were rejected
    summary = json.loads(stdout)
    assert (summary["rows"], summary["written"], summary["rejected"]) == (11, 7, 4)
    assert stderr == f"objector: 4 row(s) rejected, 0 failed: see {out / 'errors.csv'}\n"
    errors = (out / "errors.csv").read_text().splitlines()
    assert errors[0] == "row,field,message"
    assert [line.split(",")[:2] for line in errors[1:]] == [["4", "email"], ["5", "country"], ["8", "reason"],
                                                             ["11", "state"]]
    manifest = json.loads((out / "manifest.json").read_text())["letters"]
    assert [e["row"] for e in manifest] == [2, 3, 6, 7, 9, 10, 12]
    regimes = {e["name"]: e["regime"] for e in manifest}
    assert regimes == {"Anna Müller": "eu-gdpr", "Jo Doe": "us-ca", "Li Wei": "hk-pdpo", "Sam Taylor": "uk-gdpr",
                       "=cmd|' /C calc'!A0": "ca-qc", "Jean Tremblay": "ca-qc", "Rita Rossi": "eu-gdpr"}
    assert {e["locale"] for e in manifest} >= {"en_GB", "en_US"}
    for e in manifest:
        folder = out / "letters" / e["reference"]
        # The deliverables, and the hidden fingerprint of the letter the folder holds.
        assert sorted(p.name for p in folder.iterdir()) == [".fingerprint", "letter.eml", "letter.json",
                                                            "letter.txt"]
        import hashlib
        for name, digest in e["files"].items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    # Spreadsheet formula injection is neutralised in the CSV reports.
    csv_text = (out / "manifest.csv").read_text()
    assert "\n9,OBJ-" in csv_text and ",'=cmd|' /C calc'!A0," in csv_text.replace('"', "")


def test_same_input_gives_byte_identical_output(mixed: Path, tmp_path: Path) -> None:
    for name, jobs in (("a", "1"), ("b", "2")):
        cli("batch", str(mixed), "--out", str(tmp_path / name), "--date", DATE, "--jobs", jobs,
            "--format", "pdf,eml,text,html,ics,howto,json")
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a.keys() == b.keys()
    assert a == b


def test_rerun_skips_finished_bundles(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli("batch", str(mixed), "--out", str(out), "--date", DATE, "--format", "text")
    stamps = {p: p.stat().st_mtime_ns for p in (out / "letters").rglob("*")}
    _status, stdout, _ = cli("batch", str(mixed), "--out", str(out), "--date", DATE, "--format", "text")
    assert json.loads(stdout)["skipped"] == 7 and json.loads(stdout)["written"] == 0
    assert {p: p.stat().st_mtime_ns for p in (out / "letters").rglob("*")} == stamps


def test_a_folder_holding_another_letter_is_never_overwritten_or_pointed_at(mixed: Path, tmp_path: Path) -> None:
    # A reference collision, simulated: the folder of Jo Doe's reference holds a
    # letter with another fingerprint. Her row fails; the folder is left as it was.
    out = tmp_path / "out"
    cli("batch", str(mixed), "--out", str(out), "--date", DATE, "--format", "text")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    jo = next(e for e in manifest["letters"] if e["regime"] == "us-ca")
    folder = out / "letters" / jo["reference"]
    (folder / ".fingerprint").write_text("0" * 64, encoding="ascii")
    before = tree(folder)
    status, stdout, _ = cli("batch", str(mixed), "--out", str(out), "--date", DATE, "--format", "text,json")
    assert status == 2 and json.loads(stdout)["failed"] == 1
    assert tree(folder) == before
    errors = (out / "errors.csv").read_text(encoding="utf-8")
    assert "another letter already has this reference" in errors
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert jo["reference"] not in {e["reference"] for e in manifest["letters"]}


def _many(path: Path, n: int) -> None:
    countries = [("DE", ""), ("FR", ""), ("US", "CA"), ("GB", ""), ("US", "TX"), ("CA", "QC")]
    lines = ["name,email,country,state,reason_preset"]
    for i in range(n):
        country, state = countries[i % len(countries)]
        lines.append(f"Person {i},p{i}@example.org,{country},{state},old-content")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_kill_9_and_rerun_completes_the_set(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    _many(people, 60)
    cmd = [sys.executable, "-m", "objector", "batch", str(people), "--date", DATE, "--jobs", "2",
           "--format", "pdf,eml,text"]
    subprocess.run([*cmd, "--out", str(tmp_path / "clean")], check=True, capture_output=True)
    out = tmp_path / "killed"
    proc = subprocess.Popen([*cmd, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = list((out / "letters").glob("OBJ-*")) if (out / "letters").is_dir() else []
        if len(done) >= 10:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, mid-write
    proc.wait()
    before = {p.name: p.stat().st_ino for p in (out / "letters").glob("OBJ-*")}
    assert 10 <= len(before) < 60
    subprocess.run([*cmd, "--out", str(out)], check=True, capture_output=True)
    after = {p.name: p.stat().st_ino for p in (out / "letters").glob("OBJ-*")}
    assert len(after) == 60
    assert all(after[name] == ino for name, ino in before.items())  # finished bundles were not redone
    # No temporary files, same bytes (the run summary counts what this run did, so it differs).
    clean = tree(tmp_path / "clean")
    assert {k: v for k, v in tree(out).items() if k != "summary.json"} == {
        k: v for k, v in clean.items() if k != "summary.json"}


def test_dry_run_validates_without_writing_letters(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    status, stdout, _ = cli("batch", str(mixed), "--out", str(out), "--date", DATE, "--dry-run")
    assert status == 2
    summary = json.loads(stdout)
    assert (summary["valid"], summary["rejected"], summary["written"]) == (7, 4, 0)
    assert not (out / "letters").exists() and not (out / "manifest.json").exists()
    assert (out / "errors.csv").is_file()


def test_shards_split_deterministically_and_merge(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    _many(people, 11)
    full, s1, s2 = tmp_path / "full", tmp_path / "s1", tmp_path / "s2"
    cli("batch", str(people), "--out", str(full), "--date", DATE, "--format", "text")
    cli("batch", str(people), "--out", str(s1), "--date", DATE, "--format", "text", "--shard", "1/2")
    cli("batch", str(people), "--out", str(s2), "--date", DATE, "--format", "text", "--shard", "2/2")
    rows1 = [e["row"] for e in json.loads((s1 / "manifest.json").read_text())["letters"]]
    rows2 = [e["row"] for e in json.loads((s2 / "manifest.json").read_text())["letters"]]
    assert rows1 == [2, 4, 6, 8, 10, 12] and rows2 == [3, 5, 7, 9, 11]
    status, _, err = cli("merge", str(s2), str(s1), "--out", str(tmp_path / "merged"))
    assert status == 0 and "merged 11 letters" in err
    merged = json.loads((tmp_path / "merged" / "manifest.json").read_text())["letters"]
    assert merged == json.loads((full / "manifest.json").read_text())["letters"]
    assert (tmp_path / "merged" / "manifest.csv").read_text() == (full / "manifest.csv").read_text()
    with pytest.raises(Exception, match="more than one manifest"):
        merge_manifests([s1, s1], tmp_path / "twice")


@pytest.mark.parametrize("bad", ["0/2", "3/2", "x", "1/0"])
def test_bad_shard_is_exit_2(bad: str, mixed: Path, tmp_path: Path) -> None:
    status, _, err = cli("batch", str(mixed), "--out", str(tmp_path / "o"), "--shard", bad)
    assert status == 2 and err.startswith("objector: error: shard: ")


def test_missing_column_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("name,country\nA,DE\n")
    status, out, err = cli("batch", str(path), "--out", str(tmp_path / "o"))
    assert (status, out) == (2, "")
    assert err == f"objector: error: columns: {path} lacks the required column(s) email (it has: name, country)\n"


def test_jsonl_input(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text("\n".join([
        json.dumps({"name": "Ann", "email": "ann@example.org", "country": "IE", "reason_preset": "job-seeker",
                    "address": ["1 Street", "Dublin"]}),
        "{not json",
        json.dumps(["a list"]),
        "",
        json.dumps({"name": "Bo", "email": "bo@example.org", "country": "US", "state": "VA"}),
    ]) + "\n")
    results = list(run(path, BatchOptions(out=tmp_path / "o", formats=("text",), dry_run=True)))
    assert [(r.row, r.status) for r in results] == [(1, "valid"), (2, "rejected"), (3, "rejected"), (5, "valid")]
    assert results[1].message and results[1].message.startswith("invalid JSON")


def test_delimiters_are_sniffed(tmp_path: Path) -> None:
    for delimiter in (",", ";", "\t", "|"):
        path = tmp_path / f"p{ord(delimiter)}.csv"
        path.write_text(delimiter.join(["name", "email", "country"]) + "\n"
                        + delimiter.join(["Ann Lee", "ann@example.org", "IE"]) + "\n", encoding="utf-8")
        (row,) = list(read_rows(path))
        assert row.fields == {"name": "Ann Lee", "email": "ann@example.org", "country": "IE"}


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=x", "'\t=x"),
    ("Anna", "Anna"), ("", ""), (None, ""),
])
def test_formula_neutralisation(value: str | None, safe: str) -> None:
    assert safe_cell(value) == safe


def test_library_yields_results_in_input_order(tmp_path: Path) -> None:
    rows = [Row(i, {"name": f"P{i}", "email": f"p{i}@example.org", "country": "US", "state": "CA"})
            for i in range(2, 40)]
    results = list(run(rows, BatchOptions(out=tmp_path / "o", formats=("text",), jobs=2)))
    assert [r.row for r in results] == list(range(2, 40))
    assert all(r.status == "written" for r in results)


# --- campaigns ----------------------------------------------------------------------------

CAMPAIGN = """
name = "Stop LinkedIn AI training"
reason_preset = "old-content"
locale = "en_GB"
extra_paragraphs = ["I am writing as part of a campaign by Digital Rights Example."]
{templates}

[organisation]
name = "Digital Rights Example"
email = "campaign@example.org"
address = ["1 Campaign Street", "Dublin 8"]
website = "https://example.org"

[representation]
article_80 = true
not_for_profit = true
"""


def _campaign(tmp_path: Path, body: str | None = None) -> Path:
    folder = tmp_path / "campaign"
    (folder / "tpl" / "letter").mkdir(parents=True)
    if body is not None:
        (folder / "tpl" / "letter" / "body.txt.jinja").write_text(body)
    path = folder / "campaign.toml"
    path.write_text(CAMPAIGN.format(templates='templates = "tpl"' if body is not None else ""))
    return path


def test_campaign_letters_mandates_and_covering_letters(mixed: Path, tmp_path: Path) -> None:
    body = ('{% extends "objector/letter/body.txt.jinja" %}\n{% block closing %}\nWith kind regards,\n\n'
            '{{ person.name }}\n{% endblock %}\n')
    out = tmp_path / "out"
    status, _stdout, _ = cli("batch", str(mixed), "--out", str(out), "--date", DATE, "--format", "pdf,text,html",
                            "--campaign", str(_campaign(tmp_path, body)), "--print-pdf")
    assert status == 2  # the campaign's default grounds cover row 8, three rows stay bad
    manifest = json.loads((out / "manifest.json").read_text())["letters"]
    by_name = {e["name"]: e for e in manifest}
    anna = out / "letters" / by_name["Anna Müller"]["reference"]
    text = (anna / "letter.txt").read_text()
    assert "I am writing as part of a campaign by Digital Rights Example." in text
    assert "I have mandated Digital Rights Example" in text and "GDPR Art. 80(1)" in text
    assert text.rstrip().endswith("With kind regards,\n\nAnna Müller")
    assert "Digital Rights Example · campaign@example.org" in (anna / "letter.html").read_text()
    assert "Mandate under GDPR Art. 80(1)" in (anna / "mandate.txt").read_text()
    mandate_pdf = pypdf.PdfReader(anna / "mandate.pdf")
    assert "Mandate under GDPR Art. 80(1)" in mandate_pdf.pages[0].extract_text()
    assert mandate_pdf.metadata is not None and mandate_pdf.metadata.author == "Anna Müller"
    jo = out / "letters" / by_name["Jo Doe"]["reference"]
    assert not (jo / "mandate.txt").exists()  # no Art. 80 outside the GDPR
    assert "I have mandated" not in (jo / "letter.txt").read_text()
    ireland = (out / "covering-letter-linkedin-ireland-unlimited-company.txt").read_text()
    assert "Subject: 3 letters from members of Digital Rights Example, represented under GDPR Art. 80(1)" in ireland
    uk = (out / "covering-letter-linkedin-corporation.txt").read_text()
    assert "Subject: 1 letter from a member of Digital Rights Example, represented under UK GDPR Art. 80(1)" in uk
    annex = (out / "covering-letter-linkedin-ireland-unlimited-company-annex.csv").read_text().splitlines()
    assert annex[0] == "reference,name,email,date,due" and len(annex) == 4
    pages = sum(len(pypdf.PdfReader(out / "letters" / e["reference"] / "letter.pdf").pages) for e in manifest)
    odd = sum(len(pypdf.PdfReader(out / "letters" / e["reference"] / "letter.pdf").pages) % 2 for e in manifest)
    assert len(pypdf.PdfReader(out / "print.pdf").pages) == pages + odd


@pytest.mark.parametrize(("body", "message"), [
    ('{% extends "objector/letter/body.txt.jinja" %}\n{% block closing %}\n'
     "{{ ''.__class__.__mro__[1].__subclasses__() }}\n{% endblock %}\n",
     "campaign template letter/body.txt.jinja, line 3: SecurityError: access to attribute '__class__'"),
    ('{% include "/etc/passwd" %}\n',
     "campaign template letter/body.txt.jinja, line 1: SecurityError: '/etc/passwd' may not be loaded"),
    ('{% include "../../../../etc/hostname" %}\n',
     "campaign template letter/body.txt.jinja, line 1: SecurityError: '../../../../etc/hostname' may not be loaded"),
    ("line one\n{% if %}\n", "campaign template letter/body.txt.jinja, line 2: "),
    ("{{ range(10**9)|list }}\n", "campaign template letter/body.txt.jinja, line 1: OverflowError"),
    ("{{ person.__init__.__globals__ }}\n", "campaign template letter/body.txt.jinja, line 1: SecurityError"),
])
def test_hostile_campaign_template_is_refused(mixed: Path, tmp_path: Path, body: str, message: str) -> None:
    out = tmp_path / "out"
    status, stdout, err = cli("batch", str(mixed), "--out", str(out), "--date", DATE, "--format", "text",
                              "--campaign", str(_campaign(tmp_path, body)))
    assert (status, stdout) == (2, "")
    assert err.startswith(f"objector: error: {message}"), err
    assert err.count("\n") == 1
    assert not out.exists()  # refused before any letter is written


def test_campaign_file_errors_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('name = "x"\n[organisation]\nname = "Org"\nemail = "not-an-email"\n')
    with pytest.raises(CampaignError, match=r"c\.toml: organisation\.email: "):
        load_campaign(path)
    path.write_text('name = "x"\ncolour = "red"\n')
    with pytest.raises(CampaignError, match=r"c\.toml: colour: Extra inputs are not permitted"):
        load_campaign(path)
    path.write_text('name = "x"\n[representation]\narticle_80 = true\n')
    with pytest.raises(CampaignError, match="needs an \\[organisation\\]"):
        load_campaign(path)


def test_run_batch_as_a_library(mixed: Path, tmp_path: Path) -> None:
    summary = run_batch(mixed, BatchOptions(out=tmp_path / "o", formats=("text",),
                                            on=__import__("datetime").date(2026, 11, 25)))
    assert (summary.written, summary.rejected, summary.exit_status) == (7, 4, 2)


def test_the_same_person_twice_is_rejected_once(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("name,email,country\nAnn Lee,ann@example.org,US\n".replace(",US\n", ",IE\n")
                    + "Ann Lee,ann@example.org,IE\n")
    status, stdout, _ = cli("batch", str(path), "--out", str(tmp_path / "o"), "--date", DATE, "--format", "text",
                            "--campaign", str(_campaign(tmp_path)))
    assert status == 2 and json.loads(stdout)["written"] == 1
    assert (tmp_path / "o" / "errors.csv").read_text().splitlines()[1] == \
        "3,row,same person and letter as row 2"


def test_progress_bar_shows_rate_and_eta() -> None:
    from objector.batch import Progress

    stream = io.StringIO()
    bar = Progress(stream, total=200)
    bar.update(50, final=True)
    line = stream.getvalue()
    assert line.startswith("\r[" + "#" * 7 + " " * 23 + "] 50/200  25%")
    assert "letters/s  ETA " in line and line.endswith("\n")


def test_a_corrected_row_is_a_new_letter_and_new_formats_are_added(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    out = tmp_path / "o"
    path.write_text("name,email,country,reason\nEve Lee,eve@example.org,DE,first reason\n")
    cli("batch", str(path), "--out", str(out), "--date", DATE, "--format", "text")
    path.write_text("name,email,country,reason\nEve Lee,eve@example.org,DE,corrected reason\n")
    status, stdout, _ = cli("batch", str(path), "--out", str(out), "--date", DATE, "--format", "text,html")
    assert status == 0 and json.loads(stdout)["written"] == 1
    (entry,) = json.loads((out / "manifest.json").read_text())["letters"]
    folder = out / "letters" / entry["reference"]
    assert "corrected reason" in (folder / "letter.txt").read_text()
    assert sorted(entry["files"]) == ["letter.html", "letter.txt"]
    status, stdout, _ = cli("batch", str(path), "--out", str(out), "--date", DATE, "--format", "text,html,ics")
    assert json.loads(stdout)["written"] == 1 and (folder / "reminder.ics").is_file()


@pytest.mark.parametrize(("argv", "message"), [
    (("--jobs", "65"), "objector: error: jobs: must be between 1 and 64\n"),
    (("--date", "9999-12-31"), "objector: error: date: '9999-12-31' is outside the years 2000 to 2999\n"),
])
def test_batch_option_limits(mixed: Path, tmp_path: Path, argv: tuple[str, ...], message: str) -> None:
    status, _, err = cli("batch", str(mixed), "--out", str(tmp_path / "o"), *argv)
    assert (status, err) == (2, message)


def test_merge_refuses_what_is_not_a_manifest(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "manifest.json").write_text("{}")
    status, _, err = cli("merge", str(tmp_path / "a"), "--out", str(tmp_path / "m"))
    assert status == 2 and "is not an objector manifest" in err


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    status, _, err = cli("letter", "--name", "A B", "--email", "a@example.org", "--country", "US", "--state", "CA",
                         "--locale", "en", "-o", str(blocker / "x.txt"))
    last = err.splitlines()[-1]
    assert status == 1 and last.startswith("objector: error: output: cannot write: ") and "File exists" in last
