"""Chinese resident ID numbers (居民身份证号码) and phone numbers: parsing, masking, hashing.

This module is pure Python (no Django import) so it can be used from imports, Celery
tasks, management commands and tests alike.

* :func:`parse_id_number` validates an 18-digit 居民身份证号码 (GB 11643-1999): length,
  characters, the ISO 7064 MOD 11-2 check digit (``stdnum.cn.ric.calc_check_digit``) and
  the embedded birth date. python-stdnum's own ``validate()`` is deliberately **not**
  used: it also checks the region code against a historical table and rejects real,
  still-valid numbers whose county was renamed, merged or is "newer" than the birth year
  (and ``get_birth_place`` raises ``KeyError`` for some codes). Here an unknown region
  code is only a warning for a human to check.
* :func:`mask_id_number` / :func:`mask_phone` implement RULES.md §9
  (``43*************123``, ``138****1234``).
* :func:`id_hash` is a keyed HMAC-SHA256 of the normalised number, used to find a voter
  without decrypting anything. Encryption at rest is :mod:`elections.crypto`.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from dataclasses import dataclass

from stdnum.cn import ric

from elections.crypto import keyed_hash

__all__ = [
    "IdInfo",
    "IdNumberError",
    "id_hash",
    "mask_id_number",
    "mask_phone",
    "normalize_id_number",
    "parse_id_number",
]

# --------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------

#: Characters removed from an ID number before validation: ASCII and full-width spaces,
#: no-break spaces, tabs/newlines and zero-width characters that come with copy-paste.
_STRIP_CHARS = " \t\r\n\u00a0\u2002\u2003\u2009\u3000\u200b\u200c\u200d\u2060\ufeff"

#: Translation table: full-width digits → ASCII, full-width/lowercase x → "X",
#: whitespace and zero-width characters → deleted. Built once at import time.
_ID_TRANSLATION: dict[int, int | None] = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    ord("x"): ord("X"),
    0xFF38: ord("X"),  # Ｘ
    0xFF58: ord("X"),  # ｘ
    **{ord(ch): None for ch in _STRIP_CHARS},
}

_ASCII_DIGITS = frozenset("0123456789")

#: Earliest birth year accepted. Nobody born before 1900 is alive to vote; such a date is
#: a typo, not a real person.
_MIN_BIRTH_YEAR = 1900


def normalize_id_number(raw: str) -> str:
    """Return ``raw`` with whitespace removed, full-width digits made ASCII and ``x`` → ``X``.

    No validation is done; use :func:`parse_id_number` for that. This is the form that is
    hashed, encrypted and stored.
    """
    if raw.__class__ is str and raw.isascii() and raw[:-1].isdigit():
        # The usual, already clean number (ASCII digits, the last one possibly "X"): keep
        # the one string, without the translation (100,000 rows, three calls a row).
        last = raw[-1]
        if last.isdigit() or last == "X":
            return raw
    number = raw.translate(_ID_TRANSLATION)
    return raw if number == raw and raw.__class__ is str else number


# --------------------------------------------------------------------------------------
# Parsing / validation
# --------------------------------------------------------------------------------------


class IdNumberError(ValueError):
    """An ID number is not a valid 18-digit 居民身份证号码.

    ``str(error)`` is a Chinese message meant for the person who typed the number.
    ``code`` is a stable machine-readable reason: ``empty``, ``old_15``, ``length``,
    ``format``, ``checksum``, ``birth_date``, ``future_birth_date``.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class IdInfo:
    """What an 18-digit ID number tells us."""

    number: str
    """The normalised number: 18 characters, ASCII digits, final ``X`` uppercase."""
    birth_date: dt.date
    """Birth date encoded in digits 7–14."""
    gender: str
    """``"男"`` if the 17th digit is odd, ``"女"`` if even."""
    region_code: str
    """The first six digits (行政区划代码 of the issuing county at the time of issue)."""
    warnings: tuple[str, ...] = ()
    """Chinese warnings for a human to check (never a reason to reject)."""


def _region_warning(code: str) -> str:
    return f"地区码 {code} 不在国家行政区划代码表中（可能已撤并或更名），请人工核对"


@functools.lru_cache(maxsize=8192)
def _region_known(code: str) -> bool:
    """True if python-stdnum's table knows the six-digit region code in *any* period.

    The period check of ``stdnum.cn.ric.get_birth_place`` is skipped on purpose (codes
    renamed or reassigned after the birth year are still valid numbers). Any failure of
    the lookup (``KeyError`` on partial entries, a missing data file …) counts as
    "known" so that a library problem never produces warnings for every voter.
    """
    try:
        from stdnum import numdb

        results = numdb.get("cn/loc").info(code)
        merged: dict[str, str] = {}
        for _part, props in results:
            merged.update(props)
        return "county" in merged
    except Exception:  # the region table is advisory only: never fail because of it
        return True


def parse_id_number(raw: str, *, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-digit ID number and return what it encodes.

    ``raw`` may contain spaces, full-width digits or a lowercase ``x``. ``today``
    (default: the local date) is used to reject birth dates in the future.

    Raises :class:`IdNumberError` with a Chinese message for an empty value, an old
    15-digit number, a wrong length, wrong characters, a wrong check digit, or an
    impossible or future birth date. An unknown region code is not an error; it is
    reported in :attr:`IdInfo.warnings`.
    """
    number = normalize_id_number(raw)
    if not number:
        raise IdNumberError("身份证号为空", "empty")
    n = len(number)
    if n == 15 and _ASCII_DIGITS.issuperset(number):
        raise IdNumberError(
            "这是15位的旧身份证号，请填写18位的居民身份证号码（可查看新版身份证或户口簿）",
            "old_15",
        )
    if n != 18:
        raise IdNumberError(f"身份证号应为18位，现在是{n}位", "length")
    body = number[:17]
    if not _ASCII_DIGITS.issuperset(body) or number[17] not in "0123456789X":
        raise IdNumberError("身份证号只能由数字组成，最后一位可以是数字或字母X", "format")
    if ric.calc_check_digit(number) != number[17]:
        raise IdNumberError("身份证号校验位不正确，请核对号码是否抄错", "checksum")

    digits = number[6:14]
    try:
        birth = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdNumberError(
            f"身份证号中的出生日期 {digits} 不是有效日期，请核对号码", "birth_date"
        ) from None
    if birth.year < _MIN_BIRTH_YEAR:
        raise IdNumberError(
            f"身份证号中的出生日期 {digits} 早于{_MIN_BIRTH_YEAR}年，请核对号码", "birth_date"
        )
    if birth > (today or dt.date.today()):
        raise IdNumberError(
            f"身份证号中的出生日期 {digits} 晚于今天，请核对号码", "future_birth_date"
        )

    region = sys.intern(number[:6])  # a few thousand codes shared by many voters
    warnings: tuple[str, ...] = () if _region_known(region) else (_region_warning(region),)
    gender = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(
        number=number, birth_date=birth, gender=gender, region_code=region, warnings=warnings
    )


# --------------------------------------------------------------------------------------
# Masking (RULES.md §9)
# --------------------------------------------------------------------------------------


def mask_id_number(n: str) -> str:
    """Mask an ID number for display: first 2 and last 3 characters kept.

    ``"430105199001011234"`` → ``"43*************234"``. The masked form hides the birth
    date and the region below province level. Input is normalised first; values of 5
    characters or fewer are masked completely; an empty value stays empty.
    """
    number = normalize_id_number(n)
    if len(number) <= 5:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 5) + number[-3:]


def mask_phone(p: str) -> str:
    """Mask a phone number for display.

    An 11-digit mainland mobile number (optionally written with ``+86``/``86``, spaces
    or hyphens) keeps its first 3 and last 4 digits: ``"138****1234"``. Any other number
    keeps only its last 4 digits, every other digit becomes ``*`` (``"0731-84561234"`` →
    ``"********1234"``). Values with 4 digits or fewer are masked completely.
    """
    digits = "".join(ch for ch in normalize_id_number(p) if ch in _ASCII_DIGITS)
    if len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    if len(digits) == 11 and digits[0] == "1":
        return f"{digits[:3]}****{digits[7:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def id_hash(number: str, key: bytes) -> str:
    """Return the keyed hash (HMAC-SHA256, hex, 64 chars) of the normalised ID number.

    Stable for a given key, so it can be stored in an indexed column and used to find a
    voter (and to enforce one registration per street) without decrypting anything.
    ``"430105 19900101123x"`` and ``"43010519900101123X"`` hash the same.
    """
    return keyed_hash(normalize_id_number(number), key)
