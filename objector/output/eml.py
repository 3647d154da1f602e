"""The letter as an RFC 5322 e-mail draft (.eml): UTF-8, safe headers, optional PDF.

The message is assembled directly rather than through ``email.message``, which
is about ten times slower and would dominate a large batch; tests parse every
result back with the standard library to prove it well-formed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from email.header import Header
from email.utils import format_datetime
from functools import lru_cache, partial

from ..letter import Letter
from ..person import header_email
from .bounded import BoundedCache

# Message-IDs use a fixed domain of ours, never the machine's host name (which
# would leak it); .invalid is reserved and never resolves.
MESSAGE_ID_DOMAIN = "objector.invalid"
# Line ends as the standard library writes .eml files (policy.default): LF.
CRLF = "\n"


def message_id(letter: Letter) -> str:
    digest = hashlib.sha256(f"{letter.reference}|{letter.person.email}".encode()).hexdigest()[:16]
    return f"<{letter.reference}.{digest}@{MESSAGE_ID_DOMAIN}>"


def _safe(value: str) -> str:
    # Person data is validated as single lines already; this is the last guard
    # against header injection.
    if "\r" in value or "\n" in value:
        raise ValueError("header values may not contain a linefeed or carriage return")
    return value


# A batch's letters share their subjects and most lines of their text, and the
# standard library's header folding and quoted-printable encoding are a fifth of
# an .eml letter's time: each is encoded once and reused (person-specific values
# are stored only when they come back, so they never push the shared ones out).
_HEADERS: BoundedCache[str] = BoundedCache(256, admit_second=True)
_QP_LINES: BoundedCache[bytes] = BoundedCache(4096, admit_second=True)


def _encoded(name: str, value: str) -> str:
    """``Name: value`` with RFC 2047 encoding where needed, folded at 76 columns."""
    _safe(value)

    def make() -> str:
        charset = "us-ascii" if value.isascii() and len(name) + len(value) + 2 <= 998 else "utf-8"
        return f"{name}: {Header(value, charset, header_name=name).encode(maxlinelen=76, linesep=CRLF)}"

    return _HEADERS.get_or_make((name, value), make)


@lru_cache(maxsize=64)
def _date(day: dt.date) -> str:
    """Noon UTC on the letter date: a fixed time keeps output byte-identical."""
    return format_datetime(dt.datetime.combine(day, dt.time(12), dt.UTC))


def quoted_printable(data: bytes) -> bytes:
    """``data`` quoted-printable (as ``quopri.encodestring``), line by line.

    Without carriage returns each line encodes on its own (soft breaks and
    trailing spaces depend only on the line), so a line met before is reused; a
    text with a CR is encoded whole, since one CRLF changes every line's ending.
    """
    if b"\r" in data:
        return binascii.b2a_qp(data)
    lines = data.split(b"\n")
    last = lines.pop()
    out = []
    for line in lines:
        line += b"\n"
        out.append(_QP_LINES.get_or_make(line, partial(binascii.b2a_qp, line)))
    if last:
        out.append(binascii.b2a_qp(last))
    return b"".join(out)


def _address(display: str, addr: str) -> str:
    _safe(display)
    _safe(addr)
    if display.isascii() and all(ch.isalnum() or ch in " .-'" for ch in display):
        shown = f'"{display}"' if "." in display or "'" in display else display
    else:
        shown = Header(display, "utf-8").encode(maxlinelen=998)
    return f"{shown} <{addr}>"


def _wrap76(data: bytes) -> bytes:
    b64 = base64.b64encode(data)
    return b"\n".join(b64[i:i + 76] for i in range(0, len(b64), 76))


def render_eml(letter: Letter, pdf: bytes | None = None, to: str | None = None) -> bytes:
    """An e-mail draft of ``letter`` from the person; ``To:`` only where an address exists."""
    to = to or next((ch.email for _, ch in letter.decision.channels if ch.email), None)
    headers = [
        # The domain in IDNA form: the letter shows the address as typed, but a
        # header with a raw UTF-8 domain is refused by many mail systems.
        f"From: {_address(letter.person.name, header_email(letter.person.email))}",
        *([f"To: {_safe(to)}"] if to else []),
        _encoded("Subject", letter.subject),
        f"Date: {_date(letter.date)}",
        f"Message-ID: {message_id(letter)}",
        "X-Unsent: 1",  # opens as an editable draft in Outlook
        f"Content-Language: {letter.locale.replace('_', '-')}",
        "MIME-Version: 1.0",
    ]
    body = quoted_printable(letter.text().encode("utf-8"))
    text_part = (b'Content-Type: text/plain; charset="utf-8"\n'
                 b"Content-Transfer-Encoding: quoted-printable\n\n" + body)
    if pdf is None:
        head = "\n".join(headers).encode("utf-8") + b"\n"
        return head + text_part + (b"" if body.endswith(b"\n") else b"\n")
    # A boundary derived from the content: the same letter gives the same bytes.
    boundary = "=_objector_" + hashlib.sha256(pdf + letter.body.encode()).hexdigest()[:32]
    headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
    name = f"{letter.reference}.pdf"
    attachment = (f"Content-Type: application/pdf\n"
                  f'Content-Disposition: attachment; filename="{name}"\n'
                  f"Content-Transfer-Encoding: base64\n\n").encode() + _wrap76(pdf) + b"\n"
    b = boundary.encode()
    return ("\n".join(headers).encode("utf-8") + b"\n\n"
            + b"--" + b + b"\n" + text_part + (b"" if body.endswith(b"\n") else b"\n")
            + b"--" + b + b"\n" + attachment
            + b"--" + b + b"--\n")
