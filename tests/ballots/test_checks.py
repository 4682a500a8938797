"""Every coded check of a tally sheet, at its boundary: the finding appears one past the
line and not on it; errors and warnings are told apart; blank is not zero."""

from __future__ import annotations

from typing import Any

import pytest

from ballots import checks
from ballots.services import parse_numbers

CANDS = [("c1", "赵主任"), ("c2", "钱主任")]


def sheet(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "signed_in": 10,
        "issued": 10,
        "returned": 10,
        "blank": 1,
        "invalid": 1,
        "votes": {"c1": 5, "c2": 3},
        "write_ins": [],
    }
    base.update(over)
    return base


def codes(
    nums: dict[str, Any], *, seats: int = 1, returned_vs: str = "min_issued_signed"
) -> set[str]:
    return {
        f.code
        for f in checks.check_sheet(nums, seats=seats, candidates=CANDS, returned_vs=returned_vs)
    }


def test_a_clean_sheet_has_no_finding() -> None:
    assert codes(sheet()) == set()


def test_every_code_is_listed_once_with_a_rule() -> None:
    listed = [c.code for c in checks.CHECKS]
    assert len(listed) == len(set(listed))
    assert {c.level for c in checks.CHECKS} == {"error", "warning"}
    assert all(c.rule and c.title and c.meaning for c in checks.CHECKS)
    assert set(listed) == {f"E0{i}" for i in range(1, 8)} | {f"W0{i}" for i in range(1, 5)}


@pytest.mark.parametrize("field", ["signed_in", "issued", "returned", "blank", "invalid"])
def test_e01_each_blank_number(field: str) -> None:
    found = checks.check_sheet(sheet(**{field: None}), seats=1, candidates=CANDS)
    assert [(f.code, f.field) for f in found if f.code == "E01"] == [("E01", field)]
    assert checks.errors(found)


def test_e01_blank_vote_and_write_in_without_number() -> None:
    found = checks.check_sheet(
        sheet(votes={"c1": 5, "c2": None}, write_ins=[["张三", None]]), seats=1, candidates=CANDS
    )
    assert {(f.code, f.field) for f in found} >= {("E01", "votes-c2"), ("E01", "writein-0")}


def test_blank_form_fields_stay_blank_not_zero() -> None:
    data = {"signed_in": "10", "issued": "", "returned": "10", "blank": "0", "invalid": "0"}
    data |= {"votes-c1": "5", "votes-c2": " "}
    nums, errors = parse_numbers(data, CANDS)
    assert errors == {}
    assert nums["issued"] is None and nums["votes"]["c2"] is None and nums["blank"] == 0
    assert {"E01"} <= codes(nums)


@pytest.mark.parametrize("raw", ["-1", "1.5", "十", "１２", "abc"])
def test_numbers_must_be_whole_and_ascii(raw: str) -> None:
    _nums, errors = parse_numbers({"signed_in": raw}, CANDS)
    assert "signed_in" in errors and "正整数" in errors["signed_in"]


def test_e02_returned_over_issued_at_the_boundary() -> None:
    assert "E02" not in codes(sheet(signed_in=11, issued=10, returned=10))
    assert "E02" in codes(sheet(signed_in=11, issued=10, returned=11))
    # The 新河 profile compares with issued only: E07 does not apply then.
    assert codes(sheet(signed_in=9, issued=10, returned=10), returned_vs="issued") == {"W01"}


def test_e07_returned_over_signed_in_at_the_boundary() -> None:
    assert "E07" not in codes(sheet(signed_in=10, issued=11, returned=10))
    assert "E07" in codes(sheet(signed_in=9, issued=10, returned=10))
    assert "E02" not in codes(sheet(signed_in=9, issued=10, returned=10), returned_vs="signed")


def test_e03_blank_and_invalid_over_returned() -> None:
    assert "E03" not in codes(sheet(blank=5, invalid=5, votes={"c1": 0, "c2": 0}))
    assert "E03" in codes(sheet(blank=5, invalid=6, votes={"c1": 0, "c2": 0}))


def test_e04_one_person_over_the_valid_ballots() -> None:
    # valid = 10 − 1 − 1 = 8; two seats so E05 stays out of the way.
    assert "E04" not in codes(sheet(votes={"c1": 8, "c2": 0}), seats=2)
    assert "E04" in codes(sheet(votes={"c1": 9, "c2": 0}), seats=2)
    found = checks.check_sheet(
        sheet(votes={"c1": 0, "c2": 0}, write_ins=[["张三", 9]]), seats=2, candidates=CANDS
    )
    assert ("E04", "writein-0") in {(f.code, f.field) for f in found}


def test_e05_total_over_valid_times_seats() -> None:
    # valid 8 × 1 seat = 8
    assert "E05" not in codes(sheet(votes={"c1": 5, "c2": 3}))
    assert "E05" in codes(sheet(votes={"c1": 5, "c2": 4}))
    assert "E05" not in codes(sheet(votes={"c1": 8, "c2": 8}), seats=2)
    assert "E05" in codes(sheet(votes={"c1": 8, "c2": 8}, write_ins=[["张三", 1]]), seats=2)


def test_e06_write_in_without_a_name_or_twice() -> None:
    assert "E06" in codes(sheet(votes={"c1": 1, "c2": 1}, write_ins=[["", 2]]))
    assert "E06" in codes(sheet(votes={"c1": 1, "c2": 1}, write_ins=[["张三", 1], ["张三", 1]]))
    assert "E06" not in codes(sheet(votes={"c1": 1, "c2": 1}, write_ins=[["张三", 1], ["李四", 1]]))


def test_w01_issued_differs_from_signed_in() -> None:
    assert "W01" not in codes(sheet())
    found = checks.check_sheet(
        sheet(signed_in=11, issued=10, returned=10), seats=1, candidates=CANDS
    )
    assert [f.code for f in found] == ["W01"] and not checks.errors(found)


def test_w02_fewer_returned_than_issued() -> None:
    assert codes(sheet(returned=9, blank=1, invalid=0)) == {"W02"}


def test_w03_write_in_named_like_a_candidate() -> None:
    assert "W03" in codes(sheet(votes={"c1": 1, "c2": 1}, write_ins=[["赵主任", 1]]))
    assert "W03" not in codes(sheet(votes={"c1": 1, "c2": 1}, write_ins=[["赵主", 1]]))


def test_w04_invalid_over_one_tenth_at_the_boundary() -> None:
    # returned 10: exactly one tenth invalid is fine; two is over.
    assert "W04" not in codes(sheet(blank=0, invalid=1, votes={"c1": 5, "c2": 4}))
    assert "W04" in codes(sheet(blank=0, invalid=2, votes={"c1": 5, "c2": 3}))


def test_differences_are_field_by_field() -> None:
    a = sheet(write_ins=[["张三", 1]])
    b = sheet(issued=9, votes={"c1": 5, "c2": 4}, write_ins=[["张山", 1]])
    assert checks.differences(a, b, candidates=CANDS) == [
        ("发出选票数", 10, 9),
        ("钱主任 得票", 3, 4),
        ("另选 张三 得票", 1, "（没有这一行）"),
        ("另选 张山 得票", "（没有这一行）", 1),
    ]
    assert checks.differences(a, dict(a), candidates=CANDS) == []
