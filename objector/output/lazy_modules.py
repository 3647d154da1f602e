"""fontTools' subsetter and variable-font instancer load when WeasyPrint first uses them, not at its import.

WeasyPrint imports ``fontTools.subset`` and ``fontTools.varLib.instancer`` when
it is imported, for two fallbacks: subsetting fonts where HarfBuzz cannot (our
set-up installs libharfbuzz-subset, so it can) and instancing variable fonts
(our letters use none). Together they are 146 modules, 12-13 MB of every PDF
worker's memory and 70-80 ms of its start (measured 2026-12-04). Before
WeasyPrint is imported, each is put in ``sys.modules`` as a stand-in that loads
the real module the first time anything is read from it, so those paths still
work, only later. Nothing changes in the PDFs.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

# Module -> the names WeasyPrint imports from it with ``from ... import name``
# (read at import time, so they are functions that load the module on call).
LAZY: dict[str, tuple[str, ...]] = {
    "fontTools.subset": (),
    "fontTools.varLib.instancer": ("instantiateVariableFont",),
}


class _StandIn(types.ModuleType):
    """Loads the real module on first use and hands out its attributes from then on."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # introspection (copy, pickle, help) does not load it
        return getattr(_load(self.__name__), name)


def _load(name: str) -> types.ModuleType:
    module = sys.modules.get(name)
    if isinstance(module, _StandIn):
        del sys.modules[name]
        try:
            real = importlib.import_module(name)
        except BaseException:
            sys.modules[name] = module
            raise
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, real)
        return real
    return importlib.import_module(name)


def _forwarder(module: str, name: str) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_load(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def install() -> bool:
    """Put the stand-ins in place; False (nothing done) once any of them is imported for real."""
    if any(name in sys.modules for name in LAZY):
        return False
    for name, functions in LAZY.items():
        stand_in = _StandIn(name)
        for function in functions:
            setattr(stand_in, function, _forwarder(name, function))
        sys.modules[name] = stand_in
    return True


def loaded(name: str) -> bool:
    """Whether ``name`` is the real module (not a stand-in, or not imported at all)."""
    return name in sys.modules and not isinstance(sys.modules[name], _StandIn)
