"""Benchmark: election-day tally entry under load, against a trivial view served the same way.

    .venv/bin/python bench/tally_load.py                 # one measured run (~2-3 min)
    .venv/bin/python bench/tally_load.py --think 0       # no think time: the server saturated
    make bench-tally

What it does, in one command:

1. drops and re-creates its own PostgreSQL database (`--database-url`, default
   postgres://postgres@127.0.0.1:5432/huanjie_bench_tally; the name must contain
   "bench"), migrates it and seeds one street of `--communities` communities (default 10),
   each with `--places` polling places (default 5), the three 居委会 posts' seats and
   formal candidates, and the three formal ballot rounds open: communities × places × 3
   tally sheets (150). Each community has `--members` committee members (default 4) and
   one chair: 50 users;
2. starts gunicorn (`config.wsgi`, the Dockerfile's shape: `--workers 3` sync workers,
   DEBUG off, HUANJIE_ENV=development) on a free local port;
3. every user logs in like a browser (GET the form, POST it with the CSRF token; timed
   but reported apart: one PBKDF2 hash per login);
4. **tally**: every sheet is typed twice, by two members of its community, who share the
   work in pairs and in random order, so the two entries of a sheet often arrive at the
   same moment: GET the entry form, POST the numbers (a sheet with a warning comes back
   with the finding, and is posted again with checked=1), follow the redirect to the
   round page. The chair polls the round pages, opens every sheet that matched, explains
   its warnings and confirms it (one confirmation in ten is a double click: the same
   POST twice at once; the second must be refused). Every request's latency is recorded;
5. **baseline**: as many GET /healthz as the tally phase made, by as many threads with
   the same think time, each request timed the same way;
6. checks in the database that every sheet is confirmed exactly once (one confirmation
   audit row, two active entries by two different users, two entry audit rows, the
   numbers stored as typed), stops gunicorn and drops the database (`--keep-db` keeps
   it), also on failure.

ratio = tally p95 / baseline p95. Targets (issue 11): tally p95 < 300 ms, no failed
request, every sheet stored exactly once. Exit code 0 even when a target is missed;
non-zero only when the benchmark could not run. The last line printed is the JSON object
DESIGN.md "Benchmarks" describes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import urlencode, urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as `python bench/tally_load.py`

BENCH = "tally_load"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/huanjie_bench_tally"
TARGET_P95_MS = 300.0
TARGET_RATIO = 100.0  # tally p95 ≤ 100 × /healthz p95: the 300 ms target over a ~3 ms floor
PASSWORD = "bench-load-12345"  # noqa: S105 — the bench's own throw-away users
SEED = 20261203
ELECTION_DAY = dt.date(2027, 6, 30)
PARTY_MEETING_DAY = dt.date(2027, 5, 28)
HOST = "127.0.0.1"
# (post, seats, candidates) of each formal round
POSTS = (("director", 1, 2), ("deputy_director", 1, 2), ("member", 3, 5))
WARNING_SHARE = 0.2  # sheets typed with W02 (fewer ballots returned than issued)
DOUBLE_CLICK_SHARE = 0.1  # confirmations the chair posts twice at once

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅志文玉珍春兴德海"


# -- the database and the data ------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"this benchmark needs PostgreSQL, not {parsed.scheme}://")
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    admin_url = urlunparse(parsed._replace(path="/postgres", query=""))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        raise SystemExit(f"cannot connect to PostgreSQL at {parsed.hostname}: {exc}") from exc


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    admin_url = urlunparse(parsed._replace(path="/postgres", query=""))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(parsed.path.lstrip("/"))
            )
        )


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["HUANJIE_ENV"] = "development"
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("HUANJIE_DEBUG", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


@dataclass
class SheetPlan:
    pk: int
    code: str  # the community's code
    round_pk: int
    numbers: dict[str, Any]  # as the form is filled: field name -> value
    warnings: bool


@dataclass
class CommunityPlan:
    code: str
    members: list[str]
    chair: str
    rounds: list[int]
    sheets: list[SheetPlan] = field(default_factory=list)


def sheet_numbers(rng: Random, seats: int, keys: list[str]) -> tuple[dict[str, Any], bool]:
    """A paper tally sheet that passes every error check; with W02 one time in five."""
    signed = rng.randint(200, 900)
    warn = rng.random() < WARNING_SHARE
    returned = signed - (rng.randint(1, 5) if warn else 0)
    invalid = rng.randint(0, returned // 30)
    blank = rng.randint(0, returned // 30)
    valid = returned - blank - invalid
    numbers: dict[str, Any] = {
        "signed_in": signed,
        "issued": signed,
        "returned": returned,
        "blank": blank,
        "invalid": invalid,
    }
    for key in keys:  # each at most valid × seats / candidates: E04, E05 never fire
        numbers[f"votes-{key}"] = int(valid * seats / len(keys) * rng.uniform(0.5, 1.0))
    return numbers, warn


def seed(communities: int, places: int, members: int) -> list[CommunityPlan]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from ballots import services as ballots
    from ballots.models import TallySheet
    from candidates.models import Candidate, CandidateSource, CandidateStatus, Seat
    from candidates.models.choices import Track
    from elections import services
    from elections.models import Community, CommunityElection, District, Role, RuleProfile, Street
    from elections.profiles import install_profiles

    call_command("migrate", verbosity=0)
    rng = Random(SEED)
    User = get_user_model()
    hashed = make_password(PASSWORD)  # one PBKDF2 for all users, not one each
    plans: list[CommunityPlan] = []
    with transaction.atomic():
        install_profiles(RuleProfile)
        admin = User.objects.create_superuser("bench_root", password=PASSWORD)
        district = District.objects.create(code="430199", name="基准区", city="基准市")
        street = Street.objects.create(district=district, code="BT", name="基准街道")
        comms = [
            Community.objects.create(street=street, code=f"BT{i:02d}", name=f"基准{i}社区")
            for i in range(1, communities + 1)
        ]
        cycle = services.create_cycle(
            street=street,
            term=1,
            name="基准街道第一届换届（负载测试）",
            election_day=ELECTION_DAY,
            party_meeting_day=PARTY_MEETING_DAY,
            profile=RuleProfile.objects.get(code="xinhe-2020"),
            actor=admin,
            communities=comms,
        )
    for community in comms:
        with transaction.atomic():
            election = CommunityElection.objects.get(cycle=cycle, community=community)
            code = community.code.lower()
            names = [f"{code}_m{j}" for j in range(1, members + 1)]
            users = {}
            for username in [*names, f"{code}_chair"]:
                users[username] = User.objects.create(username=username, password=hashed)
            for username in names:
                services.assign_role(users[username], Role.COMMITTEE_MEMBER, community, actor=admin)
            services.assign_role(
                users[f"{code}_chair"], Role.COMMITTEE_CHAIR, community, actor=admin
            )
            number = 0
            for post, seats, count in POSTS:
                Seat.objects.create(
                    election=election, track=Track.COMMITTEE, post=post, seats=seats
                )
                for order in range(1, count + 1):
                    number += 1
                    Candidate.objects.create(
                        election=election,
                        track=Track.COMMITTEE,
                        post=post,
                        status=CandidateStatus.FORMAL,
                        source=CandidateSource.NOMINATION,
                        name=rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=2)),
                        id_hash=f"{community.pk:04d}{number:060d}",
                        id_encrypted="bench",
                        id_masked="43" + "*" * 13 + f"{number:03d}",
                        gender=rng.choice("男女"),
                        birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=rng.randrange(7000)),
                        ballot_order=order,
                    )
        for p in range(1, places + 1):
            ballots.add_place(
                election,
                kind="central" if p == 1 else "station",
                name="中心会场" if p == 1 else f"第{p - 1}投票站",
                place=f"基准路{p}号",
                opens_at=dt.time(8, 0),
                closes_at=dt.time(17, 0),
                actor=admin,
            )
        plan = CommunityPlan(code=community.code, members=names, chair=f"{code}_chair", rounds=[])
        for post, _seats, _count in POSTS:
            r = ballots.open_formal_round(election, post, actor=admin)
            plan.rounds.append(r.pk)
            keys = [key for key, _name in ballots.candidate_keys(r)]
            for sheet in TallySheet.objects.filter(round=r).order_by("pk"):
                numbers, warn = sheet_numbers(rng, r.seats, keys)
                plan.sheets.append(SheetPlan(sheet.pk, community.code, r.pk, numbers, warn))
        plans.append(plan)
    return plans


def verify(plans: list[CommunityPlan]) -> dict[str, Any]:
    """Every sheet confirmed exactly once, from the database."""
    from django.db.models import Count

    from ballots.models import SheetStatus, TallyEntry, TallySheet
    from elections.models import AuditEvent

    expected = {s.pk: s for p in plans for s in p.sheets}
    confirmed_rows = Counter(
        int(o)
        for o in AuditEvent.objects.filter(
            action="ballots.sheet.confirmed", object_type="ballots.tallysheet"
        ).values_list("object_id", flat=True)
    )
    entry_rows: Counter[int] = Counter()
    entry_ids = dict(TallyEntry.objects.values_list("pk", "sheet_id"))
    for object_id in AuditEvent.objects.filter(action="ballots.entry.saved").values_list(
        "object_id", flat=True
    ):
        entry_rows[entry_ids[int(object_id)]] += 1
    entries = defaultdict(list)
    for e in TallyEntry.objects.all():
        entries[e.sheet_id].append(e)
    problems: list[str] = []
    confirmed = duplicates = 0
    sheets = TallySheet.objects.select_related("chosen").annotate(n=Count("entries"))
    for sheet in sheets:
        plan = expected[sheet.pk]
        active = [e for e in entries[sheet.pk] if not e.discarded]
        rows = confirmed_rows[sheet.pk]
        duplicates += max(0, rows - 1) + max(0, len(entries[sheet.pk]) - 2)
        duplicates += max(0, entry_rows[sheet.pk] - 2)
        ok = (
            sheet.status == SheetStatus.CONFIRMED
            and rows == 1
            and len(active) == 2
            and len({e.entered_by_id for e in active}) == 2
            and sorted(e.slot for e in active) == [1, 2]
            and entry_rows[sheet.pk] == 2
        )
        if ok and sheet.chosen is not None:
            n = sheet.chosen.numbers
            typed = {f: n.get(f) for f in ("signed_in", "issued", "returned", "blank", "invalid")}
            typed |= {f"votes-{k}": v for k, v in (n.get("votes") or {}).items()}
            ok = typed == plan.numbers and bool(sheet.explanations) == plan.warnings
        if ok:
            confirmed += 1
        elif len(problems) < 10:
            problems.append(
                f"sheet {sheet.pk}: status={sheet.status} confirm rows={rows} "
                f"active entries={len(active)} all entries={len(entries[sheet.pk])} "
                f"entry audit rows={entry_rows[sheet.pk]}"
            )
    return {
        "sheets": len(expected),
        "sheets_confirmed": confirmed,
        "duplicates": duplicates,
        "problems": problems,
    }


# -- gunicorn ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def start_gunicorn(
    url: str, port: int, workers: int, threads: int, log: Any
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "HUANJIE_DEBUG")}
    env |= {"DATABASE_URL": url, "HUANJIE_ENV": "development", "LOG_LEVEL": "WARNING"}
    cmd = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"{HOST}:{port}", "--workers", str(workers), "--timeout", "120",
    ]  # fmt: skip
    if threads > 1:
        cmd += ["--threads", str(threads)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def worker_peak_mb(master: int) -> float:
    """The largest VmHWM among gunicorn's workers (MB)."""
    peak = 0.0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return 0.0
    for pid in children:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
    return peak


def _cpu_seconds(pid: str) -> float:
    """utime + stime of one process (s); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(master: int, database: str) -> dict[str, float]:
    """CPU seconds used so far by gunicorn's workers and by PostgreSQL's backends
    serving the bench database, per pid (so a phase's use is the difference)."""
    out: dict[str, float] = {}
    try:
        workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        workers = []
    for pid in workers:
        out[f"gunicorn:{pid}"] = _cpu_seconds(pid)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if cmd.startswith("postgres:") and f" {database} " in cmd:
            out[f"postgres:{entry.name}"] = _cpu_seconds(entry.name)
    return out


def cpu_used(before: dict[str, float], after: dict[str, float], kind: str) -> float:
    return sum(v - before.get(k, 0.0) for k, v in after.items() if k.startswith(kind))


def cpu_probe_ms() -> float:
    """A fixed piece of pure Python, best of three (ms): how fast this machine is right
    now. Shared machines vary; compare runs only with similar probes."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i % 7
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- the simulated browsers ----------------------------------------------------------------------

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_INPUT = re.compile(r'<input[^>]* name="((?:signed_in|issued|returned|blank|invalid|votes-c\d+))"')
_VERSION = re.compile(r'name="version" value="(\d+)"')
_EXPLAIN = re.compile(r'name="explain-(W\d\d)"')
_ERROR = 'class="alert alert-danger" role="alert"'


@dataclass
class Sample:
    kind: str
    ms: float
    status: int


class Recorder:
    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self.failures: list[str] = []
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def fail(self, who: str, what: str) -> None:
        with self.lock:
            self.failures.append(f"{who}: {what}")


class Browser:
    """One user's browser: a cookie jar, new connections, redirects followed by hand
    (each hop is a request of its own and timed as such)."""

    def __init__(self, port: int, rec: Recorder, name: str, rng: Random, think: float) -> None:
        self.port, self.rec, self.name, self.rng, self.think_s = port, rec, name, rng, think
        self.cookies: dict[str, str] = {}
        self.measuring = True

    def think(self, factor: float = 1.0) -> None:
        if self.think_s > 0:
            time.sleep(self.rng.uniform(0.5, 1.5) * self.think_s * factor)

    def request(
        self, method: str, path: str, form: dict[str, Any] | None, kind: str
    ) -> tuple[int, str, str]:
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "huanjie-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            ms = (time.perf_counter() - started) * 1000
            conn.close()
        except OSError as exc:
            ms = (time.perf_counter() - started) * 1000
            self.rec.samples.append(Sample(kind, ms, 0))
            self.rec.fail(self.name, f"{method} {path}: {exc!r}")
            return 0, "", ""
        self.rec.samples.append(Sample(kind, ms, resp.status))
        for header in resp.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        if resp.status >= 400:
            self.rec.fail(self.name, f"{method} {path} -> {resp.status}")
        return resp.status, resp.headers.get("Location", ""), data.decode("utf-8", "replace")

    def go(self, method: str, path: str, form: dict[str, Any] | None, kind: str) -> tuple[int, str]:
        """A request and the redirects after it; (first status, the final page)."""
        status, location, page = self.request(method, path, form, kind)
        first, hops = status, 0
        while status in (301, 302, 303) and hops < 5:
            status, location, page = self.request("GET", location, None, kind + "-redirect")
            hops += 1
        return first, page

    def login(self, username: str) -> bool:
        _s, page = self.go("GET", "/accounts/login/", None, "login")
        token = _CSRF.search(page)
        if token is None:
            self.rec.fail(self.name, "no CSRF token on the login page")
            return False
        status, _page = self.go(
            "POST",
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": PASSWORD,
                "next": "",
            },
            "login",
        )
        if status != 302 or "sessionid" not in self.cookies:
            self.rec.fail(self.name, f"login failed ({status})")
            return False
        return True


def member_work(b: Browser, plan: CommunityPlan, sheets: list[SheetPlan]) -> None:
    code = plan.code
    b.go("GET", f"/c/{code}/ballots/", None, "overview")
    for sheet in sheets:
        b.think()
        path = f"/c/{code}/ballots/sheets/{sheet.pk}/enter/"
        _s, page = b.go("GET", path, None, "enter-get")
        token = _CSRF.search(page)
        names = set(_INPUT.findall(page))
        if token is None or names != set(sheet.numbers):
            b.rec.fail(b.name, f"sheet {sheet.pk}: no entry form ({len(names)} fields)")
            continue
        form = {"csrfmiddlewaretoken": token.group(1), **sheet.numbers}
        b.think()
        status, page = b.go("POST", path, form, "enter-post")
        if status == 200 and 'name="checked"' in page and sheet.warnings:
            token = _CSRF.search(page)  # the findings shown; checked against the paper
            b.think(0.5)
            form |= {"checked": "1", "csrfmiddlewaretoken": token.group(1) if token else ""}
            status, page = b.go("POST", path, form, "enter-post")
        if status != 302 or "已保存" not in page or _ERROR in page:
            b.rec.fail(b.name, f"sheet {sheet.pk}: entry not saved ({status})")
        else:
            with b.rec.lock:
                b.rec.counts["entries saved"] += 1


_REVIEW = re.compile(r'href="/c/[^/]+/ballots/sheets/(\d+)/review/"')


def chair_work(
    b: Browser, plan: CommunityPlan, members_left: list[int], deadline: float, clicks: Random
) -> None:
    code = plan.code
    done: set[int] = set()
    warned = {s.pk for s in plan.sheets if s.warnings}
    idle_after_members = 0
    b.go("GET", f"/c/{code}/ballots/", None, "overview")
    while len(done) < len(plan.sheets) and time.monotonic() < deadline:
        found = False
        for round_pk in plan.rounds:
            _s, page = b.go("GET", f"/c/{code}/ballots/rounds/{round_pk}/", None, "round-get")
            for pk in [int(x) for x in _REVIEW.findall(page)]:
                if pk in done:
                    continue
                found = True
                b.think()
                path = f"/c/{code}/ballots/sheets/{pk}/review/"
                _s, review = b.go("GET", path, None, "review-get")
                token, version = _CSRF.search(review), _VERSION.search(review)
                if token is None or version is None or _ERROR in review:
                    b.rec.fail(b.name, f"sheet {pk}: no confirmation form")
                    continue
                form = {
                    "csrfmiddlewaretoken": token.group(1),
                    "version": version.group(1),
                    "action": "confirm",
                }
                codes = set(_EXPLAIN.findall(review))
                if codes != ({"W02"} if pk in warned else set()):
                    b.rec.fail(b.name, f"sheet {pk}: unexpected warnings {sorted(codes)}")
                form |= {f"explain-{c}": "有选民领票后离开，未投入票箱" for c in codes}
                b.think()
                if clicks.random() < DOUBLE_CLICK_SHARE:
                    results = double_click(b, path, form)
                else:
                    results = [b.go("POST", path, form, "confirm-post")]
                saved = [p for s, p in results if s == 302 and "已确认" in p and _ERROR not in p]
                refused = [p for s, p in results if s == 200 and "已经确认过了" in p]
                if len(saved) == 1 and len(saved) + len(refused) == len(results):
                    done.add(pk)
                    with b.rec.lock:
                        b.rec.counts["sheets confirmed"] += 1
                        b.rec.counts["double clicks refused"] += len(refused)
                else:
                    b.rec.fail(b.name, f"sheet {pk}: confirm gave {[s for s, _p in results]}")
                    done.add(pk)
        if not found:
            if members_left[0] == 0:
                idle_after_members += 1
                if idle_after_members > 2:
                    break
            b.think(2)
    if len(done) < len(plan.sheets):
        b.rec.fail(b.name, f"{len(plan.sheets) - len(done)} sheets never became confirmable")


def double_click(b: Browser, path: str, form: dict[str, Any]) -> list[tuple[int, str]]:
    """The confirm button pressed twice: two POSTs of the same form, at once."""
    out: list[tuple[int, str]] = []
    second = threading.Thread(target=lambda: out.append(b.go("POST", path, form, "confirm-post")))
    second.start()
    out.append(b.go("POST", path, form, "confirm-post"))
    second.join()
    return out


# -- the phases ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(samples: list[Sample], seconds: float) -> dict[str, Any]:
    ms = [s.ms for s in samples]
    return {
        "requests": len(ms),
        "throughput_rps": len(ms) / seconds if seconds else 0.0,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms, default=0.0),
    }


def run_threads(targets: list[Any]) -> float:
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def baseline_phase(port: int, users: int, total: int, think: float) -> tuple[Recorder, float]:
    rec = Recorder()
    share = [total // users + (1 if i < total % users else 0) for i in range(users)]

    def user(i: int) -> None:
        b = Browser(port, rec, f"healthz{i}", Random(SEED + i), think)
        for _ in range(share[i]):
            b.think()
            b.request("GET", "/healthz", None, "healthz")

    return rec, run_threads([lambda i=i: user(i) for i in range(users)])


def tally_phase(
    port: int,
    plans: list[CommunityPlan],
    think: float,
    timeout: float,
    snapshot: Any = lambda: None,
) -> tuple[Recorder, Recorder, float, list[Any]]:
    """The logins, then the work; `snapshot()` is taken when the work starts and ends
    (the logins' PBKDF2 stays out of the work's CPU figures)."""
    logins, rec = Recorder(), Recorder()
    browsers: dict[str, Browser] = {}
    for plan in plans:
        for username in [*plan.members, plan.chair]:
            browsers[username] = Browser(
                port, logins, username, Random(f"{SEED}-{username}"), think
            )
    run_threads([lambda b=b, u=u: b.login(u) for u, b in browsers.items()])
    for b in browsers.values():
        b.rec = rec
    work: list[Any] = []
    deadline = time.monotonic() + timeout
    for plan in plans:
        # Sheet i is typed by members i and i+1 (mod the committee's size), each member's
        # list shuffled: the two entries of one sheet often arrive together.
        share: dict[str, list[SheetPlan]] = {m: [] for m in plan.members}
        for i, sheet in enumerate(plan.sheets):
            for j in (0, 1):
                share[plan.members[(i + j) % len(plan.members)]].append(sheet)
        left = [len(plan.members)]

        def member(b: Browser, plan: CommunityPlan, mine: list[SheetPlan], left: list[int]) -> None:
            b.rng.shuffle(mine)
            try:
                member_work(b, plan, mine)
            except Exception as exc:
                b.rec.fail(b.name, f"crashed: {exc!r}")
            finally:
                with b.rec.lock:
                    left[0] -= 1

        def chair(b: Browser, plan: CommunityPlan, left: list[int]) -> None:
            try:
                chair_work(b, plan, left, deadline, Random(SEED + len(plan.code)))
            except Exception as exc:
                b.rec.fail(b.name, f"crashed: {exc!r}")

        for m in plan.members:
            work.append(lambda b=browsers[m], p=plan, s=share[m], lf=left: member(b, p, s, lf))
        work.append(lambda b=browsers[plan.chair], p=plan, lf=left: chair(b, p, lf))
    snapshots = [snapshot()]
    seconds = run_threads(work)
    snapshots.append(snapshot())
    return logins, rec, seconds, snapshots


def table(name: str, s: dict[str, Any]) -> str:
    return (
        f"  {name:<24} {s['requests']:>6}  {s['throughput_rps']:>7.1f}/s  p50 {s['p50_ms']:>7.1f}"
        f"  p95 {s['p95_ms']:>7.1f}  p99 {s['p99_ms']:>7.1f}  max {s['max_ms']:>7.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("TALLY_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--members", type=int, default=4, help="committee members per community")
    parser.add_argument("--places", type=int, default=5, help="polling places per community")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (Dockerfile: 3)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean think time between a user's requests (s)"
    )
    parser.add_argument(
        "--timeout", type=float, default=900, help="give up the tally phase after (s)"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.members < 2:
        parser.error("--members must be 2 or more (two entries by two users)")

    print(f"== {BENCH}: database {urlparse(args.database_url).path.lstrip('/')}, recreated")
    recreate_database(args.database_url)
    proc: subprocess.Popen[bytes] | None = None
    log = tempfile.NamedTemporaryFile(prefix="tally_load-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    try:
        django_setup(args.database_url)
        started = time.perf_counter()
        plans = seed(args.communities, args.places, args.members)
        users = sum(len(p.members) + 1 for p in plans)
        sheets = sum(len(p.sheets) for p in plans)
        print(
            f"seeded {len(plans)} communities × {args.places} places × {len(POSTS)} rounds = "
            f"{sheets} sheets, {users} users ({time.perf_counter() - started:.1f} s, not timed)"
        )
        from django.db import connections

        connections.close_all()
        port = free_port()
        proc = start_gunicorn(args.database_url, port, args.workers, args.threads, log)
        print(
            f"gunicorn config.wsgi on {HOST}:{port}: {args.workers} sync workers"
            + (f" × {args.threads} threads" if args.threads > 1 else "")
            + f", DEBUG off; {users} users, think time {args.think:.2f} s mean (0.5-1.5×)"
        )
        warm = Recorder()
        warm_browser = Browser(port, warm, "warm-up", Random(SEED), 0)
        for _ in range(20):
            warm_browser.request("GET", "/healthz", None, "warm-up")
            warm_browser.request("GET", "/accounts/login/", None, "warm-up")

        probe_ms = cpu_probe_ms()
        database = urlparse(args.database_url).path.lstrip("/")
        # The tally phase first (its request count sizes the baseline).
        master = proc.pid
        logins, rec, seconds, ((cpu_before, own_before), (cpu_after, own_after)) = tally_phase(
            port,
            plans,
            args.think,
            args.timeout,
            lambda: (server_cpu(master, database), time.process_time()),
        )
        own_used = own_after - own_before
        base, baseline_seconds = baseline_phase(port, users, len(rec.samples), args.think)
        peak = worker_peak_mb(proc.pid)
        stop(proc)
        proc = None
        outcome = verify(plans)
    finally:
        stop(proc)
        log.close()
        from django.db import connections

        connections.close_all()
    if not args.keep_db:
        drop_database(args.database_url)

    tally = summary(rec.samples, seconds)
    baseline = summary(base.samples, baseline_seconds)
    login = summary(logins.samples, 1.0)
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for s in rec.samples:
        by_kind[s.kind].append(s)
    failures = len(rec.failures) + len(base.failures) + len(logins.failures)
    print(f"tally phase {seconds:.1f} s, baseline phase {baseline_seconds:.1f} s")
    print("  kind                     requests  throughput   latency (ms)")
    print(table("tally (all)", tally))
    for kind in sorted(by_kind):
        print(table("  " + kind, summary(by_kind[kind], seconds)))
    print(table("baseline GET /healthz", baseline))
    requests = len(rec.samples)
    gunicorn_s = cpu_used(cpu_before, cpu_after, "gunicorn:")
    postgres_s = cpu_used(cpu_before, cpu_after, "postgres:")
    cpu_ms = (gunicorn_s + postgres_s) * 1000 / requests if requests else 0.0
    print(table("login (not in tally)", login | {"throughput_rps": 0.0}))
    print(
        f"  entries saved {rec.counts['entries saved']}, sheets confirmed by the chairs "
        f"{rec.counts['sheets confirmed']}, double clicks refused {rec.counts['double clicks refused']}"
    )
    print(
        f"database: {outcome['sheets_confirmed']}/{outcome['sheets']} sheets confirmed exactly "
        f"once with two entries by two users and the numbers as typed; duplicates {outcome['duplicates']}"
    )
    print(
        f"CPU while the users worked (logins apart): gunicorn {gunicorn_s:.1f} s, PostgreSQL "
        f"{postgres_s:.1f} s, the load generator {own_used:.1f} s, on {os.cpu_count()} cores "
        f"for {seconds:.1f} s; the server's CPU per request {cpu_ms:.1f} ms"
    )
    print(
        f"machine speed now: the CPU probe took {probe_ms:.0f} ms (a fixed loop; higher is "
        "slower; compare runs only at similar probes)"
    )
    for problem in outcome["problems"]:
        print("  " + problem)
    for failure in (rec.failures + base.failures + logins.failures)[:15]:
        print("  FAILED " + failure)
    if failures:
        tail = Path(log.name).read_text(errors="replace").splitlines()[-30:]
        print("gunicorn log (last lines):\n  " + "\n  ".join(tail))
    Path(log.name).unlink(missing_ok=True)
    ratio = tally["p95_ms"] / baseline["p95_ms"] if baseline["p95_ms"] else 0.0
    met = (
        tally["p95_ms"] < TARGET_P95_MS
        and failures == 0
        and outcome["duplicates"] == 0
        and outcome["sheets_confirmed"] == outcome["sheets"]
    )
    print(
        f"p95 {tally['p95_ms']:.0f} ms (target < {TARGET_P95_MS:.0f}), ratio {ratio:.1f} × /healthz "
        f"(target ≤ {TARGET_RATIO:.0f}), failures {failures}: "
        + ("issue targets met" if met else "ISSUE TARGET MISSED")
    )
    result = {
        "bench": BENCH,
        "seconds": round(seconds, 3),
        "baseline_seconds": round(baseline_seconds, 3),
        "ratio": round(ratio, 3),
        "peak_mb": round(peak, 1),
        "target_ratio": TARGET_RATIO,
        "p50_ms": round(tally["p50_ms"], 1),
        "p95_ms": round(tally["p95_ms"], 1),
        "p99_ms": round(tally["p99_ms"], 1),
        "requests": tally["requests"],
        "throughput_rps": round(tally["throughput_rps"], 1),
        "failures": failures,
        "sheets": outcome["sheets"],
        "sheets_confirmed": outcome["sheets_confirmed"],
        "duplicates": outcome["duplicates"],
        "baseline_p50_ms": round(baseline["p50_ms"], 1),
        "baseline_p95_ms": round(baseline["p95_ms"], 1),
        "baseline_p99_ms": round(baseline["p99_ms"], 1),
        "login_p95_ms": round(login["p95_ms"], 1),
        "server_cpu_ms_per_request": round(cpu_ms, 2),
        "loadgen_cpu_s": round(own_used, 1),
        "cpu_probe_ms": round(probe_ms, 1),
        "users": users,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "think_s": args.think,
        "target_p95_ms": TARGET_P95_MS,
        "met": met,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
