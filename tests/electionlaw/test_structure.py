"""Q3 structure targets and R3 (a woman on the 居委会): soft warnings at their
boundaries; the 新河 limits read "以下" inclusively (G2, 民法典 art. 1259)."""

from __future__ import annotations

import pytest

from electionlaw import RuleParams, RulesInputError, StructurePerson, structure_warnings

XINHE = RuleParams(
    women_share_target_pct=30,
    secretary_age_max_male=55,
    secretary_age_max_female=50,
    new_member_age_max=50,
    young_member_age_max=35,
)


def person(key: str, gender: str = "男", age: int = 40, **kw: bool) -> StructurePerson:
    return StructurePerson(key=key, name=key, gender=gender, age=age, **kw)


def codes(
    people: list[StructurePerson], body: str = "committee", params: RuleParams = XINHE
) -> list[str]:
    return [v.code for v in structure_warnings(people, body=body, params=params)]


def graduate() -> StructurePerson:
    return person("青年", age=30, college=True)


def test_an_empty_list_warns_nothing() -> None:
    assert structure_warnings([], body="committee", params=XINHE) == ()


def test_no_woman_on_the_residents_committee_is_r3() -> None:
    found = structure_warnings([graduate(), person("乙")], body="committee", params=XINHE)
    assert [v.code for v in found] == ["no_woman"]
    assert found[0].rules == ("R3",)
    # R3 holds under every profile; Q3 targets only where the profile has them.
    assert codes([person("甲")], params=RuleParams()) == ["no_woman"]


def test_women_share_exactly_thirty_percent_passes_and_one_less_warns() -> None:
    three_of_ten = [person(f"女{i}", "女") for i in range(3)] + [person(f"男{i}") for i in range(6)]
    assert codes([*three_of_ten, graduate()]) == []
    two_of_seven = [person("女0", "女"), person("女1", "女")] + [person(f"男{i}") for i in range(4)]
    found = structure_warnings([*two_of_seven, graduate()], body="committee", params=XINHE)
    assert [v.code for v in found] == ["women_share"]
    assert "28%" in found[0].message_zh and "30%" in found[0].message_zh


def test_women_share_is_not_a_party_target() -> None:
    assert "women_share" not in codes([person("甲"), graduate()], body="party")
    assert "no_woman" not in codes([person("甲"), graduate()], body="party")


@pytest.mark.parametrize(
    ("gender", "age", "warned"),
    [("男", 55, False), ("男", 56, True), ("女", 50, False), ("女", 51, True)],
)
def test_new_secretary_age_limit_includes_the_number(gender: str, age: int, warned: bool) -> None:
    people = [person("书记", gender, age, secretary=True), graduate()]
    assert ("secretary_age" in codes(people, body="party")) is warned


def test_a_continuing_secretary_is_not_held_to_the_new_limit() -> None:
    people = [person("书记", "男", 58, secretary=True, new=False), graduate()]
    assert codes(people, body="party") == []


def test_new_member_age_limit_includes_fifty() -> None:
    assert codes([person("甲", "女", 50), graduate()]) == []
    found = structure_warnings(
        [person("甲", "女", 51), person("乙", "女", 49), graduate()], body="committee", params=XINHE
    )
    assert [v.code for v in found] == ["new_member_age"]
    assert "甲（51岁）" in found[0].message_zh and "乙" not in found[0].message_zh
    # An incumbent standing again is not a new member.
    assert codes([person("甲", "女", 51, new=False), graduate()]) == []


def test_young_graduate_needs_both_age_and_degree() -> None:
    woman = person("甲", "女", 45)
    assert codes([woman, person("乙", age=35, college=True)]) == []
    assert codes([woman, person("乙", age=36, college=True)]) == ["young_graduate"]
    assert codes([woman, person("乙", age=28)]) == ["young_graduate"]


def test_national_profile_has_no_q3_targets() -> None:
    people = [person("书记", "男", 60, secretary=True), person("乙", "女", 58)]
    assert codes(people, body="party", params=RuleParams()) == []


def test_impossible_inputs_are_refused() -> None:
    with pytest.raises(RulesInputError):
        structure_warnings([person("甲")], body="supervision", params=XINHE)
    with pytest.raises(RulesInputError):
        person("甲", "未知")
    with pytest.raises(RulesInputError):
        RuleParams(women_share_target_pct=101)
