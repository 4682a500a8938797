"""The fonts shipped in `static/fonts/` as @font-face rules (README beside them)."""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
FACES = [
    ("Huanjie Serif", "NotoSerifSC-Regular.ttf", 400),
    ("Huanjie Serif", "NotoSerifSC-Bold.ttf", 700),
    ("Huanjie Sans", "NotoSansSC-Regular.ttf", 400),
    ("Huanjie Sans", "NotoSansSC-Bold.ttf", 700),
]


def _rules(directory: Path) -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; src: url("{(directory / file).as_uri()}") '
        f'format("truetype"); font-weight: {weight}; }}'
        for family, file, weight in FACES
    )


def font_css() -> str:
    """@font-face rules pointing at the shipped files (absolute file URLs: the output
    never depends on the host's fonts, except for the rare-character fallback)."""
    return _rules(FONT_DIR)


def subset_font_css(text: str, directory: Path) -> str:
    """The shipped fonts cut down to the characters of `text`, written to `directory`,
    and @font-face rules pointing at them (same families and weights as `font_css`).

    For long lists (longlist.py): WeasyPrint subsets every font it embeds, once per
    document, and with fontTools (HarfBuzz-Subset is not on our machines) that costs
    ~0.4 s for each 3 MB font — a third of a 50-sheet chunk's time, paid again by every
    chunk. A font of only the notice's few hundred characters costs it next to nothing.
    A character the shipped fonts lack is absent from the cut too, so the host's
    fallback (fonts-noto-cjk) still draws it."""
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    chars = "".join(sorted(set(text) | {" "}))
    for _family, file, _weight in FACES:
        font = subset.load_font(io.BytesIO((FONT_DIR / file).read_bytes()), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        subset.save_font(font, str(directory / file), options)
    return _rules(directory)
