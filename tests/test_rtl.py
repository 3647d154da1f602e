"""Letters in Arabic, Hebrew, Japanese, Korean, Thai, Vietnamese, Indonesian and Ukrainian (issue 12):
bidi isolation, hostile direction controls, PDF text in logical order, Arabic shaping,
line breaking without spaces, and a page-1 screenshot per new locale."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from objector import Person, compose
from objector.bidi import CONTROLS, LRI, PDI, first_strong, for_locale, isolate, ltr_spans
from objector.i18n import available_letter_locales
from objector.output.html import render_html, stylesheet
from objector.output.pdf import PDFRenderer

pytestmark = pytest.mark.timeout(300)
DAY = dt.date(2026, 12, 4)
ARTEFACTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
# The new locales and a country whose letters are in each.
NEW = {"ar": "SA", "he": "IL", "ja": "JP", "ko": "KR", "th": "TH", "vi": "VN", "id": "ID", "uk": "UA"}
READY = [loc for loc in NEW if loc in available_letter_locales()]
RTL = [loc for loc in ("ar", "he") if loc in READY]
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _person(locale: str, name: str = "Alex Example") -> Person:
    return Person.create(name, "alex@example.org", NEW[locale])


@pytest.mark.parametrize(("text", "runs"), [
    ("وفقًا للمادة GDPR Art. 21(1) من اللائحة", ["GDPR Art. 21(1)"]),
    ("المرجع OBJ-20261204-ABCD-EFGH، البريد alex@example.org.", ["OBJ-20261204-ABCD-EFGH", "alex@example.org"]),
    # A closing bracket the run did not open belongs to the sentence around it.
    ("(GDPR Art. 21(1)) من", ["GDPR Art. 21(1)"]),
    ("«Data for Generative AI Improvement» الإعداد", ["Data for Generative AI Improvement"]),
    ("GDPR Art. 21(1); GDPR Art. 18 و", ["GDPR Art. 21(1); GDPR Art. 18"]),
    ("סעיף 13 לחוק", []),
])
def test_left_to_right_runs_end_on_a_letter_digit_or_their_own_bracket(text: str, runs: list[str]) -> None:
    assert [text[a:b] for a, b in ltr_spans(text)] == runs


def test_isolation_is_idempotent_and_leaves_latin_lines_alone() -> None:
    once = isolate("أنا عضو في LinkedIn. اسمي Alex Example.\nLinkedIn Corporation")
    assert once == f"أنا عضو في {LRI}LinkedIn{PDI}. اسمي {LRI}Alex Example{PDI}.\nLinkedIn Corporation"
    assert isolate(once) == once
    assert for_locale("GDPR Art. 21(1) and more", "de") == "GDPR Art. 21(1) and more"


@pytest.mark.parametrize("locale", RTL)
def test_isolates_are_balanced_on_every_line_of_a_right_to_left_letter(locale: str) -> None:
    letter = compose(_person(locale), on=DAY, locale=locale, allow_no_grounds=True)
    for text in (letter.text(), letter.form_text):
        for line in text.split("\n"):
            assert line.count(LRI) == line.count(PDI), line
            assert not set(line) & (CONTROLS - {LRI, PDI}), line
    # Every Arabic or Hebrew paragraph starts in its own direction for a mail client
    # that looks at the first strong letter (isolated runs are skipped).
    for para in letter.body.split("\n\n"):
        if any(ch for ch in para if first_strong(ch) == "rtl"):
            assert first_strong(para) == "rtl", para


@pytest.mark.parametrize("locale", RTL or ["ar"])
def test_hostile_direction_controls_in_a_name_change_nothing_else(locale: str) -> None:
    """U+202E (right-to-left override) and the other controls are stripped on input
    (bidi.py), so a hostile name gives exactly the letter of the same name without them."""
    if locale not in READY:
        pytest.skip(f"{locale} not complete")
    hostile = "Alex\u202e Example\u2066\u202b"
    clean = compose(_person(locale, "Alex Example"), on=DAY, locale=locale, allow_no_grounds=True)
    dirty = compose(_person(locale, hostile), on=DAY, locale=locale, allow_no_grounds=True)
    assert dirty.text() == clean.text()
    assert render_html(dirty) == render_html(clean)
    assert "\u202e" not in render_html(dirty)


def _pdftotext(pdf: bytes, tmp: Path) -> str:
    path = tmp / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    # pdftotext marks the direction of what it reconstructs with embeddings.
    return "".join(ch for ch in out if ch not in CONTROLS)


@needs_poppler
@pytest.mark.parametrize("locale", RTL)
def test_the_pdf_text_of_a_right_to_left_letter_comes_out_in_logical_order(locale: str, tmp_path: Path) -> None:
    """pdftotext gives the reference, the e-mail address and every Latin run whole; for
    Hebrew, every paragraph's letters come out in order. (Poppler moves neutral
    punctuation at direction boundaries and splits some Arabic ligatures in its own
    reconstruction, and reorders digits next to brackets; the letters are what the
    paragraph check compares.)"""
    letter = compose(_person(locale), on=DAY, locale=locale, allow_no_grounds=True)
    text = _pdftotext(PDFRenderer().render(letter), tmp_path)
    assert letter.reference in text
    assert "alex@example.org" in text
    paras = [para.replace(LRI, "").replace(PDI, "") for para in letter.body.split("\n\n")]
    runs = [para[a:b] for para in paras for a, b in ltr_spans(para)]
    assert runs
    for run in runs:
        if "(" not in run:  # poppler mirrors brackets inside runs (see the docstring)
            assert run in " ".join(text.split()), run
    if locale == "he":
        def letters(s: str) -> str:
            return "".join(re.findall(r"[^\W\d_]", s))
        body = letters("\n".join(line for line in text.split("\n") if letter.reference not in line))
        for para in letter.body.split("\n\n"):
            plain = para.replace(LRI, "").replace(PDI, "")
            if not ltr_spans(plain):
                assert letters(plain) in body, plain


def _raster(html: str, tmp: Path, name: str) -> bytes:
    pdf = tmp / f"{name}.pdf"
    import weasyprint

    weasyprint.HTML(string=html).write_pdf(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-gray", str(pdf), str(tmp / name)], check=True, timeout=60)
    return next(tmp.glob(f"{name}*.pgm")).read_bytes()


@needs_poppler
def test_arabic_is_shaped_with_joined_forms(tmp_path: Path) -> None:
    """The letter's Arabic face joins letters: the word drawn normally differs from the
    same letters forced apart (a zero-width non-joiner between each, isolated forms)."""
    word = "بياناتي الشخصية"
    page = '<html lang="ar" dir="rtl"><head><meta charset="utf-8"><style>{css}</style></head><body><p>{w}</p>'
    joined = _raster(page.format(css=stylesheet(), w=word), tmp_path, "joined")
    apart = _raster(page.format(css=stylesheet(), w="\u200c".join(word)), tmp_path, "apart")
    assert joined != apart


# Characters a line may not start with (Thai vowels and marks that follow a
# consonant; Japanese closing punctuation and small kana) and may not end with
# (Thai leading vowels; Japanese opening brackets).
_NO_START = {"th": set("ะัาำิีึืฺุู็่้๊๋์ํ๎ๅ"), "ja": set("、。，．）」』】〕！？ゃゅょっャュョッー")}
_NO_END = {"th": set("เแโใไ"), "ja": set("（「『【〔")}


def _laid_out_lines(html: str) -> list[str]:
    """The text of every line box WeasyPrint lays out, in order (the real line breaks)."""
    import weasyprint
    from weasyprint.formatting_structure import boxes

    lines = []
    for page in weasyprint.HTML(string=html).render().pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.LineBox):
                text = "".join(b.text for b in box.descendants() if isinstance(b, boxes.TextBox)).strip()
                if text:
                    lines.append(text)
    return lines


@pytest.mark.parametrize("locale", [loc for loc in ("th", "ja") if loc in READY])
def test_lines_without_spaces_break_at_valid_positions(locale: str) -> None:
    """Thai and Japanese break lines without spaces: Pango (with libthai for Thai) never
    starts a line with a following vowel, tone mark or closing punctuation."""
    letter = compose(_person(locale), on=DAY, locale=locale, allow_no_grounds=True)
    lines = _laid_out_lines(render_html(letter))
    assert len(lines) > 20
    # A paragraph wider than one line is broken somewhere other than at a space.
    assert any(" " not in line[-3:] for line in lines)
    for before, line in itertools.pairwise(lines):
        assert line[0] not in _NO_START[locale], (before, line)
        assert before[-1] not in _NO_END[locale], (before, line)


@needs_poppler
@pytest.mark.parametrize("locale", READY)
def test_page_one_screenshot_per_new_locale(locale: str) -> None:
    """Writes build/screenshots/<locale>.png (page 1): the artefact a reviewer looks at."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    letter = compose(_person(locale), on=DAY, locale=locale, allow_no_grounds=True)
    renderer = PDFRenderer()
    pdf = ARTEFACTS / f"{locale}.pdf"
    pdf.write_bytes(renderer.render(letter))
    assert renderer.last_warnings == []
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(ARTEFACTS / locale)], check=True, timeout=60)
    png = ARTEFACTS / f"{locale}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
