"""Long lists (issue 10 item 8): a notice with more than `LONG_LIST_ROWS` table rows is
pre-paginated, rendered in chunks in parallel processes and merged. The merged PDF must
read like the single document: the head on page 1, "第 x 页 共 y 页" on every page with
the right numbers, the table header and the group "（续）" as the running head of every continuation
page, every name once and in order, the foot and the legal basis on the last page."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from elections.notices import longlist
from elections.notices.registry import NoticeData
from elections.notices.rendering import render_pdf

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFFONTS = shutil.which("pdffonts") or "/usr/bin/pdffonts"
GROUPS = ["第一居民小组", "第二居民小组", "第三居民小组"]
ROWS = 1500
ROW_LINE = re.compile(r"^\s*\d+\s+\S+\s+[男女]\s*$", re.M)
BASIS = "选民名单应当在选举日的二十日前公布（RULES.md R12、R13）"


def _name(i: int) -> str:
    # Distinct, and no digit runs that pdftotext could join with a neighbour's number.
    surnames, given = "王李张刘陈杨黄赵吴周", "伟芳娜秀英敏静丽强磊"
    return surnames[i % 10] + given[(i // 10) % 10] + given[(i // 100) % 10] + "甲乙丙"[i // 1000]


def long_context(rows: int = ROWS, groups: list[str] = GROUPS) -> dict[str, Any]:
    tables = []
    per = -(-rows // len(groups))
    n = 0
    for g in groups:
        block: list[list[str]] = []
        while len(block) < per and n < rows:
            block.append([str(n + 1), _name(n), "男" if n % 2 else "女"])
            n += 1
        tables.append((f"{g}（{len(block)}人）", ["序号", "姓名", "性别"], block))
    data = NoticeData(
        body=[f"经登记，测试社区本届居民委员会选举的选民共{rows}人，名单按居民小组公布如下。"],
        tables=tables,
        footnotes=["对选民名单有不同意见的，可以自本公告公布之日起5日内向居民选举委员会提出申诉。"],
    )
    return {
        "heading": "选民名单公告",
        "issuer": "测试社区居民选举委员会",
        "number_label": "选举公告 第1号",
        "issued_on": dt.date(2026, 12, 2),
        "legal_basis": BASIS,
        "posting_days": 5,
        "data": data,
        "replaces": None,
        "correction_reason": "",
    }


def page_texts(path: Path, pages: int) -> list[str]:
    """Each page's text (pdftotext -f/-l), whitespace kept as line breaks."""
    out = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    texts = out.split("\f")
    if texts and not texts[-1].strip():
        texts.pop()
    assert len(texts) == pages
    return texts


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, dict[str, Any]]:
    context = long_context()
    pdf, pages = render_pdf("notices/notice.html", context)
    path = tmp_path_factory.mktemp("longlist") / "n3.pdf"
    path.write_bytes(pdf)
    return path, pages, context


def test_a_long_list_goes_the_chunked_way_and_a_short_one_does_not() -> None:
    assert longlist.is_long("notices/notice.html", long_context())
    assert not longlist.is_long("notices/notice.html", long_context(longlist.LONG_LIST_ROWS))
    assert not longlist.is_long("notices/other.html", long_context())
    pages = longlist.paginate(long_context())
    parts = longlist.chunks(pages)
    assert len(parts) >= 2 and [p for part in parts for p in part] == pages
    assert all(len(part) <= longlist.CHUNK_PAGES for part in parts)


def test_the_page_count_and_every_footer(rendered: tuple[Path, int, dict[str, Any]]) -> None:
    path, pages, context = rendered
    laid_out = longlist.paginate(context)
    assert pages == len(laid_out)
    # About 25 rows on a sheet: neither crammed nor half empty.
    assert ROWS / 27 < pages < ROWS / 20
    info = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        ["/usr/bin/pdfinfo", str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert re.search(rf"^Pages:\s+{pages}$", info, re.M)
    for i, text in enumerate(page_texts(path, pages), start=1):
        footers = re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", text)
        assert footers == [(str(i), str(pages))], f"page {i}: {footers}"


def test_head_on_the_first_page_header_and_caption_on_every_continuation(
    rendered: tuple[Path, int, dict[str, Any]],
) -> None:
    path, pages, _context = rendered
    texts = page_texts(path, pages)
    assert "测试社区居民选举委员会" in texts[0] and "选民名单公告" in texts[0]
    assert "（选举公告 第1号）" in texts[0]
    for i, text in enumerate(texts[1:], start=2):
        assert "选民名单公告" not in text, f"page {i}"
        if i == pages and not ROW_LINE.search(text):
            continue  # the foot alone on the last sheet
        lines = [line.split() for line in text.splitlines() if line.strip()]
        assert lines[0][0].startswith(tuple(GROUPS)), f"page {i}: {lines[0]}"
        assert lines[1] == ["序号", "姓名", "性别"], f"page {i}: {lines[:2]}"
    last = re.sub(r"\s+", "", texts[-1])
    assert "2026年12月2日" in last and "依据：" + BASIS.replace(" ", "") in last
    assert "本公告张贴不少于5日" in last and "提出申诉" in last
    for text in texts[:-1]:
        assert "依据：" not in text


def test_every_name_once_in_order_and_no_id_numbers(
    rendered: tuple[Path, int, dict[str, Any]],
) -> None:
    path, pages, context = rendered
    texts = page_texts(path, pages)
    rows = [line.split() for text in texts for line in text.splitlines() if ROW_LINE.match(line)]
    assert [r[1] for r in rows] == [_name(i) for i in range(ROWS)]
    assert [r[0] for r in rows] == [str(i + 1) for i in range(ROWS)]
    assert not re.search(r"\d{15,18}", "".join(texts))
    # Each caption heads its own group's rows; "（续）" exactly when the group's rows
    # began on an earlier sheet.
    per = -(-ROWS // len(GROUPS))
    current, last_number, captions = None, 0, 0
    for text in texts:
        for line in text.splitlines():
            words = line.split()
            if words and words[0].startswith(tuple(GROUPS)):
                captions += 1
                current = GROUPS.index(words[0][:6])
                continued = words[0].endswith("（续）")
                assert continued == (last_number > current * per), words[0]
            elif len(words) == 3 and words[0].isdigit():
                last_number = int(words[0])
                assert current == (last_number - 1) // per, line
    assert captions == sum(len(p.blocks) for p in longlist.paginate(context))
    assert captions >= pages - 1  # every sheet with rows opens with a caption


def test_the_shipped_chinese_fonts_are_embedded(
    rendered: tuple[Path, int, dict[str, Any]],
) -> None:
    path, _pages, _context = rendered
    fonts = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [PDFFONTS, str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Huanjie-Serif" in fonts and "Huanjie-Sans" in fonts


def test_a_chunk_that_overflows_its_sheets_is_laid_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The height model errs: a chunk with more sheets than laid out makes the whole
    notice be laid out again with less on each sheet, so the numbers stay right."""
    real = longlist.paginate
    scales: list[float] = []

    def crammed(context: dict[str, Any], *, scale: float = 1.0) -> list[longlist.Page]:
        scales.append(scale)
        return real(context, scale=scale * (1.3 if scale == 1.0 else 1.0))

    monkeypatch.setattr(longlist, "paginate", crammed)
    monkeypatch.setattr(longlist, "MAX_WORKERS", 1)  # in-process: the patch applies
    _pdf, pages = render_pdf("notices/notice.html", long_context(600, GROUPS[:1]))
    assert scales[:2] == [1.0, 0.9]
    assert pages == len(real(long_context(600, GROUPS[:1]), scale=0.9))


def _render_in_a_daemon(rows: int) -> tuple[bool, int, int]:
    import multiprocessing

    context = long_context(rows, GROUPS[:1])
    _pdf, pages = render_pdf("notices/notice.html", context)
    return multiprocessing.current_process().daemon, pages, len(longlist.paginate(context))


def test_a_celery_prefork_worker_renders_the_chunks_itself() -> None:
    """Celery's prefork children are daemonic and may not start multiprocessing
    children: the chunk workers are plain subprocesses, so a daemon renders too."""
    import billiard

    with billiard.Pool(1) as pool:
        daemon, pages, laid_out = pool.apply(_render_in_a_daemon, (600,))
    assert daemon and pages == laid_out > 20


def test_names_that_wrap_keep_the_sheets_as_laid_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A long name wraps in its cell: the height model counts its lines, so no sheet
    overflows (no second layout) and every footer stays right."""
    context = long_context(600, GROUPS[:1])
    rows = context["data"].tables[0][2]
    for i in range(0, len(rows), 9):
        rows[i][1] += (
            "（户籍不在本社区、居住满一年以上、本人申请参加选举并经居民选举委员会同意）"
            * (1 + i % 2)
        )
    real = longlist.paginate
    scales: list[float] = []

    def spy(context: dict[str, Any], *, scale: float = 1.0) -> list[longlist.Page]:
        scales.append(scale)
        return real(context, scale=scale)

    monkeypatch.setattr(longlist, "paginate", spy)
    pdf, pages = render_pdf("notices/notice.html", context)
    assert scales == [1.0]
    path = tmp_path / "wrap.pdf"
    path.write_bytes(pdf)
    for i, text in enumerate(page_texts(path, pages), start=1):
        assert re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", text) == [(str(i), str(pages))]


def test_the_paged_template_makes_only_elements_the_trimmed_stylesheet_covers() -> None:
    """paged_ua.css carries WeasyPrint's user-agent rules for COVERED_TAGS only: an
    element the template starts to use must be added there first."""
    from django.template.loader import render_to_string

    from elections.notices.chunk_worker import COVERED_TAGS

    context = long_context(600, GROUPS[:2])
    replaced = type("N", (), {"issued_on": dt.date(2026, 11, 1), "number": 3, "title": "x"})
    context.update(replaces=replaced, correction_reason="更正")
    pages = longlist.paginate(context)
    html = render_to_string(
        longlist.PAGED_TEMPLATES["notices/notice.html"], {**context, "font_css": "", "pages": pages}
    )
    tags = set(re.findall(r"<([a-z][a-z0-9]*)", html))
    assert tags <= COVERED_TAGS, tags - COVERED_TAGS
    assert {"table", "caption", "thead", "td", "div", "p", "h1"} <= tags


def test_the_trimmed_stylesheet_lays_out_the_same_as_weasyprints_own(tmp_path: Path) -> None:
    from django.conf import settings
    from django.template.loader import render_to_string

    from elections.notices.chunk_worker import paged_html, weasyprint
    from elections.notices.fonts import font_css

    context = long_context(600, GROUPS[:2])
    pages = longlist.paginate(context)[:4]
    html = render_to_string(
        longlist.PAGED_TEMPLATES["notices/notice.html"],
        {**context, "font_css": font_css(), "pages": pages},
    )
    texts, boxes = [], []
    for cls in (weasyprint().HTML, paged_html()):
        assert cls is weasyprint().HTML or cls.__name__ == "PagedHTML"
        document = cls(string=html, base_url=str(settings.BASE_DIR)).render()
        path = tmp_path / f"{cls.__name__}.pdf"
        path.write_bytes(document.write_pdf())
        texts.append(page_texts(path, 4))
        boxes.append(
            [
                [(round(b.position_y, 2), round(b.height, 2)) for b in page._page_box.descendants()]
                for page in document.pages
            ]
        )
    assert texts[0] == texts[1]
    assert boxes[0] == boxes[1]


def test_progress_is_reported_chunk_by_chunk_up_to_every_sheet() -> None:
    calls: list[tuple[int, int]] = []
    _pdf, pages = render_pdf(
        "notices/notice.html", long_context(), progress=lambda d, t: calls.append((d, t))
    )
    assert len(calls) == len(longlist.chunks(longlist.paginate(long_context())))
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)
    assert calls[-1] == (pages, pages) and {t for _d, t in calls} == {pages}


def test_a_continued_group_is_the_running_head_even_with_quotes(tmp_path: Path) -> None:
    context = long_context(600, ['第一"居民"小组\\'])
    pdf, pages = render_pdf("notices/notice.html", context)
    path = tmp_path / "quotes.pdf"
    path.write_bytes(pdf)
    texts = page_texts(path, pages)
    assert all(t.lstrip().startswith('第一"居民"小组\\') for t in texts[1:-1])
    continued = [bool(p.running) for p in longlist.paginate(context)]
    assert [("（续）" in t) for t in texts] == continued and sum(continued) >= pages - 2
