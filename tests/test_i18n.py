"""Letter languages: catalogs current and correct, a golden letter per locale, no English left, no missing glyphs.

Every per-locale table comes from the catalogs on disk and objector/data/languages.toml,
so a translator adds a language without editing this file (test_a_new_language_needs_no_python).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import GOLDEN, check_golden

from objector import Person, compose
from objector.catalogs import ALL_DOMAINS, DOMAINS, LEGAL_TERMS, catalog_locales, check, extract, po_path, pot_path
from objector.citations import localise
from objector.cli import main
from objector.decision import decide
from objector.i18n import available_letter_locales, resolve_letter_locale, sample_place
from objector.output.pdf import PDFRenderer
from objector.resources import locales_dir

# A language with no catalog yet, and the country whose language it is: the translator
# tests start it as a new locale. Turkish until a `tr` catalog exists, then the next one,
# so following the guide for a real new language never breaks these tests (probe M14).
_NEW_CANDIDATES = (("tr", "TR", "Turkish"), ("ka", "GE", "Georgian"), ("hy", "AM", "Armenian"),
                   ("mn", "MN", "Mongolian"))
NEW, NEW_COUNTRY, NEW_NAME = next(c for c in _NEW_CANDIDATES if not (locales_dir() / c[0]).exists())

LOCALES = catalog_locales()
DAY = dt.date(2026, 11, 25)
REPO = Path(__file__).resolve().parent.parent
# The locales objector promises to ship; a new locale need not be added here.
REQUIRED = {"bg", "cs", "da", "de", "el", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt", "nl",
            "pl", "pt", "ro", "sk", "sl", "sv", "nb", "is", "en_GB", "en_US", "fr_CA", "pt_BR", "zh_Hant_HK",
            "es_US"}


def person(locale: str) -> Person:
    # The place comes from objector/data/languages.toml (see sample_place).
    country, state = sample_place(locale)
    return Person.create("Alex Example", "alex@example.org", country, state, ["1 Sample Street", "Sample Town"])


def _keys(catalog: object) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}  # type: ignore[attr-defined]


def test_templates_are_current() -> None:
    from babel.messages.pofile import read_po

    for domain, fresh in extract().items():
        with pot_path(domain).open("rb") as fh:
            committed = read_po(fh)
        assert _keys(fresh) == _keys(committed), f"{domain}.pot is out of date: run 'objector locales extract'"


def test_every_required_locale_ships() -> None:
    assert set(LOCALES) >= REQUIRED


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_correct(locale: str) -> None:
    status = check(locale)
    assert status.problems == []
    assert status.complete, f"{locale}: {status.translated}/{status.total} translated, {status.fuzzy} fuzzy"
    assert locale in available_letter_locales()


def _tool(name: str) -> None:
    # Set-up installs both tools; in CI a missing one is a failure, not a skip.
    if shutil.which(name) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (bash scripts/dev.sh test installs it)")
        pytest.skip(f"{name} is not installed")


@pytest.mark.parametrize("locale", LOCALES)
def test_msgfmt_check(locale: str, tmp_path: Path) -> None:
    _tool("msgfmt")
    for domain in DOMAINS:
        result = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "x.mo"), str(po_path(locale, domain))],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("locale", LOCALES)
def test_pofilter(locale: str, tmp_path: Path) -> None:
    _tool("pofilter")
    for domain in DOMAINS:
        out = tmp_path / f"{domain}.po"
        subprocess.run(["pofilter", "--progress=none", "-t", "printf", "-t", "variables", "-t", "untranslated",
                        "-t", "escapes", "-t", "newlines", "--nofuzzy", str(po_path(locale, domain)), str(out)],
                       check=True, capture_output=True)
        failures = [line for line in out.read_text(encoding="utf-8").splitlines()
                    if line.startswith("# (pofilter)")] if out.exists() else []
        assert failures == [], f"{locale} {domain}: {failures[:5]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_golden_letter_per_locale(locale: str, update_golden: bool) -> None:
    letter = compose(person(locale), on=DAY, locale=locale, reason_preset="old-content")
    assert letter.locale == locale
    path = GOLDEN / "locales" / f"{locale}.txt"
    if not path.exists() and not update_golden:
        pytest.fail(f"no golden letter for {locale}: run .venv/bin/pytest "
                    f"'tests/test_i18n.py::test_golden_letter_per_locale[{locale}]' --update-golden, then read "
                    f"{path.relative_to(REPO)} and send it with your catalogs")
    check_golden(path, letter.text(), update_golden)


def _sentences(text: str) -> set[str]:
    out = set()
    for sentence in re.split(r"(?<=[.:;!?])\s+|\n", text):
        words = sentence.split()
        # Proper names used as labels ("- Prezes Urzędu ...:") are not English sentences.
        is_label = sentence.startswith("- ") and sentence.endswith(":")
        if len(words) >= 6 and not is_label and not re.search(r"@|https?://|OBJ-", sentence):
            out.add(" ".join(words))
    return out


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if not loc.startswith("en")])
def test_no_sentence_left_in_english(locale: str) -> None:
    p = person(locale)
    en = Person.create(p.name, p.email, p.country, p.state, p.address)
    # Each date with the kinds its law offers then (Vietnam's law, for one, is in
    # force only from 2026-01-01).
    for day in (DAY, dt.date(2025, 10, 1)):
        for kind in ("auto", *compose(p, on=day, locale=locale, allow_no_grounds=True).decision.letters):
            ours = compose(p, kind, on=day, locale=locale, allow_no_grounds=True)
            source = compose(en, kind, on=day, locale="en", allow_no_grounds=True)
            left = {s for s in _sentences(source.text()) if s in " ".join(ours.text().split())}
            assert left == set(), f"{locale} {kind} {day}: {sorted(left)[:3]}"
            howto_en = _sentences(__import__("objector").render(source, "howto").decode())
            howto = " ".join(__import__("objector").render(ours, "howto").decode().split())
            assert {s for s in howto_en if s in howto and "objector" not in s} == set()


@pytest.fixture(scope="module")
def renderer() -> PDFRenderer:
    return PDFRenderer()


@pytest.mark.parametrize("locale", LOCALES)
def test_pdf_has_no_missing_glyphs(renderer: PDFRenderer, locale: str) -> None:
    letter = compose(person(locale), on=DAY, locale=locale, reason_preset="old-content")
    data = renderer.render(letter)
    assert data.startswith(b"%PDF-")
    assert renderer.last_warnings == []


@pytest.mark.parametrize(("citation", "locale", "expected"), [
    ("GDPR Art. 21(1)", "en", "GDPR Art. 21(1)"),
    ("GDPR Art. 18(1)(d)", "en_GB", "GDPR Art. 18(1)(d)"),
    ("Cal. Civ. Code §1798.105", "es_US", "Cal. Civ. Code §1798.105"),
    # Every law's articles and sections take the language's citation shapes (issue 11).
    ("KVKK Art. 11(1)(e)", "tr", "KVKK m. 11/1-e"),
    ("Ley 1581 de 2012 Art. 8(c)", "es_419", "art. 8, literal c) de la Ley 1581 de 2012"),
    ("POPIA s. 11(3)(a)", "de", "Section 11(3)(a) POPIA"),
    ("PDPO s. 19(1)", "zh_Hant_HK", "《私隱條例》第19(1)條"),
    ("Ley 19.628 Art. 8 ter", "es_419", "art. 8 ter de la Ley 19.628"),
    ("Regulation (EEC, Euratom) No 1182/71 Art. 3(4)", "de", "Art. 3 Abs. 4 Verordnung (EWG, Euratom) Nr. 1182/71"),
])
def test_citations_keep_their_numbers(citation: str, locale: str, expected: str) -> None:
    if locale not in available_letter_locales():
        pytest.skip(f"{locale} not shipped")
    assert localise(citation, locale) == expected


@pytest.mark.parametrize("locale", LOCALES)
def test_localised_citations_keep_every_number(locale: str) -> None:
    for citation in ("GDPR Art. 21(1)", "GDPR Art. 18(1)(d)", "GDPR Recital 47", "UK GDPR Art. 17(2)",
                     "FADP Art. 30(2)(b)", "LGPD Art. 18, IX", "PDPO s. 19(1)", "PIPEDA Sch. 1, Principle 4.3.8",
                     "KVKK Art. 11(1)(e)", "POPIA s. 11(3)(a)", "NDPA s. 36(2)", "Ley 1581 de 2012 Art. 8(c)",
                     "DPDP Act 2023 s. 7(a)", "APPI Art. 35(5)", "PDPA (Thailand) s. 32"):
        out = localise(citation, locale)
        assert sorted(re.findall(r"\d+", out)) == sorted(re.findall(r"\d+", citation)), (citation, out)


@pytest.mark.parametrize(("country", "state", "locale", "note"), [
    ("BE", None, "nl", "letter language nl; also possible for BE: fr, de (choose with --locale)"),
    ("DE", None, "de", None),
    ("CA", "QC", "fr_CA", "letter language fr_CA; also possible for CA: en_GB (choose with --locale)"),
    # Countries whose language has no catalog yet: English, and the reason, out loud.
    (NEW_COUNTRY, None, "en_GB", "letter language en_GB (English (United Kingdom)): no complete catalog yet for "
                                 f"{NEW} ({NEW_NAME}), the language of {NEW_COUNTRY} (see 'objector locales')"),
    ("MN", None, "en_GB", "letter language en_GB (English (United Kingdom)): no complete catalog yet for "
                          "mn (Mongolian), the language of MN (see 'objector locales')"),
    ("IN", None, "en_GB", "letter language en_GB; no complete catalog yet for hi (Hindi)"),
])
def test_country_language_and_fallback_are_said(country: str, state: str | None, locale: str,
                                                 note: str | None) -> None:
    assert resolve_letter_locale(None, country, state) == (locale, note)
    assert resolve_letter_locale("en", country, state) == ("en", None)


@pytest.mark.parametrize(("requested", "locale", "note"), [
    ("pt-br", "pt_BR", None),
    ("pt_br", "pt_BR", None),
    ("de_DE", "de", "letter language de: objector has no separate catalog for de_DE"),
    ("de-DE", "de", "letter language de: objector has no separate catalog for de_DE"),
])
def test_locale_spellings_resolve(requested: str, locale: str, note: str | None) -> None:
    assert resolve_letter_locale(requested, "DE") == (locale, note)


@pytest.mark.parametrize(("requested", "message"), [
    ("UK", "'UK' is written like a country code; locale codes begin with a lowercase language code ('uk' is "
           "Ukrainian); the United Kingdom is the country GB, and its letters are in en_GB"),
    ("DE", "'DE' is written like a country code; locale codes begin with a lowercase language code ('de' is "
           "German)"),
])
def test_country_codes_are_not_taken_for_languages(requested: str, message: str) -> None:
    err = io.StringIO()
    status = main(["letter", "--name", "A", "--email", "a@example.org", "--country", "GB", "--no-grounds",
                   "--locale", requested], stdout=io.StringIO(), stderr=err)
    assert (status, err.getvalue()) == (2, f"objector: error: locale: {message}\n")


@pytest.fixture
def locales_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """objector working on a copy of locales/ (in tmp_path), as a translator's checkout would."""
    import objector.catalogs as catalogs
    import objector.i18n as i18n
    import objector.templating as templating

    root = tmp_path / "locales"
    shutil.copytree(pot_path("letters").parent, root)
    for module in (catalogs, i18n):
        monkeypatch.setattr(module, "locales_dir", lambda: root)
    monkeypatch.chdir(tmp_path)
    caches = (i18n.available_letter_locales, i18n.translations, i18n._cldr_languages, templating.environment)
    for cached in caches:
        cached.cache_clear()
    yield root
    for cached in caches:  # nothing compiled from the copy may outlive it
        cached.cache_clear()


# Placeholders and printf conversions, which a translation keeps as they are.
_KEEP = re.compile(r"(%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]|\{\{.*?\}\})")


def _pseudo(text: str) -> str:
    """A stand-in translation: every letter's case swapped outside placeholders, so no
    English sentence survives while every placeholder and number does."""
    return "".join(part if i % 2 else part.swapcase() for i, part in enumerate(_KEEP.split(text)))


def _fill(folder: Path, share: float = 1.0) -> None:
    """Translate the first ``share`` of every catalog in ``folder`` with _pseudo, and
    fill in its GLOSSARY.md, as a translator would with an editor."""
    for domain in ALL_DOMAINS:
        path = folder / "LC_MESSAGES" / f"{domain}.po"
        with path.open("rb") as fh:
            cat = read_po(fh, locale=folder.name)
        messages = [m for m in cat if m.id]
        for msg in messages[:round(share * len(messages))]:
            ids = [msg.id] if isinstance(msg.id, str) else list(msg.id)
            msg.string = _pseudo(ids[0]) if len(ids) == 1 else tuple(
                _pseudo(ids[min(n, 1)]) for n in range(cat.num_plurals))
        with path.open("wb") as fh:
            write_po(fh, cat, width=100)
    glossary = folder / "GLOSSARY.md"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(
        "|  |  |  |", "| (pseudo-translation) | GDPR Art. 21 (test) | knowledge |"), encoding="utf-8")


def test_init_starts_every_domain_and_a_glossary(locales_copy: Path) -> None:
    err = io.StringIO()
    assert main(["locales", "init", NEW], stdout=io.StringIO(), stderr=err) == 0
    folder = locales_copy / NEW
    assert sorted(p.name for p in (folder / "LC_MESSAGES").iterdir()) == sorted(f"{d}.po" for d in ALL_DOMAINS)
    assert err.getvalue().count("objector: wrote ") == len(ALL_DOMAINS) + 1
    # The glossary lists every legal term, unfilled, so the glossary test fails until it is done.
    rows = _glossary_rows((folder / "GLOSSARY.md").read_text(encoding="utf-8"))
    assert [row[0] for row in rows] == list(LEGAL_TERMS.values())
    assert all(row[1] == "" for row in rows)
    status = check(NEW, ALL_DOMAINS)
    assert (status.translated, status.problems) == (0, [])
    assert status.total == sum(1 for d in ALL_DOMAINS for m in read_po(io.BytesIO(pot_path(d).read_bytes())) if m.id)


@pytest.mark.parametrize(("code", "created", "message"), [
    ("de-at", "de_AT", None),
    ("pt-pt", "pt_PT", None),
    (NEW.title(), NEW, None),
    (NEW.upper(), None, f"'{NEW.upper()}' is written like a country code; locale codes begin with a lowercase "
                        f"language code ('{NEW}' is {NEW_NAME})"),
    ("UK", None, "'UK' is written like a country code; locale codes begin with a lowercase language code "
                 "('uk' is Ukrainian); the United Kingdom is the country GB, and its letters are in en_GB"),
    ("pt-br", None, "'pt-br' exists already (as 'pt_BR'; codes differing only in case or separator are one "
                    "locale); use 'objector locales update pt_BR'"),
    ("pt_br", None, "'pt_br' exists already (as 'pt_BR'; codes differing only in case or separator are one "
                    "locale); use 'objector locales update pt_BR'"),
    ("DE", None, "'DE' exists already (as 'de'; codes differing only in case or separator are one "
                 "locale); use 'objector locales update de'"),
    ("en-GB", None, "'en-GB' exists already (as 'en_GB'; codes differing only in case or separator are one "
                    "locale); use 'objector locales update en_GB'"),
])
def test_init_normalises_the_code_and_refuses_duplicates(locales_copy: Path, code: str, created: str | None,
                                                         message: str | None) -> None:
    before = {p.name for p in locales_copy.iterdir()}
    err = io.StringIO()
    status = main(["locales", "init", code], stdout=io.StringIO(), stderr=err)
    after = {p.name for p in locales_copy.iterdir()}
    if created:
        assert (status, after - before) == (0, {created})
    else:
        assert (status, err.getvalue(), after) == (2, f"objector: error: locale: {message}\n", before)


@pytest.mark.parametrize(("there", "code"), [(NEW.upper(), NEW), (NEW, NEW.upper()), (NEW, NEW.title())])
def test_init_refuses_a_spelling_of_a_folder_already_there(locales_copy: Path, there: str, code: str) -> None:
    # A folder made by hand (or by an older objector) in another spelling is the same locale.
    (locales_copy / there / "LC_MESSAGES").mkdir(parents=True)
    err = io.StringIO()
    assert main(["locales", "init", code], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue() == (f"objector: error: locale: {code!r} exists already (as {there!r}; codes differing "
                              f"only in case or separator are one locale); use 'objector locales update {there}'\n")


def _line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.mark.parametrize(("edit", "msgid_line", "kind", "problem"), [
    (('msgstr "Dear Data Protection Officer,"', 'msgstr ""'), 'msgid "Dear Data Protection Officer,"',
     "untranslated", None),
    (('msgid "Sincerely,"', '#, fuzzy\nmsgid "Sincerely,"'), 'msgid "Sincerely,"', "fuzzy", None),
    (('msgstr "Page"', 'msgstr "Page %(count)s"'), 'msgid "Page"', "placeholders differ from the source",
     "placeholders differ"),
])
def test_check_lists_each_entry_with_its_line(locales_copy: Path, edit: tuple[str, str], msgid_line: str,
                                              kind: str, problem: str | None) -> None:
    po = locales_copy / "en_GB" / "LC_MESSAGES" / "letters.po"
    text = po.read_text(encoding="utf-8")
    assert edit[0] in text
    po.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    status = check("en_GB")
    assert not status.complete
    if problem:
        assert any(problem in p for p in status.problems)
    out = io.StringIO()
    assert main(["locales", "check", "en-gb"], stdout=out, stderr=io.StringIO()) == 1
    msgid = msgid_line.removeprefix("msgid ").strip('"')
    assert out.getvalue().splitlines()[0] == (f"locales/en_GB/LC_MESSAGES/letters.po:{_line_of(po, msgid_line)}: "
                                              f"{kind}: {msgid!r}")
    assert out.getvalue().splitlines()[-1].startswith("en_GB: incomplete (")


def test_check_lists_missing_catalogs(locales_copy: Path) -> None:
    (locales_copy / "de" / "LC_MESSAGES" / "campaign.po").unlink()
    out = io.StringIO()
    assert main(["locales", "check", "de"], stdout=out, stderr=io.StringIO()) == 1
    assert out.getvalue().splitlines()[0] == ("locales/de/LC_MESSAGES/campaign.po: no catalog "
                                              "(run 'objector locales update de')")
    err = io.StringIO()
    assert main(["locales", "update", "de"], stdout=io.StringIO(), stderr=err) == 0
    assert (locales_copy / "de" / "LC_MESSAGES" / "campaign.po").is_file()


def test_a_partial_catalog_can_be_previewed(locales_copy: Path) -> None:
    args = ["letter", "--name", "Alex Example", "--email", "alex@example.org", "--country", NEW_COUNTRY,
            "--no-grounds", "--date", "2026-11-25"]
    assert main(["locales", "init", NEW], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    _fill(locales_copy / NEW, share=0.5)
    english = compose(Person.create("Alex Example", "alex@example.org", NEW_COUNTRY), on=DAY, locale="en",
                      allow_no_grounds=True).text()
    # One translated entry with a placeholder English lacks: it would break the letter, so it stays English.
    po = locales_copy / NEW / "LC_MESSAGES" / "letters.po"
    with po.open("rb") as fh:
        cat = read_po(fh, locale=NEW)
    broken = next(m for m in cat if m.id and m.string and "%(" not in m.id and not m.context and m.id in english)
    broken.string = f"{_pseudo(broken.id)} %(nobody)s"
    with po.open("wb") as fh:
        write_po(fh, cat, width=100)

    err = io.StringIO()
    assert main([*args, "--locale", NEW], stdout=io.StringIO(), stderr=err) == 2
    assert f"no complete letter catalog for '{NEW}' (add --allow-incomplete to preview it)" in err.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert main([*args, "--locale", NEW, "--allow-incomplete"], stdout=out, stderr=err) == 0
    notes = [line for line in err.getvalue().splitlines() if "letter language" in line]
    assert len(notes) == 1 and notes[0].startswith(f"objector: note: letter language {NEW} is incomplete (")
    assert "untranslated or broken entries are in English" in notes[0]
    text = out.getvalue()
    assert broken.id in text and "%(nobody)s" not in text  # the broken entry fell back to English
    assert any(_pseudo(m.id) in text for m in cat if isinstance(m.id, str) and m.string and len(m.id) > 30)


def test_locales_command(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["locales"], stdout=out, stderr=err) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["locale", "translated", "status", "name"]
    assert any(line.startswith("en_GB ") and "100.0% complete" in line for line in lines)
    assert main(["locales", "check", "en_GB"], stdout=out, stderr=err) == 0
    err = io.StringIO()
    assert main(["locales", "init", "en_GB"], stdout=out, stderr=err) == 2
    assert "exists already" in err.getvalue()
    err = io.StringIO()
    assert main(["locales", "init", "not-a-locale"], stdout=out, stderr=err) == 2
    assert err.getvalue() == "objector: error: locale: unknown locale 'not-a-locale'\n"


def _glossary_rows(text: str) -> list[list[str]]:
    """The rows of a glossary's term tables (those with a "Wording used" column)."""
    rows: list[list[str]] = []
    in_table = False
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if not cells:
            in_table = False
        elif len(cells) > 1 and cells[1].lower().startswith("wording"):
            in_table = True
        elif in_table and not set("".join(cells)) <= set("-: "):
            rows.append(cells)
    return rows


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_a_glossary(locale: str) -> None:
    # 'objector locales init' writes a table with one row per legal term and empty
    # cells; a glossary is done when every row says the wording used.
    glossary = pot_path("letters").parent / locale / "GLOSSARY.md"
    rows = _glossary_rows(glossary.read_text(encoding="utf-8"))
    assert rows, f"{glossary}: no term table with a 'Wording used' column"
    unfilled = [row[0] for row in rows if len(row) < 2 or not row[1]]
    assert unfilled == [], f"{glossary}: fill in the wording used for {unfilled[:3]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_eml_per_locale(locale: str) -> None:
    import email
    from email import policy

    from objector import render

    letter = compose(person(locale), on=DAY, locale=locale, reason_preset="old-content")
    msg = email.message_from_bytes(render(letter, "eml"), policy=policy.default)
    assert msg["Subject"] == letter.subject
    assert msg["Content-Language"] == locale.replace("_", "-")
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content() == letter.text()


CAMPAIGN_LOCALES = [loc for loc in LOCALES if po_path(loc, "campaign").exists()]


@pytest.mark.parametrize("locale", CAMPAIGN_LOCALES)
def test_campaign_catalog_is_complete_and_correct(locale: str, tmp_path: Path) -> None:
    status = check(locale, ("campaign",))
    assert status.problems == [] and status.complete
    _tool("msgfmt")
    result = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "x.mo"), str(po_path(locale, "campaign"))],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("locale", [loc for loc in CAMPAIGN_LOCALES if not loc.startswith("en")])
def test_campaign_texts_are_in_the_letter_language(locale: str, tmp_path: Path) -> None:
    from objector.campaign import load_campaign

    path = tmp_path / "c.toml"
    path.write_text('name = "C"\n[organisation]\nname = "Org"\nemail = "org@example.org"\n'
                    "[representation]\narticle_80 = true\nnot_for_profit = true\n")
    campaign = load_campaign(path)
    # Art. 80 representation is a GDPR matter: a locale whose sample place is elsewhere uses Ireland.
    country, state = sample_place(locale)
    if decide(country, state, DAY).regime.id != "eu-gdpr":
        country, state = "IE", None
    p = Person.create("Alex Example", "alex@example.org", country, state)
    letter = compose(p, on=DAY, locale=locale, allow_no_grounds=True,
                     extra_paragraphs=campaign.extra_paragraphs)
    assert "I have mandated" not in letter.body
    assert "Org" in letter.body
    mandate = campaign.mandate_text(letter)
    assert not mandate.startswith("Mandate under") and "Alex Example" in mandate


def test_a_new_language_needs_no_python(tmp_path: Path) -> None:
    """The translator's journey of locales/README.md, for Turkish, in a copy of the repository:
    init, translate (here a stand-in), glossary, golden letter, then every per-locale test."""
    copy = tmp_path / "repo"
    for name in ("objector", "templates", "locales", "tests"):
        shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, copy / name)
    # The copy's package comes first on the path, so objector finds the copy's locales/.
    env = {**os.environ, "PYTHONPATH": str(copy),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)

    where = run("-c", "import objector.resources as r; print(r.locales_dir())")
    assert where.stdout.strip() == str(copy / "locales"), where.stderr
    letter = ("-m", "objector", "letter", "--name", "Alex Example", "--email", "alex@example.org", "--country",
              NEW_COUNTRY,
              "--no-grounds", "--date", "2026-11-25")
    before = run(*letter)
    assert f"no complete catalog yet for {NEW} ({NEW_NAME})" in before.stderr

    # A no-op in a consistent tree (test_templates_are_current); it keeps this test about
    # the new locale while someone's template edit awaits extraction.
    assert run("-m", "objector", "locales", "extract").returncode == 0
    assert run("-m", "objector", "locales", "init", NEW).returncode == 0
    _fill(copy / "locales" / NEW)
    checked = run("-m", "objector", "locales", "check", NEW)
    assert (checked.returncode, checked.stdout) == (0, "")
    pytest_args = ("-m", "pytest", "-q", "-p", "no:cacheprovider")
    golden = run(*pytest_args, f"tests/test_i18n.py::test_golden_letter_per_locale[{NEW}]", "--update-golden")
    assert golden.returncode == 0, golden.stdout[-2000:]
    assert (copy / "tests" / "golden" / "locales" / f"{NEW}.txt").is_file()

    collected = run(*pytest_args, "--collect-only", "tests")
    ids = [line for line in collected.stdout.splitlines() if line.endswith(f"[{NEW}]")]
    assert len(ids) >= 8, collected.stdout[-2000:]
    result = run(*pytest_args, *ids, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:]
    assert f"{len(ids)} passed" in result.stdout, result.stdout[-2000:]

    after = run(*letter, "--format", "json")  # the country's letters are now in its language, without a note
    assert (after.returncode, after.stderr.count("letter language")) == (0, 0), after.stderr
    assert json.loads(after.stdout)["locale"] == NEW


def test_locales_share_compiled_templates_but_not_their_language() -> None:
    """Each locale's environment has its own gettext; the compiled code of a template is
    shared (templating._SharedCode), so a second language does not compile it again."""
    from objector import Person, compose
    from objector.templating import _shared_code, environment

    name = "letter/body.txt.jinja"
    environment("de").get_template(name)
    before = dict(_shared_code.code)
    assert before
    french = environment("fr").get_template(name)
    assert _shared_code.code == before  # nothing compiled anew
    assert french.environment is environment("fr") is not environment("de")
    person = Person.create("Alex Example", "alex@example.org", "BE")
    day = dt.date(2026, 11, 25)
    letters = {loc: compose(person, on=day, locale=loc, reason_preset="old-content") for loc in ("de", "fr", "nl")}
    assert "Widerspruch" in letters["de"].body and "opposition" in letters["fr"].body.lower()
    assert letters["nl"].body != letters["fr"].body
