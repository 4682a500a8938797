"""Benchmark: the voter list notice (N3) of a big community, chunked, against one
WeasyPrint document of the same rows.

    .venv/bin/python bench/voter_list_pdf.py --rows 20000   # ~1.5 min on 2 cores
    .venv/bin/python bench/voter_list_pdf.py --rows 2000    # a quick look

(a) the real path — `elections.notices.rendering.render_pdf` of the N3 notice, which for
    more than `longlist.LONG_LIST_ROWS` rows pre-paginates in Python, renders chunks of
    at most 50 sheets in worker processes and merges them with pypdf;
(b) the baseline — `rendering.render_single_pdf` of the same template and context: one
    WeasyPrint document of all rows (what every notice did before).

The rows are made as `kinds.build_n3` makes them (居民小组 tables of 序号 / 姓名 / 性别,
captions with the counts, the body and the objection footnote), directly as
`NoticeData`, through `registry.guard`: no database. Each phase runs in a fresh
interpreter. Peaks are whole-process resident sizes (the target is per process): for
(b) that process's VmHWM; for (a) the largest of the parent's VmHWM and the workers'
`ru_maxrss` (RUSAGE_CHILDREN: the largest child). The last line printed is the JSON
object DESIGN.md "Benchmarks" describes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as `python bench/voter_list_pdf.py`

BENCH = "voter_list_pdf"
ROWS = 20_000
GROUPS = 12
TARGET_RATIO = 0.5
TARGET_PEAK_MB = 400
SEED = 20261202
TODAY = dt.date(2026, 12, 2)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅志文玉珍春兴德海"
_NUMERALS = "一二三四五六七八九十"


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HUANJIE_ENV", "development")
    import django

    django.setup()


def group_label(i: int) -> str:
    tens, ones = divmod(i + 1, 10)
    if not tens:
        return f"第{_NUMERALS[ones - 1]}居民小组"
    head = "" if tens == 1 else _NUMERALS[tens - 1]
    return f"第{head}十{_NUMERALS[ones - 1] if ones else ''}居民小组"


def context(rows: int, seed: int = SEED) -> dict[str, Any]:
    """The N3 notice's print context for `rows` synthetic voters, as build_n3 and
    publishing._context make it."""
    from elections.notices.kinds import N3
    from elections.notices.registry import NoticeData, dedupe_names, guard

    rng = Random(seed)
    people = []
    for _ in range(rows):
        name = rng.choice(_SURNAMES) + "".join(
            rng.choice(_GIVEN) for _ in range(rng.choice((1, 2)))
        )
        people.append((rng.randrange(GROUPS), name, rng.choice("男女")))
    people.sort(key=lambda p: p[0])
    extra: dict[str, list[str]] = {}
    for g, name, _gender in people:
        extra.setdefault(name, []).append(group_label(g))
    names = dedupe_names([p[1] for p in people], extra)
    tables = []
    number = 0
    male_total = 0
    for g in range(GROUPS):
        members = [(n, p) for n, p in zip(names, people, strict=True) if p[0] == g]
        table_rows = []
        for name, (_g, _n, gender) in members:
            number += 1
            table_rows.append([str(number), name, gender])
        male = sum(1 for _n, p in members if p[2] == "男")
        male_total += male
        tables.append(
            (
                f"{group_label(g)}（{len(members)}人，男{male}人，女{len(members) - male}人）",
                ["序号", "姓名", "性别"],
                table_rows,
            )
        )
    data = guard(
        NoticeData(
            body=[
                f"经登记，基准社区本届居民委员会选举的选民共{rows}人"
                f"（男{male_total}人，女{rows - male_total}人），名单按居民小组公布如下。"
                "选民须于2009年6月30日以前出生。"
            ],
            tables=tables,
            footnotes=[
                "对选民名单有不同意见的，可以自本公告公布之日起5日内（2026年12月7日前）"
                "向居民选举委员会提出申诉，居民选举委员会应当自收到申诉之日起3日内作出处理决定，"
                "并公布处理结果。"
            ],
        )
    )
    return {
        "heading": N3.title,
        "issuer": f"基准社区{N3.issuer}",
        "number_label": "选举公告 第1号",
        "issued_on": TODAY,
        "legal_basis": N3.legal_basis,
        "posting_days": N3.posting_days,
        "data": data,
        "replaces": None,
        "correction_reason": "",
    }


def phase(name: str, rows: int, out: Path) -> dict[str, Any]:
    from elections.notices import longlist, rendering

    ctx = context(rows)
    start_mb = _status_kb("VmRSS") / 1024
    try:
        Path("/proc/self/clear_refs").write_text("5")
        exact = True
    except OSError:
        exact = False
    started, cpu = time.perf_counter(), time.process_time()
    if name == "chunked":
        assert longlist.is_long("notices/notice.html", ctx)
        pdf, pages = rendering.render_pdf("notices/notice.html", ctx)
    else:
        pdf, pages = rendering.render_single_pdf("notices/notice.html", ctx)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    out.write_bytes(pdf)
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "pages": pages,
        "start_mb": start_mb,
        "peak_rss_mb": _status_kb("VmHWM") / 1024,
        "worker_peak_rss_mb": children_kb / 1024,
        "peak_exact": exact,
        "file_mb": len(pdf) / 1024 / 1024,
    }
    if name == "chunked":
        sheets = longlist.paginate(ctx)
        n_chunks = len(longlist.chunks(sheets))
        result["chunks"] = n_chunks
        result["workers"] = longlist.workers(n_chunks)
    return result


def run_phase(name: str, rows: int, out: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--rows", str(rows), "--phase", name, str(out)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="voters on the list")
    parser.add_argument("--phase", nargs=2, metavar=("PHASE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    django_setup()
    if args.phase:
        name, out = args.phase
        print(json.dumps(phase(name, args.rows, Path(out))))
        return

    with tempfile.TemporaryDirectory(prefix="huanjie-bench-") as tmp:
        single = run_phase("single", args.rows, Path(tmp) / "single.pdf")
        chunked = run_phase("chunked", args.rows, Path(tmp) / "chunked.pdf")
        assert pdf_pages(Path(tmp) / "chunked.pdf") == chunked["pages"]
        assert pdf_pages(Path(tmp) / "single.pdf") == single["pages"]
    ratio = chunked["seconds"] / single["seconds"]
    peak = max(chunked["peak_rss_mb"], chunked["worker_peak_rss_mb"])
    ok = ratio <= TARGET_RATIO and peak < TARGET_PEAK_MB
    print(
        f"(b) single document {single['seconds']:7.1f} s (CPU {single['cpu_seconds']:.1f} s)"
        f"  {single['pages']} pages, {single['file_mb']:.1f} MB;"
        f" peak RSS {single['peak_rss_mb']:.0f} MB (+{single['peak_rss_mb'] - single['start_mb']:.0f} MB)"
    )
    print(
        f"(a) chunked         {chunked['seconds']:7.1f} s (parent CPU {chunked['cpu_seconds']:.1f} s)"
        f"  {chunked['pages']} pages, {chunked['file_mb']:.1f} MB;"
        f" {chunked['chunks']} chunks on {chunked['workers']} workers;"
        f" peak RSS parent {chunked['peak_rss_mb']:.0f} MB, largest worker"
        f" {chunked['worker_peak_rss_mb']:.0f} MB"
    )
    print(
        f"ratio {ratio:.2f}× (target ≤ {TARGET_RATIO}×), peak {peak:.0f} MB in one process"
        f" (target < {TARGET_PEAK_MB} MB), {args.rows:,} rows: {'OK' if ok else 'MISSED'}"
    )
    if not (single["peak_exact"] and chunked["peak_exact"]):
        print("note: /proc/self/clear_refs refused; parent peaks include start-up")
    print(
        json.dumps(
            {
                "bench": BENCH,
                "rows": args.rows,
                "seconds": round(chunked["seconds"], 2),
                "baseline_seconds": round(single["seconds"], 2),
                "ratio": round(ratio, 3),
                "peak_mb": round(peak, 1),
                "baseline_peak_mb": round(single["peak_rss_mb"], 1),
                "parent_peak_mb": round(chunked["peak_rss_mb"], 1),
                "worker_peak_mb": round(chunked["worker_peak_rss_mb"], 1),
                "pages": chunked["pages"],
                "baseline_pages": single["pages"],
                "chunks": chunked["chunks"],
                "workers": chunked["workers"],
                "cpus": os.cpu_count(),
                "target_ratio": TARGET_RATIO,
                "target_peak_mb": TARGET_PEAK_MB,
                "ok": ok,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
