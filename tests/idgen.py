"""Test and benchmark helper: valid-looking Chinese ID numbers (never shipped code)."""

from __future__ import annotations

import datetime as dt
from random import Random
from typing import Final

from stdnum.cn import ric

# --------------------------------------------------------------------------------------
# Test and benchmark helper
# --------------------------------------------------------------------------------------

#: Region codes (county level) used by :func:`generate_valid_id`.
_TEST_REGIONS: Final = (
    "430105",  # 湖南省长沙市开福区
    "430102",  # 湖南省长沙市芙蓉区
    "430103",  # 湖南省长沙市天心区
    "430104",  # 湖南省长沙市岳麓区
    "430111",  # 湖南省长沙市雨花区
    "110101",  # 北京市东城区
    "310104",  # 上海市徐汇区
    "440305",  # 广东省深圳市南山区
)


def generate_valid_id(rng: Random, *, birth_date: dt.date, gender: str) -> str:
    """Return a random, checksum-valid 18-digit ID number (for tests and benchmarks only).

    ``gender`` is ``"男"`` (odd 17th digit) or ``"女"`` (even). The region is drawn from a
    small fixed list of real county codes (430105 长沙市开福区 …).
    """
    if gender not in ("男", "女"):
        raise ValueError("gender must be '男' or '女'")
    parity = 1 if gender == "男" else 0
    seq = rng.randrange(100) * 10 + rng.randrange(5) * 2 + parity
    body = f"{rng.choice(_TEST_REGIONS)}{birth_date:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")
