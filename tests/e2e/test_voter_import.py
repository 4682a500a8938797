"""A committee member builds the roll in the browser: download the template, upload a
file with mistakes, read every mistake by row, download the error report, upload the
fixed file and commit. A member of XH02 sees none of it; the street officer sees the
roll and the street-wide counts."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest

from tests.e2e.conftest import CHROMIUM, login, shoot

if TYPE_CHECKING:
    from playwright.sync_api import Page

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Debian's chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def fill_template(template: bytes, rows: list[list[Any]]) -> bytes:
    """Fill the downloaded template as a committee member would."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for index, row in enumerate(rows, start=2):
        for column, value in row_values(header, row).items():
            sheet.cell(row=index, column=header.index(column) + 1, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row_values(header: list[Any], row: list[Any]) -> dict[str, Any]:
    name, number, category, group = row
    return {"姓名": name, "身份证号": number, "登记类别": category, "居民小组": group}


def test_member_imports_a_roll_and_fixes_its_mistakes(
    page: Page, tmp_path: Path, screenshots: Path
) -> None:
    from tests.idgen import generate_valid_id

    rng = random.Random(5)
    good = [
        generate_valid_id(rng, birth_date=dt.date(1960 + i, 3, 1 + i), gender="男")
        for i in range(3)
    ]
    too_young = generate_valid_id(rng, birth_date=dt.date(2015, 1, 1), gender="女")
    login(page, "xh01_member")
    page.goto("/c/XH01/")
    page.click("text=导入选民登记表")
    with page.expect_download() as download_info:
        page.click("text=下载模板（.xlsx）")
    template = Path(download_info.value.path()).read_bytes()

    broken = tmp_path / "名册-有错.xlsx"
    broken.write_bytes(
        fill_template(
            template,
            [
                ["张一", good[0], "户在人在", "第一居民小组"],
                [
                    "李二",
                    good[1][:-1] + ("1" if good[1][-1] != "1" else "2"),
                    "户在人在",
                    "第一居民小组",
                ],
                ["王三", good[2], "外地人", "第二居民小组"],
                ["赵小", too_young, "户在人在", "第二居民小组"],
            ],
        )
    )
    page.set_input_files("input[type=file]", str(broken))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=逐行结果")
    body = page.inner_text("main")
    assert "错误 3" in body.replace("\n", " ")
    assert "身份证号校验位不正确" in body
    assert "登记类别“外地人”无效" in body
    assert "未满18周岁" in body
    assert "确认导入" not in body  # nothing can be imported while errors remain
    shoot(page, screenshots, "import-preview-with-errors")

    with page.expect_download() as report_info:
        page.click("text=下载错误报告（.xlsx）")
    report_bytes = Path(report_info.value.path()).read_bytes()
    report = openpyxl.load_workbook(io.BytesIO(report_bytes)).worksheets[0]
    assert report.cell(row=1, column=report.max_column).value == "错误说明"

    fixed = tmp_path / "名册-已改.xlsx"
    fixed.write_bytes(
        fill_template(
            template,
            [
                ["张一", good[0], "户在人在", "第一居民小组"],
                ["李二", good[1], "户在人在", "第一居民小组"],
                ["王三", good[2], "户在人不在", "第二居民小组"],
            ],
        )
    )
    page.get_by_role("link", name="重新上传", exact=True).click()
    page.set_input_files("input[type=file]", str(fixed))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=确认导入（新增 3，更新 0）")
    shoot(page, screenshots, "import-preview-clean")
    page.click("text=确认导入（新增 3，更新 0）")
    page.wait_for_selector("text=已导入")

    page.goto("/c/XH01/voters/")
    roll = page.inner_text("main")
    assert "张一" in roll and "李二" in roll and "王三" in roll
    for number in good:
        assert number not in roll  # masked everywhere in the list
    shoot(page, screenshots, "roll-after-import")


def test_member_of_xh02_cannot_reach_xh01_roll_or_import(page: Page, screenshots: Path) -> None:
    login(page, "xh02_member")
    for path in (
        "/c/XH01/voters/",
        "/c/XH01/voters/import/",
        "/c/XH01/voters/import/template.xlsx",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 404, path


def test_officer_sees_street_wide_counts(page: Page, screenshots: Path) -> None:
    login(page, "officer")
    page.goto("/voters/")
    text = page.inner_text("main")
    assert "新河社区" in text and "三角塘社区" in text and "街道合计" in text
    shoot(page, screenshots, "street-voters")
