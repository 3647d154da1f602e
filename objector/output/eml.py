"""The letter as an RFC 5322 e-mail draft (.eml): UTF-8, safe headers, optional PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ..letter import Letter

# Message-IDs use a fixed domain of ours, never the machine's host name (which
# would leak it); .invalid is reserved and never resolves.
MESSAGE_ID_DOMAIN = "objector.invalid"


def message_id(letter: Letter) -> str:
    digest = hashlib.sha256(f"{letter.reference}|{letter.person.email}".encode()).hexdigest()[:16]
    return f"<{letter.reference}.{digest}@{MESSAGE_ID_DOMAIN}>"


def render_eml(letter: Letter, pdf: bytes | None = None, to: str | None = None) -> bytes:
    """An e-mail draft of ``letter`` from the person; ``To:`` only where an address exists.

    Person data cannot inject headers: names and addresses are validated single
    lines, and the e-mail library refuses CR/LF in header values besides.
    """
    to = to or next((ch.email for _, ch in letter.decision.channels if ch.email), None)
    smtputf8 = not letter.person.email.isascii()
    msg = EmailMessage(policy=policy.SMTPUTF8 if smtputf8 else policy.default)
    local, _, domain = letter.person.email.rpartition("@")
    msg["From"] = Address(display_name=letter.person.name, username=local, domain=domain)
    if to:
        msg["To"] = to
    msg["Subject"] = letter.subject
    # Noon UTC on the letter date: a fixed time keeps output byte-identical.
    msg["Date"] = format_datetime(dt.datetime.combine(letter.date, dt.time(12), dt.UTC))
    msg["Message-ID"] = message_id(letter)
    msg["X-Unsent"] = "1"  # opens as an editable draft in Outlook
    msg["Content-Language"] = letter.locale.replace("_", "-")
    msg.set_content(letter.text())
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=f"{letter.reference}.pdf")
        # A boundary derived from the content (the library picks a random one):
        # the same letter gives the same bytes.
        digest = hashlib.sha256(pdf + letter.body.encode()).hexdigest()[:32]
        msg.set_boundary(f"=_objector_{digest}")
    return msg.as_bytes()
