"""Long lists, fast and in bounded memory (issue 10 item 8).

One WeasyPrint document of 20,000 table rows takes minutes and gigabytes: the whole
box tree of every page lives at once. A notice whose tables hold more than
`LONG_LIST_ROWS` rows is therefore pre-paginated here instead:

- `paginate` lays the rows out on A4 sheets by a height model of the notice's
  stylesheet (`templates/notices/_notice_style.html`, CSS px): the first sheet carries
  the 公文 head and the body with fewer rows, each continuation sheet repeats the
  table's caption with "（续）" and its header, the last one carries the footnotes, the
  issuer and date and the legal basis. The model errs on the short side (a row whose
  text may wrap counts as two lines).
- The page numbers "第 x 页 共 y 页" are computed here and written into each sheet's
  HTML (`string-set`, shown by `@page @bottom-center`), not CSS counters, since every
  chunk is a document of its own.
- The sheets are cut into chunks of `CHUNK_PAGES`; each chunk's HTML is rendered by
  Django's templates in this process and handed as a plain string to `render_chunk`,
  which runs only WeasyPrint in a worker of a `ProcessPoolExecutor` (spawn context:
  no inherited database connections or threads, no Django set-up in the worker). A
  daemonic process (a Celery prefork worker) may not start processes: there the chunks
  are rendered one after the other in-process — bounded memory, no speed-up.
- Each chunk must come back with exactly its number of sheets (else the model was
  wrong for this text and the whole is laid out again with less on each sheet), and the
  chunks are merged with pypdf.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

LONG_LIST_ROWS = 400
CHUNK_PAGES = 50
MAX_WORKERS = 4
PAGED_TEMPLATES = {"notices/notice.html": "notices/notice_paged.html"}

# -- the height model (CSS px at 96 dpi) of templates/notices/_notice_style.html -------------
# A4 with margins 25 mm / 22 mm: 1122.5 - 94.5 - 83.1 = 944.9 px of content, less a
# little slack; the body's 8 px margin counts on the first sheet only.
_CONTENT_HEIGHT = 944.9 - 10
_BODY_MARGIN = 8.0
_CONTENT_WIDTH = 627.4 - 16  # 166 mm less the body's margins
_HEAD = 196.0  # issuer head + h1 + number, one line each
_ISSUER_LINE = 51.3  # 22 pt x 1.75
_HEADING_LINE = 46.7  # 20 pt x 1.75
_BODY_LINE = 28.0  # 12 pt x 1.75
_PARAGRAPH_GAP = 7.6  # 2 mm
_TABLE_TOP = 11.4  # 3 mm above a table
_TABLE_BOTTOM = 18.9  # 5 mm below it, unless it ends the sheet
_CELL_PADDING = 16.0  # 2 mm either side and the rules
_CAPTION = 28.3
_ROW = 32.9  # one line of 10.5 pt x 1.75 + 2 mm padding + rules
_ROW_LINE = 24.5
_FOOT = 280.0  # 12 mm + the 42 mm seal + issuer and date at line-height 2
_META_GAP = 30.3  # 8 mm
_META_LINE = 22.2  # 9.5 pt x 1.75
_CORRECTION_EXTRA = 2 * 7.6 + 2 + 15.1  # padding, border, margin


def _width(text: str, size_px: float) -> float:
    """Advance width: CJK and full-width characters one em, the rest about half."""
    return sum(size_px if ord(ch) >= 0x2E80 else size_px * 0.55 for ch in text)


def _lines(text: str, size_px: float, width: float, indent: float = 0.0) -> int:
    return max(1, math.ceil((_width(text, size_px) + indent) / width))


@dataclass
class Block:
    """A table's part on one sheet: the caption (with "（续）" when it continues)."""

    caption: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # per cent of the table's width


@dataclass
class Page:
    number: int
    total: int = 0
    first: bool = False
    last: bool = False
    blocks: list[Block] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"第 {self.number} 页 共 {self.total} 页"


def total_rows(data: Any) -> int:
    return sum(len(rows) for _caption, _header, rows in getattr(data, "tables", []))


def is_long(template: str, context: dict[str, Any]) -> bool:
    return template in PAGED_TEMPLATES and total_rows(context.get("data")) > LONG_LIST_ROWS


def _head_height(context: dict[str, Any]) -> float:
    data = context["data"]
    height = _HEAD
    height += (_lines(str(context.get("issuer", "")), 32.0, _CONTENT_WIDTH) - 1) * _ISSUER_LINE
    height += (_lines(str(context.get("heading", "")), 26.7, _CONTENT_WIDTH) - 1) * _HEADING_LINE
    if context.get("replaces"):
        text = "本公告更正2000年12月31日发布的第100号公告《" + "字" * 16 + "》。更正理由："
        text += str(context.get("correction_reason", "")) + "。原公告同时作废。"
        height += _lines(text, 16.0, _CONTENT_WIDTH - 34) * _BODY_LINE + _CORRECTION_EXTRA
    for paragraph in data.body:
        height += _lines(paragraph, 16.0, _CONTENT_WIDTH, 32.0) * _BODY_LINE + _PARAGRAPH_GAP
    return height


def _tail_height(context: dict[str, Any]) -> float:
    data = context["data"]
    height = _FOOT
    for note in data.footnotes:
        height += _lines(note, 16.0, _CONTENT_WIDTH, 32.0) * _BODY_LINE + _PARAGRAPH_GAP
    meta = f"依据：{context.get('legal_basis', '')}。本公告张贴不少于99日。"
    return height + _META_GAP + _lines(meta, 12.7, _CONTENT_WIDTH) * _META_LINE


def column_widths(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Per-cent widths as the automatic table layout shares the width out (in proportion
    to each column's widest content), but from the whole table: every sheet's part of
    it gets the same columns, and WeasyPrint can lay the parts out with
    `table-layout: fixed` instead of measuring every cell of every sheet."""
    widest = [_width(str(h), 14.0) for h in header]
    for row in rows:
        for i, c in enumerate(row[: len(widest)]):
            widest[i] = max(widest[i], _width(str(c), 14.0))
    need = [w + _CELL_PADDING for w in widest]
    total = sum(need) or 1.0
    return [round(100 * w / total, 2) for w in need]


def _row_height(row: Sequence[str], widths: Sequence[float]) -> float:
    """A row's height: a cell wider than its column wraps."""
    lines = max(
        (
            _lines(str(c), 14.0, max(14.0, _CONTENT_WIDTH * w / 100 - _CELL_PADDING))
            for c, w in zip(row, widths, strict=False)
        ),
        default=1,
    )
    return _ROW + (lines - 1) * _ROW_LINE


def paginate(context: dict[str, Any], *, scale: float = 1.0) -> list[Page]:
    """The notice's sheets, numbered; `scale` < 1 fills each sheet less."""
    data = context["data"]
    capacity = _CONTENT_HEIGHT * scale
    pages = [Page(1, first=True)]
    used = _BODY_MARGIN + _head_height(context)

    def new_page() -> None:
        nonlocal used
        pages.append(Page(len(pages) + 1))
        used = 0.0

    def gap() -> float:
        """Above a table: its top margin and the bottom one of a table before it."""
        return _TABLE_TOP + (_TABLE_BOTTOM if pages[-1].blocks else 0.0)

    for caption, header, rows in data.tables:
        block: Block | None = None
        started = False  # rows of this table already on an earlier sheet
        widths = column_widths(header, rows)
        for row in rows:
            height = _row_height(row, widths)
            if block is not None and used + height > capacity:
                new_page()
                block = None
            if block is None:
                label = f"{caption}（续）" if started else caption
                opening = gap() + (_CAPTION if label else 0) + _ROW
                if used + opening + height > capacity and used > 0.0:
                    new_page()
                    opening = gap() + (_CAPTION if label else 0) + _ROW
                block = Block(label, list(header), widths=widths)
                pages[-1].blocks.append(block)
                used += opening
            block.rows.append([str(c) for c in row])
            used += height
            started = True
        if not rows:
            opening = gap() + (_CAPTION if caption else 0) + _ROW
            if used + opening > capacity:
                new_page()
                opening = gap() + (_CAPTION if caption else 0) + _ROW
            pages[-1].blocks.append(Block(caption, list(header), widths=widths))
            used += opening
    if used + (_TABLE_BOTTOM if pages[-1].blocks else 0.0) + _tail_height(context) > capacity:
        new_page()
    pages[-1].last = True
    for page in pages:
        page.total = len(pages)
    return pages


def chunks(pages: list[Page], size: int = CHUNK_PAGES) -> list[list[Page]]:
    """Even chunks of at most `size` sheets, and at least one per worker when there are
    ten sheets or more for each (a lone short last chunk would leave a core idle)."""
    count = max(math.ceil(len(pages) / size), min(workers(len(pages)), len(pages) // 10), 1)
    each = math.ceil(len(pages) / count)
    return [pages[start : start + each] for start in range(0, len(pages), each)]


def render_chunk(html: str, base_url: str) -> tuple[bytes, int]:
    """WeasyPrint only, on plain data: what a worker process runs."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url).render()
    return document.write_pdf(), len(document.pages)


class PaginationError(Exception):
    """A chunk came back with another number of sheets than laid out."""


def workers(n_chunks: int) -> int:
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, n_chunks))


def render_long_pdf(template: str, context: dict[str, Any]) -> tuple[bytes, int]:
    """The PDF bytes and page count of a long notice, pre-paginated and rendered in
    chunks in parallel processes; laid out again, fuller margins, if the model was off."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from pypdf import PdfReader, PdfWriter

    from elections.notices.fonts import font_css

    paged = PAGED_TEMPLATES[template]
    base_url = str(settings.BASE_DIR)
    css = font_css()
    error: PaginationError | None = None
    for scale in (1.0, 0.9, 0.75):
        pages = paginate(context, scale=scale)
        parts = chunks(pages)

        def html(part: list[Page]) -> str:
            return render_to_string(paged, {**context, "font_css": css, "pages": part})

        n = workers(len(parts))
        if n == 1 or multiprocessing.current_process().daemon:
            # One chunk, or a daemonic process (a Celery prefork worker), which may not
            # start processes: the chunks one after the other here, in bounded memory.
            results = [render_chunk(html(part), base_url) for part in parts]
        else:
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=n, mp_context=spawn) as pool:
                # Each chunk is handed over as soon as its HTML is made: the workers
                # start up and render while the rest is being made.
                futures = [pool.submit(render_chunk, html(part), base_url) for part in parts]
                results = [future.result() for future in futures]
        wrong = [
            (i, len(p), got) for i, (p, (_pdf, got)) in enumerate(zip(parts, results, strict=True))
        ]
        wrong = [w for w in wrong if w[1] != w[2]]
        if wrong:
            error = PaginationError(f"chunks (index, laid out, rendered): {wrong[:5]}")
            continue
        writer = PdfWriter()
        for pdf, _got in results:
            writer.append(PdfReader(io.BytesIO(pdf)))
        writer.add_metadata({"/Title": str(context.get("heading", ""))})
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue(), len(pages)
    assert error is not None
    raise error
