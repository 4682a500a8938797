"""The candidates app's notices on the core's framework (RULES.md §9): N1 the election
committee, N5 the election method, N6 nominees with votes, N8 the formal candidates in
ballot order, N9 replacements, N18 the party pre-candidate 公示. Public fields only:
names, gender, age or birth year, education, 政治面貌, work — never an ID number."""

from __future__ import annotations

from electionlaw import age_on, min_formal_candidates
from elections.formatting import cn_date
from elections.notices.registry import (
    NoticeData,
    NoticeKind,
    NotReady,
    PublicElection,
    election_of,
    register_notice_kind,
)


def build_n1(public: PublicElection) -> NoticeData:
    from candidates.models import CommitteeMember, CommitteeMemberStatus

    members = list(
        CommitteeMember.objects.filter(
            election_id=public.pk, status=CommitteeMemberStatus.MEMBER
        ).order_by("-is_chair", "rank")
    )
    if not members:
        raise NotReady("尚未记录选举委员会推选结果")
    rows = [[m.name, "主任" if m.is_chair else "成员"] for m in members]
    return NoticeData(
        body=[
            f"经居民会议（居民代表会议）推选，{public.community_name}居民选举委员会由以下{len(members)}人组成，"
            "主持本届居民委员会选举工作。"
        ],
        tables=[("", ["姓名", "职务"], rows)],
        footnotes=[
            "对选举委员会成员有不同意见的，可以在本公告公布之日起5日内向社区居民委员会提出。"
        ],
    )


def build_n5(public: PublicElection) -> NoticeData:
    from candidates.models import Track
    from candidates.services.nominations import post_label
    from candidates.services.seats import seats_for

    seats = seats_for(election_of(public), Track.COMMITTEE)
    if not seats:
        raise NotReady("职数尚未确定")
    params = public.params
    rows = [
        [
            post_label(post),
            str(n),
            f"不少于{min_formal_candidates(n, extra=params.candidates_extra_min_per_post)}名",
        ]
        for post, n in seats.items()
    ]
    order = "按姓氏笔画" if params.ballot_order == "surname_strokes" else "按提名得票多少"
    return NoticeData(
        body=[
            f"{public.community_name}居民委员会由主任、副主任和委员共{sum(seats.values())}人组成，"
            f"于{cn_date(public.election_day)}选举产生，实行差额选举，职位分别选举。",
            f"正式候选人在选票上{order}排列。选民可以对候选人投赞成票、不赞成票，也可以另选他人或者弃权；"
            "每一职位所选人数多于应选人数的，该职位的选票无效。",
            "选举有效须有过半数的选民参加投票；候选人获得参加投票的选民过半数的选票始得当选。"
            "当选人数不足应选名额的，不足的名额另行选举，另行选举以得票多的当选，但所得票数不得少于所投票数的三分之一。",
        ],
        tables=[("应选名额与候选人", ["职位", "应选人数", "正式候选人"], rows)],
    )


def build_n6(public: PublicElection) -> NoticeData:
    from candidates.services.nominations import nominee_notice

    posts = [p for p in nominee_notice(election_of(public)) if p.rows]
    if not posts:
        raise NotReady("还没有录入提名结果")
    tables = [
        (
            f"{p.label}（应选{p.seats or '—'}名，参加提名{p.ballots or '—'}人）",
            ["名次", "姓名", "性别", "提名票数"],
            [
                [
                    str(r.rank),
                    r.name,
                    r.gender,
                    str(r.votes)
                    + (f"（再次投票{r.revote_votes}）" if r.revote_votes is not None else ""),
                ]
                for r in p.rows
            ],
        )
        for p in posts
    ]
    return NoticeData(
        body=["居民委员会成员候选人提名已经结束，各职位被提名人按得票多少排列如下。"],
        tables=tables,
        footnotes=[p.note for p in posts if p.note],
    )


def build_n8(public: PublicElection) -> NoticeData:
    from candidates.models import CandidateStatus
    from candidates.services.slate import slate_of

    slate = slate_of(election_of(public))
    rows_by_post = [
        (p, [r for r in p.rows if r.candidate.status == CandidateStatus.FORMAL])
        for p in slate.posts.values()
    ]
    if not any(rows for _, rows in rows_by_post):
        raise NotReady("正式候选人名单尚未确定公布")
    tables = [
        (
            f"{p.label}（应选{p.seats}名）",
            ["姓名", "性别", "年龄", "文化程度", "政治面貌", "现工作单位及职务"],
            [
                [
                    r.candidate.name,
                    r.candidate.gender,
                    str(age_on(r.candidate.birth_date, public.election_day)),
                    r.candidate.get_education_display(),
                    r.candidate.get_political_status_display(),
                    r.candidate.work,
                ]
                for r in rows
            ],
        )
        for p, rows in rows_by_post
        if rows
    ]
    order = (
        "按姓氏笔画为序"
        if public.params.ballot_order == "surname_strokes"
        else "按提名得票多少为序"
    )
    return NoticeData(
        body=[
            f"经提名、资格审查，{public.community_name}居民委员会成员正式候选人确定如下（{order}），"
            f"选举日为{cn_date(public.election_day)}。"
        ],
        tables=tables,
    )


def build_n9(public: PublicElection) -> NoticeData:
    from candidates.models import Candidate, CandidateSource
    from candidates.services.slate import replacement_notice

    replacements = [
        n
        for c in Candidate.objects.filter(election_id=public.pk, source=CandidateSource.REPLACEMENT)
        .select_related("replaces", "nomination", "election")
        .order_by("pk")
        if (n := replacement_notice(c)) is not None
    ]
    if not replacements:
        raise NotReady("没有候选人退出或递补")
    return NoticeData(
        body=["因候选人退出或资格不符，按提名得票多少依次递补如下。"],
        tables=[
            (
                "",
                ["职位", "退出或资格不符", "情形", "递补人", "提名票数"],
                [
                    [
                        n.post_label,
                        n.left_name,
                        n.left_kind,
                        n.replacement_name,
                        str(n.replacement_votes),
                    ]
                    for n in replacements
                ],
            )
        ],
    )


def build_n18(public: PublicElection) -> NoticeData:
    from candidates.models import Candidate, CandidateStatus, PartyPublicity, Track

    publicity = PartyPublicity.objects.filter(election_id=public.pk).first()
    people = list(
        Candidate.objects.filter(
            election_id=public.pk,
            track=Track.PARTY,
            status__in=(CandidateStatus.PRE_CANDIDATE, CandidateStatus.FORMAL),
        ).order_by("post", "name", "pk")
    )
    if publicity is None or not people:
        raise NotReady("预备人选尚未确定公示")
    return NoticeData(
        body=[
            f"经党员推荐、群众推荐、街道党工委研究和组织考察、资格审查，{public.community_name}党组织"
            f"下届委员会委员、书记、副书记候选人预备人选如下，现予公示。"
            f"公示时间：{cn_date(publicity.starts_on)}至{cn_date(publicity.ends_on)}。"
        ],
        tables=[
            (
                "",
                ["拟任职务", "姓名", "性别", "出生年月", "文化程度", "现工作单位及职务"],
                [
                    [
                        c.get_post_display(),
                        c.name,
                        c.gender,
                        f"{c.birth_date.year}年{c.birth_date.month}月",
                        c.get_education_display(),
                        c.work,
                    ]
                    for c in people
                ],
            )
        ],
        footnotes=["公示期间，党员群众可以通过来信、来电、来访等方式向街道党工委反映情况。"],
    )


def register() -> None:
    register_notice_kind(
        NoticeKind(
            "N1",
            "选举委员会成员名单公告",
            build_n1,
            "《城市居民委员会组织法》；民政部2013年规程（R6）",
            posting_days=5,
        )
    )
    register_notice_kind(
        NoticeKind(
            "N5",
            "选举办法公告",
            build_n5,
            "本届换届选举工作方案；RULES.md R17、R19、R24、R26、R27、R31",
            posting_days=None,
        )
    )
    register_notice_kind(
        NoticeKind(
            "N6",
            "候选人提名结果公告",
            build_n6,
            "按得票多少确定候选人（R16）",
            posting_days=None,
            milestone="nominees_published",
        )
    )
    register_notice_kind(
        NoticeKind(
            "N8",
            "正式候选人名单公告",
            build_n8,
            "正式候选人名单应当在选举日前公布（R19）",
            posting_days=None,
            milestone="formal_candidates_published",
        )
    )
    register_notice_kind(
        NoticeKind(
            "N9",
            "候选人退出及递补公告",
            build_n9,
            "候选人缺额按提名得票多少依次递补（R20）",
            posting_days=None,
        )
    )
    register_notice_kind(
        NoticeKind(
            "N18",
            "社区党组织委员会候选人预备人选公示",
            build_n18,
            "没有经过组织考察、资格审查和公示的，不能列为候选人（P6）",
            posting_days=5,
            milestone="pre_candidate_publicity_start",
            issuer="中共{street}工作委员会",
            publisher="officer",
        )
    )
