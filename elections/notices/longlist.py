"""Long lists, fast and in bounded memory (issue 10 item 8).

One WeasyPrint document of 20,000 table rows takes minutes and gigabytes: the whole
box tree of every page lives at once. A notice whose tables hold more than
`LONG_LIST_ROWS` rows is therefore pre-paginated here instead:

- `paginate` lays the rows out on A4 sheets by a height model of the notice's
  stylesheet (`templates/notices/_notice_style.html`, CSS px): the first sheet carries
  the 公文 head and the body with fewer rows, each continuation sheet repeats the
  table's header and, as its running head in the top margin, the table's caption with
  "（续）"; the last one carries the footnotes, the
  issuer and date and the legal basis. The model errs on the short side (a row whose
  text may wrap counts as two lines).
- The page numbers "第 x 页 共 y 页" are computed here and written into each sheet's
  HTML (`string-set`, shown by `@page @bottom-center`), not CSS counters, since every
  chunk is a document of its own.
- The sheets are cut into chunks of `CHUNK_PAGES`; each chunk's HTML is rendered by
  Django's templates in this process and handed as a plain string to a worker
  subprocess (`chunk_worker.py`, WeasyPrint only: no inherited database connections or
  threads, no Django set-up). Plain subprocesses rather than a multiprocessing pool, so
  that a daemonic process — a Celery prefork worker — renders in parallel too.
- The fonts are cut down to the notice's characters once, here, so that WeasyPrint's
  own per-document font subsetting (slow with fontTools) costs each chunk next to
  nothing.
- Each chunk must come back with exactly its number of sheets (else the model was
  wrong for this text and the whole is laid out again with less on each sheet), and the
  chunks are merged with pypdf.
"""

from __future__ import annotations

import io
import math
import os
import queue
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

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
    """A table's part on one sheet: the caption (with "（续）" when it continues from
    an earlier sheet; then it is the sheet's running head, in the top margin, instead
    of a caption above the header row)."""

    caption: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # per cent of the table's width
    continued: bool = False


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

    @property
    def running(self) -> str:
        """The running head: the group a sheet continues ("第三居民小组（续）"), escaped
        for the CSS string it is written into."""
        text = self.blocks[0].caption if self.blocks and self.blocks[0].continued else ""
        return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


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
                # A continued table's caption is the sheet's running head (top margin).
                label = f"{caption}（续）" if started else caption
                opening = gap() + (_CAPTION if label and not started else 0) + _ROW
                if used + opening + height > capacity and used > 0.0:
                    new_page()
                    opening = gap() + (_CAPTION if label and not started else 0) + _ROW
                block = Block(label, list(header), widths=widths, continued=started)
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


def chunks(pages: list[Page], size: int | None = None) -> list[list[Page]]:
    """Even chunks of at most `size` (CHUNK_PAGES) sheets, and at least one per worker
    when there are ten sheets or more for each (a lone short last chunk would leave a
    core idle)."""
    size = size or CHUNK_PAGES
    count = max(math.ceil(len(pages) / size), min(workers(len(pages)), len(pages) // 10), 1)
    each = math.ceil(len(pages) / count)
    return [pages[start : start + each] for start in range(0, len(pages), each)]


def render_chunk(html: str, base_url: str) -> tuple[bytes, int]:
    """WeasyPrint only, on plain data (a lone chunk is rendered in-process), as the
    workers do it."""
    from elections.notices.chunk_worker import paged_html

    document = paged_html()(string=html, base_url=base_url).render()
    return document.write_pdf(), len(document.pages)


class PaginationError(Exception):
    """A chunk came back with another number of sheets than laid out."""


class ChunkError(Exception):
    """A worker failed to render a chunk (its traceback is the message)."""


def workers(n_chunks: int) -> int:
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, n_chunks))


WORKER_SCRIPT = Path(__file__).resolve().with_name("chunk_worker.py")
Progress = Callable[[int, int], None]


def _start_worker(base_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own script, by its path, with our interpreter
        [sys.executable, str(WORKER_SCRIPT), base_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _read(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ChunkError("排版进程意外退出")
    return data


def _ask(worker: subprocess.Popen[bytes], html: str) -> tuple[bytes, int]:
    assert worker.stdin is not None and worker.stdout is not None
    payload = html.encode("utf-8")
    worker.stdin.write(struct.pack(">Q", len(payload)) + payload)
    worker.stdin.flush()
    status = _read(worker.stdout, 1)
    (size,) = struct.unpack(">Q", _read(worker.stdout, 8))
    body = _read(worker.stdout, size)
    if status != b"K":
        raise ChunkError(body.decode("utf-8", "replace")[-2000:])
    (pages,) = struct.unpack(">I", _read(worker.stdout, 4))
    return body, pages


def _render_in_workers(
    procs: list[subprocess.Popen[bytes]],
    htmls: list[str],
    sizes: list[int],
    progress: Progress | None,
) -> list[tuple[bytes, int]]:
    """Each worker process is fed by a thread of its own from one queue of chunks, so
    a fast worker takes more; the results come back in the chunks' order."""
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(htmls)):
        todo.put(i)
    results: list[tuple[bytes, int] | None] = [None] * len(htmls)
    errors: list[BaseException] = []
    lock = threading.Lock()
    done = [0]
    total = sum(sizes)

    def feed(worker: subprocess.Popen[bytes]) -> None:
        while not errors:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[i] = _ask(worker, htmls[i])
            except BaseException as exc:  # handed to the caller below
                errors.append(exc)
                return
            with lock:
                done[0] += sizes[i]
                if progress is not None:
                    progress(done[0], total)

    threads = [threading.Thread(target=feed, args=(w,), daemon=True) for w in procs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for worker in procs:
        try:
            if worker.stdin is not None:
                worker.stdin.write(struct.pack(">Q", 0))
                worker.stdin.close()
        except OSError:
            pass
    for worker in procs:
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        if worker.stdout is not None:
            worker.stdout.close()


def render_long_pdf(
    template: str, context: dict[str, Any], *, progress: Progress | None = None
) -> tuple[bytes, int]:
    """The PDF bytes and page count of a long notice, pre-paginated and rendered in
    chunks by worker processes; laid out again, fuller margins, if the model was off.

    The workers are plain subprocesses (`chunk_worker.py`), started first so that they
    load WeasyPrint while this process makes the chunks' HTML; the fonts are cut down to
    the notice's characters once, here (`fonts.subset_font_css`), instead of being
    subset by WeasyPrint in every chunk. `progress(sheets done, sheets)` is called as
    chunks come back."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from pypdf import PdfReader, PdfWriter

    from elections.notices.fonts import subset_font_css

    paged = PAGED_TEMPLATES[template]
    base_url = str(settings.BASE_DIR)
    marker = "/*huanjie-fonts*/"
    error: PaginationError | None = None
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="huanjie-fonts-") as tmp:
        try:
            for scale in (1.0, 0.9, 0.75):
                pages = paginate(context, scale=scale)
                parts = chunks(pages)
                n = workers(len(parts)) if len(parts) > 1 else 0
                while len(procs) < n:
                    procs.append(_start_worker(base_url))
                htmls: list[str] = [
                    render_to_string(paged, {**context, "font_css": marker, "pages": part})
                    for part in parts
                ]
                chars: set[str] = set()
                for html in htmls:
                    chars.update(html)
                css = subset_font_css("".join(chars), Path(tmp))
                htmls = [str(html).replace(marker, css, 1) for html in htmls]
                sizes = [len(part) for part in parts]
                if n == 0:
                    results = [render_chunk(htmls[0], base_url)]
                    if progress is not None:
                        progress(len(pages), len(pages))
                else:
                    results = _render_in_workers(procs[:n], htmls, sizes, progress)
                wrong = [
                    (i, laid_out, got)
                    for i, (laid_out, (_pdf, got)) in enumerate(zip(sizes, results, strict=True))
                    if laid_out != got
                ]
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
        finally:
            _stop(procs)
    assert error is not None
    raise error
