"""The public voter list (notice N3, RULES.md §9): only name, gender, 居民小组 and
optionally age; duplicate names told apart by group, then birth year, then — only
then — a masked ID number; only eligible voters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from elections.models import CommunityElection
from elections.registration.models import Voter, VoterCategory
from elections.registration.public import (
    PublicEntry,
    PublicVoterList,
    age_on,
    group_sort_key,
    public_voter_list,
)
from elections.registration.services import VoterData, register_voter, remove_voter
from tests.conftest import Cast, new_id


def add(
    cast: Cast,
    name: str,
    birth: dt.date,
    *,
    group: str = "第一居民小组",
    gender: str = "男",
    election: CommunityElection | None = None,
    **kwargs: Any,
) -> Voter:
    return register_voter(
        election or cast.election_a,
        VoterData(
            name=name,
            id_number=new_id(birth, gender),
            category=kwargs.pop("category", VoterCategory.RESIDENT),
            group=group,
            phone=kwargs.pop("phone", "13812345678"),
            address=kwargs.pop("address", "新河路1号"),
            **kwargs,
        ),
        actor=cast.users["member_a"],
    )


def by_name(data: PublicVoterList) -> dict[str, list[PublicEntry]]:
    result: dict[str, list[PublicEntry]] = {}
    for entry in data.entries():
        result.setdefault(entry.name, []).append(entry)
    return result


def test_public_list_holds_no_id_phone_or_address(cast: Cast) -> None:
    people = [
        ("赵敏", dt.date(1980, 1, 1), "女", "13812345678", "新河路1号"),
        ("钱进", dt.date(1975, 6, 2), "男", "13987654321", "三角塘路88号"),
        ("孙丽", dt.date(1990, 9, 9), "女", "15011112222", "营盘街7栋"),
    ]
    numbers = {}
    for name, birth, gender, phone, address in people:
        numbers[name] = new_id(birth, gender)
        register_voter(
            cast.election_a,
            VoterData(
                name=name,
                id_number=numbers[name],
                category=VoterCategory.RESIDENT,
                group="第一居民小组",
                phone=phone,
                address=address,
            ),
            actor=cast.users["member_a"],
        )
    masked = dict(Voter.objects.values_list("name", "id_masked"))
    client = cast.client("member_a")
    for query in ("", "?age=1"):
        response = client.get(f"/c/XH01/voters/public/{query}")
        assert response.status_code == 200
        html = response.content.decode()
        for name, _birth, _gender, phone, address in people:
            assert name in html
            for secret in (numbers[name], masked[name], phone, address):
                assert secret not in html, f"{secret} of {name} is on the public list"


def test_public_list_does_not_even_load_personal_numbers(cast: Cast) -> None:
    add(cast, "赵敏", dt.date(1980, 1, 1))
    add(cast, "钱进", dt.date(1981, 1, 1))
    with CaptureQueriesContext(connection) as queries:
        public_voter_list(cast.election_a, with_age=False)
    # 1 the public view of the eligible voters (no duplicate names: nothing else).
    assert len(queries) == 1
    sql = queries[0]["sql"]
    for column in ("id_hash", "id_encrypted", "id_masked", "phone", "address"):
        assert column not in sql


def test_same_name_in_different_groups_shows_the_group(cast: Cast) -> None:
    add(cast, "王伟", dt.date(1970, 1, 1), group="第一居民小组")
    add(cast, "王伟", dt.date(1970, 5, 5), group="第二居民小组")
    add(cast, "孙丽", dt.date(1970, 5, 6), group="第二居民小组", gender="女")

    names = by_name(public_voter_list(cast.election_a, with_age=False))

    assert [e.note for e in names["王伟"]] == ["第一居民小组", "第二居民小组"]
    assert [e.note for e in names["孙丽"]] == [""]


def test_same_name_in_one_group_also_shows_the_birth_year(cast: Cast) -> None:
    add(cast, "王伟", dt.date(1970, 1, 1))
    add(cast, "王伟", dt.date(1985, 1, 1))
    add(cast, "王伟", dt.date(1970, 2, 2), group="第二居民小组")

    names = by_name(public_voter_list(cast.election_a, with_age=False))

    assert [e.note for e in names["王伟"]] == [
        "第一居民小组，1970年生",
        "第一居民小组，1985年生",
        "第二居民小组",
    ]


def test_only_when_group_and_birth_year_collide_the_masked_id_is_shown(cast: Cast) -> None:
    first = add(cast, "王伟", dt.date(1970, 1, 1))
    second = add(cast, "王伟", dt.date(1970, 9, 9))
    other = add(cast, "王伟", dt.date(1971, 1, 1))

    with CaptureQueriesContext(connection) as queries:
        data = public_voter_list(cast.election_a, with_age=False)
    # 1 the public view, 2 the masked ID numbers of the two colliding rows only.
    assert len(queries) == 2
    assert "id_masked" in queries[1]["sql"]

    notes = sorted(e.note for e in by_name(data)["王伟"])
    assert notes == sorted(
        [
            f"第一居民小组，1970年生，身份证号{first.id_masked}",
            f"第一居民小组，1970年生，身份证号{second.id_masked}",
            "第一居民小组，1971年生",
        ]
    )
    assert other.id_masked not in repr(data)


def test_only_eligible_voters_are_listed(cast: Cast) -> None:
    add(cast, "在册", dt.date(1980, 1, 1))
    add(cast, "待同意", dt.date(1980, 1, 2), category=VoterCategory.NONRESIDENT)
    removed = add(cast, "已移除", dt.date(1980, 1, 3))
    remove_voter(removed, actor=cast.users["member_a"], reason="已去世")
    add(cast, "被剥夺", dt.date(1980, 1, 4), rights_deprived=True)
    add(cast, "年轻人", dt.date(2009, 1, 20))
    add(cast, "别的社区", dt.date(1980, 1, 5), election=cast.election_b)
    # The election moves earlier: 年轻人 is no longer 18 on election day.
    cast.election_a.election_day = dt.date(2027, 1, 19)
    cast.election_a.save()

    data = public_voter_list(cast.election_a, with_age=False)

    assert [e.name for e in data.entries()] == ["在册"]
    assert (data.total, data.male, data.female) == (1, 1, 0)
    assert data.born_on_or_before == dt.date(2009, 1, 19)


def test_groups_numbers_ages_and_totals(cast: Cast) -> None:
    cast.election_a.election_day = dt.date(2030, 2, 28)
    cast.election_a.save()
    add(cast, "乙", dt.date(2012, 2, 29), group="第二居民小组", gender="女")
    add(cast, "甲", dt.date(1960, 3, 1), group="第一居民小组")
    add(cast, "丙", dt.date(1990, 3, 1), group="")

    with_age = public_voter_list(cast.election_a, with_age=True)
    without = public_voter_list(cast.election_a, with_age=False)

    assert [(g.label, g.count) for g in with_age.groups] == [
        ("第一居民小组", 1),
        ("第二居民小组", 1),
        ("未分组", 1),
    ]
    assert [(e.number, e.name, e.age) for e in with_age.entries()] == [
        (1, "甲", 69),
        (2, "乙", 18),  # born 29 February, 18 on 28 February of a common year
        (3, "丙", 39),
    ]
    assert [e.age for e in without.entries()] == [None, None, None]
    assert (with_age.total, with_age.male, with_age.female) == (3, 2, 1)
    assert age_on(dt.date(1960, 3, 1), dt.date(2030, 2, 28)) == 69


def test_public_list_page_is_printable_and_shows_no_numbers(cast: Cast) -> None:
    voter = add(cast, "赵敏", dt.date(1980, 1, 1), gender="女")
    response = cast.client("member_a").get("/c/XH01/voters/public/?age=1")
    body = response.content.decode()

    assert response.status_code == 200
    assert "赵敏" in body and "新河社区选民名单" in body
    assert "<td>47</td>" in body  # age on 2027-01-28
    assert "@media print" in body
    for secret in (voter.id_masked, "13812345678", "138****5678", "新河路1号"):
        assert secret not in body
    assert "名单公布之日起 5 日内" in body
    without_age = cast.client("member_a").get("/c/XH01/voters/public/").content.decode()
    assert "<td>47</td>" not in without_age


def test_groups_are_in_the_order_people_count_them(cast: Cast) -> None:
    for index, group in enumerate(["第十居民小组", "第二居民小组", "", "第一居民小组", "3栋"]):
        add(cast, f"人{index}", dt.date(1970, 1, 1 + index), group=group)

    data = public_voter_list(cast.election_a, with_age=False)

    assert [g.label for g in data.groups] == [
        "3栋",
        "第一居民小组",
        "第二居民小组",
        "第十居民小组",
        "未分组",
    ]
    assert [e.number for e in data.entries()] == [1, 2, 3, 4, 5]
    assert sorted(["第十二组", "第二十组", "第三组", "第一百零五组"], key=group_sort_key) == [
        "第三组",
        "第十二组",
        "第二十组",
        "第一百零五组",
    ]
