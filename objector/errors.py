"""The exceptions objector raises, and what each one means for a caller.

    ObjectorError                 anything objector reports to a person (exit status 1)
    ├── InputError (ValueError)   a field of the person's input is wrong (exit status 2)
    │   └── LocaleError           the letter language asked for is not available
    ├── GroundsRequired           an Art. 21(1) objection needs grounds and none were given
    ├── DataError                 objector's own data files are inconsistent (a bug)
    └── RenderError               a letter could not be rendered (e.g. PDF libraries missing)
"""

from __future__ import annotations

import re


class ObjectorError(Exception):
    """Base class: a problem objector explains to a person in one line."""

    exit_status = 1


class InputError(ObjectorError, ValueError):
    """A field of the input is invalid; ``field`` names it (e.g. ``email``)."""

    exit_status = 2

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # A worker process sends a row's error to the parent by pickle; the default
        # rebuilds the exception from ``args`` (one string) and fails, losing the row.
        return type(self), (self.field, self.message)


class LocaleError(InputError):
    """The letter language asked for is unknown or not complete."""


class GroundsRequired(ObjectorError):
    """An Art. 21(1) objection needs grounds relating to the person's particular situation.

    ``str()`` is the command-line wording (it names the options); ``row_message``
    is the wording for a batch row, which has columns, not options.
    """

    exit_status = 2

    def __init__(self, message: str, citation: str | None = None) -> None:
        self.citation = citation
        super().__init__(message)

    def __reduce__(self) -> tuple[type[GroundsRequired], tuple[str, str | None]]:
        return type(self), (str(self), self.citation)

    @property
    def row_message(self) -> str:
        """The message for the ``reason`` field of a batch row: no option names, no field prefix."""
        cite = self.citation
        if cite is None:
            # Raised without a citation: take it from the command-line wording.
            m = re.search(r"an objection under (.+?) needs grounds", str(self))
            cite = m.group(1) if m else None
        under = f" under {cite}" if cite else ""
        return (f"an objection{under} needs grounds relating to the member's particular situation: "
                "fill in the reason or reason_preset column (see 'objector reasons')")


class DataError(ObjectorError):
    """objector's own data files are invalid or inconsistent."""


class RenderError(ObjectorError):
    """Rendering a letter failed (for example, the PDF libraries are missing)."""
