"""Where objector's templates, catalogs and data live, installed or in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _find(name: str) -> Path:
    # In a built wheel, templates/ and locales/ are copied into the package; in a
    # source checkout (editable install, tests) they sit beside it.
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"objector cannot find its {name}/ folder")


def templates_dir() -> Path:
    """The folder of Jinja templates (letters, pages, stylesheets)."""
    return _find("templates")


def locales_dir() -> Path:
    """The folder of gettext catalogs (``<locale>/LC_MESSAGES/<domain>.po``)."""
    return _find("locales")


def data_dir() -> Path:
    """The folder of validated data files (regimes, LinkedIn's record, authorities)."""
    return _PACKAGE / "data"
