"""Election-day notices on the core's framework (RULES.md §9): N10 the proxies, N11 the
polling places, hours and staff, N12 the mobile boxes. Names and 居民小组 only: the
builders load no ID, phone or address column (`values_list` of public fields)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from elections.formatting import cn_date
from elections.notices.registry import (
    NoticeData,
    NoticeKind,
    NotReady,
    PublicElection,
    dedupe_names,
    register_notice_kind,
)

#: The order of the roles on N11 (the law names 唱票、监票、计票 staff).
ROLE_ORDER = ("monitor", "caller", "counter", "issuer", "writer")


def _hours(opens_at: dt.time, closes_at: dt.time) -> str:
    return f"{opens_at:%H:%M}—{closes_at:%H:%M}"


def build_n10(public: PublicElection) -> NoticeData:
    from ballots.polling_models import Proxy, ProxyStatus
    from candidates.models import RELATION_CHOICES

    rows = list(
        Proxy.objects.filter(election_id=public.pk, status=ProxyStatus.ACTIVE)
        .order_by("principal__group", "principal__name", "pk")
        .values_list("principal__name", "principal__group", "holder__name", "relation")
    )
    if not rows:
        raise NotReady("还没有办理委托投票")
    labels = dict(RELATION_CHOICES)
    principals = dedupe_names(
        [r[0] for r in rows], {n: [g for p, g, _h, _r in rows if p == n] for n, *_ in rows}
    )
    table = [
        [
            principals[i],
            holder,
            labels.get(rel, "本社区其他选民") if rel else "本社区其他选民",
            group or "—",
        ]
        for i, (_p, group, holder, rel) in enumerate(rows)
    ]
    params = public.params
    return NoticeData(
        body=[
            f"{public.community_name}居民委员会选举定于{cn_date(public.election_day)}举行。"
            f"经居民选举委员会审核，以下{len(rows)}名选民因选举期间外出不能参加投票，"
            "书面委托本社区其他选民代为投票，现予公布。"
        ],
        tables=[("委托投票名单", ["委托人", "受委托人", "关系", "居民小组"], table)],
        footnotes=[
            f"每一选民接受委托不超过{params.proxy_cap}人，受委托人不得再委托他人；候选人不得接受委托。",
            "受委托人凭委托投票证和委托人的选民证领取选票。委托人本人到场投票的，委托自动撤回。",
            "对委托名单有不同意见的，请在选举日前向居民选举委员会提出。",
        ],
    )


def _staff_rows(public: PublicElection) -> dict[int, dict[str, list[str]]]:
    from ballots.polling_models import PollingStaff

    out: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for place_id, role, name in (
        PollingStaff.objects.filter(place__election_id=public.pk)
        .order_by("id")
        .values_list("place_id", "role", "name")
    ):
        out[place_id][role].append(name)
    return out


def build_n11(public: PublicElection) -> NoticeData:
    from ballots.models import PollingPlace
    from ballots.polling_models import StaffRole

    places = list(
        PollingPlace.objects.filter(election_id=public.pk)
        .order_by("id")
        .values_list("pk", "kind", "name", "place", "opens_at", "closes_at")
    )
    if not places:
        raise NotReady("尚未设置投票点")
    staff = _staff_rows(public)
    if not staff:
        raise NotReady("尚未安排监票、唱票、计票人员")
    kinds = {"central": "中心会场", "station": "投票站", "mobile": "流动票箱"}
    place_rows = [
        [kinds.get(kind, kind), name, where, _hours(opens, closes)]
        for _pk, kind, name, where, opens, closes in places
    ]
    staff_rows = [
        [name, StaffRole(role).label, "、".join(staff[pk][role])]
        for pk, _kind, name, *_rest in places
        for role in ROLE_ORDER
        if staff.get(pk, {}).get(role)
    ]
    return NoticeData(
        body=[
            f"{public.community_name}居民委员会选举定于{cn_date(public.election_day)}举行，"
            "采取设立中心会场、投票站和流动票箱的方式，由选民无记名投票、公开计票。"
            "投票的时间、地点和监票、唱票、计票人员公布如下。",
        ],
        tables=[
            ("投票时间和地点", ["类型", "名称", "地点或路线", "投票时间"], place_rows),
            ("监票、唱票、计票等工作人员", ["投票点", "职责", "姓名"], staff_rows),
        ],
        footnotes=[
            "候选人及其近亲属不得担任监票、唱票、计票、发票和代书人员。",
            "所有票箱当场密封，投票结束后集中到中心会场统一开箱、公开唱票计票，当场公布选举结果。",
        ],
    )


def build_n12(public: PublicElection) -> NoticeData:
    from ballots.models import PollingPlace
    from ballots.polling_models import MobileBoxVoter, StaffRole

    boxes = list(
        PollingPlace.objects.filter(election_id=public.pk, kind="mobile")
        .order_by("id")
        .values_list("pk", "name", "place", "opens_at", "closes_at")
    )
    voters: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for place_id, name, group in (
        MobileBoxVoter.objects.filter(election_id=public.pk)
        .order_by("voter__group", "voter__name", "id")
        .values_list("place_id", "voter__name", "voter__group")
    ):
        voters[place_id].append((name, group))
    if not boxes or not voters:
        raise NotReady("没有设置流动票箱，或还没有登记使用流动票箱的选民")
    staff = _staff_rows(public)
    tables = []
    body = [
        f"{public.community_name}居民委员会选举日（{cn_date(public.election_day)}），"
        "对因行动不便等原因不能到投票站投票的下列选民，设立流动票箱上门投票，现予公布。"
    ]
    for pk, name, route, opens, closes in boxes:
        people = voters.get(pk, [])
        if not people:
            continue
        monitors = staff.get(pk, {}).get(StaffRole.MONITOR, [])
        body.append(
            f"流动票箱“{name}”：路线 {route}，时间 {_hours(opens, closes)}；"
            f"监票人：{'、'.join(monitors) if monitors else '（尚未安排）'}。"
        )
        names = dedupe_names(
            [n for n, _g in people], {n: [g for m, g in people if m == n] for n, _g in people}
        )
        tables.append(
            (
                f"流动票箱“{name}”投票选民（{len(people)}人）",
                ["序号", "姓名", "居民小组"],
                [[str(i), names[i - 1], g or "—"] for i, (_n, g) in enumerate(people, start=1)],
            )
        )
    return NoticeData(
        body=body,
        tables=tables,
        footnotes=[
            f"每个流动票箱由不少于{public.params.mobile_box_min_monitors}名监票人负责，"
            "投票结束后当场密封，送回中心会场统一开箱计票。"
        ],
    )


def register() -> None:
    register_notice_kind(
        NoticeKind(
            "N10",
            "委托投票公告",
            build_n10,
            "选举期间外出不能参加投票的，可以书面委托本社区其他选民代为投票；"
            "委托人和受委托人名单应当公布（RULES.md B6）",
            posting_days=None,
            milestone="proxies_published",
        )
    )
    register_notice_kind(
        NoticeKind(
            "N11",
            "投票时间、地点、方式及监票计票人员公告",
            build_n11,
            "投票时间、地点和监票、唱票、计票人员应当在选举日5日前公布（RULES.md N11、R8）",
            posting_days=None,
            milestone="polling_notice_published",
        )
    )
    register_notice_kind(
        NoticeKind(
            "N12",
            "流动票箱公告",
            build_n12,
            "使用流动票箱的选民名单和监票人应当公布，每个流动票箱不少于3名监票人（RULES.md R35）",
            posting_days=None,
        )
    )
