"""Input and identity of a letter: reading CSV/JSONL rows, errors across processes, references, prompts."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

from objector import rows
from objector.cli import main
from objector.errors import DataError, GroundsRequired, InputError, LocaleError, ObjectorError, RenderError
from objector.letter import compose, fingerprint_for, reference_for
from objector.person import Person
from objector.rows import Row, read_rows

DAY = dt.date(2026, 12, 4)

# --- errors cross process boundaries (C1) ----------------------------------------------


@pytest.mark.parametrize("exc", [
    InputError("name", "must be text"),
    LocaleError("locale", "unknown locale 'xx'"),
    GroundsRequired("reason: an objection under GDPR Art. 21(1) needs grounds", "GDPR Art. 21(1)"),
    GroundsRequired("reason: needs grounds"),
    DataError("sources.toml: bad"),
    RenderError("PDF libraries missing"),
])
def test_errors_survive_pickling(exc: ObjectorError) -> None:
    # A worker process returns a row's error to the parent by pickle.
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc) and str(back) == str(exc)
    assert vars(back) == vars(exc)


def test_grounds_row_message_fits_a_batch() -> None:
    cli_text = ("reason: an objection under GDPR Art. 21(1) needs grounds relating to your particular situation: "
                "give --reason TEXT or --reason-preset NAME (see 'objector reasons'), or pass --no-grounds")
    for exc in (GroundsRequired(cli_text), GroundsRequired(cli_text, "GDPR Art. 21(1)")):
        message = exc.row_message
        assert "--" not in message and not message.startswith("reason")
        assert "GDPR Art. 21(1)" in message and "reason or reason_preset column" in message


# --- CSV: the header decides the delimiter (M1) ------------------------------------------

BOB = ('name;email;country;state\nAnna M\u00fcller;anna@example.org;DE;BY\n'
       '"Robert ""Bob"", Jr.";bob@example.org;US;TX\nJean Tremblay;jean@example.org;CA;QC\n'
       '=HYPERLINK("https://a.example/x,y","c, d");x@example.org;US;TX\n')


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_hostile_cells_cannot_change_the_delimiter(tmp_path: Path) -> None:
    got = list(read_rows(write(tmp_path, "bob.csv", BOB)))
    assert [r.fields["name"] for r in got] == ["Anna M\u00fcller", 'Robert "Bob", Jr.', "Jean Tremblay",
                                               '=HYPERLINK("https://a.example/x,y","c, d")']
    assert all(r.problem is None and r.fields["country"] for r in got)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_header_delimiter_wins_over_data(tmp_path: Path, delimiter: str) -> None:
    # Every data cell is full of the other delimiters.
    noise = ",;|\t".replace(delimiter, "")
    cell = f'"A{noise}B{noise}"'
    path = write(tmp_path, "p.csv", delimiter.join(["name", "e-mail", "country"]) + "\n"
                 + delimiter.join([cell, "a@example.org", "IE"]) + "\n")
    (row,) = read_rows(path)
    assert row.fields == {"name": f"A{noise}B{noise}", "email": "a@example.org", "country": "IE"}


def test_ambiguous_header_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "amb.csv", "name,email,country,note;name;email;country\nx\n")
    with pytest.raises(InputError) as info:
        list(read_rows(path))
    assert info.value.field == "columns"
    assert str(path) in info.value.message and "',' and ';'" in info.value.message


def test_missing_column_is_named_with_the_best_split(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        list(read_rows(write(tmp_path, "m.csv", "name;country\nA;DE\n")))
    assert info.value.message.endswith("lacks the required column(s) email (it has: name, country)")


# --- encodings: found before anything is written, with the right line (M7, M8) -----------


def test_late_non_utf8_byte_is_found_before_the_first_row(tmp_path: Path) -> None:
    body = b"".join(b"M %d,m%d@example.org,US,CA\n" % (i, i) for i in range(3000))
    path = write(tmp_path, "late.csv", b"name,email,country,state\n" + body + b"J\xf6rg,j@example.org,US,CA\n")
    with pytest.raises(InputError) as info:
        next(read_rows(path))
    assert str(info.value) == f"input: {path} is not UTF-8 text (line 3002)"


def test_utf8_split_across_blocks_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows, "_CHUNK", 7)
    rows._checked.clear()
    text = "name,email,country\n" + "".join(f"M\u00fcller \u20ac{i},m{i}@example.org,DE\n" for i in range(50))
    path = write(tmp_path, "u.csv", text)
    assert len(list(read_rows(path))) == 50
    path.write_bytes(text.encode() + b"x\xe2\x82,y@example.org,DE\n")
    rows._checked.clear()
    with pytest.raises(InputError) as info:
        list(read_rows(path))
    assert info.value.message.endswith("(line 52)")


def test_non_utf8_jsonl_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "p.jsonl", b'{"name": "A"}\n\n{"name": "J\xf6rg"}\n')
    with pytest.raises(InputError) as info:
        list(read_rows(path))
    assert str(info.value) == f"input: {path} is not UTF-8 text (line 3)"


# --- JSON Lines: values are text, limits reject one line (M5, M6, m26) --------------------

GOOD = json.dumps({"name": "Last", "email": "l@example.org", "country": "US", "state": "CA"})


@pytest.mark.parametrize(("line", "field", "problem"), [
    ('{"name": {"first": "Anna"}, "email": "o@example.org", "country": "DE"}', "name", "must be text"),
    ('{"name": 12345, "email": "i@example.org", "country": "DE"}', "name", "must be text"),
    ('{"name": "N", "email": "n@example.org", "country": "DE", "address": [["a","b"], {"x": 1}, 5]}',
     "address", "each line must be text"),
    ('{"name": "N", "email": "n@example.org", "country": "DE", "address": ["a", 5]}',
     "address", "each line must be text"),
    ('{"name": "N", "email": "n@example.org", "country": "DE", "address": 5}', "address", "must be text"),
    ('{"name": "F", "email": "f@example.org", "country": "DE", "reason": 1e308}', "reason", "must be text"),
    ('{"name": "F", "email": "f@example.org", "country": "DE", "reason": NaN}', "reason", "must be text"),
    ('{"name": "B", "email": "b@example.org", "country": "DE", "kind": true}', "kind", "must be text"),
    ('{"name": "X", "email": "x@example.org", "country": "US", "reason": ' + "9" * 5000 + "}",
     "reason", "must be text"),
    ('{"name": "D", "reason": ' + "[" * 100_000 + "]" * 100_000 + "}", "row", "invalid JSON: nested too deeply"),
    ("[1, 2]", "row", "a line must hold one JSON object"),
])
def test_bad_jsonl_value_rejects_only_its_line(tmp_path: Path, line: str, field: str, problem: str) -> None:
    path = write(tmp_path, "h.jsonl", line + "\n" + GOOD + "\n")
    bad, good = read_rows(path)
    assert (bad.number, bad.field, bad.problem) == (1, field, problem)
    error = bad.error()
    assert isinstance(error, InputError) and str(error) == f"{field}: {problem}"
    assert (good.number, good.problem, good.fields["name"]) == (2, None, "Last")


def test_over_long_jsonl_line_rejects_only_that_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows, "MAX_JSON_LINE", 100)
    long = json.dumps({"name": "x" * 250, "email": "x@example.org", "country": "DE"})
    path = write(tmp_path, "l.jsonl", long + "\n" + GOOD + "\n" + GOOD)
    got = list(read_rows(path))
    assert [(r.number, r.problem) for r in got] == [
        (1, "the line is longer than 100 characters"), (2, None), (3, None)]


def test_jsonl_address_items_are_the_lines(tmp_path: Path) -> None:
    line = json.dumps({"name": "P", "email": "p@example.org", "country": "DE",
                       "address": ["Hauptstr. 1|Hinterhaus", "80331 M\u00fcnchen"]})
    (row,) = read_rows(write(tmp_path, "a.jsonl", line + "\n"))
    assert Person.from_mapping(row.fields).address == ("Hauptstr. 1|Hinterhaus", "80331 M\u00fcnchen")


def test_jsonl_lone_surrogate_is_a_name_error(tmp_path: Path) -> None:
    path = write(tmp_path, "s.jsonl", '{"name": "Anna \\ud800 Muster", "email": "s@example.org", "country": "DE"}\n')
    (row,) = read_rows(path)
    with pytest.raises(InputError) as info:
        Person.from_mapping(row.fields)
    assert str(info.value) == "name: is not valid UTF-8 text"


def test_rows_pickle(tmp_path: Path) -> None:
    row = Row(3, {}, "must be text", field="name")
    assert pickle.loads(pickle.dumps(row)) == row


# --- references and fingerprints (M4, m22) ------------------------------------------------

REF = re.compile(r"OBJ-20261204(-[0-9A-HJKMNP-TV-Z]{4}){5}")


def person(name: str, mail: str, country: str = "US", state: str | None = "CA") -> Person:
    return Person.create(name, mail, country, state)


def test_reference_is_long_readable_and_stable() -> None:
    a = person("Member 166514", "m166514@example.org")
    ref = reference_for(a, ("objection",), DAY, "en")
    assert REF.fullmatch(ref)
    assert ref == reference_for(person("Member 166514", "m166514@example.org"), ("objection",), DAY, "en")


def test_the_probe_collision_is_gone() -> None:
    # These two got OBJ-20261204-CWFG-Z77U with a 40-bit reference.
    a = reference_for(person("Member 166514", "m166514@example.org"), ("opt-out",), DAY, "en_US")
    b = reference_for(person("Member 1181321", "m1181321@example.org"), ("opt-out",), DAY, "en_US")
    assert a != b


def test_references_do_not_collide_in_a_large_sample() -> None:
    refs = {reference_for(person(f"M {i}", f"m{i}@example.org"), ("opt-out",), DAY, "en") for i in range(20_000)}
    assert len(refs) == 20_000


@pytest.mark.parametrize(("a", "b", "same"), [
    (("Anna Muster", "anna@example.org"), ("Anna Muster", "ANNA@EXAMPLE.ORG"), True),
    (("Anna Muster", "anna@xn--bcher-kva.example"), ("Anna Muster", "Anna@b\u00fccher.example"), True),
    (("Anna  Muster", "anna@example.org"), ("Anna Muster", "anna@example.org"), True),
    (("Anna Muster", "anna@example.org"), ("Anna Muster", "anne@example.org"), False),
    (("Anna Muster", "anna@example.org"), ("Anna Mustermann", "anna@example.org"), False),
])
def test_reference_identity_is_normalised(a: tuple[str, str], b: tuple[str, str], same: bool) -> None:
    ra = reference_for(person(*a, "DE", None), ("objection",), DAY, "de")
    rb = reference_for(person(*b, "DE", None), ("objection",), DAY, "de")
    assert (ra == rb) is same


def test_reference_extra_fields_are_not_confused() -> None:
    p = person("A", "a@example.org")
    # Length-prefixed parts: moving text from one part to the next is a new identity.
    assert reference_for(p, ("x",), DAY, "en", ("ab", "c")) != reference_for(p, ("x",), DAY, "en", ("a", "bc"))


def test_fingerprint_is_the_full_identity() -> None:
    a = compose(person("Member 166514", "m166514@example.org"), on=DAY, locale="en")
    again = compose(person("Member 166514", "M166514@example.org"), on=DAY, locale="en")
    b = compose(person("Member 1181321", "m1181321@example.org"), on=DAY, locale="en")
    fa = fingerprint_for(a)
    assert re.fullmatch(r"[0-9a-f]{64}", fa)
    assert fa == fingerprint_for(again) and a.reference == again.reference
    assert fa != fingerprint_for(b)
    moved = compose(Person.create("Member 166514", "m166514@example.org", "US", "CA", ["1 Main St"]), on=DAY,
                    locale="en")
    assert fingerprint_for(moved) != fa


# --- the command line (M7, m9, m10, m11, m14, m21, m25) ------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def cli(*argv: str, stdin: Any = None, interactive: bool = False, stdout: io.StringIO | None = None
        ) -> tuple[int, str, str]:
    out, err = stdout or io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err, stdin=stdin or io.StringIO(""), interactive=interactive)
    return status, out.getvalue(), err.getvalue()


LENA = ("letter", "--name", "Lena Schmidt", "--email", "lena@example.de", "--country", "DE", "--state", "BE",
        "--date", "2026-12-04", "--format", "text")


@pytest.mark.parametrize(("option", "value"), [
    ("--name", "J\udcf6rg M\udcfcller"), ("--reason", "caf\udce9"), ("--email", "j\udcf6rg@example.de"),
    ("--state", "B\udcfc"), ("--address", "Stra\udcdfe 1"), ("--locale", "d\udce9"),
])
def test_undecodable_argument_is_exit_2_naming_it(option: str, value: str) -> None:
    argv = [*LENA, "--no-grounds"]
    if option in argv:
        argv[argv.index(option) + 1] = value
    else:
        argv += [option, value]
    status, out, err = cli(*argv)
    field = option[2:].replace("-", "_")
    assert (status, out) == (2, "")
    assert err == f"objector: error: {field}: is not valid UTF-8 text (check the terminal's encoding)\n"


def test_invisible_name_on_the_command_line() -> None:
    argv = list(LENA)
    argv[2] = "\u200d"
    assert cli(*argv, "--no-grounds")[::2] == (2, "objector: error: name: is required\n")


def test_tab_in_reason_is_a_space() -> None:
    status, out, _ = cli(*LENA, "--reason", "I write\tfor a living.")
    assert status == 0 and "I write for a living." in out


def test_pdf_is_not_dumped_on_a_terminal() -> None:
    status, out, err = cli(*LENA[:-1], "pdf", "--no-grounds", stdout=_Terminal())
    assert (status, out) == (2, "")
    assert err.startswith("objector: error: output: ") and "-o FILE" in err and err.count("\n") == 1


def test_prompt_asks_again_after_a_wrong_choice() -> None:
    status, out, err = cli(*LENA, stdin=io.StringIO("9\nx\n2\n\n"), interactive=True)
    assert status == 0
    assert err.count("Your choice: ") == 3 and err.count("Please answer with a number from 0 to") == 2
    assert "reason_preset" not in err and out


def test_prompt_end_of_input_is_the_grounds_error() -> None:
    status, _, err = cli(*LENA, stdin=io.StringIO("9\n"), interactive=True)
    assert status == 2 and err.endswith("pass --no-grounds to write it without personal grounds\n")
    assert "Traceback" not in err


class _CtrlC(io.StringIO):
    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise KeyboardInterrupt


def test_ctrl_c_at_the_prompt_is_one_line_and_130() -> None:
    status, out, err = cli(*LENA, stdin=_CtrlC(), interactive=True)
    assert (status, out) == (130, "")
    assert err.endswith("Your choice: \nobjector: interrupted; no letter written\n")
    assert "Traceback" not in err and "GroundsRequired" not in err


def test_prompt_follows_the_interface_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBJECTOR_LOCALE", "de")
    status, _, err = cli(*LENA, stdin=io.StringIO("1\n\n"), interactive=True)
    assert status == 0
    assert "Meine Beiträge und Artikel sind meine berufliche Arbeit" in err


@pytest.mark.parametrize(("state", "code"), [("Berlin", "BE"), ("Bayern", "BY"), ("Bavaria", "BY")])
def test_state_by_name_on_the_command_line(state: str, code: str) -> None:
    argv = list(LENA)
    argv[argv.index("--state") + 1] = state
    status, out, _ = cli(*argv, "--no-grounds", "--format", "json")
    assert status == 0 and json.loads(out)["decision"]["state"] == code


def test_canada_without_a_province_mentions_quebec() -> None:
    status, _, err = cli("letter", "--name", "Jean", "--email", "jean@example.org", "--country", "CA",
                         "--no-grounds", "--date", "2026-12-04")
    assert status == 0 and "note: if you live in Quebec, give --state QC" in err
    status, _, err = cli("letter", "--name", "Jean", "--email", "jean@example.org", "--country", "CA",
                         "--state", "ON", "--date", "2026-12-04")
    assert status == 0 and "Quebec" not in err


@pytest.mark.parametrize(("given", "used"), [("de_DE", "de"), ("de-DE", "de"), ("pt-br", "pt_BR")])
def test_locale_spellings_resolve(given: str, used: str) -> None:
    status, out, _ = cli(*LENA, "--no-grounds", "--format", "json", "--locale", given)
    assert status == 0 and json.loads(out)["locale"] == used


def test_idn_address_as_typed_and_idna_in_the_eml_header() -> None:
    argv = list(LENA)
    argv[argv.index("--email") + 1] = "lena@b\u00fccher.example"
    status, out, _ = cli(*argv[:-1], "eml", "--no-grounds")
    assert status == 0
    msg = email.message_from_string(out, policy=email.policy.default)
    assert msg["From"].addresses[0].addr_spec == "lena@xn--bcher-kva.example"
    assert not msg.defects
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None and "lena@b\u00fccher.example" in body.get_content()
    argv[argv.index("--email") + 1] = "lena@xn--bcher-kva.example"
    status, out, _ = cli(*argv, "--no-grounds")
    assert status == 0 and "lena@xn--bcher-kva.example" in out and "b\u00fccher" not in out
