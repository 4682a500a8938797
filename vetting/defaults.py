"""What the product ships: the 新河 plan's 十种情形 as the default negative list (Q1),
and the 16 departments the plan names for 资格联审 (the demo district's default set)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from elections.departments import XINHE_DEPARTMENTS

XINHE_SOURCE = "新河街道社区“两委”换届工作方案（2020-12-08）“十种情形”；依据省级文件"

DEPARTMENTS = XINHE_DEPARTMENTS  # the core holds departments (roles are given for them)

#: (number, text, severity, window_years, department codes)
XINHE_ITEMS: list[tuple[int, str, str, int | None, list[str]]] = [
    (
        1,
        "对党不忠诚，政治上的“两面人”，散布违背党的理论和路线方针政策的意见，公开发表违背党中央决定的言论，"
        "制造、传播政治谣言及丑化党和国家形象言论的",
        "cannot",
        None,
        ["discipline", "united_front", "politics_law"],
    ),
    (
        2,
        "受过刑事处罚，以及存在“村霸”和涉黑涉恶问题的",
        "cannot",
        None,
        ["court", "procuratorate", "police", "politics_law", "justice"],
    ),
    (
        3,
        "受到党纪政务处分和组织处理尚在有关任职影响期的，以及涉嫌严重违纪违法正在接受调查处理的",
        "cannot",
        None,
        ["discipline", "organisation"],
    ),
    (
        4,
        "组织、实施或参与非法宗教邪教、迷信、黄赌毒活动，组织、利用宗族宗派宗教势力干扰侵蚀基层组织和基层政权的",
        "cannot",
        None,
        ["united_front", "police", "politics_law"],
    ),
    (
        5,
        "非法串联拉票、贿选或操纵、破坏选举的",
        "cannot",
        None,
        ["discipline", "police", "civil_affairs"],
    ),
    (
        6,
        "有组织、煽动、串联、胁迫、利诱、参与聚众闹事、违法信访的，以及有扰乱公共秩序、妨碍公务等行为被处理的",
        "cannot",
        None,
        ["petition", "police"],
    ),
    (
        7,
        "在疫情防控、抗洪救灾等重大应急处置工作中存在玩忽职守、不服从安排、干扰破坏等情形的，本届任职内考核不称职、"
        "有被依法罢免等情形，近3年内曾被评为不合格党员，以及长期外出不能正常履行职务的",
        "cannot",
        3,
        ["emergency", "health", "organisation", "civil_affairs"],
    ),
    (
        8,
        "有截留挪用惠民政策资金、侵占村（社区）集体财产等行为未整改到位的",
        "cannot",
        None,
        ["civil_affairs", "discipline"],
    ),
    (
        9,
        "有严重违法用地、违章建房行为尚未整改的，近5年内有严重损害生态环境行为的，有恶意失信行为被法院纳入失信被执行人"
        "名单且至今未撤销的",
        "cannot",
        5,
        ["natural_resources", "housing", "environment", "court", "tax"],
    ),
    (10, "其他不宜确定为村（社区）“两委”成员候选人的", "unsuitable", None, ["organisation"]),
]


def install_default_list(list_model: Any, item_model: Any) -> Any:
    """Create the shipped 新河 list once (idempotent; migrations pass historical models)."""
    negative_list, created = list_model.objects.get_or_create(
        code="xinhe-10",
        version=1,
        defaults={
            "name": "新河街道“十种情形”负面清单",
            "effective_from": dt.date(2020, 12, 8),
            "source": XINHE_SOURCE,
        },
    )
    if created:
        item_model.objects.bulk_create(
            item_model(
                negative_list=negative_list,
                number=number,
                text=text,
                severity=severity,
                window_years=window,
                department_codes=codes,
            )
            for number, text, severity, window, codes in XINHE_ITEMS
        )
    return negative_list
