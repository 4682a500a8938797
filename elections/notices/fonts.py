"""The fonts shipped in `static/fonts/` as @font-face rules (README beside them)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def font_css() -> str:
    """@font-face rules pointing at the shipped files (absolute file URLs: the output
    never depends on the host's fonts, except for the rare-character fallback)."""
    faces = [
        ("Huanjie Serif", "NotoSerifSC-Regular.ttf", 400),
        ("Huanjie Serif", "NotoSerifSC-Bold.ttf", 700),
        ("Huanjie Sans", "NotoSansSC-Regular.ttf", 400),
        ("Huanjie Sans", "NotoSansSC-Bold.ttf", 700),
    ]
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; src: url("{(FONT_DIR / file).as_uri()}") '
        f'format("truetype"); font-weight: {weight}; }}'
        for family, file, weight in faces
    )
