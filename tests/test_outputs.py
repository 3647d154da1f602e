"""Output formats: PDF (text, page size, metadata, tags, fetcher), .eml, .ics, HTML, bundle."""

from __future__ import annotations

import dataclasses
import email
import functools
import io
import os
from email import policy
from pathlib import Path

import pypdf
import pytest
from conftest import DAY, person_for

from objector import Person, RenderError, render, write_bundle
from objector import compose as compose_any
from objector.output.files import atomic_write, bundle
from objector.output.html import render_html
from objector.output.pdf import PDFRenderer

# These tests read English letters; other locales have tests of their own.
compose = functools.partial(compose_any, locale="en")


@pytest.fixture(scope="module")
def renderer() -> PDFRenderer:
    return PDFRenderer()


def _pdf(renderer: PDFRenderer, letter) -> pypdf.PdfReader:  # type: ignore[no-untyped-def]
    data = renderer.render(letter)
    assert data.startswith(b"%PDF-")
    assert renderer.last_warnings == []  # no missing glyphs, no refused resources
    return pypdf.PdfReader(io.BytesIO(data))


def _text(reader: pypdf.PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.mark.parametrize(("regime_id", "size_mm"), [
    ("eu-gdpr", (210, 297)), ("uk-gdpr", (210, 297)), ("ch-fadp", (210, 297)),
    ("us-ca", (215.9, 279.4)), ("ca-pipeda", (215.9, 279.4)), ("br-lgpd", (210, 297)),
    ("hk-pdpo", (210, 297)),
])
def test_pdf_page_size_text_and_metadata(renderer: PDFRenderer, regime_id: str,
                                         size_mm: tuple[float, float]) -> None:
    letter = compose(person_for(regime_id), on=DAY, reason_preset="old-content")
    reader = _pdf(renderer, letter)
    for page in reader.pages:
        w, h = (float(v) * 25.4 / 72 for v in (page.mediabox.width, page.mediabox.height))
        assert (round(w, 1), round(h, 1)) == size_mm
    text = _text(reader)
    assert letter.reference in text
    assert letter.body.splitlines()[0] in text  # the salutation
    for _, demand in letter.decision.demands(letter.kinds):
        if demand.citation:
            assert demand.citation.replace(" ", "") in text.replace(" ", "").replace("‐", "-")
    meta = reader.metadata
    assert meta is not None
    assert meta.title == letter.subject
    assert meta.author == "Alex Example"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root  # tagged for screen readers
    assert f"Page 1 / {len(reader.pages)}" in text


def test_pdf_escapes_hostile_person_data(renderer: PDFRenderer) -> None:
    person = Person.create('<img src="file:///etc/passwd"> <link rel=attachment href=file:///etc/hostname>',
                           "x@example.org", "FR")
    letter = compose(person, on=DAY, allow_no_grounds=True)
    html = render_html(letter)
    assert "<img src" not in html and "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    reader = _pdf(renderer, letter)
    assert reader.attachments == {}
    assert "<img src=" in _text(reader)  # shown as text, never loaded


@pytest.mark.parametrize("url", [
    "file:///etc/hostname",
    "http://127.0.0.1:9/x.css",
    "https://example.org/logo.png",
    "data:text/plain,hello",
    "ftp://example.org/x",
])
def test_fetcher_refuses_everything_but_our_assets(renderer: PDFRenderer, url: str) -> None:
    with pytest.raises(ValueError, match="objector"):
        renderer.fetcher.fetch(url)


def test_fetcher_refuses_paths_escaping_assets(renderer: PDFRenderer) -> None:
    outside = renderer.assets.as_uri() + "/../letter/letter.css"
    with pytest.raises(ValueError, match="own template assets"):
        renderer.fetcher.fetch(outside)


def test_hostile_html_loads_nothing(renderer: PDFRenderer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    letter = compose(person_for("eu-gdpr"), on=DAY, allow_no_grounds=True)
    hostile = (f'<html><head><link rel="attachment" href="{secret.as_uri()}">'
               f'<style>@import url("{secret.as_uri()}");</style></head><body>'
               f'<a rel="attachment" href="{secret.as_uri()}">x</a>'
               f'<img src="http://127.0.0.1:9/x.png"><p>hello</p></body></html>')
    data = renderer.render(letter, html=hostile)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.attachments == {}
    assert b"TOP SECRET" not in data
    assert renderer.last_warnings  # each refusal is reported


def test_pdf_is_deterministic(renderer: PDFRenderer) -> None:
    letter = compose(person_for("uk-gdpr"), on=DAY, allow_no_grounds=True)
    assert renderer.render(letter) == renderer.render(letter)


def _eml(data: bytes) -> email.message.EmailMessage:
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def test_eml_headers_and_body() -> None:
    letter = compose(person_for("eu-gdpr"), on=DAY, allow_no_grounds=True)
    msg = _eml(render(letter, "eml"))
    assert msg["From"] == "Alex Example <alex@example.org>"
    assert msg["To"] is None  # LinkedIn publishes no e-mail address for these requests
    assert msg["Subject"] == letter.subject
    assert msg["Date"] == "Wed, 25 Nov 2026 12:00:00 +0000"
    assert msg["Message-ID"].endswith("@objector.invalid>") and letter.reference in msg["Message-ID"]
    assert msg["X-Unsent"] == "1"
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content() == letter.text()
    assert os.uname().nodename not in render(letter, "eml").decode()


def test_eml_with_pdf_attachment() -> None:
    letter = compose(person_for("us-ca"), on=DAY)
    files = bundle(letter)
    msg = _eml(files["letter.eml"])
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{letter.reference}.pdf"
    assert attachment.get_content() == files["letter.pdf"]


def test_eml_non_ascii_name_and_address() -> None:
    person = Person.create("Zoë Łukasiewicz-Ørsted", "zoë@bücher.example", "PL")
    letter = compose(person, on=DAY, allow_no_grounds=True)
    raw = render(letter, "eml")
    # An internationalised address needs RFC 6532 (UTF-8 headers), read as text.
    msg = email.message_from_string(raw.decode("utf-8"), policy=policy.default)
    assert msg["From"].addresses[0].display_name == "Zoë Łukasiewicz-Ørsted"
    # The header carries the domain in IDNA form (RFC 5890), the letter shows it as typed.
    assert msg["From"].addresses[0].addr_spec == "zoë@xn--bcher-kva.example"


def test_eml_cannot_inject_headers_even_past_validation() -> None:
    letter = compose(person_for("eu-gdpr"), on=DAY, allow_no_grounds=True)
    hostile = dataclasses.replace(letter, subject="Hi\r\nBcc: victim@example.org")
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        render(hostile, "eml")


def test_ics_reminder() -> None:
    letter = compose(person_for("eu-gdpr"), on=DAY, allow_no_grounds=True)
    data = render(letter, "ics")
    lines = data.decode().split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART;VALUE=DATE:20261228" in lines  # Christmas, St Stephen's Day, Sunday
    assert f"UID:{letter.reference}@objector.invalid" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = data.decode().replace("\r\n ", "")
    assert "Bayerisches Landesamt" not in unfolded  # person_for(eu) lives in Berlin
    assert "Berliner Beauftragte" in unfolded


def test_howto_lists_channels_in_order_with_form_text() -> None:
    letter = compose(person_for("eu-gdpr"), on=DAY, allow_no_grounds=True)
    text = render(letter, "howto").decode()
    positions = [text.index(ch.name) for _, ch in letter.decision.channels]  # English: names as in the data
    assert positions == sorted(positions)
    for line in letter.form_text.splitlines():
        assert line in text
    assert "28 December 2026" in text
    assert "    LinkedIn Ireland Unlimited Company\n    c/o Data Protection Officer" in text


def test_bundle_writes_every_format(tmp_path: Path) -> None:
    letter = compose(person_for("ch-fadp"), on=DAY, allow_no_grounds=True)
    paths = write_bundle(letter, tmp_path / "out")
    names = sorted(p.name for p in paths)
    assert names == ["how-to-send.txt", "letter.eml", "letter.html", "letter.ics", "letter.json",
                     "letter.pdf", "letter.txt"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == names  # no temp files left


def test_atomic_write_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "letter.txt"
    target.write_text("old")

    def boom(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new content")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["letter.txt"]


def test_missing_pdf_libraries_give_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(RenderError, match="Pango"):
        PDFRenderer()


def test_atomic_write_to_a_device_writes_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        atomic_write(fifo, b"through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert fifo.is_fifo()  # still the FIFO, not replaced by a regular file
    atomic_write(Path(os.devnull), b"discarded")
    assert Path(os.devnull).is_char_device()


def test_missing_glyphs_are_reported(renderer: PDFRenderer) -> None:
    person = Person.create("Test \U0001FAAC", "t@example.org", "FR")
    renderer.render(compose(person, on=DAY, allow_no_grounds=True))
    assert any("U+1FAAC" in w for w in renderer.last_warnings)
