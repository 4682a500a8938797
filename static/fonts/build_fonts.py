"""Rebuild the subset fonts: python static/fonts/build_fonts.py <unpacked npm packages dir>.

The directory holds `noto-serif-sc/` and `noto-sans-sc/` (the unpacked
`@expo-google-fonts/*@0.4.3` tarballs). See README.md."""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

HERE = Path(__file__).resolve().parent
RANGES = [
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x2000, 0x206F),
    (0x2100, 0x214F),
    (0x2460, 0x24FF),
    (0x2500, 0x25FF),
    (0x3000, 0x303F),
    (0x3200, 0x32FF),
    (0xFF00, 0xFFEF),
]


def unicodes() -> list[int]:
    out = [cp for lo, hi in RANGES for cp in range(lo, hi + 1)]
    for cp in range(0x4E00, 0xA000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        out.append(cp)
    return out


def main(source: Path) -> None:
    jobs = [
        ("noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf", "NotoSerifSC-Regular.ttf"),
        ("noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf", "NotoSerifSC-Bold.ttf"),
        ("noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf", "NotoSansSC-Regular.ttf"),
        ("noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf", "NotoSansSC-Bold.ttf"),
    ]
    codes = ",".join(f"U+{cp:04X}" for cp in unicodes())
    for src, dst in jobs:
        subset.main(
            [
                str(source / src),
                f"--unicodes={codes}",
                f"--output-file={HERE / dst}",
                "--layout-features=*",
            ]
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
