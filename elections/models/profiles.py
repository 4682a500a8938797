"""Rule profiles (RULES.md §10): the parameters the election law leaves to a province or a plan."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

from django.db import models

import electionlaw as rules

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

    Field names equal `electionlaw.RuleParams`, which `params()` builds; every
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
    nonresident_min_months = models.PositiveSmallIntegerField(
        "人在户不在者最短居住（月）", default=12
    )
    nonresident_needs_meeting_approval = models.BooleanField(
        "人在户不在者须经居民会议同意", default=True
    )
    community_worker_min_months = models.PositiveSmallIntegerField(
        "社区工作者最短工作（月）", default=12
    )
    # Q3 structure targets: soft warnings; 0 = no target.
    women_share_target_pct = models.PositiveSmallIntegerField("女性成员比例目标（%）", default=0)
    secretary_age_max_male = models.PositiveSmallIntegerField(
        "新任书记年龄上限·男（周岁，含）", default=0
    )
    secretary_age_max_female = models.PositiveSmallIntegerField(
        "新任书记年龄上限·女（周岁，含）", default=0
    )
    new_member_age_max = models.PositiveSmallIntegerField("新进成员年龄上限（周岁，含）", default=0)
    young_member_age_max = models.PositiveSmallIntegerField(
        "年轻大学生成员年龄上限（周岁，含）", default=0
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
