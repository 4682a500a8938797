"""The voter-registration notices of the core (RULES.md §9): N2 election day and
registration, N3 the voter list (by 居民小组, with counts, the objection route and
deadlines), N4 the objection results. Built from the public views of
`elections.registration` (no ID, phone or address is ever loaded)."""

from __future__ import annotations

from elections.formatting import cn_date
from elections.models import CHOICE_LABELS
from elections.notices.registry import (
    NoticeData,
    NoticeKind,
    NotReady,
    PublicElection,
    election_of,
    register_notice_kind,
)


def build_n2(public: PublicElection) -> NoticeData:
    from electionlaw import latest_eligible_birth_date

    params = public.params
    cutoff = latest_eligible_birth_date(public.election_day)
    method = CHOICE_LABELS.get(params.election_method, params.election_method)
    return NoticeData(
        body=[
            f"根据《中华人民共和国城市居民委员会组织法》和本届换届选举工作方案，{public.community_name}"
            f"本届居民委员会选举定于{cn_date(public.election_day)}举行，选举方式为{method}。",
            f"凡年满十八周岁（{cn_date(cutoff)}以前出生）、未被剥夺政治权利的本社区居民，"
            "均应进行选民登记：户籍在本社区并居住的；户籍在本社区但不居住、本人表示参加选举的；"
            "户籍不在本社区但居住满规定期限、本人申请并经同意的；在本社区工作的社区工作人员本人申请的。",
            "请符合条件的居民到居民选举委员会办理登记；未登记的不能参加本次选举。"
            "登记结束后将张榜公布选民名单，对名单有不同意见的，可以在公布之日起5日内提出申诉。",
        ]
    )


def build_n3(public: PublicElection) -> NoticeData:
    from elections.registration.objections import objection_window
    from elections.registration.public import public_voter_list

    election = election_of(public)
    voters = public_voter_list(election, with_age=False)
    if not voters.total:
        raise NotReady("选民名册中还没有登记的选民")
    window = objection_window(election)
    tables = []
    for group in voters.groups:
        rows = [
            [str(e.number), e.name + (f"（{e.note}）" if e.note else ""), e.gender]
            for e in group.entries
        ]
        tables.append(
            (
                f"{group.label}（{group.count}人，男{group.male}人，女{group.female}人）",
                ["序号", "姓名", "性别"],
                rows,
            )
        )
    body = [
        f"经登记，{public.community_name}本届居民委员会选举的选民共{voters.total}人"
        f"（男{voters.male}人，女{voters.female}人），名单按居民小组公布如下。"
        f"选民须于{cn_date(voters.born_on_or_before)}以前出生。",
    ]
    footnotes = []
    if window is not None:
        footnotes.append(
            f"对选民名单有不同意见的，可以自本公告公布之日起5日内（{cn_date(window.last_day)}前）"
            "向居民选举委员会提出申诉，居民选举委员会应当自收到申诉之日起3日内作出处理决定，"
            "并公布处理结果。"
        )
    return NoticeData(body=body, tables=tables, footnotes=footnotes)


def build_n4(public: PublicElection) -> NoticeData:
    from elections.registration.objections import objection_results

    results = objection_results(election_of(public))
    if not results:
        return NoticeData(
            body=[
                f"{public.community_name}选民名单公布期间，居民选举委员会未收到申诉，选民名单不作调整。"
            ]
        )
    return NoticeData(
        body=["对选民名单提出的申诉，居民选举委员会已依法作出处理，结果公布如下。"],
        tables=[
            (
                "",
                ["序号", "姓名", "居民小组", "处理结果", "决定日期"],
                [
                    [str(r.number), r.name, r.group or "—", r.outcome, cn_date(r.decided_on)]
                    for r in results
                ],
            )
        ],
    )


N2 = register_notice_kind(
    NoticeKind(
        "N2",
        "选举日及选民登记公告",
        build_n2,
        "《中华人民共和国城市居民委员会组织法》；民政部2013年规程“选民登记公告”样式",
        posting_days=None,
    )
)
N3 = register_notice_kind(
    NoticeKind(
        "N3",
        "选民名单公告",
        build_n3,
        "选民名单应当在选举日的二十日前公布（RULES.md R12、R13）",
        posting_days=5,
        milestone="voter_list_published",
    )
)
N4 = register_notice_kind(
    NoticeKind(
        "N4",
        "选民名单申诉处理结果公告",
        build_n4,
        "对选民名单有不同意见的，应当自收到申诉之日起三日内作出处理决定，并公布处理结果（R13）",
        posting_days=5,
        milestone="objection_decisions_due",
    )
)
