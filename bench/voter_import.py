"""Benchmark: importing a 100,000-row voter roll, against the floor of its libraries.

    .venv/bin/python bench/voter_import.py            # one measured run
    .venv/bin/python bench/voter_import.py --profile  # cProfile of the import (not timed)

(a) the whole import — `elections.registration.importing.import_directly(commit_rows=True)`: read with
    calamine, validate every row, hash and encrypt every ID number, look up street-wide
    duplicates (R11) and COPY into PostgreSQL, in one transaction;
(b) the floor — a plain python-calamine read of the same file plus a plain psycopg COPY of
    the same rows (ten text columns) into a bare table.

Each phase runs in a fresh interpreter (a subprocess), so neither sees the other's heap,
caches or page-faulted memory; the peak is that process's own VmHWM (the kernel's
high-water mark of resident memory), reset just before the phase starts — see README.md.
The last line printed is the JSON object DESIGN.md "Benchmarks" describes.

Needs PostgreSQL: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/huanjie_bench
(created when missing). The generated file is cached under /tmp.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as `python bench/voter_import.py`

BENCH = "voter_import"
ROWS = 100_000
TARGET_RATIO = 4
TARGET_PEAK_MB = 256
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/huanjie_bench"
CACHE_DIR = Path(tempfile.gettempdir()) / "huanjie-bench"
FILE_VERSION = 1  # bump when the generated content changes
SEED = 20261123

# The bench street's cycle. Everyone in the file is 18 or older on this day.
ELECTION_DAY = dt.date(2027, 6, 30)
PARTY_MEETING_DAY = dt.date(2027, 5, 28)
BIRTH_FIRST = dt.date(1940, 1, 1)
BIRTH_LAST = dt.date(2006, 12, 31)

FLOOR_TABLE = "bench_voter_import_floor"


# -- memory -------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def _reset_peak() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux ≥ 4.0). False if refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_mb() -> float:
    return _status_kb("VmHWM") / 1024


# -- the test file ------------------------------------------------------------------------

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅志文玉珍春兴德海"
_ETHNIC = ["汉族"] * 18 + ["土家族", "回族", "苗族", "侗族"]
_CATEGORIES = ["户在人在"] * 85 + ["户在人不在"] * 8 + ["人在户不在"] * 5 + ["社区工作人员"] * 2
_NOTES = [""] * 20 + ["独居老人", "外出务工", "行动不便，需流动票箱"]


def cached_file(rows: int) -> Path:
    """The benchmark's .xlsx (generated once, then reused from /tmp)."""
    path = CACHE_DIR / f"{BENCH}-{rows}-v{FILE_VERSION}.xlsx"
    if not path.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(generate_file(rows))
        tmp.replace(path)
        print(f"generated {path} ({time.perf_counter() - started:.1f} s, not timed)")
    return path


def generate_file(rows: int, seed: int = SEED) -> bytes:
    """A valid roll: unique, checksum-correct ID numbers; all ten columns; ID as text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from elections.registration.xlsx.columns import COLUMNS
    from tests.idgen import generate_valid_id

    rng = Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("选民登记")
    for i, name in enumerate(COLUMNS, start=1):
        if name in ("身份证号", "联系电话", "居民小组"):
            ws.column_dimensions[get_column_letter(i)].number_format = "@"
    ws.append(list(COLUMNS))
    span = (BIRTH_LAST - BIRTH_FIRST).days
    seen: set[str] = set()
    for _ in range(rows):
        gender = rng.choice("男女")
        while True:
            birth = BIRTH_FIRST + dt.timedelta(days=rng.randrange(span + 1))
            number = generate_valid_id(rng, birth_date=birth, gender=gender)
            if number not in seen:
                seen.add(number)
                break
        name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
        group = f"第{rng.randint(1, 12)}居民小组"
        address = f"新河路{rng.randint(1, 400)}号{rng.randint(1, 20)}栋{rng.randint(101, 2804)}室"
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        notes = rng.choice(_NOTES) or None
        ws.append(
            [
                name,
                number,
                gender,
                birth,
                rng.choice(_ETHNIC),
                group,
                address,
                phone,
                rng.choice(_CATEGORIES),
                notes,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- the database -------------------------------------------------------------------------


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def ensure_database(url: str) -> None:
    """CREATE DATABASE when the URL's database does not exist yet."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"this benchmark needs PostgreSQL, DATABASE_URL is {parsed.scheme}://")
    name = parsed.path.lstrip("/")
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
        conn.close()
        return
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise SystemExit(f"cannot connect to PostgreSQL at {parsed.hostname}: {exc}") from exc
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"created database {name}")


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HUANJIE_ENV", "development")
    import django

    django.setup()


def prepare_election() -> int:
    """Migrate, create the bench street/community/cycle once, empty its roll. Its pk."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from elections import services
    from elections.models import (
        Community,
        CommunityElection,
        District,
        ElectionCycle,
        RuleProfile,
        Street,
    )
    from elections.profiles import install_profiles

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        install_profiles(RuleProfile)
        district, _ = District.objects.get_or_create(
            code="BENCH", defaults={"name": "基准区", "city": "基准市"}
        )
        street, _ = Street.objects.get_or_create(
            code="BENCH", defaults={"district": district, "name": "基准街道"}
        )
        community, _ = Community.objects.get_or_create(
            code="BENCH01", defaults={"street": street, "name": "基准社区"}
        )
        cycle = ElectionCycle.objects.filter(street=street, term=1).first()
        if cycle is None:
            cycle = services.create_cycle(
                street=street,
                term=1,
                name="基准街道第一届换届（性能测试）",
                election_day=ELECTION_DAY,
                party_meeting_day=PARTY_MEETING_DAY,
                profile=RuleProfile.objects.get(code="xinhe-2020"),
                actor=None,
                communities=[community],
            )
        election = CommunityElection.objects.get(cycle=cycle, community=community)
    # The previous run's voters (Voter rows may be deleted; its audit events stay).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM elections_voter WHERE cycle_id = %s", [cycle.pk])
        if cursor.rowcount:
            print(f"removed {cursor.rowcount:,} voters of the previous run")
        cursor.execute("VACUUM ANALYZE elections_voter")
    return election.pk


# -- the phases (each in its own process) -----------------------------------------------------


def phase_import(path: Path, election_id: int) -> dict[str, Any]:
    django_setup()
    from django.db import connection

    from elections.models import CommunityElection
    from elections.registration import importing as imports
    from elections.registration.models import Voter

    # Where the time goes: wrap the two stages import_directly calls (by module name).
    split: dict[str, float] = {}

    def timed(name: str, func: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                split[name] = time.perf_counter() - started

        return wrapper

    imports.check_file = timed("check", imports.check_file)
    imports.apply_results = timed("apply", imports.apply_results)
    election = CommunityElection.objects.select_related("cycle", "community").get(pk=election_id)
    data = path.read_bytes()
    connection.ensure_connection()
    start_mb = _rss_mb()
    exact = _reset_peak()
    started = time.perf_counter()
    _parsed, results, summary = imports.import_directly(
        election, data, commit_rows=True, actor=None, filename=path.name
    )
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    del _parsed, results
    stored = Voter.objects.filter(election_id=election_id).count()
    if summary.error or stored != ROWS:
        raise SystemExit(f"import incomplete: {summary}, {stored:,} voters stored")
    return {
        "seconds": seconds,
        "start_mb": start_mb,
        "peak_rss_mb": peak,
        "peak_exact": exact,
        "check_seconds": split["check"],
        "apply_seconds": split["apply"],
        "stored": stored,
        "summary": {
            "new": summary.new,
            "update": summary.update,
            "warning": summary.warning,
            "error": summary.error,
        },
    }


def phase_floor(path: Path) -> dict[str, Any]:
    import psycopg
    from psycopg import sql
    from python_calamine import CalamineWorkbook

    table = sql.Identifier(FLOOR_TABLE)
    columns = sql.SQL(", ").join(sql.Identifier(f"c{i}") for i in range(10))
    data = path.read_bytes()
    with psycopg.connect(database_url()) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        conn.execute(
            sql.SQL("CREATE TABLE {} ({})").format(
                table,
                sql.SQL(", ").join(
                    sql.SQL("{} text").format(sql.Identifier(f"c{i}")) for i in range(10)
                ),
            )
        )
        conn.commit()
        start_mb = _rss_mb()
        exact = _reset_peak()
        started = time.perf_counter()
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        read_seconds = time.perf_counter() - started
        with (
            conn.cursor() as cursor,
            cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(table, columns)) as copy,
        ):
            for row in rows[1:]:
                copy.write_row(row)
        conn.commit()
        seconds = time.perf_counter() - started
        peak = _peak_mb()
        counted = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()
        stored = counted[0] if counted else 0
        conn.execute(sql.SQL("DROP TABLE {}").format(table))
        conn.commit()
    if stored != ROWS:
        raise SystemExit(f"floor COPY stored {stored:,} rows, not {ROWS:,}")
    return {
        "seconds": seconds,
        "read_seconds": read_seconds,
        "copy_seconds": seconds - read_seconds,
        "start_mb": start_mb,
        "peak_rss_mb": peak,
        "peak_exact": exact,
    }


def run_phase(phase: str, path: Path, election_id: int) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; its result is the last line it prints."""
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, str(path), str(election_id)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def profile_import(path: Path, election_id: int, top: int) -> None:
    """cProfile the import (in this process; its timing is not the benchmark's)."""
    import cProfile
    import pstats

    django_setup()
    from elections.models import CommunityElection
    from elections.registration.importing import import_directly

    election = CommunityElection.objects.select_related("cycle", "community").get(pk=election_id)
    data = path.read_bytes()
    profiler = cProfile.Profile()
    profiler.enable()
    import_directly(election, data, commit_rows=True, actor=None, filename=path.name)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


# -- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the import instead")
    parser.add_argument("--top", type=int, default=30, help="rows of the profile to print")
    parser.add_argument(
        "--phase", nargs=3, metavar=("PHASE", "FILE", "ELECTION"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()

    if args.phase:
        phase, file, election = args.phase
        path = Path(file)
        result = phase_import(path, int(election)) if phase == "import" else phase_floor(path)
        print(json.dumps(result))
        return

    url = database_url()
    os.environ["DATABASE_URL"] = url
    ensure_database(url)
    path = cached_file(ROWS)
    django_setup()
    election_id = prepare_election()
    if args.profile:
        profile_import(path, election_id, args.top)
        return

    floor = run_phase("floor", path, election_id)
    full = run_phase("import", path, election_id)
    ratio = full["seconds"] / floor["seconds"]
    commit = full["seconds"] - full["check_seconds"] - full["apply_seconds"]
    peak_growth = full["peak_rss_mb"] - full["start_mb"]
    floor_growth = floor["peak_rss_mb"] - floor["start_mb"]
    ok = ratio <= TARGET_RATIO and peak_growth < TARGET_PEAK_MB
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"file      {path} ({ROWS:,} rows, {size_mb:.1f} MB)")
    print(
        f"(b) floor {floor['seconds']:6.2f} s  = calamine read {floor['read_seconds']:.2f} s"
        f" + psycopg COPY {floor['copy_seconds']:.2f} s;"
        f" peak RSS +{floor_growth:.0f} MB (process {floor['peak_rss_mb']:.0f} MB)"
    )
    print(
        f"(a) import {full['seconds']:5.2f} s  = read, check, R11 look-up {full['check_seconds']:.2f} s"
        f" + encrypt, COPY {full['apply_seconds']:.2f} s + commit (deferred FK checks) {commit:.2f} s;"
        f" peak RSS +{peak_growth:.0f} MB (process {full['peak_rss_mb']:.0f} MB);"
        f" {full['stored']:,} voters stored"
    )
    print(
        f"ratio     {ratio:.2f}× (target ≤ {TARGET_RATIO}×), peak +{peak_growth:.0f} MB"
        f" (target < {TARGET_PEAK_MB} MB): {'OK' if ok else 'MISSED'}"
    )
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
                "peak_mb": round(peak_growth, 1),
                "target_ratio": TARGET_RATIO,
                "target_peak_mb": TARGET_PEAK_MB,
                "ok": ok,
                "peak_rss_mb": round(full["peak_rss_mb"], 1),
                "baseline_peak_mb": round(floor_growth, 1),
                "check_seconds": round(full["check_seconds"], 3),
                "apply_seconds": round(full["apply_seconds"], 3),
                "commit_seconds": round(commit, 3),
                "baseline_read_seconds": round(floor["read_seconds"], 3),
                "baseline_copy_seconds": round(floor["copy_seconds"], 3),
                "file_mb": round(size_mb, 2),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
