"""Build candidates/data/strokes.txt, the stroke table of candidates/ordering.py.

Run it again only to move to a newer Unihan or cnchar-order; the output is
deterministic, so an unchanged source gives an unchanged file:

    apt-get install -y unicode-data                 # Unihan under /usr/share/unicode/
    python candidates/data/build_strokes.py         # runs `npm pack cnchar-order@3.2.6`
    python candidates/data/build_strokes.py --cnchar /tmp/cnchar-order-3.2.6.tgz

Sources (both licences are copied beside the table):

- Unicode's Unihan database: `kTotalStrokes` (total strokes; where it holds two
  values the first is the one for zh-Hans, the second for zh-Hant — UAX #38) and
  `kTGH` (the character's place in the 通用规范汉字表 of 2013). Read from a folder
  holding `Unihan_*.txt` (plain or .bz2, as Debian's unicode-data ships them) or from
  `Unihan.zip`. Licence: the Unicode licence, from Debian's copyright file.
- The npm package cnchar-order (MIT): the stroke order of 6939 simplified
  characters, one letter per stroke. The letters fold into the five stroke classes
  of 姓氏笔画 ordering, 1 横 2 竖 3 撇 4 点 5 折, as the 笔顺 standards fold them:
  提 counts as 横, 竖钩 as 竖, 捺 as 点, every stroke with a turn as 折.

The table is a modified (derived) Unicode data file; its header says so.
"""

from __future__ import annotations

import argparse
import bz2
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
CNCHAR = "cnchar-order@3.2.6"

#: cnchar-order's stroke letters → 1 横 2 竖 3 撇 4 点 5 折, with the stroke name the
#: package gives each letter (checked, so a relabelled upstream table stops the build).
#: "点2" (㇀ in the package's own shape column) is the left dot of 宀, 心, 火, 忄 …
LETTERS: dict[str, tuple[str, str]] = {
    "j": ("横", "1"),
    "i": ("提", "1"),
    "f": ("竖", "2"),
    "g": ("竖钩", "2"),
    "s": ("撇", "3"),
    "k": ("点", "4"),
    "d": ("点2", "4"),
    "l": ("捺", "4"),
}
#: Every other letter is a stroke with a turn: 折.
TURNING = set("abcehmnopqrtuvwxyz")

#: Count lines hold at most this many code points (the loader bisects over them).
CHUNK = 1024
#: A gap of at most this many code points without data stays inside a run as "00".
MAX_GAP = 64


def unihan_files(source: Path) -> Iterator[tuple[str, Iterator[str]]]:
    """(name, lines) of every Unihan_*.txt in a folder (plain or .bz2) or a zip."""
    if source.is_file() and source.suffix == ".zip":
        with zipfile.ZipFile(source) as archive:
            for name in sorted(archive.namelist()):
                if Path(name).name.startswith("Unihan_") and name.endswith(".txt"):
                    text = archive.read(name).decode("utf-8")
                    yield Path(name).name, iter(text.splitlines())
        return
    zipped = source / "Unihan.zip"
    if zipped.exists():
        yield from unihan_files(zipped)
        return
    found = False
    for path in sorted(source.glob("Unihan_*.txt*")):
        found = True
        if path.suffix == ".bz2":
            with bz2.open(path, "rt", encoding="utf-8") as handle:
                yield path.name, iter(handle.read().splitlines())
        elif path.suffix == ".txt":
            yield path.name, iter(path.read_text(encoding="utf-8").splitlines())
    if not found:
        sys.exit(f"no Unihan_*.txt, .txt.bz2 or Unihan.zip in {source}")


def read_unihan(source: Path) -> tuple[dict[int, int], dict[int, int], list[str]]:
    """kTotalStrokes (zh-Hans value) and kTGH (place in the list) by code point, and
    the header lines (date, copyright) of the file that held kTotalStrokes."""
    strokes: dict[int, int] = {}
    tgh: dict[int, int] = {}
    header: list[str] = []
    for name, lines in unihan_files(source):
        head: list[str] = []
        holds_strokes = False
        for line in lines:
            if line.startswith("#"):
                if re.match(r"# (Unihan_|Date:|Unicode version:|©)", line):
                    head.append(line[2:].strip())
                continue
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            if parts[1] == "kTotalStrokes":
                holds_strokes = True
                # "8 9": zh-Hans first, zh-Hant second (UAX #38).
                strokes[int(parts[0][2:], 16)] = int(parts[2].split()[0])
            elif parts[1] == "kTGH":
                # "2013:6602"; a character may in principle carry more than one entry.
                for entry in parts[2].split():
                    year, _, place = entry.partition(":")
                    if year == "2013":
                        tgh[int(parts[0][2:], 16)] = int(place)
        if holds_strokes:
            header = head or [name]
    if not strokes:
        sys.exit(f"no kTotalStrokes in the Unihan files of {source}")
    return strokes, tgh, header


def cnchar_package(source: Path | None, scratch: Path) -> Path:
    """The folder of the unpacked cnchar-order package (npm pack it when not given)."""
    if source is None:
        # npm is the registry's ordinary client; the package name is fixed above.
        done = subprocess.run(  # noqa: S603
            ["npm", "pack", CNCHAR, "--pack-destination", str(scratch)],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        )
        source = scratch / done.stdout.strip().splitlines()[-1]
    if source.is_dir():
        return source
    with tarfile.open(source) as archive:
        archive.extractall(scratch, filter="data")
    return scratch / "package"


def read_cnchar(package: Path) -> tuple[dict[str, str], str, str]:
    """Stroke orders (as digits 1–5) by character, the package version, its LICENSE."""
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    script = (package / meta.get("main", "cnchar.order.min.js")).read_text(encoding="utf-8")
    tables = [json.loads(text) for text in re.findall(r"JSON\.parse\('([^']*)'\)", script)]
    orders = next((t for t in tables if "一" in t and isinstance(t["一"], str)), None)
    names = next((t for t in tables if "j" in t and isinstance(t["j"], dict)), None)
    if orders is None or names is None:
        sys.exit(f"{package}: no order table or stroke-name table in {meta.get('main')}")
    for letter, (name, _) in LETTERS.items():
        if names[letter]["name"] != name:
            sys.exit(f"cnchar-order calls {letter!r} {names[letter]['name']}, expected {name}")
    for letter in TURNING:
        if letter in names and names[letter]["type"] != "折笔":
            sys.exit(f"cnchar-order's {letter!r} ({names[letter]['name']}) is not 折笔")
    unknown = set(names) - set(LETTERS) - TURNING
    if unknown:
        sys.exit(f"cnchar-order has stroke letters this script does not know: {unknown}")
    digit = {letter: d for letter, (_, d) in LETTERS.items()} | dict.fromkeys(TURNING, "5")
    out: dict[str, str] = {}
    for char, letters in orders.items():
        if len(char) != 1 or not letters or set(letters) - set(digit):
            sys.exit(f"cnchar-order: unexpected entry {char!r}: {letters!r}")
        out[char] = "".join(digit[c] for c in letters)
    return out, meta["version"], (package / "LICENSE").read_text(encoding="utf-8")


def count_lines(strokes: dict[int, int]) -> Iterator[str]:
    """The count lines, "C <hex start> <two digits per code point>", 00 for no data."""
    points = sorted(strokes)
    runs: list[list[int]] = [[points[0], points[0]]]
    for point in points[1:]:
        if point - runs[-1][1] <= MAX_GAP + 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    for first, last in runs:
        for start in range(first, last + 1, CHUNK):
            end = min(start + CHUNK - 1, last)
            counts = "".join(f"{strokes.get(p, 0):02d}" for p in range(start, end + 1))
            yield f"C {start:X} {counts}"


def build(unihan: Path, cnchar: Path | None, copyright_file: Path, out_dir: Path) -> None:
    strokes, tgh, header = read_unihan(unihan)
    if max(strokes.values()) > 99:
        sys.exit("a stroke count above 99 does not fit two digits")
    with tempfile.TemporaryDirectory() as scratch:
        orders, version, licence = read_cnchar(cnchar_package(cnchar, Path(scratch)))
    missing = sorted(c for c in orders if ord(c) not in strokes)
    if missing:
        sys.exit(f"cnchar-order has characters Unihan gives no kTotalStrokes: {missing}")
    common = "".join(chr(p) for p in sorted(tgh, key=tgh.__getitem__))

    lines = [
        "# 姓氏笔画 stroke table of candidates/ordering.py. Generated by",
        "# candidates/data/build_strokes.py: do not edit by hand, run the script.",
        "#",
        "# Modified (derived) data: a subset of the Unicode Han Database, reformatted:",
        *(f"#   {line}" for line in header),
        "#   kTotalStrokes (the first, zh-Hans, value) and kTGH; Unicode licence in",
        "#   LICENSE-Unicode.txt beside this file.",
        f"# and stroke orders from the npm package cnchar-order {version} (MIT, LICENSE-cnchar-order.txt),",
        "#   folded into the five stroke classes.",
        "#",
        "# C <first code point, hex> <total strokes: two digits per code point, 00 = none>",
        "# O <character> <strokes in writing order: 1 横(提) 2 竖(竖钩) 3 撇 4 点(捺) 5 折>",
        "# T <characters of the 通用规范汉字表 (2013), in its order (Unihan kTGH)>",
        f"# {len(strokes)} characters with a count, {len(orders)} with a stroke order,"
        f" {len(common)} in the 通用规范汉字表.",
    ]
    lines += count_lines(strokes)
    lines += [f"O {char} {orders[char]}" for char in sorted(orders)]
    lines += [f"T {common[i : i + 100]}" for i in range(0, len(common), 100)]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "strokes.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out_dir / "LICENSE-cnchar-order.txt").write_text(licence, encoding="utf-8")
    (out_dir / "LICENSE-Unicode.txt").write_text(
        copyright_file.read_text(encoding="utf-8"), encoding="utf-8"
    )

    with_order = sum(chr(p) in orders for p in tgh)
    basic = [p for p in strokes if 0x4E00 <= p <= 0x9FFF]
    print(
        f"strokes.txt: {(out_dir / 'strokes.txt').stat().st_size} bytes;"
        f" {len(strokes)} counts ({len(basic)} in U+4E00–U+9FFF), {len(orders)} orders;"
        f" 通用规范汉字表 {len(tgh)}: all counted, {with_order} with an order"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unihan", type=Path, default=Path("/usr/share/unicode"))
    parser.add_argument("--cnchar", type=Path, help="cnchar-order .tgz or unpacked folder")
    parser.add_argument(
        "--unicode-copyright", type=Path, default=Path("/usr/share/doc/unicode-data/copyright")
    )
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    build(args.unihan, args.cnchar, args.unicode_copyright, args.out)


if __name__ == "__main__":
    main()
