"""Importing a voter roll from Excel (R9–R11; OpenSlides' stored preview).

upload → (Celery) check every row into a stored preview → commit, all or nothing,
and only of a preview without errors. The uploaded file holds ID numbers, so it is
kept encrypted; commit re-reads and re-checks it inside the commit's transaction,
so what lands is exactly what the rules accept at that moment.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models import Lookup as DjangoLookup
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from electionlaw import needs_approval
from elections import audit
from elections.crypto import (
    DecryptionError,
    decrypt_bytes,
    encrypt_bytes,
    encrypt_text,
    encryption_key,
    hash_key,
)
from elections.idnumbers import id_hash, mask_id_number
from elections.models import CommunityElection
from elections.registration.models import (
    ImportStatus,
    Voter,
    VoterImport,
    VoterImportRow,
    VoterSource,
    VoterStatus,
)
from elections.registration.services import (
    VoterError,
    cross_street_warning,
    hash_id,
    other_street_registrations,
)
from elections.registration.xlsx.checks import validate_rows
from elections.registration.xlsx.columns import DEFAULT_MAX_BYTES
from elections.registration.xlsx.reading import read_rows
from elections.registration.xlsx.types import (
    ExistingRecord,
    FieldMessage,
    ImportFileError,
    ParsedFile,
    RowResult,
)
from elections.registration.xlsx.writing import write_error_report

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = DEFAULT_MAX_BYTES
_LOOKUP_CHUNK = 5000
_ROW_BATCH = 2000
_INSERT_BATCH = 1000
_FILE_AAD = b"huanjie/voter-import/v1"

# Spreadsheet column → Voter field, for the columns an update may change.
COLUMN_FIELDS = {
    "姓名": "name",
    "民族": "ethnicity",
    "居民小组": "group",
    "住址": "address",
    "联系电话": "phone",
    "登记类别": "category",
    "备注": "notes",
}


# -- the encrypted file store ---------------------------------------------------------


def _store_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_encrypted(data: bytes) -> str:
    """Write `data` encrypted (AES-GCM) under MEDIA_ROOT/imports; return its name."""
    name = f"{uuid.uuid4().hex}.bin"
    (_store_dir() / name).write_bytes(encrypt_bytes(data, encryption_key(), aad=_FILE_AAD))
    return name


def read_encrypted(name: str) -> bytes:
    blob = (_store_dir() / Path(name).name).read_bytes()
    try:
        return decrypt_bytes(blob, encryption_key(), aad=_FILE_AAD)
    except DecryptionError:
        raise ImportFileError(
            "上传的文件无法解密（密钥已更换或文件损坏），请重新上传", "corrupt"
        ) from None


# -- looking up who is already registered (R11) ------------------------------------------


class _HashIn(DjangoLookup):
    """PostgreSQL: `column = ANY(string_to_array(%s, ','))`, the hashes as one parameter.

    For 100,000 ID numbers, building and sending `IN (%s, %s, …)` costs more than the
    query itself (Django prepares and psycopg splits and quotes every placeholder); one
    comma-joined string is quoted once. Only for `id_hash` values: hex digests never
    contain a comma."""

    lookup_name = "hash_in"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(string_to_array(%s, ','))", [*lhs_params, ",".join(self.rhs)]


@dataclass
class Lookup:
    """The `lookup` callable of xlsx_import.validate_rows, for one election.

    It reads the whole cycle's active registrations of the given ID numbers in a few
    chunked queries and remembers which voter each same-community number belongs to."""

    election: CommunityElection
    voter_ids: dict[str, int] = field(default_factory=dict)  # ID number → voter pk (same community)
    hashes: dict[str, str] = field(default_factory=dict)  # ID number → keyed hash

    def __call__(self, numbers: list[str]) -> dict[str, ExistingRecord]:
        key = hash_key()
        self.hashes = {number: id_hash(number, key) for number in numbers}
        by_hash = {digest: number for number, digest in self.hashes.items()}
        found: dict[str, ExistingRecord] = {}
        digests = list(by_hash)
        postgres = connection.vendor == "postgresql"
        for start in range(0, len(digests), _LOOKUP_CHUNK):
            chunk = digests[start : start + _LOOKUP_CHUNK]
            voters = Voter.objects.filter(cycle_id=self.election.cycle_id)
            if postgres:  # one parameter instead of 5,000 IN (…) placeholders
                voters = voters.filter(_HashIn(F("id_hash"), chunk))
            else:
                voters = voters.filter(id_hash__in=chunk)
            rows = (
                voters.exclude(status=VoterStatus.REMOVED)
                .order_by()
                .values_list(
                    "pk",
                    "id_hash",
                    "election_id",
                    "election__community__code",
                    "election__community__name",
                    "name",
                    "gender",
                    "birth_date",
                    "ethnicity",
                    "group",
                    "address",
                    "phone",
                    "category",
                    "notes",
                )
            )
            for row in rows:
                pk, digest, election_id, code, community_name = row[:5]
                name, gender, birth, ethnicity, group, address, phone, category, notes = row[5:]
                number = by_hash[digest]
                same = election_id == self.election.pk
                if same:
                    self.voter_ids[number] = pk
                found[number] = ExistingRecord(
                    community_code=code,
                    community_name=community_name,
                    same_community=same,
                    fields={
                        "姓名": name,
                        "性别": gender,
                        "出生日期": birth.isoformat(),
                        "民族": ethnicity,
                        "居民小组": group,
                        "住址": address,
                        "联系电话": phone,
                        "登记类别": category,
                        "备注": notes,
                    },
                )
        return found


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file's rows are built.

    Reading and checking 100,000 rows creates millions of long-lived objects (none in a
    reference cycle); every automatic collection walks all of them again, about a third
    of the checking time. Collection resumes afterwards (it was on, it is on again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_file(
    election: CommunityElection, data: bytes, *, today: dt.date | None = None
) -> tuple[ParsedFile, list[RowResult], Lookup]:
    """Read and check every row (raises ImportFileError for a file that cannot be read)."""
    with _gc_paused():
        parsed = read_rows(data, max_bytes=MAX_UPLOAD_BYTES)
        lookup = Lookup(election)
        results = validate_rows(
            parsed,
            election_day=election.election_day,
            lookup=lookup,
            today=today or timezone.localdate(),
            needs_approval=_approval_rule(election),
        )
        _warn_other_streets(election, results, lookup)
    return parsed, results, lookup


def _warn_other_streets(
    election: CommunityElection, results: list[RowResult], lookup: Lookup
) -> None:
    """R11: a person registered in another street's election of the same period is a
    warning to check (the other street's roll is not ours to judge)."""
    candidates = [r for r in results if r.id_info is not None and r.state != "error"]
    elsewhere = other_street_registrations(
        election, [lookup.hashes[r.id_info.number] for r in candidates if r.id_info]
    )
    if not elsewhere:
        return
    for result in candidates:
        assert result.id_info is not None
        place = elsewhere.get(lookup.hashes[result.id_info.number])
        if place is not None:
            result.messages.append(FieldMessage("身份证号", "warning", cross_street_warning(place)))
            result.state = "warning"


@dataclass(frozen=True)
class Summary:
    total: int
    new: int
    update: int
    unchanged: int
    warning: int
    error: int
    pending: int = 0
    """New rows (new or warning) that will wait for the meeting's approval (R10)."""

    @classmethod
    def of(cls, results: Sequence[RowResult]) -> Summary:
        counts = {"new": 0, "update": 0, "unchanged": 0, "warning": 0, "error": 0}
        pending = 0
        for result in results:
            counts[result.state] += 1
            pending += result.awaits_approval
        return cls(total=len(results), pending=pending, **counts)


def _approval_rule(election: CommunityElection) -> Callable[[str], bool]:
    """R10 under the election's rule profile: does a new voter of this category wait?"""
    params = election.cycle.rule_profile.params()
    return lambda category: needs_approval(category, params)


# -- applying checked rows to the roll ----------------------------------------------------


def _new_voter(
    election: CommunityElection, result: RowResult, voter_import: VoterImport | None, now: Any
) -> Voter:
    values = result.values
    info = result.id_info
    assert info is not None
    category = values["登记类别"]
    return Voter(
        election_id=election.pk,
        cycle_id=election.cycle_id,
        name=values["姓名"],
        id_hash=hash_id(info.number),
        id_encrypted=encrypt_text(info.number, encryption_key()),
        id_masked=mask_id_number(info.number),
        gender=info.gender,
        birth_date=info.birth_date,
        ethnicity=values["民族"],
        group=values["居民小组"],
        address=values["住址"],
        phone=values["联系电话"],
        category=category,
        approval_body="",
        approval_date=None,
        # R10 (c), (d): registered only once approved, as the rule profile says.
        status=VoterStatus.PENDING_APPROVAL if result.awaits_approval else VoterStatus.REGISTERED,
        removed_reason="",
        rights_deprived=False,
        source=VoterSource.IMPORT,
        source_import=voter_import,
        source_objection=None,
        notes=values["备注"],
        created_at=now,
        updated_at=now,
    )


_COPY_COLUMNS = (
    "election_id",
    "cycle_id",
    "name",
    "id_hash",
    "id_encrypted",
    "id_masked",
    "gender",
    "birth_date",
    "ethnicity",
    "group",
    "address",
    "phone",
    "category",
    "approval_body",
    "approval_date",
    "status",
    "removed_reason",
    "rights_deprived",
    "source",
    "source_import_id",
    "source_objection_id",
    "notes",
    "created_at",
    "updated_at",
)


def _copy_voters(rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows (values in `_COPY_COLUMNS` order) into the voter table (PostgreSQL).

    Rows are sent as they come, so the server inserts and indexes while Python is
    still encrypting the rows behind them."""
    columns = ", ".join(f'"{c}"' for c in _COPY_COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY elections_voter ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)


def _insert_voters(voters: list[Voter]) -> None:
    """Insert new voters: PostgreSQL's COPY where available, bulk_create elsewhere."""
    if not voters:
        return
    if connection.vendor == "postgresql":
        _copy_voters([getattr(voter, c) for c in _COPY_COLUMNS] for voter in voters)
    else:
        Voter.objects.bulk_create(voters, batch_size=1000)


def _copy_voter_lines(lines: Iterable[str]) -> None:
    """COPY voter rows given as lines of COPY's text format (`_COPY_COLUMNS` order).

    Sent in blocks as they come, so the server inserts and indexes while Python is still
    encrypting the rows behind them."""
    columns = ", ".join(f'"{c}"' for c in _COPY_COLUMNS)
    block: list[str] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY elections_voter ({columns}) FROM STDIN") as copy:
            for line in lines:
                block.append(line)
                if len(block) == _COPY_BLOCK:
                    copy.write("".join(block))
                    block.clear()
            if block:
                copy.write("".join(block))


_COPY_BLOCK = 2000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """``value`` as a field of COPY's text format: backslash, tab, newline and carriage
    return escaped (the only characters the format gives a meaning to). The checks
    leave no tab or line break in a field; a backslash can be typed into an address."""
    if "\\" in value or not value.isprintable():
        return value.translate(_COPY_ESCAPES)
    return value


def _new_voter_lines(
    election: CommunityElection,
    results: Iterable[RowResult],
    hashes: Mapping[str, str],
    voter_import: VoterImport | None,
    now: Any,
) -> Iterator[str]:
    """The COPY lines (text format) of `_new_voter(…)` for each result, without building
    model instances: the same values in `_COPY_COLUMNS` order.

    `hashes` (the Lookup's, by ID number) saves hashing each number a second time. A
    Voter instance costs ~10 µs and ~1 KB, and psycopg's per-value formatting of 24
    columns about as much again; for 100,000 rows that was most of an import's time.
    Every text a user typed goes through `_copy_text`; the rest are numbers, dates,
    fixed codes, hex and base64."""
    encryption = encryption_key()
    lookup_key = hash_key()
    null = "\\N"
    # election_id, cycle_id … and the constant middle and end of every line.
    head = f"{election.pk}\t{election.cycle_id}\t"
    import_id = str(voter_import.pk) if voter_import is not None else null
    stamp = now.isoformat()
    pending, registered = VoterStatus.PENDING_APPROVAL.value, VoterStatus.REGISTERED.value
    source = VoterSource.IMPORT.value
    for result in results:
        values = result.values
        info = result.id_info
        assert info is not None
        number = info.number
        digest = hashes.get(number) or id_hash(number, lookup_key)
        # R10 (c), (d): registered only once approved, as the rule profile says.
        status = pending if result.awaits_approval else registered
        yield (
            f"{head}{_copy_text(values['姓名'])}\t{digest}\t"
            f"{encrypt_text(number, encryption)}\t{mask_id_number(number)}\t"
            f"{info.gender}\t{info.birth_date.isoformat()}\t{_copy_text(values['民族'])}\t"
            f"{_copy_text(values['居民小组'])}\t{_copy_text(values['住址'])}\t"
            f"{_copy_text(values['联系电话'])}\t{_copy_text(values['登记类别'])}\t"
            # approval_body, approval_date, status, removed_reason, rights_deprived,
            # source, source_import_id, source_objection_id
            f"\t{null}\t{status}\t\tf\t{source}\t{import_id}\t{null}\t"
            f"{_copy_text(values['备注'])}\t{stamp}\t{stamp}\n"
        )


def apply_results(
    election: CommunityElection,
    results: Sequence[RowResult],
    lookup: Lookup,
    *,
    voter_import: VoterImport | None,
    actor: Any = None,
) -> tuple[int, int]:
    """Create new voters and update changed ones. Caller holds the transaction.

    Each updated voter gets its own audit row (their page's history shows it).

    Raises VoterError when a row has an error or someone registered one of these
    people elsewhere meanwhile (the R11 constraint)."""
    if any(r.state == "error" for r in results):
        raise VoterError("文件中还有错误，不能导入")
    with _gc_paused():
        return _apply(election, results, lookup, voter_import=voter_import, actor=actor)


def _apply(
    election: CommunityElection,
    results: Sequence[RowResult],
    lookup: Lookup,
    *,
    voter_import: VoterImport | None,
    actor: Any,
) -> tuple[int, int]:
    """apply_results without the garbage collector (see _gc_paused)."""
    now = timezone.now()
    new: list[RowResult] = []
    updates: dict[int, dict[str, str]] = {}
    for result in results:
        info = result.id_info
        if info is None or result.state == "unchanged":
            continue
        voter_id = lookup.voter_ids.get(info.number)
        if voter_id is None:
            new.append(result)
        elif result.changes:
            updates[voter_id] = {
                COLUMN_FIELDS[column]: new_value
                for column, (_old, new_value) in result.changes.items()
                if column in COLUMN_FIELDS
            }
    try:
        with transaction.atomic():
            if new and connection.vendor == "postgresql":
                _copy_voter_lines(_new_voter_lines(election, new, lookup.hashes, voter_import, now))
            else:
                for start in range(0, len(new), _INSERT_BATCH):
                    batch = new[start : start + _INSERT_BATCH]
                    _insert_voters([_new_voter(election, r, voter_import, now) for r in batch])
            _apply_updates(election, updates, now, actor=actor, voter_import=voter_import)
    except IntegrityError:
        raise VoterError(
            "导入时发现有人刚刚在其他社区登记了文件中的人员，请重新检查文件后再导入（规则 R11）"
        ) from None
    return len(new), len(updates)


def _apply_updates(
    election: CommunityElection,
    updates: dict[int, dict[str, str]],
    now: Any,
    *,
    actor: Any,
    voter_import: VoterImport | None,
) -> None:
    """Update the changed voters and write one `elections.voter.updated` row for each
    (bulk, in the caller's transaction), as `update_voter` does for a single change."""
    if not updates:
        return
    voters = list(Voter.objects.filter(pk__in=list(updates)))
    touched: set[str] = {"updated_at", "status"}
    audit_rows: list[tuple[Voter, dict[str, Any]]] = []
    source = {
        "source": VoterSource.IMPORT.value,
        "filename": voter_import.filename if voter_import is not None else "",
    }
    approval_needed = _approval_rule(election)
    for voter in voters:
        diff = _update_voter(voter, updates[voter.pk], now, approval_needed)
        touched.update(diff)
        if diff:
            audit_rows.append((voter, {"name": voter.name, "changes": diff, **source}))
    Voter.objects.bulk_update(voters, sorted(touched), batch_size=1000)
    audit.record_many(
        actor,
        "elections.voter.updated",
        audit_rows,
        community_id=election.community_id,
        street_id=election.community.street_id,
    )


def _update_voter(
    voter: Voter, changes: Mapping[str, str], now: Any, approval_needed: Callable[[str], bool]
) -> dict[str, list[str]]:
    """Apply one row's changes to `voter` (and its status, R10 through the profile's
    rule); the [old, new] changes."""
    diff: dict[str, list[str]] = {}
    for name, value in changes.items():
        old = getattr(voter, name)
        if old != value:
            diff[name] = [old, value]
        setattr(voter, name, value)
    status = voter.status
    voter.updated_at = now
    if approval_needed(voter.category) and not voter.approval_body:
        voter.status = VoterStatus.PENDING_APPROVAL
    elif voter.status == VoterStatus.PENDING_APPROVAL:
        voter.status = VoterStatus.REGISTERED
    if voter.status != status:
        diff["status"] = [str(status), str(voter.status)]
    return diff


# -- the web flow: upload, check (task), commit ----------------------------------------------


def upload(election: CommunityElection, *, filename: str, data: bytes, actor: Any) -> VoterImport:
    """Store an uploaded file and queue its check (Celery; in-process without a broker)."""
    if not data:
        raise ImportFileError("上传的文件是空的，请选择填好的 .xlsx 文件", "empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            f"文件太大（{len(data) / 1024 / 1024:.1f} MB），最大 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
            "请分成几个文件上传",
            "too_large",
        )
    stored = store_encrypted(data)
    with transaction.atomic():
        voter_import = VoterImport.objects.create(
            election=election,
            created_by=actor,
            filename=os.path.basename(filename)[:200] or "upload.xlsx",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            stored_file=stored,
        )
        audit.record(
            actor,
            "elections.voter_import.uploaded",
            voter_import,
            community_id=election.community_id,
            data={"filename": voter_import.filename, "size": len(data)},
        )
        transaction.on_commit(lambda: _queue_into(voter_import))
    return voter_import


QUEUE_DOWN_MESSAGE = (
    "文件已经保存，但后台检查服务暂时连接不上，检查还没有开始。"
    "服务恢复后会自动开始检查，不用重新上传；也可以稍后点击“重新检查”。"
)
STALLED_MESSAGE = (
    "检查好像中断了。系统会在几分钟内自动重新开始检查，不用重新上传；也可以点击“重新检查”。"
)
GAVE_UP_MESSAGE = "检查多次中断，没有完成。请重新上传文件；如果仍然不行，请联系系统管理员。"


def check_notice(voter_import: VoterImport) -> str:
    """What the import page says about a check that is not running as it should."""
    if voter_import.waiting_for_queue:
        return QUEUE_DOWN_MESSAGE
    if voter_import.needs_recheck:
        return STALLED_MESSAGE
    return ""


def _publish(import_id: int) -> None:
    check_voter_import.delay(import_id)


def _queue_check(import_id: int) -> dt.datetime | None:
    """Hand the check to the broker; when it cannot be reached, leave it to the sweep.

    Returns when it was queued, or None (the import's queued_at is cleared, so the page
    says so and sweep_stalled_imports queues it once the broker is back). The broker's
    connect timeout and publish retries are bounded in config/celery.py, so a web
    request gives up within seconds."""
    try:
        _publish(import_id)
    except BrokerUnreachable:
        log.warning(
            "voter import %s: the broker is unreachable; the sweep will queue it", import_id
        )
        VoterImport.objects.filter(pk=import_id).update(queued_at=None)
        return None
    queued_at = timezone.now()
    VoterImport.objects.filter(pk=import_id, queued_at__isnull=True).update(queued_at=queued_at)
    return queued_at


def _queue_into(voter_import: VoterImport) -> None:
    voter_import.queued_at = _queue_check(voter_import.pk)


def _set(voter_import: VoterImport, **fields: Any) -> None:
    VoterImport.objects.filter(pk=voter_import.pk).update(**fields)


def _stall_cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.VOTER_IMPORT_STALL_SECONDS)


def _stalled_processing(now: dt.datetime) -> Q:
    """A running check whose heartbeat stopped (its worker died or lost the job)."""
    return Q(status=ImportStatus.PROCESSING) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=_stall_cutoff(now))
    )


def _pause_for_tests() -> None:
    """Test hook: HUANJIE_TEST_CHECK_PAUSE=<seconds> makes a check wait at each step, so
    that a real-worker test can kill the worker mid-check. Ignored outside HUANJIE_ENV=test."""
    if settings.TESTING:
        pause = float(os.environ.get("HUANJIE_TEST_CHECK_PAUSE") or 0)
        if pause > 0:
            time.sleep(pause)


def _claim(import_id: int) -> bool:
    """Take the check: an upload waiting for it, or a check whose worker died (a
    redelivered message) that has attempts left. Safe when two workers race."""
    now = timezone.now()
    reclaimable = _stalled_processing(now) & Q(attempts__lt=settings.VOTER_IMPORT_MAX_ATTEMPTS)
    return bool(
        VoterImport.objects.filter(
            Q(pk=import_id) & (Q(status=ImportStatus.UPLOADED) | reclaimable)
        ).update(
            status=ImportStatus.PROCESSING,
            progress=10,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
        )
    )


def _mine(voter_import: VoterImport) -> QuerySet[VoterImport]:
    """This run's claim: the import while no later attempt has taken it over."""
    return VoterImport.objects.filter(
        pk=voter_import.pk, status=ImportStatus.PROCESSING, attempts=voter_import.attempts
    )


def _progress(voter_import: VoterImport, percent: int) -> None:
    """Report progress; the timestamp is the heartbeat the sweep watches."""
    _mine(voter_import).update(progress=percent, heartbeat_at=timezone.now())
    _pause_for_tests()


def _fail(voter_import: VoterImport, message: str) -> None:
    with transaction.atomic():
        if not _mine(voter_import).update(
            status=ImportStatus.FAILED, progress=100, message=message
        ):
            return  # a later attempt has taken over
        audit.record(
            None,
            "elections.voter_import.check_failed",
            voter_import,
            **_check_audit(voter_import, {"message": message}),
        )


def run_check(import_id: int) -> None:
    """The Celery task's body. Safe to run twice: it claims the upload first, and a
    run that a later attempt took over (the sweep re-queued it) writes nothing."""
    if not _claim(import_id):
        return
    voter_import = VoterImport.objects.select_related("election__cycle").get(pk=import_id)
    _pause_for_tests()
    try:
        data = read_encrypted(voter_import.stored_file)
        _progress(voter_import, 20)
        parsed, results, _lookup = check_file(voter_import.election, data)
    except ImportFileError as exc:
        _fail(voter_import, exc.message)
        return
    except Exception:
        log.exception("voter import %s failed", import_id)
        _fail(
            voter_import,
            "检查文件时出错。请确认文件是 Excel（.xlsx）格式后重新上传；仍有问题请联系系统管理员。",
        )
        return
    _progress(voter_import, 60)
    _store_preview(voter_import, parsed, results)


def _store_preview(
    voter_import: VoterImport, parsed: ParsedFile, results: Sequence[RowResult]
) -> None:
    summary = Summary.of(results)
    with transaction.atomic():
        if not list(_mine(voter_import).select_for_update().values_list("pk", flat=True)):
            return  # a later attempt has taken over
        VoterImportRow.objects.filter(voter_import=voter_import).delete()
        for batch in _batches(results, _ROW_BATCH):
            VoterImportRow.objects.bulk_create([_preview_row(voter_import, r) for r in batch])
        _set(
            voter_import,
            status=ImportStatus.PREVIEW,
            progress=100,
            heartbeat_at=timezone.now(),
            total_rows=summary.total,
            new_count=summary.new,
            update_count=summary.update,
            unchanged_count=summary.unchanged,
            warning_count=summary.warning,
            error_count=summary.error,
            pending_count=summary.pending,
            blank_rows=parsed.blank_rows,
            extra_columns=parsed.extra_columns,
            message="",
        )
        audit.record(
            None,
            "elections.voter_import.checked",
            voter_import,
            **_check_audit(
                voter_import,
                {"rows": summary.total, "errors": summary.error, "warnings": summary.warning},
            ),
        )


def _check_audit(voter_import: VoterImport, data: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of a finished check's audit row (the system's: nobody clicked)."""
    return {
        "community_id": voter_import.election.community_id,
        "data": {"filename": voter_import.filename, "attempts": voter_import.attempts, **data},
    }


# -- finding checks that stopped, and queueing them again ----------------------------------


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    failed: int


def stalled_imports(now: dt.datetime | None = None) -> list[VoterImport]:
    """Imports whose check should be running but is not: uploads never handed to the
    broker (it was down) after the grace period, uploads queued but not started within
    VOTER_IMPORT_STALL_SECONDS (the message was lost), and running checks whose
    heartbeat stopped that long ago (the worker died)."""
    now = now or timezone.now()
    grace = now - dt.timedelta(seconds=settings.VOTER_IMPORT_QUEUE_GRACE_SECONDS)
    uploaded = Q(status=ImportStatus.UPLOADED) & (
        Q(queued_at__isnull=True, created_at__lt=grace) | Q(queued_at__lt=_stall_cutoff(now))
    )
    return list(
        VoterImport.objects.filter(uploaded | _stalled_processing(now))
        .select_related("election")
        .order_by("pk")[:200]
    )


def sweep_stalled_imports(now: dt.datetime | None = None) -> SweepResult:
    """Queue again every stalled check, or fail it once it has used up its attempts.

    Runs every minute (config/celery.py beat). Safe to run twice or on two workers at
    once: each import is claimed by a conditional UPDATE on the state that was read."""
    now = now or timezone.now()
    requeued = failed = 0
    for voter_import in stalled_imports(now):
        outcome = reclaim_stalled(voter_import, now=now)
        requeued += outcome == "requeued"
        failed += outcome == "failed"
    return SweepResult(requeued=requeued, failed=failed)


def reclaim_stalled(voter_import: VoterImport, *, now: dt.datetime) -> str:
    """Claim one stalled import as it was read: "requeued", "failed", or "" when another
    sweep (or the check itself) changed it first."""
    seen = VoterImport.objects.filter(
        pk=voter_import.pk,
        status=voter_import.status,
        attempts=voter_import.attempts,
        queued_at=voter_import.queued_at,
        heartbeat_at=voter_import.heartbeat_at,
    )
    gave_up = (
        voter_import.status == ImportStatus.PROCESSING
        and voter_import.attempts >= settings.VOTER_IMPORT_MAX_ATTEMPTS
    )
    with transaction.atomic():
        if gave_up:
            if not seen.update(status=ImportStatus.FAILED, progress=100, message=GAVE_UP_MESSAGE):
                return ""
            audit.record(
                None,
                "elections.voter_import.check_failed",
                voter_import,
                **_check_audit(voter_import, {"message": GAVE_UP_MESSAGE}),
            )
            return "failed"
        if not seen.update(status=ImportStatus.UPLOADED, progress=0, queued_at=now):
            return ""
        reason = (
            "检查中断（后台进程停止），自动重新检查"
            if voter_import.status == ImportStatus.PROCESSING
            else "后台服务恢复，自动开始检查"
        )
        _record_requeue(None, voter_import, reason)
    return "requeued"


def _record_requeue(actor: Any, voter_import: VoterImport, reason: str) -> None:
    audit.record(
        actor,
        "elections.voter_import.requeued",
        voter_import,
        community_id=voter_import.election.community_id,
        data={
            "filename": voter_import.filename,
            "attempts": voter_import.attempts,
            "reason": reason,
        },
    )
    transaction.on_commit(lambda: _queue_check(voter_import.pk))


def recheck(voter_import: VoterImport, *, actor: Any) -> None:
    """The 重新检查 button: queue the check of an upload that never started, or of a
    check that stopped; a person asking starts a fresh count of attempts."""
    with transaction.atomic():
        locked = (
            VoterImport.objects.select_for_update()
            .select_related("election")
            .get(pk=voter_import.pk)
        )
        if not locked.needs_recheck:
            raise VoterError("这个文件正在检查或已经检查完，不需要重新检查")
        locked.status = ImportStatus.UPLOADED
        locked.progress = 0
        locked.attempts = 0
        locked.queued_at = timezone.now()
        locked.save(update_fields=["status", "progress", "attempts", "queued_at"])
        _record_requeue(actor, locked, "手动重新检查")


def _batches(items: Sequence[RowResult], size: int) -> Iterator[Sequence[RowResult]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _masked_id_cell(result: RowResult) -> str:
    """The 身份证号 cell of a preview row: masked, also when the number is invalid."""
    info = result.id_info
    if info is not None:
        return mask_id_number(info.number)
    return mask_id_number(result.values.get("身份证号", "")[:18])


def _preview_row(voter_import: VoterImport, result: RowResult) -> VoterImportRow:
    return VoterImportRow(
        voter_import=voter_import,
        row_number=result.row_number,
        state=result.state,
        name=result.values.get("姓名", "")[:50],
        id_masked=_masked_id_cell(result),
        messages=[{"field": m.field, "level": m.level, "text": m.text} for m in result.messages],
        changes={column: list(pair) for column, pair in result.changes.items()},
    )


def commit(voter_import: VoterImport, *, actor: Any) -> VoterImport:
    """Import a checked file: all rows or none, only when the preview has no errors."""
    with transaction.atomic():
        # The import, its election and the cycle. The cycle row makes the commits of one
        # street's communities take turns, so that the street-wide duplicate check (R11)
        # of each sees the rows the other committed.
        locked = (
            VoterImport.objects.select_for_update(of=("self", "election", "election__cycle"))
            .select_related("election__cycle", "election__community")
            .get(pk=voter_import.pk)
        )
        if locked.status == ImportStatus.COMMITTED:
            raise VoterError("这个文件已经导入过了，不会重复导入")
        if locked.status != ImportStatus.PREVIEW:
            raise VoterError("文件还没有检查完，请稍候")
        if locked.error_count:
            raise VoterError(f"还有 {locked.error_count} 行有错误。请下载错误报告，改正后重新上传")
        data = read_encrypted(locked.stored_file)
        _parsed, results, lookup = check_file(locked.election, data)
        errors = sum(1 for r in results if r.state == "error")
        if errors:
            raise VoterError(
                f"检查之后名册有了变化，现在有 {errors} 行出现错误。请重新上传文件检查"
            )
        created, updated = apply_results(
            locked.election, results, lookup, voter_import=locked, actor=actor
        )
        locked.status = ImportStatus.COMMITTED
        locked.committed_at = timezone.now()
        locked.committed_by = actor
        locked.save(update_fields=["status", "committed_at", "committed_by"])
        audit.record(
            actor,
            "elections.voter_import.committed",
            locked,
            community_id=locked.election.community_id,
            data={
                "filename": locked.filename,
                "created": created,
                "updated": updated,
                "unchanged": sum(1 for r in results if r.state == "unchanged"),
            },
        )
    return locked


def discard(voter_import: VoterImport, *, actor: Any) -> None:
    with transaction.atomic():
        locked = VoterImport.objects.select_for_update().get(pk=voter_import.pk)
        if locked.status == ImportStatus.COMMITTED:
            raise VoterError("已经导入的文件不能放弃")
        locked.status = ImportStatus.DISCARDED
        locked.save(update_fields=["status"])
        audit.record(
            actor,
            "elections.voter_import.discarded",
            locked,
            community_id=locked.election.community_id,
            data={"filename": locked.filename},
        )


def error_report(voter_import: VoterImport, *, actor: Any) -> bytes:
    """The rows with a problem and their messages (ID and phone masked), to fix in the
    person's own file. Each download is audited."""
    data = read_encrypted(voter_import.stored_file)
    parsed, results, _lookup = check_file(voter_import.election, data)
    content = write_error_report(parsed, results)
    with transaction.atomic():
        audit.record(
            actor,
            "elections.voter_import.error_report_downloaded",
            voter_import,
            community_id=voter_import.election.community_id,
            data={
                "filename": voter_import.filename,
                "rows": sum(1 for r in results if r.messages),
            },
        )
    return content


# -- the command line: check (and commit) a file in one go ----------------------------------


def import_directly(
    election: CommunityElection, data: bytes, *, commit_rows: bool, actor: Any, filename: str
) -> tuple[ParsedFile, list[RowResult], Summary]:
    """Check a file and, when asked and it has no errors, import it in one transaction."""
    with transaction.atomic():
        parsed, results, lookup = check_file(election, data)
        summary = Summary.of(results)
        if commit_rows and summary.error == 0:
            created, updated = apply_results(
                election, results, lookup, voter_import=None, actor=actor
            )
            audit.record(
                actor,
                "elections.voter_import.committed",
                election,
                community_id=election.community_id,
                data={
                    "filename": filename,
                    "created": created,
                    "updated": updated,
                    "unchanged": summary.unchanged,
                    "via": "command line",
                },
            )
    return parsed, results, summary


# No results are stored (ignore_result): nobody reads them, and a result backend that
# cannot be reached would hold up the request that queues the task.
@shared_task(name="elections.tasks.check_voter_import", ignore_result=True)
def check_voter_import(import_id: int) -> None:
    """Check an uploaded voter spreadsheet into its stored preview (the task of `upload`)."""
    run_check(import_id)


@shared_task(name="elections.tasks.sweep_stalled_imports", ignore_result=True)
def sweep_imports() -> None:
    """Every minute (config/celery.py beat): queue again the checks that stopped."""
    result = sweep_stalled_imports()
    if result.requeued or result.failed:
        log.info("import sweep: %s re-queued, %s failed", result.requeued, result.failed)
