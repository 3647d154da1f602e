"""The command line: exact output and exit statuses."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOLDEN

from objector import __version__
from objector.cli import main


def run(*argv: str, stdin: str = "", interactive: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(stdin), interactive=interactive)
    return status, out.getvalue(), err.getvalue()


ALEX_US = ("letter", "--name", "Alex Example", "--email", "alex@example.org", "--country", "US",
           "--state", "VA", "--address", "1 Sample Street", "--address", "Sample Town",
           "--profile-url", "https://www.linkedin.com/in/alex-example", "--locale", "en", "--date", "2026-11-25")


# Virginia: the deadline roll and the Attorney General's complaint form are unconfirmed in the data.
VA_NOTE = ("objector: note: 2 fact(s) in this letter are not yet confirmed from a primary source; "
           "'objector explain' and the how-to sheet list them\n")


def test_letter_text_to_stdout_matches_golden() -> None:
    status, out, err = run(*ALEX_US)
    assert status == 0
    assert err == VA_NOTE
    assert out == (GOLDEN / "us-va" / "auto.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("argv", "message"), [
    (("explain", "--country", "XX"),
     "objector: error: country: unknown country code 'XX' (use ISO 3166-1 alpha-2, e.g. DE, GB, US)\n"),
    (("explain", "--country", "US"),
     "objector: error: state: a US resident must give a state (e.g. --state CA): the law differs by state\n"),
    (("explain", "--country", "us", "--state", "zz"),
     "objector: error: state: unknown state or province 'zz' for US (codes: "
     "AL, AK, AZ, AR, CA, CO, CT, DE, DC, FL, GA, HI, ID, IL, IN, IA, KS, KY, LA, ME, MD, MA, MI, MN, MS, MO, MT, "
     "NE, NV, NH, NJ, NM, NY, NC, ND, OH, OK, OR, PA, RI, SC, SD, TN, TX, UT, VT, VA, WA, WV, WI, WY, "
     "AS, GU, MP, PR, VI)\n"),
    (("explain", "--country", "DE", "--on", "2026-02-30"),
     "objector: error: on: '2026-02-30' is not a valid date (use YYYY-MM-DD)\n"),
    ((*ALEX_US[:-2], "--date", "25.11.2026"),
     "objector: error: date: '25.11.2026' is not a valid date (use YYYY-MM-DD)\n"),
    (("letter", "--name", "A", "--email", "not-an-email", "--country", "FR"),
     "objector: error: email: An email address must have an @-sign\n"),
    (("letter", "--name", "A", "--email", "a@example.org", "--country", "FR", "--profile-url",
      "https://evil.example/in/a"),
     "objector: error: profile_url: must be a linkedin.com profile URL such as "
     "https://www.linkedin.com/in/your-name\n"),
    (("letter", "--name", "A", "--email", "a@example.org", "--country", "FR"),
     "objector: error: reason: an objection under GDPR Art. 21(1) needs grounds relating to your particular "
     "situation: give --reason TEXT or --reason-preset NAME (see 'objector reasons'), or pass "
     "--no-grounds to write it without personal grounds\n"),
    (("letter", "--name", "A", "--email", "a@example.org", "--country", "FR", "--no-grounds",
      "--locale", "xx"),
     "objector: error: locale: unknown locale 'xx'\n"),
    (("letter", "--name", "A", "--email", "a@example.org", "--country", "CA", "--kind", "objection"),
     "objector: error: kind: an objection letter does not fit ca-pipeda (fitting: erasure, consent-withdrawal)\n"),
])
def test_bad_input_is_one_line_and_exit_2(argv: tuple[str, ...], message: str) -> None:
    status, out, err = run(*argv)
    assert (status, out, err) == (2, "", message)


def test_usage_errors_are_one_line() -> None:
    with pytest.raises(SystemExit) as info:
        main(["letter", "--name", "A"], stdout=io.StringIO(), stderr=io.StringIO())
    assert info.value.code == 2


def test_debug_shows_a_traceback() -> None:
    status, _, err = run("--debug", "explain", "--country", "XX")
    assert status == 2
    assert "Traceback" in err and err.endswith("objector: error: country: unknown country code 'XX' "
                                               "(use ISO 3166-1 alpha-2, e.g. DE, GB, US)\n")


def test_explain_json() -> None:
    status, out, _ = run("explain", "--country", "gb", "--on", "2026-11-25", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["regime"] == "uk-gdpr"
    assert data["controller"]["name"] == "LinkedIn Corporation"
    assert data["training_active"] is True
    assert data["claimed_basis"] == "legitimate-interests"
    assert data["letters"] == ["objection", "erasure"]
    assert "UK GDPR Art. 21(1)" in data["citations"]
    assert data["authority"]["name"] == "Information Commissioner's Office"
    # Christmas Day is a Friday, then the weekend and Boxing Day observed (England).
    assert data["deadline"]["months"] == 1 and data["deadline"]["due"] == "2026-12-29"
    assert data["channels"][0]["url"] == \
        "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement"


def test_explain_text_names_the_steps() -> None:
    status, out, _ = run("explain", "--country", "CA", "--state", "QC", "--on", "2025-01-01")
    assert status == 0
    assert out.startswith("Regime: ca-qc (Quebec: Act respecting the protection of personal information "
                          "in the private sector)\n")
    assert "AI training on 2025-01-01: no (a letter now objects in advance)" in out
    assert "Not yet confirmed from a primary source:" in out


def test_explain_not_covered() -> None:
    status, out, _ = run("explain", "--country", "PK", "--on", "2026-11-25")
    assert status == 0
    assert "Not covered yet" in out and "data-for-ai-improvement" in out


def test_reasons_lists_presets() -> None:
    status, out, _ = run("reasons")
    assert status == 0
    assert out.startswith("creative-work: My posts and articles are my professional work\n")
    status, out, _ = run("reasons", "--json")
    assert "job-seeker" in json.loads(out)


def test_interactive_prompt_offers_presets() -> None:
    status, out, err = run("letter", "--name", "A B", "--email", "a@example.org", "--country", "NL",
                           "--locale", "en", "--date", "2026-11-25", stdin="2\nI am between jobs.\n", interactive=True)
    assert status == 0
    assert "Choose an example to start from" in err
    assert "I use LinkedIn to look for work" in out and "I am between jobs." in out


def test_interactive_own_words() -> None:
    status, out, _ = run("letter", "--name", "A B", "--email", "a@example.org", "--country", "NL",
                         "--locale", "en", "--date", "2026-11-25", stdin="0\nMy own reason.\n", interactive=True)
    assert status == 0 and "(GDPR Art. 21(1)): My own reason." in out


def test_format_all_writes_the_bundle(tmp_path: Path) -> None:
    status, out, err = run(*ALEX_US, "--format", "all", "-o", str(tmp_path / "b"))
    assert status == 0 and out == ""
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [
        "how-to-send.txt", "letter.eml", "letter.html", "letter.ics", "letter.json", "letter.pdf", "letter.txt"]
    assert err.startswith(VA_NOTE) and err.count("objector: wrote ") == 7


@pytest.mark.parametrize(("fmt", "start"), [
    ("eml", b"From: Alex Example <alex@example.org>"),
    ("html", b"<!DOCTYPE html>"),
    ("ics", b"BEGIN:VCALENDAR"),
    ("pdf", b"%PDF-"),
    ("howto", b"How to send your letter OBJ-"),
    ("json", b"{"),
])
def test_single_formats_to_file(tmp_path: Path, fmt: str, start: bytes) -> None:
    target = tmp_path / f"out.{fmt}"
    status, _, err = run(*ALEX_US, "--format", fmt, "-o", str(target))
    assert status == 0 and err == f"{VA_NOTE}objector: wrote {target}\n"
    assert target.read_bytes().startswith(start)


def test_output_into_existing_folder(tmp_path: Path) -> None:
    status, _, _ = run(*ALEX_US, "--format", "text", "-o", str(tmp_path))
    assert status == 0 and (tmp_path / "letter.txt").is_file()


def test_not_covered_letter_says_so() -> None:
    status, out, err = run("letter", "--name", "A", "--email", "a@example.org", "--country", "PK",
                           "--locale", "en")
    assert status == 0
    assert err == "objector: note: objector does not cover the law where you live yet; the letter cites no law\n"
    # No "no law applies" admission: the letter rests on LinkedIn's own promises,
    # without prejudice to the law where the member lives (review M-15).
    assert "Without prejudice to my rights under the law that applies where I live" in out
    assert "not aware of a law" not in out


def test_python_m_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "objector", "--version"], capture_output=True, text=True,
                            check=False)
    assert (result.returncode, result.stdout) == (0, f"objector {__version__}\n")


def test_text_path_does_not_import_weasyprint() -> None:
    code = ("import sys, io; from objector.cli import main; "
            "main(['letter','--name','A','--email','a@example.org','--country','US','--state','CA',"
            "'--format','eml'], stdout=io.StringIO()); "
            "print('weasyprint' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_explain_takes_a_state_name() -> None:
    status, out, _ = run("explain", "--country", "US", "--state", "Texas")
    assert status == 0
    assert out.startswith("Regime: us-tx ")
