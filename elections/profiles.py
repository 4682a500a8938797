"""The rule profiles shipped as data (RULES.md §7, §10 and §12): the national default,
the 新河街道 plan and 甘肃 2026. Each value carries its source."""

from __future__ import annotations

import datetime as dt
from typing import Any

NATIONAL_SOURCES = {
    "voter_list_days_before": "村委会组织法第14条；浙江第14条、上海第10条、北京第15条（RULES.md R12）",
    "objection_days": "村委会组织法第14条（R13）",
    "objection_decision_days": "村委会组织法第14条（R13）",
    "holiday_extension": "民法典第203条（G3）；对申诉期默认适用",
    "formal_list_days_before": "浙江第18条、上海第12条、北京第20条：5日（R19）",
    "proxy_cap": "上海第16条、北京第25条、浙江第25条：3人（B6）",
    "withdrawal_policy": "浙江第19条：选举日前3日书面退出（R20）",
    "lingxing_window_days": "浙江、上海：30日；北京：15日（R31）。全国无统一规定，取30日",
    "mobile_box_approver": "浙江第24条：乡镇指导机构批准（R35）",
    "ballot_order": "浙江、上海、北京：按提名票数排序（R19）",
    "party_quorum_inclusive": "“超过应到会人数的五分之四”（P3），恰好五分之四需组织部决定",
    "party_diff_pct": "差额为应选人数的20%（P5, G4）",
    "zongzhi_min": "旗帜网：50人以上设总支（P16）",
    "dangwei_min": "旗帜网：100人以上设党委（P16）",
    "pre_candidate_publicity_days": "预备人选公示5日（P6）",
    "nonresident_min_months": "村委会组织法第13条范本：户籍不在本社区、居住一年以上（RULES.md R10 (c)）",
    "nonresident_needs_meeting_approval": "村委会组织法第13条范本：本人申请并经居民会议或居民代表会议同意（R10 (c)）",
    "community_worker_min_months": "江苏2020：在本社区工作一年以上（R10 (d)）；全国条文未见，取一年",
}

XINHE_SOURCES = {
    **NATIONAL_SOURCES,
    "formal_list_days_before": "新河街道方案（2020-12）：选举日前7日公布正式候选人（R19，地方规定）",
    "proxy_cap": "新河街道方案（2020-12）：每人接受委托不超过5人；未找到上位法依据（B6）",
    "withdrawal_policy": "新河街道方案（2020-12）：正式候选人公布后不得退出（R20）",
    "lingxing_window_days": "新河街道方案（2020-12）：另行选举在10日内进行（R31）",
    "mobile_box_approver": "新河街道方案（2020-12）：流动票箱经居民代表会议同意（R35）",
    "ballot_order": "新河街道方案（2020-12）：按姓氏笔画排序（R19, P7）",
    "nonresident_min_months": "新河街道方案：居住一年以上（RULES.md §12：新河 12个月）",
    "nonresident_needs_meeting_approval": "新河街道方案：经居民会议或居民代表会议同意（RULES.md §12、R10 (c)）",
    "women_share_target_pct": "新河街道方案：居委会成员中女性一般不低于30%（Q3，结构要求，只提示）",
    "secretary_age_max_male": "新河街道方案：新提名书记人选男性一般不超过55岁（Q3，只提示）",
    "secretary_age_max_female": "新河街道方案：新提名书记人选女性一般不超过50岁（Q3，只提示）",
    "new_member_age_max": "新河街道方案：新进“两委”成员一般在50岁以下（Q3，只提示）",
    "young_member_age_max": "新河街道方案：至少有1名30岁左右的大学生（Q3；按35岁及以下、大专以上计，只提示）",
}

GANSU_SOURCE = "甘肃省居民委员会选举办法（2025-11-27）"
GANSU_SOURCES = {
    **NATIONAL_SOURCES,
    "law_regime": "2026年1月1日起施行的2025年修订居委会组织法（RULES.md §0、§12）",
    "proxy_relation_set": "2025年居委会组织法片段：可以书面委托本社区其他选民代为投票（RULES.md §12, B6）",
    "nonresident_min_months": f"{GANSU_SOURCE}第16条：户籍不在本社区、居住六个月以上（RULES.md §12）",
    "nonresident_needs_meeting_approval": f"{GANSU_SOURCE}第16条：居住六个月以上即可登记，无须居民会议同意（RULES.md §12）",
    "community_worker_min_months": f"{GANSU_SOURCE}第16条：在本社区工作六个月以上，本人申请、选举委员会确认（RULES.md §12）",
    "birth_date_source": f"{GANSU_SOURCE}第15条：出生日期以居民身份证为准，无身份证的以户口簿为准（R9）",
}

PROFILES: list[dict[str, Any]] = [
    {
        "code": "national-2018",
        "name": "全国通用（2018年居委会组织法）",
        "jurisdiction": "全国（省级规定未覆盖时）",
        "version": 1,
        "effective_from": dt.date(2018, 12, 29),
        "notes": "参数取各省普遍做法；2026年1月1日以后的选举须对照2025年修订的居委会组织法和本省新规。",
        "sources": NATIONAL_SOURCES,
        "values": {},
    },
    {
        "code": "xinhe-2020",
        "name": "新河街道换届工作方案（2020）",
        "jurisdiction": "湖南省长沙市开福区新河街道",
        "version": 1,
        "effective_from": dt.date(2020, 12, 8),
        "notes": "依据《新河街道社区党组织和居民委员会换届工作方案》（2020-12-08）。"
        "委托不超过5人、正式候选人提前7日公布、另行选举10日内为本地规定。",
        "sources": XINHE_SOURCES,
        "values": {
            "formal_list_days_before": 7,
            "proxy_cap": 5,
            "withdrawal_policy": "none",
            "lingxing_window_days": 10,
            "mobile_box_approver": "residents_rep_meeting",
            "ballot_order": "surname_strokes",
            "women_share_target_pct": 30,
            "secretary_age_max_male": 55,
            "secretary_age_max_female": 50,
            "new_member_age_max": 50,
            "young_member_age_max": 35,
        },
    },
    {
        "code": "gansu-2026",
        "name": "甘肃省居民委员会选举办法（2026）",
        "jurisdiction": "甘肃省",
        "version": 1,
        "effective_from": dt.date(2026, 1, 1),
        "notes": "依据《甘肃省居民委员会选举办法》（2025-11-27，2026年1月1日起施行），"
        "据RULES.md §12所引第三方转载，须与官方文本核对。未见规定的参数沿用全国通用值。",
        "sources": GANSU_SOURCES,
        "values": {
            "law_regime": "2025",
            "proxy_relation_set": "any_voter",
            "nonresident_min_months": 6,
            "nonresident_needs_meeting_approval": False,
            "community_worker_min_months": 6,
        },
    },
]


def install_profiles(model: Any) -> None:
    """Create or update the shipped profiles (used by data migrations and seed_demo).

    Idempotent. `model` may be a migration's historical model: values of fields it does
    not have yet are left to the later migration that adds them and installs again."""
    known = {f.name for f in model._meta.get_fields()}
    for spec in PROFILES:
        defaults = {
            "name": spec["name"],
            "jurisdiction": spec["jurisdiction"],
            "version": spec["version"],
            "effective_from": spec["effective_from"],
            "notes": spec["notes"],
            "sources": spec["sources"],
            **{name: value for name, value in spec["values"].items() if name in known},
        }
        model.objects.update_or_create(code=spec["code"], defaults=defaults)
