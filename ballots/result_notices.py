"""Result notices on the core's framework (RULES.md §9): N13 the result announced on the
spot, N14 the winners, N15 a 另行选举, N16 a void election and its 重新选举. They read
the rounds' stored results (names and numbers only, as announced), never a roll row."""

from __future__ import annotations

from typing import Any

from elections.formatting import cn_date
from elections.notices.registry import (
    NoticeData,
    NoticeKind,
    NotReady,
    PublicElection,
    election_of,
    register_notice_kind,
)


def _rounds(public: PublicElection, **filters: object) -> list[Any]:
    from ballots.models import BallotRound
    from candidates.models.choices import Track

    return list(
        BallotRound.objects.filter(election_id=public.pk, track=Track.COMMITTEE, **filters)
        .prefetch_related("candidates")
        .order_by("number")
    )


def _yes(flag: object) -> str:
    return "有效" if flag else "无效"


def build_n13(public: PublicElection) -> NoticeData:
    """N13: for every announced round, registered voters, participants, ballots issued /
    returned / valid / invalid, whether the election is valid, the votes of every
    candidate and write-in, and who is elected (R36 当场公布)."""
    from ballots.models import RoundStatus

    rounds = _rounds(public, status=RoundStatus.CLOSED)
    if not rounds:
        raise NotReady("还没有宣布结果的投票轮次")
    body = [f"{public.community_name}居民委员会选举计票结果当场公布如下。"]
    tables = []
    for r in rounds:
        res = r.result
        labels, votes = res["labels"], res["votes"]
        elected = set(res.get("elected", []))
        tied = set(res.get("tied", []))
        body.append(
            f"{r.label}（{cn_date(r.held_on)}，应选{r.seats}名）：登记选民{res['registered']}人，"
            f"参加投票{res['participants']}人；发出选票{res['issued']}张，收回{res['returned']}张，"
            f"有效票{res['valid_ballots']}张，无效票{res['invalid']}张，空白票{res['blank']}张。"
            f"选举{_yes(res.get('round_valid') and res.get('turnout_valid'))}。"
        )
        rows = [
            [
                labels[k],
                "另选他人" if k.startswith("w:") else "候选人",
                str(votes.get(k, 0)),
                "当选" if k in elected else ("得票相同，再次投票" if k in tied else "未当选"),
            ]
            for k in sorted(votes, key=lambda k: (-int(votes[k]), labels[k]))
        ]
        tables.append((r.label, ["姓名", "类别", "得票", "结果"], rows))
    return NoticeData(
        body=body,
        tables=tables,
        footnotes=["本结果已当场公布。对选举结果有异议的，可以向街道办事处反映。"],
    )


def build_n14(public: PublicElection) -> NoticeData:
    """N14: the winners after the qualification check, post by post."""
    from ballots.certification import outcomes

    posts = outcomes(election_of(public))
    if not posts or any(o.problem for o in posts):
        raise NotReady("还有职位没有选举完成")
    rows = [[o.label, w.name, w.gender or "—", str(w.votes)] for o in posts for w in o.winners]
    vacant = [f"{o.label}空缺{o.vacant}名" for o in posts if o.vacant]
    return NoticeData(
        body=[
            f"经选举和资格审查，{public.community_name}居民委员会当选人员名单如下（共{len(rows)}名）。"
        ],
        tables=[("当选人员", ["职务", "姓名", "性别", "得票"], rows)],
        footnotes=[
            *(["，".join(vacant) + "（另行选举后仍未选出，名额空缺，R33）。"] if vacant else []),
            "当选人任期五年，自当选之日起计算。",
        ],
    )


def build_n15(public: PublicElection) -> NoticeData:
    """N15: each 另行选举 — seats, candidates ranked by first-round votes, date, and the
    one-third threshold of the profile (R31)."""
    from ballots.models import RoundKind

    rounds = _rounds(public, kind=RoundKind.RUNOFF)
    if not rounds:
        raise NotReady("没有另行选举")
    p = public.params
    tables = [
        (
            f"{r.label}：应选{r.seats}名，{cn_date(r.held_on)}投票",
            ["序号", "姓名", "第一轮得票"],
            [
                [
                    str(rc.order),
                    rc.name,
                    str(rc.earlier_votes if rc.earlier_votes is not None else "—"),
                ]
                for rc in r.candidates.all()
            ],
        )
        for r in rounds
    ]
    return NoticeData(
        body=[
            f"{public.community_name}居民委员会选举中当选人数不足应选名额，不足的名额另行选举。",
            "候选人按第一轮得票多少排列；以得票多的当选，"
            f"但所得票数不得少于所投票数的{p.lingxing_threshold_num}/{p.lingxing_threshold_den}。",
        ],
        tables=tables,
        footnotes=["依据 RULES.md R31、R33。"],
    )


def build_n16(public: PublicElection) -> NoticeData:
    """N16: each void round with its recorded grounds (§12) and its 重新选举's date."""
    from ballots.models import BallotRound, RoundKind, RoundStatus
    from ballots.services import VOID_LABELS

    voids = _rounds(public, status=RoundStatus.VOID)
    if not voids:
        raise NotReady("没有宣布无效的投票轮次")
    reruns = {
        r.parent_id: r
        for r in BallotRound.objects.filter(
            election_id=public.pk, kind=RoundKind.RERUN, parent__in=voids
        )
    }
    body = [f"{public.community_name}居民委员会选举中，下列投票经确认无效，依法重新选举。"]
    for r in voids:
        grounds = "；".join(VOID_LABELS.get(g, g) for g in r.void_grounds)
        rerun = reruns.get(r.pk)
        when = f"重新选举定于{cn_date(rerun.held_on)}举行。" if rerun else "重新选举日期另行公布。"
        body.append(f"{r.label}：{grounds}。{when}")
    return NoticeData(body=body, footnotes=["依据 RULES.md R34。"])


def register() -> None:
    register_notice_kind(
        NoticeKind(
            "N13",
            "选举结果公告",
            build_n13,
            "选举结果应当当场公布（《城市居民委员会组织法》；RULES.md R36）",
            posting_days=None,
        )
    )
    register_notice_kind(
        NoticeKind(
            "N14",
            "当选人名单公告",
            build_n14,
            "当选人名单经资格审查后公布（RULES.md R36）",
            posting_days=None,
        )
    )
    register_notice_kind(
        NoticeKind(
            "N15",
            "另行选举公告",
            build_n15,
            "当选人数不足应选名额的，不足的名额另行选举（RULES.md R31）",
            posting_days=None,
        )
    )
    register_notice_kind(
        NoticeKind(
            "N16",
            "选举无效及重新选举公告",
            build_n16,
            "选举无效的，应当重新选举（RULES.md R34、§12）",
            posting_days=None,
        )
    )
