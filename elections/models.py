"""The core of 换届通: geography, rule profiles, the cycle and its schedule, roles and
the audit log. Names follow the glossary in DESIGN.md; `verbose_name` carries the
Chinese term."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields as dataclass_fields
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from ballots import rules


class District(models.Model):
    name = models.CharField("区", max_length=60)
    code = models.CharField("代码", max_length=20, unique=True)
    city = models.CharField("市", max_length=60, blank=True)

    class Meta:
        verbose_name = "区"
        verbose_name_plural = "区"
        ordering = ["code"]
        permissions = [
            ("review_district", "组织部审核"),
            ("supervise_district", "纪检监督（区）"),
        ]

    def __str__(self) -> str:
        return f"{self.city}{self.name}"


class Street(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets")
    name = models.CharField("街道", max_length=60)
    code = models.CharField("代码", max_length=20, unique=True)

    class Meta:
        verbose_name = "街道"
        verbose_name_plural = "街道"
        ordering = ["code"]
        permissions = [
            ("manage_street", "街道换届办"),
            ("supervise_street", "纪检监督（街道）"),
        ]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities")
    name = models.CharField("社区", max_length=60)
    # Short and stable: used in URLs, file names and the command line (XH01).
    code = models.CharField("社区代码", max_length=20, unique=True)

    class Meta:
        verbose_name = "社区"
        verbose_name_plural = "社区"
        ordering = ["code"]
        permissions = [
            ("work_community", "选举委员会成员"),
            ("chair_community", "选举委员会主任"),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department taking part in joint vetting (资格联审), e.g. 公安 or 信访.

    It lives in the core because roles are given for a department; the vetting
    app holds what the department checks."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField("部门", max_length=60)
    code = models.CharField("代码", max_length=30)

    class Meta:
        verbose_name = "联审部门"
        verbose_name_plural = "联审部门"
        ordering = ["district", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="department_code_unique")
        ]
        permissions = [("review_department", "联审部门审核人")]

    def __str__(self) -> str:
        return self.name


# Chinese labels of the profile's choices (the values are ballots.rules' constants).
CHOICE_LABELS = {
    "2018": "2018年居委会组织法",
    "2025": "2025年修订的居委会组织法",
    "half": "须过半数选民参加",
    "none": "无",
    "dedicated_column": "设妇女委员专职（浙江）",
    "shanxi_runoff": "得票最多的女性进入另行选举（山西）",
    "reserved_seat": "另行选举中保留一个女性委员名额",
    "until_d_minus_3": "选举日前3日前可书面退出",
    "publish_plus_3": "公布之日起3日内可退出",
    "near_relatives_8": "近亲属（配偶、父母、子女、兄弟姐妹、祖父母、外祖父母、孙子女、外孙子女）",
    "any_voter": "本社区其他选民",
    "spouse_lineal": "夫妻及直系亲属（上海）",
    "spouse_parent_child_sibling": "配偶、父母子女、兄弟姐妹（浙江2020）",
    "township": "街道（乡镇）指导机构",
    "residents_rep_meeting": "居民代表会议",
    "all_voters": "全体选民直接选举",
    "household": "户代表选举",
    "group_reps": "居民小组代表选举",
    "issued": "发出的选票数",
    "signed": "签到的投票人数",
    "min_issued_signed": "发出选票数与签到人数中较小者",
    "per_post": "超过名额的职位栏无效",
    "whole": "整张选票无效",
    "invalid_ballot": "整张选票无效",
    "higher_post_only": "只计较高职位",
    "invalid": "无效",
    "approve": "视为赞成",
    "downward_cumulative": "向下累计（主任票计入副主任、委员）",
    "nomination_votes": "按提名票数",
    "surname_strokes": "按姓氏笔画",
    "id_card": "以居民身份证为准",
    "hukou": "以户口簿为准",
}


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, CHOICE_LABELS.get(value, value)) for value in values]


class RuleProfile(models.Model):
    """规则方案: the parameters of RULES.md §10, versioned, with the source of each value.

    Field names equal `ballots.rules.RuleParams`, which `params()` builds; every
    decision the counting engine makes is taken with these values."""

    code = models.SlugField("方案代码", max_length=40, unique=True)
    name = models.CharField("方案名称", max_length=100)
    jurisdiction = models.CharField("适用地区", max_length=100)
    version = models.PositiveIntegerField("版本", default=1)
    effective_from = models.DateField("生效日期")
    notes = models.TextField("说明", blank=True)
    # {field name: citation}, e.g. {"proxy_cap": "新河街道方案（2020-12），无上位法依据"}
    sources = models.JSONField("依据", default=dict, blank=True)

    law_regime = models.CharField(
        "法律版本", max_length=10, default="2018", choices=_choices(rules.LAW_REGIMES)
    )
    voter_list_days_before = models.PositiveSmallIntegerField("选民名单提前公布天数", default=20)
    objection_days = models.PositiveSmallIntegerField("申诉期（天）", default=5)
    objection_decision_days = models.PositiveSmallIntegerField("申诉处理期限（天）", default=3)
    holiday_extension = models.BooleanField("期限末日遇休假日顺延", default=True)
    clear_days_mode = models.BooleanField("“N日前”按整日计算", default=False)
    formal_list_days_before = models.PositiveSmallIntegerField("正式候选人提前公布天数", default=5)
    nomination_meeting_quorum = models.CharField(
        "提名会议须过半",
        max_length=10,
        default="half",
        choices=_choices(rules.NOMINATION_MEETING_QUORUMS),
    )
    candidates_extra_min_per_post = models.PositiveSmallIntegerField(
        "每职位候选人至少多于应选", default=1
    )
    candidates_extra_max_weiyuan = models.PositiveSmallIntegerField(
        "委员候选人最多多于应选", null=True, blank=True
    )
    allow_equal_candidates = models.BooleanField("允许等额", default=False)
    women_candidate_required = models.BooleanField("正式候选人须有女性", default=True)
    women_remedy = models.CharField(
        "无女性当选时的补救",
        max_length=20,
        default="reserved_seat",
        choices=_choices(rules.WOMEN_REMEDIES),
    )
    withdrawal_policy = models.CharField(
        "候选人退出规则",
        max_length=20,
        default="until_d_minus_3",
        choices=_choices(rules.WITHDRAWAL_POLICIES),
    )
    proxy_relation_set = models.CharField(
        "可受委托人范围",
        max_length=30,
        default="near_relatives_8",
        choices=_choices(rules.PROXY_RELATION_SETS),
    )
    proxy_cap = models.PositiveSmallIntegerField("每人最多接受委托", default=3)
    proxies_per_principal = models.PositiveSmallIntegerField("每位选民可委托人数", default=1)
    proxy_request_days_before = models.PositiveSmallIntegerField("委托申请提前天数", default=3)
    proxy_publish_days_before = models.PositiveSmallIntegerField("委托公告提前天数", default=2)
    candidate_can_be_proxy = models.BooleanField("候选人可接受委托", default=False)
    mobile_box_approver = models.CharField(
        "流动票箱批准",
        max_length=30,
        default="township",
        choices=_choices(rules.MOBILE_BOX_APPROVERS),
    )
    mobile_box_min_monitors = models.PositiveSmallIntegerField("流动票箱最少监票人", default=3)
    election_method = models.CharField(
        "选举方式", max_length=20, default="all_voters", choices=_choices(rules.ELECTION_METHODS)
    )
    returned_vs = models.CharField(
        "收回选票比较对象",
        max_length=20,
        default="min_issued_signed",
        choices=_choices(rules.RETURNED_VS),
    )
    ballot_invalidation = models.CharField(
        "选票无效范围",
        max_length=20,
        default="per_post",
        choices=_choices(rules.BALLOT_INVALIDATIONS),
    )
    same_person_two_posts = models.CharField(
        "同一人被选两个职位",
        max_length=20,
        default="invalid_ballot",
        choices=_choices(rules.SAME_PERSON_TWO_POSTS),
    )
    writein_without_mark = models.CharField(
        "另选人未画○",
        max_length=20,
        default="invalid",
        choices=_choices(rules.WRITEIN_WITHOUT_MARK),
    )
    post_vote_aggregation = models.CharField(
        "跨职位计票", max_length=30, default="none", choices=_choices(rules.POST_VOTE_AGGREGATIONS)
    )
    lingxing_threshold_num = models.PositiveSmallIntegerField("另行选举门槛分子", default=1)
    lingxing_threshold_den = models.PositiveSmallIntegerField("另行选举门槛分母", default=3)
    lingxing_turnout_required = models.BooleanField("另行选举须过半投票", default=True)
    lingxing_window_days = models.PositiveSmallIntegerField("另行选举期限（天）", default=30)
    min_members_to_stop = models.PositiveSmallIntegerField("可不再选举的最少当选人数", default=3)
    kinship_relation_set = models.CharField(
        "回避亲属范围",
        max_length=40,
        default="near_relatives_8",
        choices=_choices(rules.KINSHIP_RELATION_SETS),
    )
    ballot_order = models.CharField(
        "选票排序", max_length=30, default="nomination_votes", choices=_choices(rules.BALLOT_ORDERS)
    )
    party_quorum_inclusive = models.BooleanField("党员大会恰好五分之四有效", default=False)
    party_diff_pct = models.PositiveSmallIntegerField("党组织委员差额比例（%）", default=20)
    party_absence_categories = models.PositiveSmallIntegerField("不计入应到会情形数", default=5)
    zongzhi_min = models.PositiveSmallIntegerField("设总支的党员数（含）", default=50)
    dangwei_min = models.PositiveSmallIntegerField("设党委的党员数（含）", default=100)
    pre_candidate_publicity_days = models.PositiveSmallIntegerField("预备人选公示天数", default=5)
    birth_date_source = models.CharField(
        "出生日期依据", max_length=10, default="id_card", choices=_choices(rules.BIRTH_DATE_SOURCES)
    )

    class Meta:
        verbose_name = "规则方案"
        verbose_name_plural = "规则方案"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    @classmethod
    def param_names(cls) -> list[str]:
        return [f.name for f in dataclass_fields(rules.RuleParams)]

    def params(self) -> rules.RuleParams:
        """The frozen parameters the counting engine takes (RULES.md §10)."""
        return rules.RuleParams(**{name: getattr(self, name) for name in self.param_names()})

    def source_of(self, name: str) -> str:
        return str(self.sources.get(name, ""))


# Stages are per track; see DESIGN.md "Two tracks per community".
COMMITTEE_STAGES: list[tuple[str, str]] = [
    ("preparation", "准备"),
    ("committee_formed", "选举委员会推选"),
    ("voter_registration", "选民登记"),
    ("voter_list", "选民名单公布与申诉"),
    ("nomination", "提名"),
    ("vetting", "资格联审"),
    ("formal_candidates", "正式候选人公布"),
    ("voting_preparation", "委托、流动票箱、投票站"),
    ("voting", "投票与计票"),
    ("results", "结果公布"),
    ("certification", "当选证书与备案"),
    ("handover", "移交与归档"),
    ("done", "已完成"),
]

PARTY_STAGES: list[tuple[str, str]] = [
    ("preparation", "准备"),
    ("recommendation", "推荐"),
    ("vetting", "资格联审"),
    ("inspection", "考察"),
    ("publicity", "预备人选公示"),
    ("approval", "批复"),
    ("congress", "党员大会"),
    ("secretary", "选举书记、副书记"),
    ("filing", "报批与备案"),
    ("done", "已完成"),
]

TRACKS = {"committee": COMMITTEE_STAGES, "party": PARTY_STAGES}
TRACK_LABELS = {"committee": "居委会换届", "party": "党组织换届"}


class ElectionCycle(models.Model):
    """One street's 换届 for one term."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="cycles")
    term = models.PositiveSmallIntegerField("届次")
    name = models.CharField("名称", max_length=100)
    election_day = models.DateField("居委会选举日")
    party_meeting_day = models.DateField("党员大会日期", null=True, blank=True)
    rule_profile = models.ForeignKey(
        RuleProfile, on_delete=models.PROTECT, related_name="cycles", verbose_name="规则方案"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "换届"
        verbose_name_plural = "换届"
        ordering = ["-election_day"]
        constraints = [
            models.UniqueConstraint(fields=["street", "term"], name="cycle_street_term_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CommunityElection(models.Model):
    """One community's election in a cycle: its own election day and both tracks' stages."""

    cycle = models.ForeignKey(ElectionCycle, on_delete=models.PROTECT, related_name="elections")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="elections")
    election_day = models.DateField("选举日")
    party_meeting_day = models.DateField("党员大会日期", null=True, blank=True)
    committee_stage = models.CharField(
        "居委会换届阶段", max_length=30, choices=COMMITTEE_STAGES, default="preparation"
    )
    party_stage = models.CharField(
        "党组织换届阶段", max_length=30, choices=PARTY_STAGES, default="preparation"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "社区换届"
        verbose_name_plural = "社区换届"
        ordering = ["community__code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "community"], name="community_election_unique")
        ]

    def __str__(self) -> str:
        return f"{self.community.name} · {self.cycle.name}"

    def stage(self, track: str) -> str:
        return str(self.committee_stage if track == "committee" else self.party_stage)

    def stage_label(self, track: str) -> str:
        return dict(TRACKS[track]).get(self.stage(track), self.stage(track))


class Milestone(models.Model):
    """时间节点: a dated step of a community's schedule (RULES.md §2 G3)."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField("节点", max_length=40)
    track = models.CharField("工作线", max_length=20)
    date = models.DateField("日期")
    done_on = models.DateField("完成日期", null=True, blank=True)
    # A date outside the lawful range stands only with a recorded reason.
    exception_reason = models.TextField("例外理由", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "时间节点"
        verbose_name_plural = "时间节点"
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "kind"], name="milestone_kind_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.date:%Y-%m-%d}"

    @property
    def effective_date(self) -> dt.date:
        """The day it happened when recorded, else the planned day (what the law is checked on)."""
        return self.done_on or self.date

    @property
    def label(self) -> str:
        from elections.schedule import SPEC_BY_KIND

        spec = SPEC_BY_KIND.get(self.kind)
        return spec.label if spec else self.kind


class RestDay(models.Model):
    """法定休假日 and 调休 working days, for deadline extension (民法典 art. 203, RULES.md G3).

    Saturdays and Sundays are rest days unless listed here as a working day."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("调休上班", default=False)
    name = models.CharField("名称", max_length=40, blank=True)

    class Meta:
        verbose_name = "休假日"
        verbose_name_plural = "休假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Role(models.TextChoices):
    STREET_OFFICER = "street_officer", "街道换届办"
    COMMITTEE_MEMBER = "committee_member", "居民选举委员会成员"
    COMMITTEE_CHAIR = "committee_chair", "选举委员会主任"
    DEPARTMENT_REVIEWER = "department_reviewer", "联审部门审核人"
    ORG_REVIEWER = "org_reviewer", "组织部审核人"
    SUPERVISOR = "supervisor", "纪检监督"


# Which scope each role is given for (DESIGN.md "Who uses it").
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    Role.STREET_OFFICER: ("street",),
    Role.COMMITTEE_MEMBER: ("community",),
    Role.COMMITTEE_CHAIR: ("community",),
    Role.DEPARTMENT_REVIEWER: ("department",),
    Role.ORG_REVIEWER: ("district",),
    Role.SUPERVISOR: ("street", "district"),
}


class RoleAssignment(models.Model):
    """A user's role for one street, community, department or district.

    The object permissions (django-guardian) and the group membership are
    granted from this row by `elections.services.assign_role`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.CASCADE)
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.CASCADE)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["user__username", "role"]
        constraints = [
            *[
                models.UniqueConstraint(
                    fields=["user", "role", scope],
                    condition=models.Q(**{f"{scope}__isnull": False}),
                    name=f"role_unique_per_{scope}",
                )
                for scope in ("street", "community", "department", "district")
            ],
            # Exactly one scope per assignment.
            models.CheckConstraint(
                condition=(
                    models.Q(street__isnull=False)
                    & models.Q(community__isnull=True)
                    & models.Q(department__isnull=True)
                    & models.Q(district__isnull=True)
                )
                | (
                    models.Q(street__isnull=True)
                    & models.Q(community__isnull=False)
                    & models.Q(department__isnull=True)
                    & models.Q(district__isnull=True)
                )
                | (
                    models.Q(street__isnull=True)
                    & models.Q(community__isnull=True)
                    & models.Q(department__isnull=False)
                    & models.Q(district__isnull=True)
                )
                | (
                    models.Q(street__isnull=True)
                    & models.Q(community__isnull=True)
                    & models.Q(department__isnull=True)
                    & models.Q(district__isnull=False)
                ),
                name="role_assignment_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope(self) -> models.Model | None:
        return self.community or self.street or self.department or self.district

    @property
    def scope_label(self) -> str:
        scope = self.scope
        return str(scope) if scope is not None else ""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("操作记录不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("操作记录不能删除")


class AuditImmutableError(Exception):
    pass


class AuditEvent(models.Model):
    """操作记录: who did what, when, to which object (STYLE.md habit 3).

    Written in the same transaction as the change, never edited or deleted. It
    holds no foreign keys, so that it survives the deletion of the user or the
    object (Abacus' audit log does the same); on PostgreSQL a trigger refuses
    UPDATE and DELETE as well."""

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField("操作人编号", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    street_id = models.BigIntegerField("街道编号", null=True, blank=True, db_index=True)
    community_id = models.BigIntegerField("社区编号", null=True, blank=True, db_index=True)
    data = models.JSONField("内容", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditImmutableError("操作记录不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("操作记录不能删除")


class LoginThrottle(models.Model):
    """Failed logins per username, for the lock-out (elections.auth)."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"

    def __str__(self) -> str:
        return self.username

    def is_locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


# -- voter registration (选民登记, RULES.md B3: R9–R14) ------------------------------


class VoterCategory(models.TextChoices):
    """R10 registration categories (codes as in elections.xlsx_import.CATEGORIES)."""

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
    election = models.ForeignKey(
        CommunityElection, on_delete=models.PROTECT, related_name="voters", db_index=False
    )
    # Denormalised from election.cycle for the street-wide uniqueness constraint.
    cycle = models.ForeignKey(
        ElectionCycle, on_delete=models.PROTECT, related_name="+", db_index=False
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
    blank_rows = models.PositiveIntegerField(default=0)
    extra_columns = models.JSONField(default=list, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

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
