"""Tests for elections.registration.xlsx.checks: reading, row validation, template, error report."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet

from electionlaw import eligible_on
from elections.idnumbers import mask_id_number
from elections.registration.voter_checks import MSG_PHONE
from elections.registration.xlsx import cells as xi
from elections.registration.xlsx.checks import validate_rows
from elections.registration.xlsx.columns import (
    CATEGORIES,
    COLUMNS,
    ERROR_COLUMN,
    REQUIRED,
    ROW_NUMBER_COLUMN,
)
from elections.registration.xlsx.reading import read_rows
from elections.registration.xlsx.types import (
    ExistingRecord,
    FieldMessage,
    ImportFileError,
    ParsedFile,
    RowResult,
)
from elections.registration.xlsx.writing import write_error_report, write_template
from tests.idgen import generate_valid_id

ELECTION_DAY = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 1, 15)
RNG_SEED = 20260301


def with_check_digit(body17: str) -> str:
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body17))
    return body17 + "10X98765432"[total % 11]


def new_id(birth: dt.date = dt.date(1980, 5, 17), gender: str = "男", seed: int = 0) -> str:
    return generate_valid_id(random.Random(RNG_SEED + seed), birth_date=birth, gender=gender)


A = new_id(seed=1)
B = new_id(dt.date(1975, 2, 3), "女", seed=2)
C = new_id(dt.date(1962, 11, 30), "男", seed=3)

HEADER = ["姓名", "身份证号", "登记类别"]


def xlsx(
    rows: list[list[Any]],
    *,
    setup: Callable[[Worksheet], None] | None = None,
    text_columns: tuple[int, ...] = (),
) -> bytes:
    """Build an .xlsx with openpyxl. Strings in ``text_columns`` (1-based) are forced to
    be stored as text even if they start with "=" (what Excel does for a text cell)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "选民"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if c in text_columns and isinstance(value, str):
                cell.data_type = "s"
    if setup is not None:
        setup(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def no_lookup(ids: list[str]) -> dict[str, ExistingRecord]:
    return {}


def validate(
    data: bytes,
    lookup: Callable[[list[str]], Mapping[str, ExistingRecord]] = no_lookup,
    election_day: dt.date = ELECTION_DAY,
) -> tuple[ParsedFile, list[RowResult]]:
    parsed = read_rows(data)
    return parsed, validate_rows(parsed, election_day=election_day, lookup=lookup, today=TODAY)


def one(data: bytes, **kwargs: Any) -> RowResult:
    _, results = validate(data, **kwargs)
    assert len(results) == 1
    return results[0]


def msgs(res: RowResult, field: str | None = None) -> list[tuple[str, str, str]]:
    return [(m.field, m.level, m.text) for m in res.messages if field in (None, m.field)]


def file_error(data: bytes, **kwargs: int) -> ImportFileError:
    with pytest.raises(ImportFileError) as exc_info:
        read_rows(data, **kwargs)
    return exc_info.value


# --------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------


def test_public_constants() -> None:
    assert COLUMNS == (
        "姓名",
        "身份证号",
        "性别",
        "出生日期",
        "民族",
        "居民小组",
        "住址",
        "联系电话",
        "登记类别",
        "备注",
    )
    assert REQUIRED == ("姓名", "身份证号", "登记类别")
    assert CATEGORIES == {
        "户在人在": "resident",
        "户在人不在": "registered_absent",
        "人在户不在": "nonresident",
        "社区工作人员": "community_worker",
    }


# --------------------------------------------------------------------------------------
# Reading: header, order, aliases, extra columns, blank rows
# --------------------------------------------------------------------------------------


def test_full_row_is_read_and_normalised() -> None:
    data = xlsx(
        [
            list(COLUMNS),
            [
                "张三",
                A,
                "男",
                dt.date(1980, 5, 17),
                "汉",
                "第三居民小组",
                "开福区  某路 1号",
                "138 1234 5678",
                "户在人在",
                "无",
            ],
        ]
    )
    res = one(data)
    assert res.state == "new", res.messages
    assert res.messages == []
    assert res.values == {
        "姓名": "张三",
        "身份证号": A,
        "性别": "男",
        "出生日期": "1980-05-17",
        "民族": "汉族",
        "居民小组": "第三居民小组",
        "住址": "开福区 某路 1号",
        "联系电话": "13812345678",
        "登记类别": "resident",
        "备注": "无",
    }
    assert res.id_info is not None and res.id_info.number == A


def test_header_order_aliases_and_extra_columns() -> None:
    data = xlsx(
        [
            [" 登记类别 ", "备用", "身份证号码", "姓 名", "性　别", "＊联系电话（手机）", "楼栋"],
            ["社区工作人员", "x", B, "李四", "女", 13912345678, "3栋"],
        ]
    )
    parsed, (res,) = validate(data)
    assert parsed.columns == {"登记类别": 0, "身份证号": 2, "姓名": 3, "性别": 4, "联系电话": 5}
    assert parsed.extra_columns == ["备用", "楼栋"]
    assert parsed.header_row == 1
    assert res.state == "new", res.messages
    assert res.values["登记类别"] == "community_worker"
    assert res.values["联系电话"] == "13912345678"  # numeric cell read back as text
    assert res.values["出生日期"] == "1975-02-03"  # derived from the ID number


def test_blank_rows_are_skipped_and_counted_and_row_numbers_are_excel_rows() -> None:
    data = xlsx(
        [
            HEADER,
            ["张三", A, "户在人在"],
            [],
            ["   ", None, ""],  # whitespace only counts as blank
            ["李四", B, "户在人在"],
        ]
    )
    parsed, results = validate(data)
    assert parsed.blank_rows == 2
    assert [r.row_number for r in parsed.rows] == [2, 5]
    assert [r.row_number for r in results] == [2, 5]


def test_title_row_above_the_header_is_tolerated() -> None:
    data = xlsx([["新河社区选民登记表"], [], HEADER, ["张三", A, "户在人在"]])
    parsed, (res,) = validate(data)
    assert parsed.header_row == 3
    assert res.row_number == 4
    assert res.state == "new"


def test_data_starting_in_a_later_column() -> None:
    data = xlsx([[None, None, *HEADER], [None, None, "张三", A, "户在人在"]])
    parsed, (res,) = validate(data)
    assert parsed.columns == {"姓名": 2, "身份证号": 3, "登记类别": 4}
    assert res.state == "new"


def test_first_visible_sheet_is_read() -> None:
    def setup(ws: Worksheet) -> None:
        wb = ws.parent
        assert wb is not None
        hidden = wb.create_sheet("旧数据", 0)
        hidden.append(["something else"])
        hidden.sheet_state = "hidden"

    parsed = read_rows(xlsx([HEADER, ["张三", A, "户在人在"]], setup=setup))
    assert parsed.sheet_name == "选民"


# --------------------------------------------------------------------------------------
# File-level errors
# --------------------------------------------------------------------------------------


def test_empty_bytes() -> None:
    err = file_error(b"")
    assert err.code == "empty"
    assert "空" in err.message


def test_too_large() -> None:
    data = xlsx([HEADER, ["张三", A, "户在人在"]])
    err = file_error(data, max_bytes=len(data) - 1)
    assert err.code == "too_large"
    assert "文件太大" in err.message
    assert "MB" in err.message


def test_too_many_rows() -> None:
    data = xlsx([HEADER, ["张三", A, "户在人在"], ["李四", B, "户在人在"], ["王五", C, "户在人在"]])
    assert len(read_rows(data, max_rows=3).rows) == 3
    err = file_error(data, max_rows=2)
    assert err.code == "too_many_rows"
    assert "最多 2 行" in err.message


def _cfb(*stream_names: str) -> bytes:
    """A stand-in for an OLE2/CFB compound file: magic, padding, directory names."""
    body = b"".join(name.encode("utf-16-le") + b"\x00\x00" for name in stream_names)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + body + b"\x00" * 512


def test_encrypted_xlsx() -> None:
    err = file_error(_cfb("EncryptionInfo", "EncryptedPackage"))
    assert err.code == "encrypted"
    assert err.message == "文件已加密，请在 Excel 中取消密码后另存为 .xlsx 再上传"


def test_bare_cfb_magic_is_treated_as_encrypted() -> None:
    err = file_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert err.code == "encrypted"
    assert "已加密" in err.message


def test_old_xls() -> None:
    err = file_error(_cfb("Workbook", "\x05SummaryInformation"))
    assert err.code == "xls"
    assert ".xls" in err.message and "另存为" in err.message and ".xlsx" in err.message


def test_word_document_is_not_excel() -> None:
    err = file_error(_cfb("WordDocument"))
    assert err.code == "not_xlsx"


@pytest.mark.parametrize(
    "data",
    [
        "姓名,身份证号,登记类别\n张三,430105198005170011,户在人在\n".encode(),
        b"%PDF-1.7 ...",
        b"\x89PNG\r\n\x1a\n....",
    ],
)
def test_other_formats_are_not_xlsx(data: bytes) -> None:
    err = file_error(data)
    assert err.code == "not_xlsx"
    assert "另存为" in err.message


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return out.getvalue()


def test_zip_that_is_not_an_xlsx() -> None:
    err = file_error(_zip({"readme.txt": b"hello", "data.csv": b"a,b"}))
    assert err.code == "not_xlsx"
    assert "压缩包" in err.message


def test_ods_and_xlsb_are_named() -> None:
    ods = file_error(_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                           "content.xml": b"<x/>"}))  # fmt: skip
    assert ods.code == "not_xlsx" and ".ods" in ods.message
    xlsb = file_error(_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.bin": b"\x00"}))
    assert xlsb.code == "not_xlsx" and ".xlsb" in xlsb.message


def test_damaged_zip() -> None:
    data = xlsx([HEADER, ["张三", A, "户在人在"]])
    err = file_error(data[: len(data) // 2])
    assert err.code == "corrupt"
    assert "损坏" in err.message


def test_xlsx_with_broken_workbook_part() -> None:
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not xml"})
    err = file_error(data)
    assert err.code in ("corrupt", "empty")


def test_zip_bomb_guard() -> None:
    data = _zip({"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b" " * 5_000_000})
    err = file_error(data, max_unpacked_bytes=1_000_000)
    assert err.code == "too_large"
    assert "解压后" in err.message


def test_empty_workbook() -> None:
    err = file_error(xlsx([]))
    assert err.code == "empty"
    assert "工作表是空的" in err.message


def test_header_only() -> None:
    err = file_error(xlsx([list(COLUMNS), [], []]))
    assert err.code == "no_data"
    assert "第1行是表头" in err.message
    assert "没有任何数据行" in err.message


def test_no_header_row() -> None:
    err = file_error(xlsx([["张三", A, "户在人在"], ["李四", B, "户在人在"]]))
    assert err.code == "no_header"
    assert "没有找到表头行" in err.message
    for col in REQUIRED:
        assert f"“{col}”" in err.message


def test_header_missing_some_required_columns_names_them() -> None:
    err = file_error(xlsx([["姓名", "性别", "住址"], ["张三", "男", "某路"]]))
    assert err.code == "missing_columns"
    assert err.message.startswith("表头（第1行）缺少必填列：“身份证号”、“登记类别”")
    assert "“姓名”" not in err.message


def test_missing_columns_are_reported_for_the_header_below_a_title() -> None:
    err = file_error(
        xlsx([["新河社区选民登记表"], ["姓名", "身份证号", "住址"], ["张三", A, "某路"]])
    )
    assert err.code == "missing_columns"
    assert err.message.startswith("表头（第2行）缺少必填列：“登记类别”")


def test_duplicate_column() -> None:
    err = file_error(
        xlsx([["姓名", "身份证号", "登记类别", "身份证号码"], ["张三", A, "户在人在", B]])
    )
    assert err.code == "duplicate_column"
    assert "“身份证号”出现了两次" in err.message
    assert "第B列和第D列" in err.message


def test_too_many_columns() -> None:
    def setup(ws: Worksheet) -> None:
        ws.cell(row=2, column=300, value="stray")

    err = file_error(xlsx([HEADER, ["张三", A, "户在人在"]], setup=setup))
    assert err.code == "too_many_columns"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
    body=st.binary(max_size=2000),
)
def test_garbage_never_crashes(prefix: bytes, body: bytes) -> None:
    try:
        read_rows(prefix + body)
    except ImportFileError as exc:
        assert exc.message
        assert re.search(r"[\u4e00-\u9fff]", exc.message)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=1, max_value=10_000), flip=st.integers(min_value=0))
def test_damaged_xlsx_never_crashes(cut: int, flip: int) -> None:
    data = bytearray(xlsx([HEADER, ["张三", A, "户在人在"]]))
    data = data[: max(8, len(data) - cut % len(data))]
    pos = flip % len(data)
    data[pos] ^= 0xFF
    try:
        read_rows(bytes(data))
    except ImportFileError as exc:
        assert exc.message


# --------------------------------------------------------------------------------------
# Cell-level problems
# --------------------------------------------------------------------------------------

ID_AS_NUMBER = (
    "身份证号被 Excel 存成了数字，末几位已经丢失。请把该列设置为“文本”格式后重新输入这些号码"
)


def test_id_stored_as_number() -> None:
    data = xlsx([HEADER, ["张三", A, "户在人在"], ["李四", int(B[:17] + "0"), "户在人在"]])
    _, (ok, bad) = validate(data)
    assert ok.state == "new"
    assert bad.row_number == 3
    assert bad.state == "error"
    assert msgs(bad) == [("身份证号", "error", ID_AS_NUMBER)]


def test_id_as_scientific_text() -> None:
    res = one(xlsx([HEADER, ["张三", "4.30105E+17", "户在人在"]]))
    assert msgs(res) == [("身份证号", "error", ID_AS_NUMBER)]


def test_id_as_date_cell() -> None:
    res = one(xlsx([HEADER, ["张三", dt.date(2020, 1, 1), "户在人在"]]))
    assert res.state == "error"
    assert "日期" in msgs(res, "身份证号")[0][2]


def test_id_with_leading_apostrophe_text() -> None:
    assert one(xlsx([HEADER, ["张三", "'" + A, "户在人在"]])).state == "new"


def test_bad_checksum() -> None:
    bad = A[:17] + ("0" if A[17] != "0" else "1")
    res = one(xlsx([HEADER, ["张三", bad, "户在人在"]]))
    assert msgs(res) == [("身份证号", "error", "身份证号校验位不正确，请核对号码是否抄错")]


def test_old_15_digit_id() -> None:
    res = one(xlsx([HEADER, ["张三", "430105800517001", "户在人在"]]))
    assert res.state == "error"
    assert "18位" in msgs(res, "身份证号")[0][2]


def test_formula_typed_as_text() -> None:
    data = xlsx([[*HEADER, "住址"], ["=B1", A, "户在人在", "=HYPERLINK(1)"]], text_columns=(1, 4))
    res = one(data)
    assert res.state == "error"
    fields = {m.field for m in res.errors}
    assert fields == {"姓名", "住址"}
    assert all("=" in m.text and "公式" in m.text for m in res.errors)
    # The formula-looking name is not also reported as empty.
    assert not any("必填" in m.text for m in res.messages)


def test_real_formula_without_cached_value() -> None:
    # openpyxl writes formulas without a computed value: calamine sees an empty cell.
    data = xlsx([[*HEADER, "住址"], ["张三", A, "户在人在", '=CONCAT("a","b")']])
    parsed, (res,) = validate(data)
    assert parsed.rows[0].formula_fields == frozenset({"住址"})
    assert res.state == "error"
    assert msgs(res) == [("住址", "error", xi._MSG_FORMULA_NO_VALUE)]


def _with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells a cached string result, as Excel would when saving."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for ref, value in values.items():
                    text, n = re.subn(
                        rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>',
                        rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v>',
                        text,
                    )
                    assert n == 1, ref
                content = text.encode()
            dst.writestr(item, content)
    return out.getvalue()


def test_real_formula_with_cached_value_is_a_warning() -> None:
    data = _with_cached_values(
        xlsx([[*HEADER, "住址"], ["张三", A, "户在人在", '=CONCAT("某路","1号")']]),
        {"D2": "某路1号"},
    )
    _, (res,) = validate(data)
    assert res.values["住址"] == "某路1号"
    assert res.state == "warning"
    assert msgs(res) == [("住址", "warning", xi._MSG_FORMULA_VALUE)]


def test_birth_date_cell_and_text_formats() -> None:
    born = dt.date(1980, 5, 17)
    accepted = [
        born,
        dt.datetime(1980, 5, 17),
        "1980-05-17",
        "1980-5-17",
        "1980/5/17",
        "1980年5月17日",
        "1980年05月17日",
        "19800517",
        19800517,
        "１９８０－０５－１７",
        "1980-05-17 00:00:00",
    ]
    rows: list[list[Any]] = [[*HEADER, "出生日期"]]
    rows += [[f"人{i}", A if i == 0 else new_id(born, seed=100 + i), "户在人在", v]
             for i, v in enumerate(accepted)]  # fmt: skip
    _, results = validate(xlsx(rows))
    for value, res in zip(accepted, results, strict=True):
        assert res.state == "new", (value, res.messages)
        assert res.values["出生日期"] == "1980-05-17"


@pytest.mark.parametrize("text", ["1980.13.01", "八〇年五月", "17/05/1980", "1980-02-30", "abc"])
def test_unreadable_birth_date_text(text: str) -> None:
    res = one(xlsx([[*HEADER, "出生日期"], ["张三", A, "户在人在", text]]))
    assert res.state == "error"
    ((field, level, message),) = msgs(res)
    assert (field, level) == ("出生日期", "error")
    assert f"“{text}”无法识别" in message


def test_birth_date_not_matching_the_id() -> None:
    res = one(xlsx([[*HEADER, "出生日期"], ["张三", A, "户在人在", "1980-05-18"]]))
    assert msgs(res) == [
        ("出生日期", "error", "出生日期 1980年5月18日 与身份证号中的 1980年5月17日 不一致")
    ]


def test_gender_not_matching_the_id() -> None:
    res = one(xlsx([[*HEADER, "性别"], ["张三", A, "户在人在", "女"]]))
    assert msgs(res) == [("性别", "error", "性别“女”与身份证号不一致（按身份证号应为“男”）")]


def test_invalid_gender_text() -> None:
    res = one(xlsx([[*HEADER, "性别"], ["张三", A, "户在人在", "M"]]))
    assert msgs(res) == [("性别", "error", "性别“M”无效，只能填写“男”或“女”")]


def test_gender_long_form_accepted() -> None:
    assert one(xlsx([[*HEADER, "性别"], ["张三", A, "户在人在", "男性"]])).state == "new"


# --------------------------------------------------------------------------------------
# Age on election day (G5)
# --------------------------------------------------------------------------------------


def _age_case(birth: dt.date, election_day: dt.date) -> RowResult:
    return one(xlsx([HEADER, ["张三", new_id(birth), "户在人在"]]), election_day=election_day)


def test_turns_18_on_election_day_is_eligible() -> None:
    assert _age_case(dt.date(2008, 3, 1), dt.date(2026, 3, 1)).state == "new"


def test_turns_18_the_day_after_is_not() -> None:
    res = _age_case(dt.date(2008, 3, 2), dt.date(2026, 3, 1))
    assert msgs(res) == [
        ("身份证号", "error", "选举日（2026年3月1日）未满18周岁，不能登记（规则 G5）")
    ]


def test_born_29_february_turns_18_on_28_february() -> None:
    born = dt.date(2008, 2, 29)
    assert _age_case(born, dt.date(2026, 2, 28)).state == "new"
    res = _age_case(born, dt.date(2026, 2, 27))
    assert msgs(res) == [
        ("身份证号", "error", "选举日（2026年2月27日）未满18周岁，不能登记（规则 G5）")
    ]
    # In a leap year the birthday itself exists.
    assert not eligible_on(dt.date(2006, 2, 28), dt.date(2024, 2, 27))
    assert eligible_on(dt.date(2004, 2, 29), dt.date(2022, 2, 28))
    assert not eligible_on(dt.date(2004, 2, 29), dt.date(2022, 2, 27))
    assert eligible_on(dt.date(2000, 2, 29), dt.date(2018, 2, 28))


def test_implausibly_old_is_a_warning() -> None:
    res = _age_case(dt.date(1901, 1, 1), ELECTION_DAY)
    assert res.state == "warning"
    assert msgs(res)[0][:2] == ("身份证号", "warning")


# --------------------------------------------------------------------------------------
# Categories, required cells, region warning, other fields
# --------------------------------------------------------------------------------------


def test_unknown_category_lists_the_four() -> None:
    res = one(xlsx([HEADER, ["张三", A, "流动人口"]]))
    assert msgs(res) == [
        (
            "登记类别",
            "error",
            "登记类别“流动人口”无效，只能填写：户在人在、户在人不在、人在户不在、社区工作人员",
        )
    ]


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("户在人在", "resident"),
        (" 户在人不在 ", "registered_absent"),
        ("人在户不在", "nonresident"),
        ("社区工作人员", "community_worker"),
        ("社区工作者", "community_worker"),
        ("户 在 人 在", "resident"),
    ],
)
def test_categories(label: str, code: str) -> None:
    res = one(xlsx([HEADER, ["张三", A, label]]))
    assert res.state == "new", res.messages
    assert res.values["登记类别"] == code


def test_empty_required_cells() -> None:
    data = xlsx(
        [
            [*HEADER, "住址"],
            [None, A, "户在人在", "某路"],
            ["李四", None, "户在人在", "某路"],
            ["王五", C, "  ", "某路"],
        ]
    )
    _, (r2, r3, r4) = validate(data)
    assert msgs(r2) == [("姓名", "error", "请填写姓名")]
    assert msgs(r3) == [("身份证号", "error", "请填写身份证号")]
    assert msgs(r4) == [("登记类别", "error", "请填写登记类别")]


def test_unknown_region_is_a_warning_row() -> None:
    number = with_check_digit("43019919800517001")
    res = one(xlsx([HEADER, ["张三", number, "户在人在"]]))
    assert res.state == "warning"
    assert res.committable
    assert msgs(res) == [
        (
            "身份证号",
            "warning",
            "地区码 430199 不在国家行政区划代码表中（可能已撤并或更名），请人工核对",
        )
    ]


def test_name_spaces_between_chinese_characters_are_removed() -> None:
    data = xlsx([HEADER, ["张  三", A, "户在人在"], ["Anna  Li", B, "户在人在"]])
    _, (r1, r2) = validate(data)
    assert r1.values["姓名"] == "张三"
    assert r2.values["姓名"] == "Anna Li"


def test_unrecognised_phone_is_an_error_without_the_number() -> None:
    # Deliberate change: the shared phone check refuses it, as the forms do.
    res = one(xlsx([[*HEADER, "联系电话"], ["张三", A, "户在人在", "12345678901234"]]))
    assert res.state == "error"
    ((field, level, text),) = msgs(res)
    assert (field, level) == ("联系电话", "error")
    assert "12345678901234" not in text
    assert text == MSG_PHONE


def test_landline_accepted() -> None:
    res = one(xlsx([[*HEADER, "联系电话"], ["张三", A, "户在人在", "0731-84561234"]]))
    assert res.state == "new"
    assert res.values["联系电话"] == "0731-84561234"


def test_unknown_ethnic_group_is_a_warning() -> None:
    res = one(xlsx([[*HEADER, "民族"], ["张三", A, "户在人在", "火星族"]]))
    assert res.state == "warning"
    assert msgs(res)[0][0] == "民族"


# --------------------------------------------------------------------------------------
# Duplicates and existing registrations
# --------------------------------------------------------------------------------------


def test_duplicates_inside_the_file() -> None:
    data = xlsx(
        [
            HEADER,
            ["张三", A, "户在人在"],
            ["李四", B, "户在人在"],
            ["张三", A.lower(), "户在人在"],
            ["张三", " " + A, "户在人在"],
        ]
    )
    _, (r2, r3, r4, r5) = validate(data)
    assert r2.state == r3.state == "new"
    for res in (r4, r5):
        assert msgs(res) == [("身份证号", "error", "与第2行的身份证号重复，同一人只能登记一次")]


def test_lookup_is_called_once_with_distinct_valid_numbers() -> None:
    calls: list[list[str]] = []

    def lookup(ids: list[str]) -> dict[str, ExistingRecord]:
        calls.append(ids)
        return {}

    data = xlsx(
        [
            HEADER,
            ["张三", A, "户在人在"],
            ["李四", B, "户在人在"],
            ["张三", A, "户在人在"],
            ["坏号", "123", "户在人在"],
            ["小孩", new_id(dt.date(2015, 1, 1)), "户在人在"],
        ]
    )
    validate(data, lookup=lookup)
    assert len(calls) == 1
    assert calls[0][:2] == [A, B]
    assert len(calls[0]) == 3  # the under-age number is valid, so it is looked up too


def test_registered_in_another_community() -> None:
    def lookup(ids: list[str]) -> dict[str, ExistingRecord]:
        return {
            A: ExistingRecord("XH02", "新河B", same_community=False),
            B: ExistingRecord("XH03", "清水塘社区", same_community=False),
        }

    data = xlsx([HEADER, ["张三", A, "户在人在"], ["李四", B, "户在人在"]])
    _, (r2, r3) = validate(data, lookup=lookup)
    assert msgs(r2) == [("身份证号", "error", "已在新河B社区（XH02）登记，同一届选举只能登记一处")]
    assert msgs(r3) == [("身份证号", "error", "已在清水塘社区（XH03）登记，同一届选举只能登记一处")]


def test_same_community_update_and_unchanged() -> None:
    existing_a = {
        "姓名": "张三",
        "性别": "男",
        "出生日期": "1980-05-17",
        "住址": "旧地址",
        "联系电话": "13800000000",
        "登记类别": "resident",
    }
    existing_b = {
        "姓名": "李四",
        "性别": "女",
        "出生日期": "1975-02-03",
        "住址": "某路2号",
        "联系电话": "",
        "登记类别": "registered_absent",
    }

    def lookup(ids: list[str]) -> dict[str, ExistingRecord]:
        return {
            A: ExistingRecord("XH01", "新河A社区", True, existing_a),
            B: ExistingRecord("XH01", "新河A社区", True, existing_b),
        }

    data = xlsx(
        [
            [*HEADER, "住址", "联系电话"],
            ["张三", A, "户在人在", "新地址", "13800000000"],
            ["李四", B, "户在人不在", "某路2号", None],  # blank phone does not clear
            ["王五", C, "户在人在", "某路3号", None],
        ]
    )
    _, (r2, r3, r4) = validate(data, lookup=lookup)
    assert r2.state == "update"
    assert r2.changes == {"住址": ("旧地址", "新地址")}
    assert r2.existing is not None and r2.existing.community_code == "XH01"
    assert r3.state == "unchanged"
    assert r3.changes == {}
    assert r4.state == "new"
    assert r4.existing is None


def test_warning_row_keeps_update_information() -> None:
    number = with_check_digit("43019919800517001")

    def lookup(ids: list[str]) -> dict[str, ExistingRecord]:
        return {number: ExistingRecord("XH01", "新河A", True, {"姓名": "旧名"})}

    res = one(xlsx([HEADER, ["张三", number, "户在人在"]]), lookup=lookup)
    assert res.state == "warning"
    assert res.changes["姓名"] == ("旧名", "张三")


# --------------------------------------------------------------------------------------
# Error report
# --------------------------------------------------------------------------------------


def _load(data: bytes) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    return [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]


D = new_id(dt.date(1988, 8, 8), "女", seed=4)
PHONE = "13912345678"


def _report_fixture() -> tuple[ParsedFile, list[RowResult], bytes]:
    data = xlsx(
        [
            ["新河社区选民登记表"],
            ["备用", *HEADER, "住址", "联系电话"],
            ["x", "张三", A, "户在人在", "=1+2", PHONE],
            [],
            ["y", "李四", int(B[:17] + "0"), "户在人在", "+86 something", "0731-84561234"],
            ["z", "王五", C, "外星人", "-5"],
            ["w", "赵六", A, "户在人在", "@SUM(A1)"],
            ["v", "=1+1", D, "户在人在", "某路1号", "13800001111"],
            ["u", "孙七", new_id(dt.date(1990, 1, 2), seed=5), "户在人在", "某路2号"],
        ],
        text_columns=(2, 5, 6),
    )
    parsed, results = validate(data)
    return parsed, results, write_error_report(parsed, results)


def test_error_report_keeps_only_problem_rows_with_their_row_numbers() -> None:
    _, results, report = _report_fixture()
    rows = _load(report)
    assert rows[0] == (
        ROW_NUMBER_COLUMN,
        "备用",
        "姓名",
        "身份证号",
        "登记类别",
        "住址",
        "联系电话",
        ERROR_COLUMN,
    )
    clean = [r.row_number for r in results if not r.messages]
    assert clean == [9]  # 孙七 has nothing to fix, so the report leaves the row out
    by_name = {row[2]: row for row in rows[1:]}
    assert [row[0] for row in rows[1:]] == [3, 5, 6, 7, 8]
    assert "公式" in by_name["张三"][7]
    assert by_name["李四"][7] == ID_AS_NUMBER
    assert "登记类别“外星人”无效" in by_name["王五"][7]
    assert "与第3行的身份证号重复" in by_name["赵六"][7]
    assert "孙七" not in by_name


def test_error_report_never_repeats_a_whole_id_or_phone_number() -> None:
    _, _, report = _report_fixture()
    rows = _load(report)
    by_name = {row[2]: row for row in rows[1:]}
    assert by_name["张三"][3] == mask_id_number(A)
    assert by_name["张三"][6] == "139****5678"
    assert by_name["李四"][6] == "********1234"
    # The ID Excel stored as a number is masked as Excel showed it.
    assert by_name["李四"][3] == mask_id_number(str(round(int(B[:17] + "0"), -3)))
    with zipfile.ZipFile(io.BytesIO(report)) as zf:
        xml = b"".join(zf.read(name) for name in zf.namelist())
    for number in (A, B[:14], C, D, PHONE, "84561234", "13800001111"):
        assert number.encode() not in xml, number


def test_error_report_messages_are_joined_with_field_names() -> None:
    data = xlsx([[*HEADER, "性别"], [None, A, "户在人在", "女"]])
    parsed, results = validate(data)
    rows = _load(write_error_report(parsed, results))
    assert rows[1][0] == 2
    assert rows[1][5] == "姓名：请填写姓名；性别“女”与身份证号不一致（按身份证号应为“男”）"


def test_error_report_never_contains_formulas() -> None:
    _, _, report = _report_fixture()
    wb = openpyxl.load_workbook(io.BytesIO(report))
    ws = wb.worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    risky = {c.value: c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"}
    assert set(risky) >= {"=1+2", "+86 something", "-5", "@SUM(A1)", "=1+1"}
    for cell in risky.values():
        assert cell.data_type == "s"
        assert cell.quotePrefix
    # And in the raw XML: no <f> element at all.
    with zipfile.ZipFile(io.BytesIO(report)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet


def test_error_report_id_column_is_text_and_rows_are_highlighted() -> None:
    _, _, report = _report_fixture()
    wb = openpyxl.load_workbook(io.BytesIO(report))
    ws = wb.worksheets[0]
    assert ws.column_dimensions["D"].number_format == "@"  # 身份证号
    assert ws.column_dimensions["G"].number_format == "@"  # 联系电话
    assert ws.cell(row=2, column=8).fill.fgColor.rgb.endswith("FFC7CE")  # an error row
    assert ws.cell(row=2, column=8).font.color.rgb.endswith("9C0006")
    assert ws.cell(row=1, column=1).font.bold
    assert ws.freeze_panes == "A2"


def test_error_report_shades_rows_with_only_warnings_yellow() -> None:
    number = with_check_digit("43019919800517001")

    def lookup(ids: list[str]) -> dict[str, ExistingRecord]:
        return {number: ExistingRecord("XH01", "新河A", True, {"姓名": "旧名"})}

    data = xlsx([HEADER, ["张三", number, "户在人在"], ["李四", B, "户在人在"]])
    parsed, results = validate(data, lookup=lookup)
    wb = openpyxl.load_workbook(io.BytesIO(write_error_report(parsed, results)))
    ws = wb.worksheets[0]
    assert ws.max_row == 2  # the header and the one warning
    assert ws.cell(row=2, column=1).value == 2
    assert ws.cell(row=2, column=2).fill.fgColor.rgb.endswith("FFEB9C")


def test_error_report_strips_illegal_characters_and_keeps_dates() -> None:
    data = xlsx([[*HEADER, "出生日期", "备注"], [None, A, "户在人在", dt.date(1980, 5, 17), "a"]])
    parsed, results = validate(data)
    # Simulate a control character that calamine can return from pasted text.
    parsed.sheet_rows[1][4] = "a\x0bb"
    rows = _load(write_error_report(parsed, results))
    assert rows[1][4] == dt.datetime(1980, 5, 17)
    assert rows[1][5] == "ab"


# --------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------


def test_template_layout() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(write_template()))
    assert wb.sheetnames == ["选民登记", "填写说明"]
    ws = wb["选民登记"]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].number_format == "@"  # 身份证号
    assert ws.column_dimensions["H"].number_format == "@"  # 联系电话
    validations = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    category = validations["I2"]
    assert category.type == "list"
    assert category.formula1 == '"户在人在,户在人不在,人在户不在,社区工作人员"'
    notes = wb["填写说明"]
    text = "\n".join(str(c.value) for c in notes["A"] if c.value)
    assert "必填列：姓名、身份证号、登记类别" in text
    assert "文本" in text


def test_template_reads_back_as_header_without_data() -> None:
    err = file_error(write_template())
    assert err.code == "no_data"


def test_filled_template_imports() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(write_template()))
    ws = wb["选民登记"]
    ws.append(["张三", A, "男", None, "汉族", "一组", "某路1号", "13812345678", "户在人在", None])
    ws.append(["李四", B, None, None, None, None, None, None, "人在户不在", None])
    out = io.BytesIO()
    wb.save(out)
    parsed, results = validate(out.getvalue())
    assert parsed.extra_columns == []
    assert [r.state for r in results] == ["new", "new"]


# --------------------------------------------------------------------------------------
# Helper
# --------------------------------------------------------------------------------------


def test_generate_valid_id() -> None:
    rng = random.Random(1)
    for gender in ("男", "女"):
        number = generate_valid_id(rng, birth_date=dt.date(1990, 1, 1), gender=gender)
        assert len(number) == 18
        assert number[6:14] == "19900101"
        assert int(number[16]) % 2 == (1 if gender == "男" else 0)
        assert with_check_digit(number[:17]) == number
    with pytest.raises(ValueError, match="gender"):
        generate_valid_id(rng, birth_date=dt.date(1990, 1, 1), gender="X")


def test_field_message_is_hashable_value() -> None:
    assert FieldMessage("姓名", "error", "x") == FieldMessage("姓名", "error", "x")
    assert len({FieldMessage("姓名", "error", "x"), FieldMessage("姓名", "error", "x")}) == 1


def test_five_thousand_clean_rows_are_all_new() -> None:
    """A larger file: every row read and judged (speed is measured in bench/, not here)."""
    rng = random.Random(5)
    rows: list[list[Any]] = [list(COLUMNS)]
    for i in range(5000):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
        gender = rng.choice("男女")
        rows.append(
            [f"人{i}", generate_valid_id(rng, birth_date=birth, gender=gender), gender,
             birth.isoformat(), "汉族", "一组", f"某路{i}号", f"139{i:08d}", "户在人在", ""]
        )  # fmt: skip
    _, results = validate(xlsx(rows))
    assert len(results) == 5000
    assert {r.state for r in results} == {"new"}
    assert [r.row_number for r in results] == list(range(2, 5002))
