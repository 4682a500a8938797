"""Joint vetting (资格联审, RULES.md Q1, Q2, R36): the negative list, rounds of requests
to departments, their sign-offs bound to the data they checked, tip-offs, 劝退 and
the organisation reviewer's decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from candidates.models import Candidate
from elections.models import Department, District, ElectionCycle


class Severity(models.TextChoices):
    CANNOT = "cannot", "不能"  # blocks (Q1)
    UNSUITABLE = "unsuitable", "不宜"  # needs the organisation reviewer's decision


class NegativeList(models.Model):
    """One version of a negative list. ``district`` empty: a list shipped with the
    product (the 新河 plan's 十种情形) that any district may use."""

    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("代码", max_length=40)
    name = models.CharField("名称", max_length=100)
    version = models.PositiveSmallIntegerField("版本", default=1)
    effective_from = models.DateField("启用日期")
    source = models.CharField("依据", max_length=300, blank=True)

    class Meta:
        verbose_name = "负面清单"
        verbose_name_plural = "负面清单"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="negative_list_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class NegativeItem(models.Model):
    negative_list = models.ForeignKey(NegativeList, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("情形")
    severity = models.CharField("性质", max_length=20, choices=Severity.choices)
    window_years = models.PositiveSmallIntegerField("时间范围（年）", null=True, blank=True)
    department_codes = models.JSONField("负责核查的部门代码", default=list)

    class Meta:
        verbose_name = "负面清单情形"
        verbose_name_plural = "负面清单情形"
        ordering = ["negative_list", "number"]
        constraints = [
            models.UniqueConstraint(fields=["negative_list", "number"], name="negative_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.get_severity_display()}）"

    @property
    def label(self) -> str:
        return f"第{self.number}项"


class VettingRound(models.Model):
    """A numbered round of requests for a set of candidates of one cycle (street)."""

    cycle = models.ForeignKey(
        ElectionCycle, on_delete=models.PROTECT, related_name="vetting_rounds"
    )
    number = models.PositiveSmallIntegerField("轮次")
    negative_list = models.ForeignKey(NegativeList, on_delete=models.PROTECT, related_name="+")
    departments = models.ManyToManyField(Department, related_name="+", verbose_name="联审部门")
    deadline = models.DateField("反馈期限")
    note = models.CharField("说明", max_length=200, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "联审轮次"
        verbose_name_plural = "联审轮次"
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="vetting_round_number_once")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return "初次联审" if self.number == 1 else f"第{self.number}次联审"


class VettingRequest(models.Model):
    """One candidate asked of one department in one round."""

    round = models.ForeignKey(VettingRound, on_delete=models.CASCADE, related_name="requests")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    overdue_on = models.DateField("标记逾期日期", null=True, blank=True)

    class Meta:
        verbose_name = "联审请求"
        verbose_name_plural = "联审请求"
        constraints = [
            models.UniqueConstraint(
                fields=["round", "candidate", "department"], name="vetting_request_once"
            )
        ]
        indexes = [models.Index(fields=["department", "round"])]

    def __str__(self) -> str:
        return f"{self.round} {self.department_id} {self.candidate_id}"


class SignOffResult(models.TextChoices):
    PASS = "pass", "通过"
    FINDING = "finding", "发现问题"


class SignOff(models.Model):
    """A department's answer. Final once given: a correction is a new sign-off that
    supersedes it. ``data_hash`` binds it to the candidate's name, ID and birth date
    as they were when signed; when they change, the sign-off is stale."""

    request = models.ForeignKey(VettingRequest, on_delete=models.CASCADE, related_name="signoffs")
    result = models.CharField("结论", max_length=20, choices=SignOffResult.choices)
    items = models.ManyToManyField(NegativeItem, blank=True, related_name="+")
    note = models.TextField("说明", blank=True)
    attachment = models.FileField("附件", upload_to="vetting/%Y/%m/", blank=True)
    data_hash = models.CharField("核查数据指纹", max_length=64)
    source = models.CharField("方式", max_length=10, default="web")  # web / xlsx
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    current = models.BooleanField(default=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "联审意见"
        verbose_name_plural = "联审意见"
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=models.Q(current=True), name="one_current_signoff"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_result_display()} {self.request_id}"


class TipChannel(models.TextChoices):
    LETTER = "letter", "来信"
    PHONE = "phone", "来电"
    VISIT = "visit", "来访"
    ONLINE = "online", "网络"
    OTHER = "other", "其他"


class TipOutcome(models.TextChoices):
    OPEN = "open", "核实中"
    CONFIRMED = "confirmed", "反映属实"
    UNFOUNDED = "unfounded", "反映不实"


class TipOff(models.Model):
    """举报线索 about a candidate, taken by the street office; open ones hold clearance."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField("收到日期")
    channel = models.CharField("渠道", max_length=20, choices=TipChannel.choices)
    content = models.TextField("反映内容")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        "核实结果", max_length=20, choices=TipOutcome.choices, default=TipOutcome.OPEN
    )
    outcome_note = models.TextField("核实情况", blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "举报线索"
        verbose_name_plural = "举报线索"

    def __str__(self) -> str:
        return f"举报线索 {self.candidate_id} {self.received_on}"


class DecisionKind(models.TextChoices):
    CLEAR = "clear", "认定可以确定为候选人"
    BLOCK = "block", "认定不宜确定为候选人"
    VOID = "void", "当选无效"  # Q1, R36: a winner later found on the 不能 list


class Decision(models.Model):
    """The organisation reviewer's decision with its reason; the latest one counts."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("决定", max_length=20, choices=DecisionKind.choices)
    reason = models.TextField("理由")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "组织部认定"
        verbose_name_plural = "组织部认定"
        ordering = ["candidate", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.candidate_id}"


class Persuasion(models.Model):
    """劝退: a candidate persuaded to withdraw (淄川: 7 people), with date and reason."""

    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="+")
    on = models.DateField("劝退日期")
    reason = models.CharField("原因", max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "劝退记录"
        verbose_name_plural = "劝退记录"

    def __str__(self) -> str:
        return f"劝退 {self.candidate_id}"


class SheetImport(models.Model):
    """A department's filled-in spreadsheet, kept encrypted between preview and commit
    (it holds full ID numbers); applied all rows or none."""

    class State(models.TextChoices):
        CHECKED = "checked", "待确认"
        COMMITTED = "committed", "已导入"
        DISCARDED = "discarded", "已放弃"

    round = models.ForeignKey(VettingRound, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField("文件名", max_length=200)
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=20, choices=State.choices, default=State.CHECKED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "联审意见导入"
        verbose_name_plural = "联审意见导入"

    def __str__(self) -> str:
        return self.filename
