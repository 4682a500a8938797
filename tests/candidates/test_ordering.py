"""姓氏笔画 ballot order (candidates/ordering.py): the rule, its tie-breaks, the
characters the table lacks, and the table itself. No database."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from candidates import ordering
from candidates.ordering import (
    split_name,
    stroke_count,
    stroke_key,
    stroke_names,
    stroke_order,
    stroke_sort,
    unknown_characters,
    unordered_characters,
)

ROOT = Path(__file__).resolve().parents[2]

#: The issue's list, in the order it must come out.
ISSUE_LIST = "丁 卫 马 王 冯 司马 乔 孙 李 杨 吴 沈 张 陈 欧阳 周 郑 赵 钱 诸葛 蒋 韩 褚"
EXPECTED = ISSUE_LIST.split()


def test_the_issue_list_comes_out_in_order_from_any_shuffle() -> None:
    for seed in range(25):
        names = EXPECTED.copy()
        random.Random(seed).shuffle(names)
        assert stroke_sort(names) == EXPECTED, seed
    assert stroke_sort(reversed(EXPECTED)) == EXPECTED
    assert stroke_order(EXPECTED[::-1]).flagged == []


def test_the_issue_list_rests_on_counts_and_first_strokes() -> None:
    # The places the list pins, read from the table.
    assert [stroke_count(c) for c in "丁卫马王冯司乔孙"] == [2, 3, 3, 4, 5, 5, 6, 6]
    assert stroke_names("卫") == "折竖横"  # 卫 before 马: second stroke 竖 before 折
    assert stroke_names("马") == "折折横"
    # 冯 before 司马: five strokes each, 点 before 折.
    assert (stroke_names("冯"), stroke_names("司")) == ("点横折折横", "折横竖折横")
    # 欧阳 周 郑: eight strokes each, 横 撇 点.
    assert [stroke_count(c) for c in "欧周郑"] == [8, 8, 8]
    assert [stroke_names(c) for c in "欧周郑"] == [
        "横撇点折撇折撇点",
        "撇折横竖横竖折横",
        "点撇横横撇点折竖",
    ]


def test_a_tie_on_the_count_goes_to_the_first_strokes() -> None:
    # Four strokes each: 王 starts with 横, 毛 with 撇, 方 with 点, 尹 and 孔 with 折.
    assert {stroke_count(c) for c in "王毛方尹孔"} == {4}
    assert [stroke_names(c) for c in "王毛方尹孔"] == [
        "横横竖横",
        "撇横横折",
        "点横折撇",
        "折横横撇",
        "折竖横折",
    ]
    assert stroke_sort(["孔", "方", "尹", "毛", "王"]) == ["王", "毛", "方", "尹", "孔"]
    # 尹 and 孔 share the first stroke: the second decides (横 before 竖).
    assert stroke_sort(["孔", "尹"]) == ["尹", "孔"]
    # 李 and 杨: seven strokes, the same first five (横竖撇点折); the sixth decides.
    assert stroke_names("李") == "横竖撇点折竖横"
    assert stroke_names("杨") == "横竖撇点折撇撇"
    assert stroke_sort(["杨", "李"]) == ["李", "杨"]


def test_the_first_character_decides_before_the_given_name() -> None:
    # 丁 (2 strokes) before 王 (4), however long and heavy the given name.
    assert stroke_sort(["王一", "丁鑫鑫"]) == ["丁鑫鑫", "王一"]


def test_a_tie_on_the_whole_character_goes_to_the_next_character() -> None:
    assert stroke_sort(["王五", "王二", "王三"]) == ["王二", "王三", "王五"]
    # 申 and 甲: the same count and the same strokes (竖折横横竖), so the given
    # name decides, although 甲 comes first by code point.
    assert stroke_names("申") == stroke_names("甲") == "竖折横横竖"
    assert ord("甲") < ord("申")
    assert stroke_sort(["甲二", "申一"]) == ["申一", "甲二"]
    # Everything equal: the name by code point, whatever the input order.
    assert stroke_sort(["申一", "甲一"]) == ["甲一", "申一"]
    assert stroke_sort(["甲一", "申一"]) == ["甲一", "申一"]


def test_a_shorter_name_comes_first_when_it_is_a_prefix() -> None:
    assert stroke_sort(["王小明", "王小", "王"]) == ["王", "王小", "王小明"]


def test_a_compound_surname_is_compared_as_a_unit() -> None:
    assert split_name("司马光") == ("司马", "光")
    assert split_name("司龙") == ("司", "龙")
    assert split_name("欧阳") == ("欧阳", "")
    # Character by character 司马 (马 3) would come before 司龙 (龙 5); as a unit
    # every single-surname 司 comes first, then 司马, then 司徒 (徒 10 strokes).
    names = ["司徒一", "司马光", "司龙", "司", "司马", "司大"]
    assert stroke_sort(names) == ["司", "司大", "司龙", "司马", "司马光", "司徒一"]
    assert stroke_sort(["欧阳丁", "欧一", "欧阳"]) == ["欧一", "欧阳", "欧阳丁"]
    assert stroke_sort(["诸葛亮", "诸一"]) == ["诸一", "诸葛亮"]


def test_the_middle_dot_is_ignored() -> None:
    dotted, plain = "阿依古丽·买买提", "阿依古丽买买提"
    assert stroke_key(dotted)[:2] == stroke_key(plain)[:2]
    assert unknown_characters(dotted) == []
    names = ["阿依古丽·买买提", "阿一", "阿依古丽·艾", "阿依"]
    # 艾 (5 strokes) before 买 (6).
    assert stroke_sort(names) == ["阿一", "阿依", "阿依古丽·艾", "阿依古丽·买买提"]
    # Other dots people type, and spaces, alike.
    for variant in ["阿依古丽•买买提", "阿依古丽・买买提", "阿依古丽 买买提"]:
        assert stroke_key(variant)[:2] == stroke_key(plain)[:2]
    # A transliterated name is not read as a compound surname: 司马义 is not a 司马.
    assert split_name("司马义·艾买提") == ("司", "马义艾买提")
    assert stroke_sort(["司马光", "司龙", "司马义·艾买提"]) == ["司马义·艾买提", "司龙", "司马光"]


def test_a_character_without_data_comes_last_and_is_flagged() -> None:
    private = "\ue000"
    assert stroke_count(private) is None
    assert unknown_characters(f"王{private}") == [private]
    assert unknown_characters(f"{private}A{private}") == [private, "A"]
    assert unknown_characters("王小明") == []
    # After every character with data, by code point among themselves.
    names = ["王\ue001", "王\ue000", "王龘", "王一"]
    assert stroke_sort(names) == ["王一", "王龘", "王\ue000", "王\ue001"]
    assert stroke_sort([private, "龘", "一"]) == ["一", "龘", private]
    result = stroke_order(["王\ue001", "张三", "王\ue000"])
    assert result.names == ["王\ue000", "王\ue001", "张三"]
    assert result.flagged == ["王\ue000", "王\ue001"]
    assert result.reasons == {"王\ue000": ["\ue000"], "王\ue001": ["\ue001"]}


def test_rare_characters_have_counts() -> None:
    # 䶮 (U+4DAE, ext A), 𬭚 (U+2CB5A, ext E; both in the 通用规范汉字表), 𠮷 (ext B).
    assert [stroke_count(c) for c in "䶮𬭚𠮷"] == [9, 13, 6]
    assert unknown_characters("刘䶮") == []
    assert unknown_characters("𠮷𬭚") == []
    assert stroke_sort(["王𬭚", "王䶮", "王𠮷"]) == ["王𠮷", "王䶮", "王𬭚"]
    # cnchar-order has no stroke order for them.
    assert unordered_characters("刘䶮𠮷") == ["䶮", "𠮷"]
    assert unordered_characters("刘一") == []


def test_a_tie_only_a_missing_stroke_order_could_break_is_flagged() -> None:
    # 春 and 䶮 both have 9 strokes; the table knows 春's strokes, not 䶮's.
    assert stroke_count("春") == stroke_count("䶮") == 9
    result = stroke_order(["李䶮", "李天", "李春"])
    assert result.names == ["李天", "李春", "李䶮"]  # known strokes first
    assert result.flagged == ["李春", "李䶮"]
    assert result.reasons == {"李春": ["䶮"], "李䶮": ["䶮"]}
    # The count alone decides: nothing to flag.
    assert stroke_order(["李䶮", "李天", "王䶮"]).flagged == []
    # Decided before 䶮 is reached: nothing to flag either.
    assert stroke_order(["王春", "李䶮"]).flagged == []


def test_duplicates_and_an_empty_list() -> None:
    assert stroke_sort([]) == []
    assert stroke_order([]).names == []
    assert stroke_sort(["王五", "丁一", "王五"]) == ["丁一", "王五", "王五"]


POOL = "丁卫马王冯司乔孙李杨吴沈张陈欧阳周郑赵钱诸葛蒋韩褚申甲一二三䶮春·\ue000A"


@given(st.lists(st.text(alphabet=POOL, min_size=1, max_size=4), max_size=12), st.randoms())
def test_the_order_never_depends_on_the_input_order(names: list[str], rnd: random.Random) -> None:
    shuffled = names.copy()
    rnd.shuffle(shuffled)
    assert stroke_sort(shuffled) == stroke_sort(names) == sorted(names, key=stroke_key)
    assert stroke_order(shuffled) == stroke_order(names)


def test_the_table_covers_the_common_characters() -> None:
    common = ordering.table_characters()
    # The 通用规范汉字表 (2013), 8105 characters, as Unihan's kTGH lists them.
    assert len(common) == len(set(common)) == 8105
    assert common[:3] == "一乙二"
    assert [c for c in common if stroke_count(c) is None] == []
    with_order = [c for c in common if ordering.stroke_digits(c) is not None]
    assert len(with_order) >= 6770
    # Every character of the basic block has a count.
    assert [hex(p) for p in range(0x4E00, 0xA000) if stroke_count(chr(p)) is None] == []


def test_the_stroke_orders_agree_with_the_counts() -> None:
    orders = ordering._table().orders
    assert len(orders) >= 6939
    assert all(set(digits) <= set("12345") for digits in orders.values())
    # cnchar-order drops a stroke of 皙 and writes 囍 as two 喜 (24); every other
    # order has exactly the Unihan count of strokes.
    differ = {c for c, digits in orders.items() if len(digits) != stroke_count(c)}
    assert differ <= {"皙", "囍"}


def test_a_compatibility_ideograph_reads_as_its_unified_character() -> None:
    # U+F9A8 is a compatibility form of 令 (U+4EE4).
    assert ordering.stroke_digits("\uf9a8") == ordering.stroke_digits("令")


def test_the_module_loads_the_table_lazily_and_without_django() -> None:
    code = (
        "import sys; import candidates.ordering as o; "
        "assert o._table.cache_info().currsize == 0; "
        "o.stroke_sort(['王', '丁']); "
        "assert o._table.cache_info().currsize == 1; "
        "assert 'django' not in sys.modules, 'ordering imports Django'"
    )
    done = subprocess.run(  # noqa: S603 — our own interpreter
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    # The first sort reads and parses the table (its speed is a benchmark's business,
    # not a test's: a timed assertion failed on a busy machine).
    assert done.returncode == 0, done.stderr


def test_the_table_and_its_licences_ship_beside_the_module() -> None:
    data = ROOT / "candidates" / "data"
    head = (data / "strokes.txt").read_text(encoding="utf-8")[:2000]
    assert "Modified (derived) data" in head and "cnchar-order" in head
    assert "UNICODE, INC. LICENSE AGREEMENT" in (data / "LICENSE-Unicode.txt").read_text()
    assert "MIT License" in (data / "LICENSE-cnchar-order.txt").read_text()
