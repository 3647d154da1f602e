"""Campaigns: templates kept in their folder, a time and size budget per render, checked files, languages."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from objector.campaign import CampaignError, load_campaign
from objector.cli import main
from objector.errors import InputError
from objector.person import Person
from objector.templating import FolderLoader, make_environment

DATE = "2026-11-25"
ROOT = Path(__file__).resolve().parent.parent
SECRET = "SECRET-MARKER-7f3a"
MEMBERS = "name,email,country,state,reason_preset\nAnna Muster,anna@example.org,DE,BY,old-content\n"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def _campaign(tmp_path: Path, body: str | None = None, toml: str = 'name = "T"\ntemplates = "templates"\n') -> Path:
    """A campaign folder with ``body`` as its letter/body.txt.jinja (in the closing block
    of the built-in one) and a members file; returns the campaign file."""
    folder = tmp_path / "campaign"
    (folder / "templates" / "letter").mkdir(parents=True)
    if body is not None:
        (folder / "templates" / "letter" / "body.txt.jinja").write_text(
            '{% extends "objector/letter/body.txt.jinja" %}\n{% block closing %}\n' + body
            + "\n{% endblock %}\n", encoding="utf-8")
    (folder / "campaign.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "one.csv").write_text(MEMBERS, encoding="utf-8")
    return folder / "campaign.toml"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


def _no_secret_anywhere(out: Path) -> None:
    for path in out.rglob("*") if out.exists() else ():
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


# --- C2: templates stay inside the campaign folder --------------------------------------------

@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_symlinked_template_is_refused_and_the_secret_never_reaches_a_letter(
        tmp_path: Path, secret: Path, link: str) -> None:
    if link == "file":
        body, target, name = '{% include "secret.txt" %}', secret, "secret.txt"
    else:
        body, target, name = '{% include "shared/secret.txt" %}', secret.parent, "shared"
    path = _campaign(tmp_path, body)
    (path.parent / "templates" / name).symlink_to(target)
    out = tmp_path / "out"
    status, stdout, err = cli("batch", str(tmp_path / "one.csv"), "--out", str(out), "--date", DATE,
                              "--campaign", str(path), "--format", "text,pdf", "--jobs", "1")
    assert (status, stdout) == (2, "")
    assert err == (f"objector: error: campaign template {name}: is a symbolic link; campaign templates must be "
                   "plain files and folders inside the templates folder\n")
    assert not out.exists()
    _no_secret_anywhere(tmp_path / "out")


def test_a_symlink_that_appears_after_loading_is_refused_at_render(tmp_path: Path, secret: Path) -> None:
    from objector.batch import BatchOptions, run_batch

    path = _campaign(tmp_path, '{% include "secret.txt" ignore missing %}\n')
    campaign = load_campaign(path)  # no secret.txt yet: nothing to refuse
    (path.parent / "templates" / "secret.txt").symlink_to(secret)
    out = tmp_path / "out"
    import datetime as dt

    summary = run_batch(tmp_path / "one.csv", BatchOptions(out=out, formats=("text", "pdf"), jobs=1,
                                                          on=dt.date(2026, 11, 25), campaign=campaign))
    assert (summary.written, summary.failed) == (0, 1)
    assert "'secret.txt' is a symbolic link" in (out / "errors.csv").read_text()
    assert not list((out / "letters").glob("OBJ-*"))
    _no_secret_anywhere(out)


@pytest.mark.parametrize("name", ["secret.txt", "shared/secret.txt"])
def test_the_loader_refuses_links_to_files_and_folders(tmp_path: Path, secret: Path, name: str) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    (root / "secret.txt").symlink_to(secret)
    (root / "shared").symlink_to(secret.parent)
    (root / "plain.txt").write_text("plain")
    env = make_environment(FolderLoader(root), "en", sandboxed=True)
    assert env.get_template("plain.txt").render() == "plain"
    with pytest.raises(Exception, match="is a symbolic link"):
        env.get_template(name)


def test_the_loader_refuses_a_hard_link(tmp_path: Path, secret: Path) -> None:
    # A hard link carries another file's contents (probe follow-up to C2).
    root = tmp_path / "templates"
    root.mkdir()
    os.link(secret, root / "h.txt")
    env = make_environment(FolderLoader(root), "en", sandboxed=True)
    with pytest.raises(Exception, match="is a hard link"):
        env.get_template("h.txt")


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside/secret.txt", "objector/../../outside/secret.txt",
                                  "letter/../../outside/secret.txt", "..\\outside\\secret.txt", "C:/x"])
def test_include_of_an_absolute_or_dotdot_name_is_refused(tmp_path: Path, secret: Path, name: str) -> None:
    path = _campaign(tmp_path, "{% include " + json.dumps(name) + " %}")
    status, _, err = cli("batch", str(tmp_path / "one.csv"), "--out", str(tmp_path / "out"), "--date", DATE,
                         "--campaign", str(path), "--format", "text")
    assert status == 2
    assert err.startswith("objector: error: campaign template letter/body.txt.jinja, line 3: SecurityError: "
                          f"{name!r} may not be loaded"), err
    _no_secret_anywhere(tmp_path / "out")


@pytest.mark.parametrize(("setting", "message"), [
    ("/etc", "must be a folder inside the campaign folder, named relative to it (got '/etc')"),
    ("../outside", "must be a folder inside the campaign folder, named relative to it (got '../outside')"),
    ("templates/../../outside", "must be a folder inside the campaign folder"),
    ("~/templates", "must be a folder inside the campaign folder"),
    (".", "'.' resolves outside the campaign folder"),
    ("linked", "'linked' resolves outside the campaign folder"),
    ("missing", "no folder 'missing' in the campaign folder"),
])
def test_the_templates_setting_must_name_a_folder_inside_the_campaign(
        tmp_path: Path, secret: Path, setting: str, message: str) -> None:
    path = _campaign(tmp_path, toml=f"name = \"T\"\ntemplates = {json.dumps(setting)}\n")
    (path.parent / "linked").symlink_to(secret.parent)
    with pytest.raises(CampaignError) as info:
        load_campaign(path)
    assert str(info.value).startswith(f"campaign.toml: templates: {message}"), info.value
    status, stdout, err = cli("batch", str(tmp_path / "one.csv"), "--out", str(tmp_path / "out"),
                              "--campaign", str(path), "--format", "text")
    assert (status, stdout, err.count("\n")) == (2, "", 1) and "campaign.toml: templates: " in err
    assert not (tmp_path / "out").exists()


# --- m2, m3: a budget of time and size per render; runtime errors name the template ------------

HOSTILE = [
    ("{{ 'a'*10**9 }}", "a value of about 1,000,000,000 characters or items is over the budget"),
    ("{{ ['a']*10**8 }}", "a value of about 200,000,000 characters or items is over the budget"),
    ("{{ 'x'|center(10**9) }}", "the argument of |center 1000000000 is over the budget"),
    ("{{ 'x'.ljust(10**9) }}", "the width of .ljust() 1000000000 is over the budget"),
    ("{{ '{:>1000000000}'.format('x') }}", "a field width or precision of 1000000000 is over the budget"),
    ("{{ '%1000000000s' % 'x' }}", "a field width or precision of 1000000000 is over the budget"),
    ("{{ range(100000)|join('x' * 1000) }}", "is over the budget of 1,000,000"),
    ("{{ ('a' * 100000)|replace('a', 'b' * 100) }}", "a value of about 10,000,000 characters"),
    ("{{ lipsum(n=100000, min=100, max=100) }}", "lorem ipsum of about 120,000,000 characters"),
    ("{% set ns = namespace(s='a') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "a text of about 1,048,576 characters"),
    ("{% macro f(x, n) %}{% if n %}{{ f([x, x], n - 1) }}{% endif %}{% endmacro %}{{ f('a', 64) }}",
     "an argument of about 1,000,001 characters"),
    ("{% macro m() %}{% for i in range(100000) %}{{ 'x' * 999999 }}{% endfor %}{% endmacro %}{{ m() }}",
     "the template produced more than 20,000,000 characters"),
    ("{{ range(100000)|map('center', 999999)|list }}", "the input of |list of about 2,000,000 characters"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "took longer than 1 seconds (the time budget of a render)"),
    ("{% set l = range(100000)|list %}{% for i in l %}{% for j in l %}{% endfor %}{% endfor %}",
     "took longer than 1 seconds"),
    ("{{ 1/0 }}", "ZeroDivisionError: division by zero"),
    ("{{ 1 + [] }}", "TypeError: unsupported operand type(s) for +: 'int' and 'list'"),
    ("{{ lipsum(n=1, min=100, max=10) }}", "ValueError: "),
]


def _run_limited(argv: list[str], cwd: Path) -> tuple[int, str, float]:
    """objector in a child with a 1-second render budget and 2 GiB of address space,
    so a template that escapes the budget fails the test instead of the machine."""
    code = ("import sys, objector.templating as t; t.MAX_SECONDS = 1.0; from objector.cli import main; "
            "sys.exit(main(sys.argv[1:]))")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code, *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=60, preexec_fn=limit, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return proc.returncode, proc.stderr, time.monotonic() - start


@pytest.mark.parametrize(("body", "message"), HOSTILE)
def test_a_hostile_template_is_refused_within_its_budget(tmp_path: Path, body: str, message: str) -> None:
    path = _campaign(tmp_path, body)
    status, err, seconds = _run_limited(["batch", "one.csv", "--out", "out", "--date", DATE, "--campaign",
                                         str(path), "--format", "text", "--jobs", "1"], tmp_path)
    assert status == 2, err
    assert err.startswith("objector: error: campaign template letter/body.txt.jinja, line 3: "), err
    assert message in err and err.count("\n") == 1, err
    assert seconds < 20
    assert not (tmp_path / "out").exists()


def test_load_campaign_renders_samples_so_a_library_caller_is_protected_too(tmp_path: Path) -> None:
    with pytest.raises(CampaignError, match=r"^campaign template letter/body\.txt\.jinja, line 3: ZeroDivisionError"):
        load_campaign(_campaign(tmp_path, "{% if family != 'gdpr' %}{{ 1/0 }}{% endif %}"))


def test_the_budget_refuses_just_over_the_limit_and_allows_ordinary_templates(tmp_path: Path) -> None:
    body = ('{% include "objector/letter/subject.txt.jinja" %}\n'
            "{% set ns = namespace(n=0) %}{% for i in range(1000) %}{% set ns.n = ns.n + i %}{% endfor %}"
            "{{ ns.n }} {{ 'ab' * 3 }} {{ ['x', 'y']|join('-') }} {{ '%05d'|format(42) }} {{ '{:>6}'.format('r') }}"
            "{{ ('a' ~ 'b')|center(6) }}|{{ 2 ** 10 }}")
    out = tmp_path / "out"
    status, _, err = cli("batch", str(tmp_path / "one.csv"), "--out", str(out), "--date", DATE,
                         "--campaign", str(_campaign(tmp_path, body)), "--format", "text")
    assert status == 0, err
    (letter,) = (out / "letters").glob("*/letter.txt")
    assert "499500 ababab x-y 00042 r ab |1024" in letter.read_text()  # the letter folds runs of spaces
    (tmp_path / "campaign" / "templates" / "letter" / "body.txt.jinja").write_text(
        "{{ 'ab' * 500001 }}\n", encoding="utf-8")  # 1,000,002 characters: one value over the budget
    status, _, err = cli("batch", str(tmp_path / "one.csv"), "--out", str(tmp_path / "out2"), "--date", DATE,
                         "--campaign", str(tmp_path / "campaign" / "campaign.toml"), "--format", "text")
    assert (status, err) == (2, "objector: error: campaign template letter/body.txt.jinja, line 1: a value of "
                                "about 1,000,002 characters or items is over the budget of 1,000,000 for "
                                "campaign templates\n")


# --- m4: the campaign file is checked when it is loaded ---------------------------------------

@pytest.mark.parametrize(("toml", "message"), [
    ('reason_preset = "nope"', r"c\.toml: reason_preset: unknown preset 'nope' \(see 'objector reasons'"),
    ('kind = "nuke"', r"c\.toml: kind: unknown letter kind 'nuke' \(one of auto, "),
    ('locale = "xx_YY"', r"c\.toml: locale: "),
    ('locale_policy = "always"', r"c\.toml: locale_policy: "),
    ('locale_policy = "force"', r'c\.toml: locale_policy: "force" needs a locale to force'),
    ('name = "Evil\\u0007Corp"', r"c\.toml: name: must be a single line without control characters"),
    ('name = "Two\\nlines"', r"c\.toml: name: must be a single line"),
    ('name = "\\u3164"', r"c\.toml: name: is required"),
    ('locale = "en_GB"\nextra_paragraphs = ["Nul\\u0000here"]', r"c\.toml: extra_paragraphs\[0\]: must be a single"),
    ('locale = "en_GB"\nextra_paragraphs = ["a", "BOM \\ufeff here"]', r"c\.toml: extra_paragraphs\[1\]: "),
    ('extra_paragraphs = ["Which language is this?"]',
     r"c\.toml: extra_paragraphs: say which language they are in: set locale"),
    ('[extra_paragraphs]\nde = ["Gut"]\n"not a code" = ["x"]', r"c\.toml: extra_paragraphs\.not a code: is not a "),
    ('[extra_paragraphs]\nde = ["LS \\u2028 here"]', r"c\.toml: extra_paragraphs\.de\[0\]: must be a single line"),
    ('[organisation]\nname = "Org\\nInjected"\nemail = "o@example.org"', r"c\.toml: organisation\.name: must be"),
    ('[organisation]\nname = "Org"\nemail = "o@example.org"\naddress = ["Street\\u0085 1"]',
     r"c\.toml: organisation\.address\[0\]: must be a single line"),
    ('[organisation]\nname = "Org"\nemail = "o@example.org"\nwebsite = "https://x\\ty.example"',
     r"c\.toml: organisation\.website: must be a single line"),
])
def test_campaign_file_mistakes_are_refused_at_load_naming_the_key(tmp_path: Path, toml: str, message: str) -> None:
    body = toml if toml.startswith("name") else f'name = "x"\n{toml}'
    path = tmp_path / "c.toml"
    path.write_text(body + "\n", encoding="utf-8")
    with pytest.raises(CampaignError, match=f"^{message}"):
        load_campaign(path)


def test_a_preset_typo_stops_the_run_before_any_row(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('name = "x"\nreason_preset = "nope"\n')
    (tmp_path / "m.csv").write_text("name,email,country\nAnna Muster,anna@example.org,DE\nJo Doe,jo@example.com,FR\n")
    status, stdout, err = cli("batch", str(tmp_path / "m.csv"), "--out", str(tmp_path / "out"),
                              "--campaign", str(tmp_path / "c.toml"), "--format", "text")
    assert (status, stdout) == (2, "")
    assert err.startswith("objector: error: c.toml: reason_preset: unknown preset 'nope'") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


# --- M13: a campaign's locale is a fallback, not a force --------------------------------------

def _readme_campaign() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The campaign file"):]
    return section[section.index("```toml\n") + 8:section.index("\n```", section.index("```toml\n"))]


FOUR = ("name;email;country;state\nDwayne Johnson;dwayne@example.com;US;TX\n"
        "Jean Tremblay;jean@example.org;CA;QC\nAna Silva;ana@example.com.br;BR;\n"
        "Anna Müller;anna@example.org;DE;BY\n")


def _run_four(tmp_path: Path, toml: str) -> dict[str, tuple[str, str]]:
    folder = tmp_path / "campaign"
    (folder / "templates").mkdir(parents=True)
    (folder / "campaign.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "members.csv").write_text(FOUR, encoding="utf-8")
    out = tmp_path / "out"
    status, _, err = cli("batch", str(tmp_path / "members.csv"), "--out", str(out), "--date", DATE,
                         "--campaign", str(folder / "campaign.toml"), "--format", "text")
    assert status == 0, err
    rows = list(csv.DictReader((out / "manifest.csv").read_text(encoding="utf-8").splitlines()))
    return {r["country"] + (f"-{r['state']}" if r["state"] else ""):
            (r["locale"], (out / "letters" / r["reference"] / "letter.txt").read_text(encoding="utf-8"))
            for r in rows}


def test_the_readme_campaign_writes_each_member_in_their_own_language(tmp_path: Path) -> None:
    letters = _run_four(tmp_path, _readme_campaign())
    assert {k: v[0] for k, v in letters.items()} == {"US-TX": "en_US", "CA-QC": "fr_CA", "BR": "pt_BR",
                                                      "DE-BY": "de"}
    german, english = "Wir schreiben als Mitglieder", "We write as members"
    assert german in letters["DE-BY"][1] and english not in letters["DE-BY"][1]
    assert english in letters["US-TX"][1] and german not in letters["US-TX"][1]
    for place in ("CA-QC", "BR"):  # no paragraph in their language: none at all
        assert german not in letters[place][1] and english not in letters[place][1]
    assert "Datenschutzbeauftragte" in letters["DE-BY"][1] or "Sehr geehrte" in letters["DE-BY"][1]
    assert "Madame, Monsieur" in letters["CA-QC"][1]


def test_locale_policy_force_writes_every_letter_in_the_campaign_language(tmp_path: Path) -> None:
    toml = _readme_campaign().replace('locale_policy = "fallback"', 'locale_policy = "force"')
    assert 'locale_policy = "force"' in toml
    letters = _run_four(tmp_path, toml)
    assert {v[0] for v in letters.values()} == {"de"}
    assert all("Wir schreiben als Mitglieder" in text for _, text in letters.values())


def test_the_campaign_locale_is_used_where_the_country_has_no_catalog(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import objector.campaign as module

    path = tmp_path / "c.toml"
    path.write_text('name = "x"\nlocale = "de"\n')
    campaign = load_campaign(path)
    texan = Person.create("Jo Doe", "jo@example.com", "US", "TX")
    assert campaign.locale_for(texan) is None  # objector letter's own choice: en_US
    monkeypatch.setattr(module, "country_locales", lambda country, state=None: ("xx",))
    assert campaign.locale_for(texan) == "de"


@pytest.mark.parametrize(("table", "locale", "expected"), [
    ({"de": ["D"], "*": ["S"]}, "de", ["D"]),
    ({"de": ["D"], "*": ["S"]}, "fr_CA", ["S"]),
    ({"fr": ["F"]}, "fr_CA", ["F"]),
    ({"fr_CA": ["Q"], "fr": ["F"]}, "fr_CA", ["Q"]),
    ({"en_GB": ["E"]}, "en_US", ["E"]),
    ({"de": ["D"]}, "pt_BR", []),
])
def test_extra_paragraphs_go_only_into_letters_of_their_language(tmp_path: Path, table: dict[str, list[str]],
                                                                 locale: str, expected: list[str]) -> None:
    lines = "\n".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in table.items())
    path = tmp_path / "c.toml"
    path.write_text(f'name = "x"\n[extra_paragraphs]\n{lines}\n')
    assert load_campaign(path).paragraphs_for(locale) == expected


def test_a_plain_list_of_paragraphs_is_in_the_campaign_locale(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('name = "x"\nlocale = "en_GB"\nextra_paragraphs = ["In English,\\nfolded."]\n')
    campaign = load_campaign(path)
    assert campaign.paragraphs_for("en_US") == ["In English, folded."]
    assert campaign.paragraphs_for("de") == []


def test_row_errors_are_not_mistaken_for_template_errors(tmp_path: Path) -> None:
    campaign = load_campaign(_campaign(tmp_path, "With kind regards"))
    with pytest.raises(InputError):
        campaign.guarded(lambda: Person.create("", "a@example.org", "DE"))


def test_a_batch_says_when_the_campaign_locale_stands_in_for_a_members_language(tmp_path: Path) -> None:
    # Malaysia has a regime but no Malay catalog: the member's letter is in the
    # campaign's language, and the batch says so once, without naming anyone (probe M13).
    (tmp_path / "c.toml").write_text('name = "x"\nlocale = "en_GB"\n')
    (tmp_path / "m.csv").write_text("name,email,country\nAiko Sato,aiko@example.my,MY\nKen Ito,ken@example.my,MY\n",
                                    encoding="utf-8")
    status, _, err = cli("batch", str(tmp_path / "m.csv"), "--out", str(tmp_path / "out"), "--date", DATE,
                         "--campaign", str(tmp_path / "c.toml"), "--format", "text")
    assert status == 0, err
    assert re.search(r"^objector: note: letters for MY are in en(_GB)?, the campaign's locale: objector has no "
                     r"complete catalog for that place's language yet \(2 letter\(s\)\)$", err, re.M), err
    assert "Aiko" not in err
