"""Benchmark: exporting a 30,000-row voter roll, against a plain write of the same rows.

    .venv/bin/python bench/voter_export.py            # one measured run (~10 s)
    .venv/bin/python bench/voter_export.py --profile  # cProfile of the export (not timed)

(a) the real export path — `VoterRollExporter.rows()` (labels, age on election day, the
    phone masked) written by `elections.exports.write_xlsx` (XlsxWriter, constant_memory,
    bold frozen header, column widths, the formula-safe cell rule) into an .xlsx file;
(b) the floor — XlsxWriter (constant_memory) writing the same final rows with
    `write_row`, no header, no formats, no safety checks.

The voters are generated in memory (masked ID numbers, as the roll stores them beside
the encrypted number); the exporter's one query is replaced by that list, so neither
phase touches a database. Each phase runs in a fresh interpreter and its peak is that
process's VmHWM reset just before the phase (as in bench/voter_import.py). The last
line printed is the JSON object DESIGN.md "Benchmarks" describes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from random import Random
from types import SimpleNamespace
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as `python bench/voter_export.py`

BENCH = "voter_export"
ROWS = 30_000
TARGET_RATIO = 1.5
TARGET_SECONDS = 2.0
SEED = 20261202
ELECTION_DAY = dt.date(2027, 6, 30)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅志文玉珍春兴德海"
_ETHNIC = ["汉族"] * 18 + ["土家族", "回族", "苗族", "侗族"]
_CATEGORIES = (
    ["resident"] * 85 + ["registered_absent"] * 8 + ["nonresident"] * 5 + ["community_worker"] * 2
)
_STATUSES = ["registered"] * 95 + ["pending_approval"] * 4 + ["removed"]
_SOURCES = ["import"] * 90 + ["manual"] * 8 + ["objection", "election_day"]


# -- memory (see bench/README.md) -----------------------------------------------------------


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# -- the data -------------------------------------------------------------------------------


def generate_records(rows: int, seed: int = SEED) -> list[dict[str, Any]]:
    """What `Voter.objects.values(*VoterRollExporter.columns)` returns, `rows` times."""
    rng = Random(seed)
    first, span = dt.date(1940, 1, 1), (dt.date(2006, 12, 31) - dt.date(1940, 1, 1)).days
    records = []
    for _ in range(rows):
        region = f"43{rng.randrange(10**4):04d}"
        tail = f"{rng.randrange(1000):03d}"
        records.append(
            {
                "name": rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2)))),
                "gender": rng.choice("男女"),
                "birth_date": first + dt.timedelta(days=rng.randrange(span + 1)),
                "ethnicity": rng.choice(_ETHNIC),
                "group": f"第{rng.randint(1, 12)}居民小组",
                "category": rng.choice(_CATEGORIES),
                "status": rng.choice(_STATUSES),
                "id_masked": region[:2] + "*" * 13 + tail,
                "phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                "source": rng.choice(_SOURCES),
            }
        )
    return records


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HUANJIE_ENV", "development")
    import django

    django.setup()


def exporter_for(records: list[dict[str, Any]]) -> Any:
    """The real VoterRollExporter, reading `records` instead of the database."""
    from elections.registration.exports import VoterRollExporter

    class InMemory(VoterRollExporter):
        def records(self) -> Iterable[Mapping[str, Any]]:
            return records

    election = SimpleNamespace(election_day=ELECTION_DAY, community=SimpleNamespace(name="基准"))
    return InMemory(cast(Any, election), cast(Any, None))


# -- the phases -----------------------------------------------------------------------------


def phase_export(out: Path) -> dict[str, Any]:
    from elections.exports import write_xlsx

    exporter = exporter_for(generate_records(ROWS))
    start_mb = _status_kb("VmRSS") / 1024
    exact = _reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    write_xlsx(exporter, out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return _result(seconds, cpu, start_mb, exact, out) | {"rows_written": exporter.count}


def phase_floor(out: Path) -> dict[str, Any]:
    import xlsxwriter

    rows = list(exporter_for(generate_records(ROWS)).rows())  # the same final values
    start_mb = _status_kb("VmRSS") / 1024
    exact = _reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet("选民名单")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return _result(seconds, cpu, start_mb, exact, out)


def _result(seconds: float, cpu: float, start_mb: float, exact: bool, out: Path) -> dict[str, Any]:
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "start_mb": start_mb,
        "peak_rss_mb": _status_kb("VmHWM") / 1024,
        "peak_exact": exact,
        "file_mb": out.stat().st_size / 1024 / 1024,
    }


def run_phase(phase: str, out: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, str(out)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def profile_export(top: int) -> None:
    import cProfile
    import io
    import pstats

    from elections.exports import write_xlsx

    exporter = exporter_for(generate_records(ROWS))
    profiler = cProfile.Profile()
    profiler.enable()
    write_xlsx(exporter, io.BytesIO())
    profiler.disable()
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the export instead")
    parser.add_argument("--top", type=int, default=25, help="rows of the profile to print")
    parser.add_argument("--phase", nargs=2, metavar=("PHASE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    django_setup()
    if args.phase:
        phase, out = args.phase
        result = phase_export(Path(out)) if phase == "export" else phase_floor(Path(out))
        print(json.dumps(result))
        return
    if args.profile:
        profile_export(args.top)
        return

    with tempfile.TemporaryDirectory(prefix="huanjie-bench-") as tmp:
        floor = run_phase("floor", Path(tmp) / "floor.xlsx")
        full = run_phase("export", Path(tmp) / "export.xlsx")
    ratio = full["seconds"] / floor["seconds"]
    peak = full["peak_rss_mb"] - full["start_mb"]
    floor_peak = floor["peak_rss_mb"] - floor["start_mb"]
    ok = ratio <= TARGET_RATIO and full["seconds"] < TARGET_SECONDS
    print(
        f"(b) floor  {floor['seconds']:5.2f} s (CPU {floor['cpu_seconds']:.2f} s)  XlsxWriter write_row, no formats;"
        f" {floor['file_mb']:.1f} MB; peak RSS +{floor_peak:.0f} MB"
    )
    print(
        f"(a) export {full['seconds']:5.2f} s (CPU {full['cpu_seconds']:.2f} s)  VoterRollExporter + write_xlsx;"
        f" {full['file_mb']:.1f} MB; peak RSS +{peak:.0f} MB; {full['rows_written']:,} rows"
    )
    print(
        f"ratio      {ratio:.2f}× (target ≤ {TARGET_RATIO}×), {full['seconds']:.2f} s"
        f" (target < {TARGET_SECONDS} s): {'OK' if ok else 'MISSED'}"
    )
    if full["seconds"] > 1.5 * full["cpu_seconds"]:
        print("note: wall time well above CPU time: the machine is busy; compare CPU seconds")
    if not (full["peak_exact"] and floor["peak_exact"]):
        print("note: /proc/self/clear_refs refused; peaks include interpreter start-up")
    print(
        json.dumps(
            {
                "bench": BENCH,
                "rows": ROWS,
                "seconds": round(full["seconds"], 3),
                "baseline_seconds": round(floor["seconds"], 3),
                "ratio": round(ratio, 2),
                "peak_mb": round(peak, 1),
                "target_ratio": TARGET_RATIO,
                "target_seconds": TARGET_SECONDS,
                "ok": ok,
                "cpu_seconds": round(full["cpu_seconds"], 3),
                "baseline_cpu_seconds": round(floor["cpu_seconds"], 3),
                "baseline_peak_mb": round(floor_peak, 1),
                "file_mb": round(full["file_mb"], 2),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
