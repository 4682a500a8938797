"""N7 资格审查结果公告 (RULES.md §9): in public only "经资格审查符合条件" and the names —
never which department found what (that stays internal)."""

from __future__ import annotations

from elections.notices.registry import (
    NoticeData,
    NoticeKind,
    NotReady,
    PublicElection,
    register_notice_kind,
)


def build_n7(public: PublicElection) -> NoticeData:
    from candidates.models import ACTIVE_STATUSES, Candidate
    from vetting.services.aggregate import vetting_of

    candidates = list(
        Candidate.objects.filter(election_id=public.pk, status__in=ACTIVE_STATUSES).order_by(
            "track", "post", "name", "pk"
        )
    )
    state = vetting_of(candidates)
    cleared = [c for c in candidates if state[c.pk].clearance.state == "cleared"]
    if not cleared:
        raise NotReady("还没有通过资格联审的人选")
    return NoticeData(
        body=["经资格审查，下列人选符合条件。"],
        tables=[
            (
                "",
                ["工作线及职位", "姓名", "性别"],
                [[c.place_label, c.name, c.gender] for c in cleared],
            )
        ],
    )


def register() -> None:
    register_notice_kind(
        NoticeKind(
            "N7",
            "资格审查结果公告",
            build_n7,
            "新河街道换届工作方案：资格联审（Q2）",
            posting_days=None,
            issuer="{street}社区“两委”换届工作领导小组",
            publisher="officer",
        )
    )
