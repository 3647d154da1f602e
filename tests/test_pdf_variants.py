"""PDF/A-3u and PDF/UA-1 letters: what can be checked without veraPDF, checked with pikepdf."""

from __future__ import annotations

import functools
import io
import json
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import DAY, person_for

from objector import compose as compose_any
from objector.errors import InputError
from objector.output.files import record
from objector.output.pdf import PDFRenderer
from objector.output.pdfa import PDF_VARIANTS, check_variant

compose = functools.partial(compose_any, locale="en", allow_no_grounds=True)
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}"


@pytest.fixture(scope="module", params=PDF_VARIANTS)
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def renderers() -> dict[str | None, PDFRenderer]:
    return {v: PDFRenderer(v) for v in (None, *PDF_VARIANTS)}


def _fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every font the pages use, descendant CID fonts included."""
    found = []
    for page in pdf.pages:
        for font in (page.Resources.get("/Font") or {}).values():
            found.append(font)
            found.extend(font.get("/DescendantFonts") or [])
    return found


def _embedded(font: pikepdf.Dictionary) -> bool:
    if font.get("/Subtype") == "/Type0":
        return True  # its descendant carries the file, checked on its own
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize("regime_id", ["eu-gdpr", "us-ca"])
def test_variant_has_what_archives_and_readers_check(renderers: dict[str | None, PDFRenderer], variant: str,
                                                      regime_id: str) -> None:
    letter = compose(person_for(regime_id), on=DAY)
    data = renderers[variant].render(letter)
    assert renderers[variant].last_warnings == []
    pdf = pikepdf.open(io.BytesIO(data))
    meta = pdf.open_metadata()
    if variant == "pdf/a-3u":
        assert (meta.get(f"{PDFAID}part"), meta.get(f"{PDFAID}conformance")) == ("3", "U")
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1" and "/DestOutputProfile" in intents[0]
    else:
        assert meta.get(f"{PDFUAID}part") == "1"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    assert meta.get("dc:title") == letter.subject
    fonts = _fonts(pdf)
    assert fonts and all(_embedded(f) for f in fonts)
    assert pdf.Root.MarkInfo.Marked is True
    assert len(pdf.Root.StructTreeRoot.K) > 0
    assert str(pdf.Root.Lang) == "en"


def test_pdfa_carries_the_eml_and_record_as_associated_files(renderers: dict[str | None, PDFRenderer]) -> None:
    letter = compose(person_for("eu-gdpr"), on=DAY)
    pdf = pikepdf.open(io.BytesIO(renderers["pdf/a-3u"].render(letter)))
    files = {name: spec for name, spec in pdf.attachments.items()}
    assert sorted(files) == ["letter.eml", "letter.json"]
    assert json.loads(files["letter.json"].get_file().read_bytes()) == json.loads(json.dumps(record(letter)))
    eml = files["letter.eml"].get_file().read_bytes()
    assert letter.reference.encode() in eml and b"application/pdf" not in eml
    relations = {str(spec.UF): str(spec.AFRelationship) for spec in pdf.Root.AF}
    assert relations == {"letter.eml": "/Alternative", "letter.json": "/Data"}
    # PDF/UA and a plain PDF carry no files.
    for other in (None, "pdf/ua-1"):
        assert dict(pikepdf.open(io.BytesIO(renderers[other].render(letter))).attachments) == {}


def test_variants_are_deterministic(renderers: dict[str | None, PDFRenderer], variant: str) -> None:
    letter = compose(person_for("uk-gdpr"), on=DAY)
    assert renderers[variant].render(letter) == renderers[variant].render(letter)


def test_unknown_variant_is_refused() -> None:
    assert check_variant(" PDF/A-3U ") == "pdf/a-3u"
    with pytest.raises(InputError, match="unknown PDF variant"):
        check_variant("pdf/a-1b")


@pytest.mark.timeout(120)
def test_cli_letter_and_batch_write_the_variant(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    subprocess.run([sys.executable, "-m", "objector", "letter", "--name", "Anna Example", "--email",
                    "anna@example.org", "--country", "GB", "--no-grounds", "--locale", "en", "--format", "pdf",
                    "--pdf-variant", "pdf/ua-1", "-o", str(out), "--date", DAY.isoformat()],
                   check=True, capture_output=True, timeout=100)
    assert pikepdf.open(out).open_metadata().get(f"{PDFUAID}part") == "1"
    people = tmp_path / "people.csv"
    people.write_text("name,email,country,locale,reason_preset\nAnna Example,anna@example.org,GB,en,old-content\n",
                      encoding="utf-8")
    subprocess.run([sys.executable, "-m", "objector", "batch", str(people), "--out", str(tmp_path / "b"),
                    "--format", "pdf", "--jobs", "1", "--pdf-variant", "pdf/a-3u", "--date", DAY.isoformat()],
                   check=True, capture_output=True, timeout=100)
    (pdf_path,) = (tmp_path / "b" / "letters").glob("*/letter.pdf")
    pdf = pikepdf.open(pdf_path)
    assert pdf.open_metadata().get(f"{PDFAID}part") == "3"
    assert sorted(pdf.attachments) == ["letter.eml", "letter.json"]
