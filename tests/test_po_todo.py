"""The translators' hand-over script: dump untranslated entries as JSON, apply the answers back."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

import objector.catalogs as catalogs
from objector.catalogs import check, pot_path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "po_todo.py"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("po_todo", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dump_lists_every_untranslated_entry_and_apply_writes_them_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "locales"
    shutil.copytree(pot_path("letters").parent, root)
    monkeypatch.setattr(catalogs, "locales_dir", lambda: root)
    monkeypatch.chdir(tmp_path)
    catalogs.init("xh")
    po_todo = _script()
    todo = tmp_path / "todo.json"
    assert po_todo.dump("xh", todo, "HEAD") == 0
    entries = json.loads(todo.read_text(encoding="utf-8"))
    assert len(entries) == check("xh", catalogs.ALL_DOMAINS).total
    plain = next(e for e in entries if e["domain"] == "letters" and "%(" not in e["msgid"] and "msgstr" in e)
    plural = next(e for e in entries if "msgid_plural" in e)
    plain["msgstr"] = "Molo " + plain["msgid"]
    plural["msgstr_plural"] = [f"{plural['msgid']} (xh)"] * len(plural["msgstr_plural"])
    todo.write_text(json.dumps(entries), encoding="utf-8")
    assert po_todo.apply("xh", todo) == 0
    left = tmp_path / "left.json"
    po_todo.dump("xh", left, "HEAD")
    remaining = json.loads(left.read_text(encoding="utf-8"))
    assert len(remaining) == len(entries) - 2
    assert plain["msgid"] not in {e["msgid"] for e in remaining}
    assert check("xh", catalogs.ALL_DOMAINS).translated == 2
