"""The person's input as the command line takes it, the letter built from it, and its files."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..decision import parse_date
from ..errors import InputError
from ..letter import Letter, compose
from ..output.files import EXTENSIONS, FORMATS, render
from ..person import Person

# Formats a letter can be downloaded in: those of ``objector letter --format`` and
# the whole bundle as one .zip (``--format all``).
LETTER_FORMATS = (*FORMATS, "zip")
MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8", "howto": "text/plain; charset=utf-8", "eml": "message/rfc822",
    "pdf": "application/pdf", "html": "text/html; charset=utf-8", "ics": "text/calendar; charset=utf-8",
    "json": "application/json", "zip": "application/zip", "mandate": "application/pdf",
}
# Generous caps before the person's own checks (which have the exact limits): a
# field longer than these is refused without being looked at further.
MAX_FIELD = 4000
MAX_ADDRESS_LINES = 12
TEXT_FIELDS = ("name", "email", "country", "state", "profile_url", "reason", "reason_preset", "kind", "date",
               "locale")


@dataclass(frozen=True)
class LetterFields:
    """What a person gives for a letter, under the command line's option names."""

    name: str = ""
    email: str = ""
    country: str = ""
    state: str | None = None
    address: tuple[str, ...] = ()
    profile_url: str | None = None
    reason: str | None = None
    reason_preset: str | None = None
    no_grounds: bool = False
    kind: str | None = None
    date: str | None = None
    locale: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def checked(self) -> LetterFields:
        """Self, or InputError for a field beyond the generous caps."""
        for name in TEXT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str) and len(value) > MAX_FIELD:
                raise InputError(name, f"is too long ({len(value)} characters; at most {MAX_FIELD})")
        if len(self.address) > MAX_ADDRESS_LINES:
            raise InputError("address", f"has {len(self.address)} lines; at most {MAX_ADDRESS_LINES}")
        for line in self.address:
            if len(line) > MAX_FIELD:
                raise InputError("address", f"is too long ({len(line)} characters; at most {MAX_FIELD})")
        return self

    def as_pairs(self) -> list[tuple[str, str]]:
        """The fields as form pairs (hidden inputs that carry them to the next step)."""
        pairs = [(k, v) for k in TEXT_FIELDS if (v := getattr(self, k))]
        pairs += [("address", line) for line in self.address]
        if self.no_grounds:
            pairs.append(("no_grounds", "1"))
        return pairs

    def as_dict(self) -> dict[str, Any]:
        """Plain data for a worker process."""
        return {k: getattr(self, k) for k in (*TEXT_FIELDS, "address", "no_grounds")}


def _opt(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def from_form(pairs: list[tuple[str, str]]) -> LetterFields:
    """The fields of a posted form; the address is one line per input or per line of a text box."""
    single: dict[str, str] = {}
    address: list[str] = []
    for key, value in pairs:
        if key == "address":
            address.extend(re.split(r"\r\n|\r|\n", value))
        elif key not in single:
            single[key] = value
    lines = tuple(line for line in address if line.strip())
    return LetterFields(
        name=single.get("name", ""), email=single.get("email", ""), country=single.get("country", ""),
        state=_opt(single.get("state")), address=lines, profile_url=_opt(single.get("profile_url")),
        reason=_opt(single.get("reason")), reason_preset=_opt(single.get("reason_preset")),
        no_grounds=single.get("no_grounds") in ("1", "on", "true"), kind=_opt(single.get("kind")),
        date=_opt(single.get("date")), locale=_opt(single.get("locale")), extra=single,
    ).checked()


def build_letter(f: LetterFields, campaign: Any = None, today: dt.date | None = None) -> Letter:
    """The letter, validated exactly as ``objector letter`` validates its options.

    Raises InputError naming the field, or GroundsRequired. A campaign supplies its
    kind, language, grounds and paragraphs where the person gave none, as in a batch.
    """
    person = Person.create(f.name, f.email, f.country, f.state, list(f.address), f.profile_url)
    on = parse_date(f.date, "date") if f.date else (today or dt.date.today())
    kind = f.kind or (campaign.kind if campaign else None) or "auto"
    locale = f.locale or (campaign.locale_for(person) if campaign else None)
    preset = f.reason_preset or (campaign.reason_preset if campaign else None)

    def make() -> Letter:
        return compose(person, kind, on=on, locale=locale, reason=f.reason, reason_preset=preset,
                       allow_no_grounds=f.no_grounds or bool(campaign and campaign.allow_no_grounds),
                       extra_paragraphs=campaign.extra_paragraphs if campaign else None,
                       templates=campaign.environment if campaign else None)

    return campaign.guarded(make) if campaign else make()


def file_name(letter: Letter, fmt: str) -> str:
    """The download's file name, as ``objector letter --format all`` names the bundle's files."""
    if fmt == "zip":
        return f"{letter.reference}.zip"
    if fmt == "mandate":
        return "mandate.pdf"
    return f"letter.{EXTENSIONS[fmt]}" if fmt != "howto" else EXTENSIONS[fmt]


def render_format(letter: Letter, fmt: str, pdf: bytes | None, campaign: Any = None) -> bytes:
    """One format; ``pdf`` (from the worker pool) is the PDF itself and the .eml's attachment."""
    if fmt == "html" and campaign is not None:
        return str(campaign.render_html(letter)).encode("utf-8")
    return render(letter, fmt, pdf)


def render_zip(letter: Letter, pdfs: dict[str, bytes], campaign: Any = None) -> bytes:
    """Every format in one .zip, named as the ``--format all`` folder (plus a campaign's mandate)."""
    files = {file_name(letter, fmt): render_format(letter, fmt, pdfs["letter.pdf"], campaign) for fmt in FORMATS}
    files.update({k: v for k, v in pdfs.items() if k != "letter.pdf"})
    if campaign is not None:
        files.update({k: v for k, v in campaign.member_files(letter).items() if k not in files})
    buf = io.BytesIO()
    # A fixed time keeps the same letter's archive byte-identical.
    stamp = (letter.date.year, letter.date.month, letter.date.day, 12, 0, 0)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"{letter.reference}/{name}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def attachment(name: str) -> str:
    """A Content-Disposition for a download: an ASCII name plus RFC 6266's UTF-8 ``filename*``."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
