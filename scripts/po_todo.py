"""Hand a locale's untranslated catalog entries to a translator as JSON, and merge the answers back.

    python scripts/po_todo.py dump LOCALE OUT.json [--old-ref REF]
    python scripts/po_todo.py apply LOCALE IN.json

``dump`` lists every untranslated or fuzzy entry of the locale's four catalogs
(domain, context, msgid, plural, translator comments) and, where a similar
message was translated at git revision REF (default HEAD), that old pair as a
hint, so a changed sentence is revised rather than translated from scratch.
``apply`` writes the ``msgstr`` (or ``msgstr_plural`` list) of each entry back
and clears its fuzzy flag; entries left empty stay untranslated.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from objector.catalogs import _write, po_path

DOMAINS = ("letters", "data", "objector", "campaign")


def _read(path: Path | None, text: bytes | None = None, locale: str | None = None) -> Catalog:
    data = text if text is not None else path.read_bytes()  # type: ignore[union-attr]
    return read_po(io.BytesIO(data), locale=locale)


def _old(locale: str, domain: str, ref: str) -> Catalog | None:
    rel = po_path(locale, domain).relative_to(Path.cwd())
    res = subprocess.run(["git", "show", f"{ref}:{rel.as_posix()}"], capture_output=True, check=False)
    return _read(None, res.stdout, locale) if res.returncode == 0 else None


def _hint(old: Catalog | None, msgid: str, context: str | None) -> dict[str, Any] | None:
    if old is None:
        return None
    candidates = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in old
                  if m.id and m.string and m.context == context}
    best = difflib.get_close_matches(msgid, list(candidates), n=1, cutoff=0.55)
    if not best:
        return None
    m = candidates[best[0]]
    return {"old_msgid": best[0], "old_msgstr": m.string if isinstance(m.string, str) else list(m.string)}


def dump(locale: str, out: Path, ref: str) -> int:
    entries = []
    for domain in DOMAINS:
        path = po_path(locale, domain)
        if not path.exists():
            continue
        cat = _read(path, locale=locale)
        old = _old(locale, domain, ref)
        for m in cat:
            if not m.id:
                continue
            strings = [m.string] if isinstance(m.string, str) else list(m.string)
            if m.fuzzy or not all(strings):
                msgid = m.id if isinstance(m.id, str) else m.id[0]
                entry: dict[str, Any] = {"domain": domain, "context": m.context, "msgid": msgid,
                                         "comments": list(m.auto_comments)}
                if not isinstance(m.id, str):
                    entry["msgid_plural"] = m.id[1]
                    entry["msgstr_plural"] = ["" for _ in strings]
                else:
                    entry["msgstr"] = ""
                hint = _hint(old, msgid, m.context)
                if hint:
                    entry["hint"] = hint
                entries.append(entry)
    out.write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{locale}: {len(entries)} entries to translate -> {out}")
    return 0


def apply(locale: str, src: Path) -> int:
    entries = json.loads(src.read_text(encoding="utf-8"))
    by_domain: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        by_domain.setdefault(e["domain"], []).append(e)
    done = 0
    for domain, items in by_domain.items():
        path = po_path(locale, domain)
        cat = _read(path, locale=locale)
        for e in items:
            key = (e["msgid"], e["msgid_plural"]) if "msgid_plural" in e else e["msgid"]
            m = cat.get(key if isinstance(key, str) else key[0], context=e.get("context"))
            if m is None:
                print(f"{locale}: not in catalog: {e['msgid'][:60]!r}", file=sys.stderr)
                continue
            value = e.get("msgstr_plural") if "msgid_plural" in e else e.get("msgstr")
            if not value or (isinstance(value, list) and not all(value)):
                continue
            m.string = tuple(value) if isinstance(value, list) else value
            m.flags.discard("fuzzy")
            done += 1
        _write(cat, path)
    print(f"{locale}: {done} entries written")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("locale")
    d.add_argument("out", type=Path)
    d.add_argument("--old-ref", default="HEAD")
    a = sub.add_parser("apply")
    a.add_argument("locale")
    a.add_argument("src", type=Path)
    args = p.parse_args()
    if args.cmd == "dump":
        return dump(args.locale, args.out, args.old_ref)
    return apply(args.locale, args.src)


if __name__ == "__main__":
    sys.exit(main())
