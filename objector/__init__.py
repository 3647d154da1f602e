"""objector: letters that stop LinkedIn from using your data to train AI, under your own law.

The library behind the ``objector`` command: an advocacy group can script it::

    from objector import Person, compose, render
    person = Person.create("Anna Muster", "anna@example.org", "DE")
    letter = compose(person, reason_preset="creative-work")
    pdf_bytes = render(letter, "pdf")
"""

from __future__ import annotations

__version__ = "0.1.0"

from .data import Dataset, dataset
from .decision import Decision, decide
from .errors import (
    DataError,
    GroundsRequired,
    InputError,
    LocaleError,
    ObjectorError,
    RenderError,
)
from .letter import Letter, compose
from .output.files import bundle, render, write_bundle
from .person import Person

__all__ = [
    "DataError",
    "Dataset",
    "Decision",
    "GroundsRequired",
    "InputError",
    "Letter",
    "LocaleError",
    "ObjectorError",
    "Person",
    "RenderError",
    "__version__",
    "bundle",
    "compose",
    "dataset",
    "decide",
    "render",
    "write_bundle",
]
