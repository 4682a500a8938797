"""Chinese numerals for terms of office (当选证书 第十二届, ballots 第九届)."""

from __future__ import annotations

import pytest

from elections.formatting import cn_number


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "100"),
        (-1, "-1"),
    ],
)
def test_cn_number(n: int, text: str) -> None:
    assert cn_number(n) == text
