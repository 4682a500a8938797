"""Voter registration's models (选民登记, RULES.md B3: R9–R14)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from elections.models.cycle import CommunityElection, ElectionCycle

# -- voter registration (选民登记, RULES.md B3: R9–R14) ------------------------------


class VoterCategory(models.TextChoices):
    """R10 registration categories (codes as in elections.registration.xlsx.checks.CATEGORIES)."""

    RESIDENT = "resident", "户在人在"
    REGISTERED_ABSENT = "registered_absent", "户在人不在"
    NONRESIDENT = "nonresident", "人在户不在"
    COMMUNITY_WORKER = "community_worker", "社区工作人员"


# R10 (c), (d): registered only after the 居民会议/代表会议 has approved.
CATEGORIES_NEEDING_APPROVAL = frozenset({VoterCategory.NONRESIDENT, VoterCategory.COMMUNITY_WORKER})


class VoterStatus(models.TextChoices):
    REGISTERED = "registered", "已登记"
    PENDING_APPROVAL = "pending_approval", "待会议同意"
    REMOVED = "removed", "已移除"


class VoterSource(models.TextChoices):
    IMPORT = "import", "表格导入"
    MANUAL = "manual", "逐个录入"
    OBJECTION = "objection", "申诉处理"
    ELECTION_DAY = "election_day", "选举日补登"


class ApprovalBody(models.TextChoices):
    RESIDENTS_MEETING = "residents_meeting", "居民会议"
    REPRESENTATIVES_MEETING = "representatives_meeting", "居民代表会议"


class Voter(models.Model):
    """选民: one person on one community's roll in one cycle.

    The ID number is stored encrypted (`id_encrypted`) and found through a keyed
    hash (`id_hash`); `id_masked` is what every list shows (RULES.md §9). One
    registration per person per cycle across the whole street (R11) is a
    database constraint on (cycle, id_hash)."""

    # The composite indexes below lead with election and cycle, so the foreign keys
    # need no single-column index of their own (fewer indexes: faster imports).
    # Both are checked by the database through ONE composite foreign key, (election,
    # cycle) → the election's (id, cycle) (migration 0012, `voter_election_cycle_fk`):
    # it proves the election exists *and* that `cycle` is that election's cycle, which
    # R11 relies on, with one check per inserted row instead of two.
    election = models.ForeignKey(
        CommunityElection,
        on_delete=models.PROTECT,
        related_name="voters",
        db_index=False,
        db_constraint=False,
    )
    # Denormalised from election.cycle for the street-wide uniqueness constraint.
    cycle = models.ForeignKey(
        ElectionCycle,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    name = models.CharField("姓名", max_length=50)
    id_hash = models.CharField("身份证号检索码", max_length=64)
    id_encrypted = models.TextField("身份证号（加密）")
    id_masked = models.CharField("身份证号", max_length=18)
    gender = models.CharField("性别", max_length=1, choices=[("男", "男"), ("女", "女")])
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    group = models.CharField("居民小组", max_length=50, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    category = models.CharField("登记类别", max_length=30, choices=VoterCategory.choices)
    approval_body = models.CharField(
        "同意登记的会议", max_length=30, choices=ApprovalBody.choices, blank=True
    )
    approval_date = models.DateField("会议同意日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=VoterStatus.choices, default=VoterStatus.REGISTERED
    )
    removed_reason = models.TextField("移除理由", blank=True)
    rights_deprived = models.BooleanField("被剥夺政治权利", default=False)
    source = models.CharField(
        "来源", max_length=20, choices=VoterSource.choices, default=VoterSource.MANUAL
    )
    source_import = models.ForeignKey(
        "VoterImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    source_objection = models.ForeignKey(
        "Objection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    notes = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "选民"
        verbose_name_plural = "选民"
        ordering = ["group", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "id_hash"],
                condition=~models.Q(status="removed"),
                name="voter_one_registration_per_cycle",
            )
        ]
        indexes = [
            models.Index(fields=["election", "status"]),
            models.Index(fields=["election", "group"]),
            # (cycle, id_hash) look-ups use the partial unique index of the constraint.
            # Partial: most voters have no objection, many no import.
            models.Index(
                fields=["source_import"],
                condition=models.Q(source_import__isnull=False),
                name="voter_source_import_idx",
            ),
            models.Index(
                fields=["source_objection"],
                condition=models.Q(source_objection__isnull=False),
                name="voter_source_objection_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "已上传，等待检查"
    PROCESSING = "processing", "正在检查"
    PREVIEW = "preview", "检查完成"
    FAILED = "failed", "无法读取"
    COMMITTED = "committed", "已导入"
    DISCARDED = "discarded", "已放弃"


class VoterImport(models.Model):
    """One uploaded voter spreadsheet and its stored preview (OpenSlides' import preview).

    The file is kept encrypted (it holds ID numbers); commit re-reads it, so what
    is imported is exactly what was checked."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.PROTECT, related_name="voter_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    stored_file = models.CharField("加密存储的文件", max_length=300)
    status = models.CharField(
        "状态", max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.TextField("说明", blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    update_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # New rows that will wait for the meeting's approval (R10, under the rule profile).
    pending_count = models.PositiveIntegerField(default=0)
    blank_rows = models.PositiveIntegerField(default=0)
    extra_columns = models.JSONField(default=list, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The background check's life signs (importing.sweep_stalled_imports): when the check
    # was last handed to the broker (None: not yet, e.g. the broker was unreachable),
    # when a running check last reported progress, and how many times it has started.
    queued_at = models.DateTimeField("排队时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("检查次数", default=0)

    class Meta:
        verbose_name = "选民导入"
        verbose_name_plural = "选民导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.UPLOADED, ImportStatus.PROCESSING)

    @property
    def waiting_for_queue(self) -> bool:
        """Uploaded, but the check could not be handed to the background service yet."""
        return self.status == ImportStatus.UPLOADED and self.queued_at is None

    @property
    def needs_recheck(self) -> bool:
        """The check should be running but is not: it was never handed to the background
        service, or it stopped (no sign of it for VOTER_IMPORT_STALL_SECONDS)."""
        cutoff = timezone.now() - dt.timedelta(seconds=settings.VOTER_IMPORT_STALL_SECONDS)
        if self.status == ImportStatus.UPLOADED:
            return self.queued_at is None or self.queued_at < cutoff
        if self.status == ImportStatus.PROCESSING:
            return self.heartbeat_at is None or self.heartbeat_at < cutoff
        return False

    @property
    def committable(self) -> bool:
        return (
            self.status == ImportStatus.PREVIEW
            and self.error_count == 0
            and (self.new_count + self.update_count + self.warning_count) > 0
        )


class VoterImportRow(models.Model):
    """One row of an import preview: its state and messages (no full ID number)."""

    voter_import = models.ForeignKey(VoterImport, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField("行号")
    state = models.CharField("状态", max_length=10)
    name = models.CharField("姓名", max_length=50, blank=True)
    id_masked = models.CharField("身份证号", max_length=18, blank=True)
    # [{"field": "身份证号", "level": "error", "text": "..."}]
    messages = models.JSONField(default=list, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "导入行"
        verbose_name_plural = "导入行"
        ordering = ["row_number"]
        indexes = [models.Index(fields=["voter_import", "state", "row_number"])]

    def __str__(self) -> str:
        return f"第{self.row_number}行 {self.state}"


class ObjectionKind(models.TextChoices):
    OMISSION = "omission", "漏登（应登记而未登记）"
    WRONG_ENTRY = "wrong_entry", "错登（登记信息有误）"
    SHOULD_NOT_BE_LISTED = "should_not_be_listed", "不应登记而登记"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    ACCEPTED = "accepted", "申诉成立"
    REJECTED = "rejected", "申诉不成立"


class Objection(models.Model):
    """申诉 about the published voter list (R13)."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.PROTECT, related_name="objections"
    )
    complainant_name = models.CharField("申诉人", max_length=50)
    complainant_phone = models.CharField("申诉人电话", max_length=30, blank=True)
    kind = models.CharField("申诉事项", max_length=30, choices=ObjectionKind.choices)
    subject_voter = models.ForeignKey(
        Voter, null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
    )
    subject_name = models.CharField("涉及人员", max_length=50)
    description = models.TextField("申诉内容")
    received_on = models.DateField("收到日期")
    status = models.CharField(
        "处理结果", max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    decision_reason = models.TextField("处理理由", blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "选民名单申诉"
        verbose_name_plural = "选民名单申诉"
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.complainant_name}：{self.get_kind_display()} {self.subject_name}"
