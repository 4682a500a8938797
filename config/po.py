"""A small gettext catalogue compiler, so that the project's Chinese overrides
(locale/zh_Hans/LC_MESSAGES/django.po) build without GNU gettext installed.

    python -m config.po    # rewrites every locale/*/LC_MESSAGES/django.mo from its .po

The compiled .mo files are committed; tests/test_locale.py checks they match the .po.
Supports what the project's .po uses: msgctxt, msgid_plural / msgstr[n], multi-line
strings and comments (fuzzy entries are left out, as msgfmt does)."""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

MAGIC = 0x950412DE
ROOT = Path(__file__).resolve().parent.parent


class PoSyntaxError(ValueError):
    pass


def _unquote(token: str, line_no: int) -> str:
    token = token.strip()
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise PoSyntaxError(f"line {line_no}: expected a quoted string, got {token!r}")
    value = ast.literal_eval(token)
    assert isinstance(value, str)
    return value


def parse_po(text: str, *, keep_untranslated: bool = False) -> dict[str, str]:
    """The catalogue as .mo stores it: key (with context and plural joined) → value.
    Untranslated entries are left out, as msgfmt does, unless `keep_untranslated`."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    fuzzy = False
    field = ""

    def finish() -> None:
        nonlocal entry, fuzzy
        if "msgid" in entry and not fuzzy:
            entries.append(entry)
        entry, fuzzy = {}, False

    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if "msgid" in entry and field.startswith("msgstr"):
                finish()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            if not field:
                raise PoSyntaxError(f"line {line_no}: string outside an entry")
            entry[field] += _unquote(line, line_no)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and "msgid" in entry and field.startswith("msgstr"):
            finish()
        if keyword not in ("msgctxt", "msgid", "msgid_plural") and not keyword.startswith("msgstr"):
            raise PoSyntaxError(f"line {line_no}: unknown keyword {keyword!r}")
        field = keyword
        entry[field] = _unquote(rest, line_no)
    finish()
    return dict(_catalogue_item(e) for e in entries if keep_untranslated or _translated(e))


def _translated(entry: dict[str, str]) -> bool:
    if entry["msgid"] == "":
        return True  # the header
    return any(value for key, value in entry.items() if key.startswith("msgstr"))


def _catalogue_item(entry: dict[str, str]) -> tuple[str, str]:
    key = entry["msgid"]
    if "msgid_plural" in entry:
        key += "\0" + entry["msgid_plural"]
        forms = sorted(
            (int(k[len("msgstr[") : -1]), v) for k, v in entry.items() if k.startswith("msgstr[")
        )
        value = "\0".join(v for _, v in forms)
    else:
        value = entry.get("msgstr", "")
    if "msgctxt" in entry:
        key = entry["msgctxt"] + "\x04" + key
    return key, value


def write_mo(catalogue: dict[str, str]) -> bytes:
    """GNU .mo bytes (little-endian, no hash table) for a catalogue from parse_po."""
    keys = sorted(catalogue, key=lambda k: k.encode("utf-8"))
    ids = [k.encode("utf-8") for k in keys]
    strs = [catalogue[k].encode("utf-8") for k in keys]
    count = len(keys)
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    offsets: list[tuple[int, int]] = []
    data = b""
    for blob in (*ids, *strs):
        offsets.append((len(blob), data_start + len(data)))
        data += blob + b"\0"
    out = struct.pack("<7I", MAGIC, 0, count, ids_table, strs_table, 0, data_start)
    for length, offset in offsets:
        out += struct.pack("<2I", length, offset)
    return out + data


def read_mo(blob: bytes) -> dict[str, str]:
    """The catalogue stored in .mo bytes (either byte order), keys and values raw."""
    magic = struct.unpack("<I", blob[:4])[0]
    order = "<" if magic == MAGIC else ">"
    _, _, count, ids_table, strs_table = struct.unpack(order + "5I", blob[:20])
    catalogue: dict[str, str] = {}
    for index in range(count):
        id_len, id_off = struct.unpack(order + "2I", blob[ids_table + 8 * index :][:8])
        str_len, str_off = struct.unpack(order + "2I", blob[strs_table + 8 * index :][:8])
        key = blob[id_off : id_off + id_len].decode("utf-8")
        catalogue[key] = blob[str_off : str_off + str_len].decode("utf-8")
    return catalogue


def compile_all(root: Path = ROOT) -> list[Path]:
    written = []
    for po in sorted((root / "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(write_mo(parse_po(po.read_text(encoding="utf-8"))))
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_all():
        sys.stdout.write(f"{path.relative_to(ROOT)}\n")
