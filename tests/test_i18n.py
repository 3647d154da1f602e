"""Letter languages: catalogs current and correct, a golden letter per locale, no English left, no missing glyphs."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import GOLDEN, check_golden

from objector import Person, compose
from objector.catalogs import DOMAINS, catalog_locales, check, extract, po_path, pot_path
from objector.citations import localise
from objector.i18n import available_letter_locales, resolve_letter_locale
from objector.output.pdf import PDFRenderer

LOCALES = catalog_locales()
DAY = dt.date(2026, 11, 25)
# A place that writes in each locale, for its golden letter.
PLACES = {
    "bg": ("BG", None), "cs": ("CZ", None), "da": ("DK", None), "de": ("DE", "BY"), "el": ("GR", None),
    "en_GB": ("GB", None), "en_US": ("US", "NY"), "es": ("ES", None), "es_US": ("US", "CA"), "et": ("EE", None),
    "fi": ("FI", None), "fr": ("FR", None), "fr_CA": ("CA", "QC"), "ga": ("IE", None), "hr": ("HR", None),
    "hu": ("HU", None), "is": ("IS", None), "it": ("IT", None), "lt": ("LT", None), "lv": ("LV", None),
    "mt": ("MT", None), "nb": ("NO", None), "nl": ("NL", None), "pl": ("PL", None), "pt": ("PT", None),
    "pt_BR": ("BR", None), "ro": ("RO", None), "sk": ("SK", None), "sl": ("SI", None), "sv": ("SE", None),
    "zh_Hant_HK": ("HK", None),
}
REQUIRED = {"bg", "cs", "da", "de", "el", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt", "nl",
            "pl", "pt", "ro", "sk", "sl", "sv", "nb", "is", "en_GB", "en_US", "fr_CA", "pt_BR", "zh_Hant_HK",
            "es_US"}


def person(locale: str) -> Person:
    country, state = PLACES[locale]
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
    check_golden(GOLDEN / "locales" / f"{locale}.txt", letter.text(), update_golden)


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
    for kind in ("auto", *compose(p, on=DAY, locale=locale, allow_no_grounds=True).decision.letters):
        for day in (DAY, dt.date(2025, 10, 1)):
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
])
def test_citations_keep_their_numbers(citation: str, locale: str, expected: str) -> None:
    if locale not in available_letter_locales():
        pytest.skip(f"{locale} not shipped")
    assert localise(citation, locale) == expected


@pytest.mark.parametrize("locale", LOCALES)
def test_localised_citations_keep_every_number(locale: str) -> None:
    for citation in ("GDPR Art. 21(1)", "GDPR Art. 18(1)(d)", "GDPR Recital 47", "UK GDPR Art. 17(2)",
                     "FADP Art. 30(2)(b)", "LGPD Art. 18, IX", "PDPO s. 19(1)", "PIPEDA Sch. 1, Principle 4.3.8"):
        out = localise(citation, locale)
        assert sorted(re.findall(r"\d+", out)) == sorted(re.findall(r"\d+", citation)), (citation, out)


def test_country_language_and_fallback_are_said() -> None:
    locale, note = resolve_letter_locale(None, "BE")
    assert locale in ("nl", "fr", "de", "en_GB")
    if locale == "nl":
        assert note == "letter language nl; also possible for BE: fr, de (choose with --locale)"
    locale, note = resolve_letter_locale(None, "JP")
    assert (locale, note) == ("en_GB", None) or locale == "en"
    assert resolve_letter_locale("en", "DE") == ("en", None)


def _tampered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: tuple[str, str]) -> str:
    """A copy of the locales with one edit to English (en_GB) letters.po; returns the locale."""
    import objector.catalogs as catalogs

    root = tmp_path / "locales"
    shutil.copytree(pot_path("letters").parent, root)
    po = root / "en_GB" / "LC_MESSAGES" / "letters.po"
    text = po.read_text(encoding="utf-8")
    assert edit[0] in text
    po.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    monkeypatch.setattr(catalogs, "locales_dir", lambda: root)
    return "en_GB"


@pytest.mark.parametrize(("edit", "problem"), [
    (('msgstr "Dear Data Protection Officer,"', 'msgstr ""'), None),
    (('msgstr "Sincerely,"', '#, fuzzy\nmsgstr "Sincerely,"'), None),
    (('msgstr "Page"', 'msgstr "Page %(count)s"'), "placeholders differ"),
])
def test_check_finds_incomplete_and_wrong_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  edit: tuple[str, str], problem: str | None) -> None:
    locale = _tampered(tmp_path, monkeypatch, edit)
    status = check(locale)
    assert not status.complete
    if problem:
        assert any(problem in p for p in status.problems)


def test_locales_command(tmp_path: Path) -> None:
    import io

    from objector.cli import main

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


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_a_glossary(locale: str) -> None:
    glossary = pot_path("letters").parent / locale / "GLOSSARY.md"
    text = glossary.read_text(encoding="utf-8")
    assert "|" in text and ("Art. 21" in text or "21" in text)  # a term table that covers the objection


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
    eu = {k: v for k, v in PLACES.items() if v[0] not in ("US", "CA", "HK", "BR")}
    country, state = eu.get(locale, ("IE", None))
    p = Person.create("Alex Example", "alex@example.org", country, state)
    letter = compose(p, on=DAY, locale=locale, allow_no_grounds=True,
                     extra_paragraphs=campaign.extra_paragraphs)
    assert "I have mandated" not in letter.body
    assert "Org" in letter.body
    mandate = campaign.mandate_text(letter)
    assert not mandate.startswith("Mandate under") and "Alex Example" in mandate
