"""RULES §10: the profile parameters, as a frozen value object.

The Django ``RuleProfile`` model has fields with exactly these names and builds
``RuleParams(**values)``. Defaults are the national reading of RULES.md; every
choice set is a module-level tuple so the model can reuse it for ``choices``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._base import RulesInputError, require_choice, require_int

__all__ = [
    "BALLOT_INVALIDATIONS",
    "BALLOT_ORDERS",
    "BIRTH_DATE_SOURCES",
    "ELECTION_METHODS",
    "KINSHIP_RELATION_SETS",
    "LAW_REGIMES",
    "MOBILE_BOX_APPROVERS",
    "NOMINATION_MEETING_QUORUMS",
    "PARTY_ABSENCE_CATEGORY_COUNTS",
    "POST_VOTE_AGGREGATIONS",
    "PROXY_RELATION_SETS",
    "RETURNED_VS",
    "SAME_PERSON_TWO_POSTS",
    "WITHDRAWAL_POLICIES",
    "WOMEN_REMEDIES",
    "WRITEIN_WITHOUT_MARK",
    "RuleParams",
]

LAW_REGIMES = ("2018", "2025")  # §0 finding 2
NOMINATION_MEETING_QUORUMS = ("half", "none")  # R15
WOMEN_REMEDIES = ("dedicated_column", "shanxi_runoff", "reserved_seat")  # R32
WITHDRAWAL_POLICIES = ("none", "until_d_minus_3", "publish_plus_3")  # R20
PROXY_RELATION_SETS = ("near_relatives_8", "any_voter")  # B6
MOBILE_BOX_APPROVERS = ("township", "residents_rep_meeting")  # R35
ELECTION_METHODS = ("all_voters", "household", "group_reps")  # R2, R24
RETURNED_VS = ("issued", "signed", "min_issued_signed")  # R25, P10
BALLOT_INVALIDATIONS = ("per_post", "whole")  # R26
SAME_PERSON_TWO_POSTS = ("invalid_ballot", "higher_post_only")  # R26
WRITEIN_WITHOUT_MARK = ("invalid", "approve")  # R26, P8
POST_VOTE_AGGREGATIONS = ("none", "downward_cumulative")  # R29
KINSHIP_RELATION_SETS = (  # R4
    "near_relatives_8",
    "spouse_lineal",
    "spouse_parent_child_sibling",
)
BALLOT_ORDERS = ("nomination_votes", "surname_strokes")  # R19, P7
BIRTH_DATE_SOURCES = ("id_card", "hukou")  # G5
PARTY_ABSENCE_CATEGORY_COUNTS = (5, 6)  # P2

# field name -> (allowed choices, Chinese label)
_CHOICE_FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "law_regime": (LAW_REGIMES, "适用法律版本"),
    "nomination_meeting_quorum": (NOMINATION_MEETING_QUORUMS, "提名会议人数要求"),
    "women_remedy": (WOMEN_REMEDIES, "无女性当选的补救方式"),
    "withdrawal_policy": (WITHDRAWAL_POLICIES, "候选人退出规则"),
    "proxy_relation_set": (PROXY_RELATION_SETS, "受委托人范围"),
    "mobile_box_approver": (MOBILE_BOX_APPROVERS, "流动票箱批准机关"),
    "election_method": (ELECTION_METHODS, "选举方式"),
    "returned_vs": (RETURNED_VS, "收回选票的比较对象"),
    "ballot_invalidation": (BALLOT_INVALIDATIONS, "选票无效范围"),
    "same_person_two_posts": (SAME_PERSON_TWO_POSTS, "同一人被选两个职位的处理"),
    "writein_without_mark": (WRITEIN_WITHOUT_MARK, "另选他人未画符号的处理"),
    "post_vote_aggregation": (POST_VOTE_AGGREGATIONS, "职位得票累计方式"),
    "kinship_relation_set": (KINSHIP_RELATION_SETS, "近亲属回避范围"),
    "ballot_order": (BALLOT_ORDERS, "选票上候选人排序"),
    "birth_date_source": (BIRTH_DATE_SOURCES, "出生日期依据"),
}

# integer field name -> (minimum, Chinese label)
_INT_FIELDS: dict[str, tuple[int, str]] = {
    "voter_list_days_before": (0, "选民名单公布提前天数"),  # R12
    "objection_days": (0, "申诉期天数"),  # R13
    "objection_decision_days": (0, "申诉处理天数"),  # R13
    "formal_list_days_before": (0, "正式候选人公布提前天数"),  # R19
    "candidates_extra_min_per_post": (1, "每个职位候选人多于应选名额的最少人数"),  # R17
    "proxy_cap": (0, "每人最多接受委托数"),  # B6
    "proxies_per_principal": (1, "每位委托人可委托人数"),  # B6
    "proxy_request_days_before": (0, "委托申请提前天数"),  # B6
    "proxy_publish_days_before": (0, "委托名单公布提前天数"),  # B6
    "mobile_box_min_monitors": (1, "流动票箱最少监票人数"),  # R35
    "lingxing_threshold_num": (0, "另行选举得票比例分子"),  # R31
    "lingxing_threshold_den": (1, "另行选举得票比例分母"),  # R31
    "lingxing_window_days": (0, "另行选举期限天数"),  # R31
    "min_members_to_stop": (1, "可不再选举的最少当选人数"),  # R33
    "party_diff_pct": (0, "党组织委员差额比例"),  # P5
    "zongzhi_min": (1, "设立总支的最少党员数"),  # P16
    "dangwei_min": (1, "设立党委的最少党员数"),  # P16
    "pre_candidate_publicity_days": (0, "预备人选公示天数"),  # P6
    "nonresident_min_months": (0, "人在户不在者最短居住月数"),  # R10 (c)
    "community_worker_min_months": (0, "社区工作者最短工作月数"),  # R10 (d)
    "party_absence_categories": (5, "不计入应到会人数的情形类数"),  # P2
    "women_share_target_pct": (0, "女性成员比例目标"),  # Q3
    "secretary_age_max_male": (0, "新任书记年龄上限（男）"),  # Q3
    "secretary_age_max_female": (0, "新任书记年龄上限（女）"),  # Q3
    "new_member_age_max": (0, "新进成员年龄上限"),  # Q3
    "young_member_age_max": (0, "年轻大学生成员年龄上限"),  # Q3
}

_BOOL_FIELDS: dict[str, str] = {
    "holiday_extension": "期间末日遇节假日顺延",  # G3
    "clear_days_mode": "按整日计算提前天数",  # G3
    "allow_equal_candidates": "允许等额选举",  # R17
    "women_candidate_required": "正式候选人须有女性",  # R18
    "candidate_can_be_proxy": "候选人可接受委托",  # B6
    "lingxing_turnout_required": "另行选举须过半数选民参加",  # R31, R24
    "party_quorum_inclusive": "恰好五分之四视为达到法定人数",  # P3
    "nonresident_needs_meeting_approval": "人在户不在者须经居民会议同意",  # R10 (c)
}


@dataclass(frozen=True)
class RuleParams:
    """Profile parameters (RULES §10); defaults are the national reading.

    Each field's comment names the rule it parameterises.
    """

    law_regime: str = "2018"  # §0.2: "2025" for elections on or after 2026-01-01
    voter_list_days_before: int = 20  # R12
    objection_days: int = 5  # R13
    objection_decision_days: int = 3  # R13
    holiday_extension: bool = True  # G3, 民法典 art. 203
    clear_days_mode: bool = False  # G3 "clear days" variant
    formal_list_days_before: int = 5  # R19 (新河: 7)
    nomination_meeting_quorum: str = "half"  # R15
    candidates_extra_min_per_post: int = 1  # R17
    candidates_extra_max_weiyuan: int | None = None  # R17 (Shanghai: 3)
    allow_equal_candidates: bool = False  # R17
    women_candidate_required: bool = True  # R18
    women_remedy: str = "reserved_seat"  # R32
    withdrawal_policy: str = "until_d_minus_3"  # R20
    proxy_relation_set: str = "near_relatives_8"  # B6
    proxy_cap: int = 3  # B6 (新河: 5)
    proxies_per_principal: int = 1  # B6
    proxy_request_days_before: int = 3  # B6
    proxy_publish_days_before: int = 2  # B6
    candidate_can_be_proxy: bool = False  # B6
    mobile_box_approver: str = "township"  # R35
    mobile_box_min_monitors: int = 3  # R35
    election_method: str = "all_voters"  # R2, R24
    returned_vs: str = "min_issued_signed"  # R25, P10
    ballot_invalidation: str = "per_post"  # R26
    same_person_two_posts: str = "invalid_ballot"  # R26
    writein_without_mark: str = "invalid"  # R26, P8
    post_vote_aggregation: str = "none"  # R29
    lingxing_threshold_num: int = 1  # R31
    lingxing_threshold_den: int = 3  # R31
    lingxing_turnout_required: bool = True  # R31, R24
    lingxing_window_days: int = 30  # R31
    min_members_to_stop: int = 3  # R33
    kinship_relation_set: str = "near_relatives_8"  # R4, R30
    ballot_order: str = "nomination_votes"  # R19, P7
    party_quorum_inclusive: bool = False  # P3
    party_diff_pct: int = 20  # P5, G4
    party_absence_categories: int = 5  # P2
    zongzhi_min: int = 50  # P16
    dangwei_min: int = 100  # P16
    pre_candidate_publicity_days: int = 5  # P6
    birth_date_source: str = "id_card"  # G5
    nonresident_min_months: int = 12  # R10 (c): 居住一年以上 (甘肃 art. 16: 6)
    nonresident_needs_meeting_approval: bool = True  # R10 (c) (甘肃 art. 16: false)
    community_worker_min_months: int = 12  # R10 (d): Jiangsu 2020 一年 (甘肃 art. 16: 6)
    # Q3 structure targets (soft warnings; 0 = no target; 新河 30 / 55 / 50 / 50 / 35)
    women_share_target_pct: int = 0  # Q3: women ≥ this % of 居委会 members
    secretary_age_max_male: int = 0  # Q3, G2: a new secretary, men this age or under
    secretary_age_max_female: int = 0  # Q3, G2: a new secretary, women this age or under
    new_member_age_max: int = 0  # Q3, G2: new members this age or under
    young_member_age_max: int = 0  # Q3: someone this age or under with 大专以上

    def __post_init__(self) -> None:
        for name, (choices, label) in _CHOICE_FIELDS.items():
            require_choice(getattr(self, name), choices, label)
        for name, (minimum, label) in _INT_FIELDS.items():
            require_int(getattr(self, name), label, minimum=minimum)
        for name, label in _BOOL_FIELDS.items():
            if not isinstance(getattr(self, name), bool):
                raise RulesInputError(f"{label}必须是布尔值（收到 {getattr(self, name)!r}）")
        if self.candidates_extra_max_weiyuan is not None:
            require_int(
                self.candidates_extra_max_weiyuan,
                "委员候选人多于应选名额的最多人数",
                minimum=self.candidates_extra_min_per_post,
            )
        if self.lingxing_threshold_num > self.lingxing_threshold_den:
            raise RulesInputError("另行选举得票比例不能大于 1")
        if self.party_diff_pct > 100:
            raise RulesInputError("党组织委员差额比例不能超过 100%")
        if self.party_absence_categories not in PARTY_ABSENCE_CATEGORY_COUNTS:
            raise RulesInputError("不计入应到会人数的情形只能是 5 类或 6 类")
        if self.women_share_target_pct > 100:
            raise RulesInputError("女性成员比例目标不能超过 100%")
        if self.zongzhi_min > self.dangwei_min:
            raise RulesInputError("设立总支的人数下限不能高于设立党委的人数下限")
