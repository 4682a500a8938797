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
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models import Lookup as DjangoLookup
from django.utils import timezone

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
    CATEGORIES_NEEDING_APPROVAL,
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


def _new_voter_rows(
    election: CommunityElection,
    results: Iterable[RowResult],
    hashes: Mapping[str, str],
    voter_import: VoterImport | None,
    now: Any,
) -> Iterator[tuple[Any, ...]]:
    """The COPY rows of `_new_voter(…)` for each result, without building model instances.

    Same values in `_COPY_COLUMNS` order; `hashes` (the Lookup's, by ID number) saves
    hashing each number a second time. A Voter instance costs ~10 µs and ~1 KB; for
    100,000 rows that is most of an import's time and memory."""
    encryption = encryption_key()
    lookup_key = hash_key()
    election_id, cycle_id = election.pk, election.cycle_id
    import_id = voter_import.pk if voter_import is not None else None
    pending, registered = VoterStatus.PENDING_APPROVAL.value, VoterStatus.REGISTERED.value
    source = VoterSource.IMPORT.value
    for result in results:
        values = result.values
        info = result.id_info
        assert info is not None
        number = info.number
        yield (
            election_id,  # election_id
            cycle_id,  # cycle_id
            values["姓名"],  # name
            hashes.get(number) or id_hash(number, lookup_key),  # id_hash
            encrypt_text(number, encryption),  # id_encrypted
            mask_id_number(number),  # id_masked
            info.gender,  # gender
            info.birth_date,  # birth_date
            values["民族"],  # ethnicity
            values["居民小组"],  # group
            values["住址"],  # address
            values["联系电话"],  # phone
            values["登记类别"],  # category
            "",  # approval_body
            None,  # approval_date
            # R10 (c), (d): registered only once approved, as the rule profile says.
            pending if result.awaits_approval else registered,  # status
            "",  # removed_reason
            False,  # rights_deprived
            source,  # source
            import_id,  # source_import_id
            None,  # source_objection_id
            values["备注"],  # notes
            now,  # created_at
            now,  # updated_at
        )


def apply_results(
    election: CommunityElection,
    results: Sequence[RowResult],
    lookup: Lookup,
    *,
    voter_import: VoterImport | None,
) -> tuple[int, int]:
    """Create new voters and update changed ones. Caller holds the transaction.

    Raises VoterError when a row has an error or someone registered one of these
    people elsewhere meanwhile (the R11 constraint)."""
    if any(r.state == "error" for r in results):
        raise VoterError("文件中还有错误，不能导入")
    with _gc_paused():
        return _apply(election, results, lookup, voter_import=voter_import)


def _apply(
    election: CommunityElection,
    results: Sequence[RowResult],
    lookup: Lookup,
    *,
    voter_import: VoterImport | None,
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
                _copy_voters(_new_voter_rows(election, new, lookup.hashes, voter_import, now))
            else:
                for start in range(0, len(new), _INSERT_BATCH):
                    batch = new[start : start + _INSERT_BATCH]
                    _insert_voters([_new_voter(election, r, voter_import, now) for r in batch])
            _apply_updates(updates, now)
    except IntegrityError:
        raise VoterError(
            "导入时发现有人刚刚在其他社区登记了文件中的人员，请重新检查文件后再导入（规则 R11）"
        ) from None
    return len(new), len(updates)


def _apply_updates(updates: dict[int, dict[str, str]], now: Any) -> None:
    if not updates:
        return
    voters = list(Voter.objects.filter(pk__in=list(updates)))
    touched: set[str] = {"updated_at", "status"}
    for voter in voters:
        for name, value in updates[voter.pk].items():
            setattr(voter, name, value)
            touched.add(name)
        voter.updated_at = now
        if voter.category in CATEGORIES_NEEDING_APPROVAL and not voter.approval_body:
            voter.status = VoterStatus.PENDING_APPROVAL
        elif voter.status == VoterStatus.PENDING_APPROVAL:
            voter.status = VoterStatus.REGISTERED
    Voter.objects.bulk_update(voters, sorted(touched), batch_size=1000)


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
        transaction.on_commit(lambda: check_voter_import.delay(voter_import.pk))
    return voter_import


def _set(voter_import: VoterImport, **fields: Any) -> None:
    VoterImport.objects.filter(pk=voter_import.pk).update(**fields)


def run_check(import_id: int) -> None:
    """The Celery task's body. Safe to run twice: it claims the upload first."""
    claimed = VoterImport.objects.filter(pk=import_id, status=ImportStatus.UPLOADED).update(
        status=ImportStatus.PROCESSING, progress=10
    )
    if not claimed:
        return
    voter_import = VoterImport.objects.select_related("election__cycle").get(pk=import_id)
    try:
        data = read_encrypted(voter_import.stored_file)
        parsed, results, _lookup = check_file(voter_import.election, data)
    except ImportFileError as exc:
        _set(voter_import, status=ImportStatus.FAILED, progress=100, message=exc.message)
        return
    except Exception:
        log.exception("voter import %s failed", import_id)
        _set(
            voter_import,
            status=ImportStatus.FAILED,
            progress=100,
            message="检查文件时出错。请确认文件是 Excel（.xlsx）格式后重新上传；仍有问题请联系系统管理员。",
        )
        return
    _set(voter_import, progress=60)
    summary = Summary.of(results)
    with transaction.atomic():
        VoterImportRow.objects.filter(voter_import=voter_import).delete()
        for batch in _batches(results, _ROW_BATCH):
            VoterImportRow.objects.bulk_create([_preview_row(voter_import, r) for r in batch])
        _set(
            voter_import,
            status=ImportStatus.PREVIEW,
            progress=100,
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
        locked = (
            VoterImport.objects.select_for_update()
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
        created, updated = apply_results(locked.election, results, lookup, voter_import=locked)
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


def error_report(voter_import: VoterImport) -> bytes:
    """The uploaded rows plus a 错误说明 column, to fix and upload again."""
    data = read_encrypted(voter_import.stored_file)
    parsed, results, _lookup = check_file(voter_import.election, data)
    # A large file gets only its problem rows (openpyxl needs ~12 s per 100,000 rows).
    only_problems = len(results) > 20_000
    return write_error_report(parsed, results, only_problem_rows=only_problems)


# -- the command line: check (and commit) a file in one go ----------------------------------


def import_directly(
    election: CommunityElection, data: bytes, *, commit_rows: bool, actor: Any, filename: str
) -> tuple[ParsedFile, list[RowResult], Summary]:
    """Check a file and, when asked and it has no errors, import it in one transaction."""
    with transaction.atomic():
        parsed, results, lookup = check_file(election, data)
        summary = Summary.of(results)
        if commit_rows and summary.error == 0:
            created, updated = apply_results(election, results, lookup, voter_import=None)
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


@shared_task(name="elections.tasks.check_voter_import")
def check_voter_import(import_id: int) -> None:
    """Check an uploaded voter spreadsheet into its stored preview (the task of `upload`)."""
    run_check(import_id)
