"""The schedule of one community's election: milestones computed from the election
day (and the party meeting day) and the rule profile, and a pure checker that
returns every violation with its rule id (RULES.md §2 G3, R12, R13, R19, B6, N11,
P6, R31, R39).

No Django import: dates in, dates and violations out. The day arithmetic itself
is `electionlaw` (latest_date_before, last_day_within), computed once there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from electionlaw import RuleParams, last_day_within, latest_date_before
from elections.formatting import cn_date

COMMITTEE = "committee"
PARTY = "party"


@dataclass(frozen=True)
class MilestoneSpec:
    kind: str
    track: str
    label: str
    rule_ids: tuple[str, ...]
    derived: bool  # computed from other dates; shown, never moved by hand
    help: str


SPECS: tuple[MilestoneSpec, ...] = (
    MilestoneSpec(
        "voter_list_published",
        COMMITTEE,
        "张榜公布选民名单",
        ("R12", "G3"),
        False,
        "选举日前20日（规则方案可调）或更早",
    ),
    MilestoneSpec(
        "objection_deadline",
        COMMITTEE,
        "选民名单申诉截止",
        ("R13", "G3"),
        True,
        "自名单公布之日起5日内；末日遇休假日顺延",
    ),
    MilestoneSpec(
        "objection_decisions_due",
        COMMITTEE,
        "申诉处理完毕",
        ("R13", "G3"),
        True,
        "收到申诉之日起3日内作出决定，须在选举日前",
    ),
    MilestoneSpec(
        "nominees_published",
        COMMITTEE,
        "公布提名候选人名单及得票",
        ("R16",),
        False,
        "在正式候选人名单公布之前",
    ),
    MilestoneSpec(
        "formal_candidates_published",
        COMMITTEE,
        "公布正式候选人名单",
        ("R19", "G3"),
        False,
        "选举日前5日（新河方案7日）或更早",
    ),
    MilestoneSpec(
        "proxy_requests_close",
        COMMITTEE,
        "委托投票申请截止",
        ("B6", "G3"),
        False,
        "选举日前3日或更早",
    ),
    MilestoneSpec(
        "proxies_published",
        COMMITTEE,
        "公布委托投票名单",
        ("B6", "G3"),
        False,
        "申请截止之后、选举日前2日或更早",
    ),
    MilestoneSpec(
        "polling_notice_published",
        COMMITTEE,
        "公布投票时间、地点及监票计票人员",
        ("N11", "G3"),
        False,
        "选举日前5日或更早",
    ),
    MilestoneSpec("election_day", COMMITTEE, "选举日", ("R24",), True, "投票选举"),
    MilestoneSpec(
        "lingxing_deadline",
        COMMITTEE,
        "另行选举最迟日期",
        ("R31",),
        True,
        "选举日起按规则方案的天数（新河方案10日）",
    ),
    MilestoneSpec(
        "handover_deadline",
        COMMITTEE,
        "工作移交完成",
        ("R39",),
        True,
        "新一届居委会产生之日起10日内",
    ),
    MilestoneSpec(
        "party_recommendation",
        PARTY,
        "党员和群众推荐",
        ("P6",),
        False,
        "在预备人选公示之前",
    ),
    MilestoneSpec(
        "pre_candidate_publicity_start",
        PARTY,
        "预备人选公示开始",
        ("P6", "G3"),
        False,
        "公示5日，须在批复和党员大会之前结束",
    ),
    MilestoneSpec(
        "party_approval",
        PARTY,
        "上级党组织批复",
        ("P6",),
        False,
        "公示期满之后、党员大会之前",
    ),
    MilestoneSpec("party_congress", PARTY, "召开党员大会", ("P3",), True, "选举新一届党组织"),
)

SPEC_BY_KIND = {spec.kind: spec for spec in SPECS}

# Deadline offsets that the law does not fix (新河街道 plan practice): nominees are
# published 10 days before election day, the party recommendation 13 days before the
# meeting, the 批复 the day before it.
NOMINEES_DAYS_BEFORE = 10
PARTY_RECOMMENDATION_DAYS_BEFORE = 13
POLLING_NOTICE_DAYS_BEFORE = 5  # N11, S13 art. 22
HANDOVER_DAYS = 10  # R39


@dataclass(frozen=True)
class Violation:
    kind: str
    rule_id: str
    message: str


def _derived(
    dates: Mapping[str, dt.date],
    *,
    election_day: dt.date,
    party_meeting_day: dt.date | None,
    params: RuleParams,
    rest_days: Collection[dt.date],
) -> dict[str, dt.date]:
    derived: dict[str, dt.date] = {"election_day": election_day}
    published = dates.get("voter_list_published")
    if published is not None:
        # R13, G3: "自公布之日起5日内" — the publication day is not counted.
        objection_deadline = last_day_within(
            published,
            params.objection_days,
            rest_days=rest_days,
            extend_for_rest_days=params.holiday_extension,
        )
        derived["objection_deadline"] = objection_deadline
        # R13: an objection received on the last day is decided within 3 days of receipt.
        derived["objection_decisions_due"] = last_day_within(
            objection_deadline,
            params.objection_decision_days,
            rest_days=rest_days,
            extend_for_rest_days=params.holiday_extension,
        )
    derived["lingxing_deadline"] = election_day + dt.timedelta(days=params.lingxing_window_days)
    derived["handover_deadline"] = election_day + dt.timedelta(days=HANDOVER_DAYS)
    if party_meeting_day is not None:
        derived["party_congress"] = party_meeting_day
    return derived


def default_dates(
    *,
    election_day: dt.date,
    party_meeting_day: dt.date | None,
    params: RuleParams,
    rest_days: Collection[dt.date] = frozenset(),
) -> dict[str, dt.date]:
    """The lawful default schedule: every step on the last lawful day."""
    clear = params.clear_days_mode
    days = dt.timedelta
    dates: dict[str, dt.date] = {
        "voter_list_published": latest_date_before(
            election_day, params.voter_list_days_before, clear_days=clear
        ),
        "nominees_published": election_day - days(NOMINEES_DAYS_BEFORE),
        "formal_candidates_published": latest_date_before(
            election_day, params.formal_list_days_before, clear_days=clear
        ),
        "proxy_requests_close": latest_date_before(
            election_day, params.proxy_request_days_before, clear_days=clear
        ),
        "proxies_published": latest_date_before(
            election_day, params.proxy_publish_days_before, clear_days=clear
        ),
        "polling_notice_published": latest_date_before(
            election_day, POLLING_NOTICE_DAYS_BEFORE, clear_days=clear
        ),
    }
    if party_meeting_day is not None:
        # P6: the publicity must be over before the 批复, which comes before the meeting.
        dates["party_approval"] = party_meeting_day - days(1)
        dates["pre_candidate_publicity_start"] = party_meeting_day - days(
            params.pre_candidate_publicity_days + 2
        )
        dates["party_recommendation"] = party_meeting_day - days(PARTY_RECOMMENDATION_DAYS_BEFORE)
    dates.update(
        _derived(
            dates,
            election_day=election_day,
            party_meeting_day=party_meeting_day,
            params=params,
            rest_days=rest_days,
        )
    )
    return dates


def derived_dates(
    dates: Mapping[str, dt.date],
    *,
    election_day: dt.date,
    party_meeting_day: dt.date | None,
    params: RuleParams,
    rest_days: Collection[dt.date] = frozenset(),
) -> dict[str, dt.date]:
    """The dates that follow from the movable ones (objection deadlines, 另行选举 window…)."""
    return _derived(
        dates,
        election_day=election_day,
        party_meeting_day=party_meeting_day,
        params=params,
        rest_days=rest_days,
    )


def check_schedule(
    dates: Mapping[str, dt.date],
    *,
    election_day: dt.date,
    party_meeting_day: dt.date | None,
    params: RuleParams,
    rest_days: Collection[dt.date] = frozenset(),
) -> list[Violation]:
    """Every violation of the schedule, each with the rule id that it breaks.

    `dates` holds the planned date of each milestone kind; missing kinds are not
    checked. Derived dates are recomputed here from the movable ones, so a stale
    derived value cannot hide a violation."""
    clear = params.clear_days_mode
    found: list[Violation] = []
    get = dates.get
    derived = derived_dates(
        dates,
        election_day=election_day,
        party_meeting_day=party_meeting_day,
        params=params,
        rest_days=rest_days,
    )

    def not_after_days_before(kind: str, days_before: int, rule_id: str, what: str) -> None:
        day = get(kind)
        if day is None:
            return
        latest = latest_date_before(election_day, days_before, clear_days=clear)
        if day > latest:
            found.append(
                Violation(
                    kind,
                    rule_id,
                    f"{what}须在选举日前{days_before}日（{cn_date(latest)}）或更早，现为{cn_date(day)}",
                )
            )

    # R12, G3: the voter list ≥ N days before election day.
    not_after_days_before(
        "voter_list_published", params.voter_list_days_before, "R12", "选民名单公布"
    )
    # R13: the objection window is derived from the publication date (never shorter
    # than the law's), and every objection must be decided before election day.
    if "objection_decisions_due" in derived:
        decisions_due = derived["objection_decisions_due"]
        if decisions_due >= election_day:
            found.append(
                Violation(
                    "objection_decisions_due",
                    "R13",
                    f"申诉处理最迟在{cn_date(decisions_due)}完成，已到选举日或之后；"
                    "请提前公布选民名单",
                )
            )
    # R19, G3: formal candidates ≥ N days before.
    not_after_days_before(
        "formal_candidates_published",
        params.formal_list_days_before,
        "R19",
        "正式候选人名单公布",
    )
    # R16: nominees (with their votes) come before the formal list.
    nominees, formal = get("nominees_published"), get("formal_candidates_published")
    if nominees is not None and formal is not None and nominees >= formal:
        found.append(
            Violation(
                "nominees_published",
                "R16",
                f"提名候选人名单（{cn_date(nominees)}）须在正式候选人名单（{cn_date(formal)}）之前公布",
            )
        )
    published = get("voter_list_published")
    if nominees is not None and published is not None and nominees <= published:
        found.append(
            Violation(
                "nominees_published",
                "R15",
                f"提名须在选民名单公布（{cn_date(published)}）之后进行",
            )
        )
    # B6: proxy requests and their publication.
    not_after_days_before(
        "proxy_requests_close", params.proxy_request_days_before, "B6", "委托投票申请截止"
    )
    not_after_days_before(
        "proxies_published", params.proxy_publish_days_before, "B6", "委托投票名单公布"
    )
    requests_close, proxies = get("proxy_requests_close"), get("proxies_published")
    if requests_close is not None and proxies is not None and proxies < requests_close:
        found.append(
            Violation(
                "proxies_published",
                "B6",
                f"委托投票名单须在申请截止（{cn_date(requests_close)}）之后公布",
            )
        )
    # N11: the polling notice ≥ 5 days before.
    not_after_days_before(
        "polling_notice_published", POLLING_NOTICE_DAYS_BEFORE, "N11", "投票时间地点公告"
    )
    # Party track (P6): recommendation → publicity (N days) → 批复 → meeting.
    if party_meeting_day is not None:
        start = get("pre_candidate_publicity_start")
        approval = get("party_approval")
        recommendation = get("party_recommendation")
        if start is not None:
            publicity_end = last_day_within(start, params.pre_candidate_publicity_days)
            if publicity_end >= party_meeting_day:
                found.append(
                    Violation(
                        "pre_candidate_publicity_start",
                        "P6",
                        f"预备人选公示{params.pre_candidate_publicity_days}日至"
                        f"{cn_date(publicity_end)}，须在党员大会（{cn_date(party_meeting_day)}）前结束",
                    )
                )
            if approval is not None and approval <= publicity_end:
                found.append(
                    Violation(
                        "party_approval",
                        "P6",
                        f"批复须在公示期满（{cn_date(publicity_end)}）之后",
                    )
                )
            if recommendation is not None and recommendation >= start:
                found.append(
                    Violation(
                        "party_recommendation",
                        "P6",
                        f"推荐须在预备人选公示（{cn_date(start)}）之前完成",
                    )
                )
        if approval is not None and approval >= party_meeting_day:
            found.append(
                Violation(
                    "party_approval",
                    "P6",
                    f"批复须在党员大会（{cn_date(party_meeting_day)}）之前",
                )
            )
    return found
