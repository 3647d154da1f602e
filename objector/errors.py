"""The exceptions objector raises, and what each one means for a caller.

    ObjectorError                 anything objector reports to a person (exit status 1)
    ├── InputError (ValueError)   a field of the person's input is wrong (exit status 2)
    │   └── LocaleError           the letter language asked for is not available
    ├── GroundsRequired           an Art. 21(1) objection needs grounds and none were given
    ├── DataError                 objector's own data files are inconsistent (a bug)
    └── RenderError               a letter could not be rendered (e.g. PDF libraries missing)
"""

from __future__ import annotations


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


class LocaleError(InputError):
    """The letter language asked for is unknown or not complete."""


class GroundsRequired(ObjectorError):
    """An Art. 21(1) objection needs grounds relating to the person's particular situation."""

    exit_status = 2


class DataError(ObjectorError):
    """objector's own data files are invalid or inconsistent."""


class RenderError(ObjectorError):
    """Rendering a letter failed (for example, the PDF libraries are missing)."""
