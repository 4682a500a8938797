"""Tests for elections.idnumbers: ID numbers, masking, keyed hash, encryption."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import hmac
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from elections.crypto import DecryptionError, decrypt_text, derive_keys, encrypt_text
from elections.idnumbers import (
    IdInfo,
    IdNumberError,
    id_hash,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    parse_id_number,
)
from tests.idgen import generate_valid_id

TODAY = dt.date(2026, 1, 15)
MASTER = "test-master-secret-0123456789abcdef"


def with_check_digit(body17: str) -> str:
    """Append the GB 11643 (ISO 7064 MOD 11-2) check digit, computed independently."""
    assert len(body17) == 17 and body17.isdigit()
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body17))
    return body17 + "10X98765432"[total % 11]


# --------------------------------------------------------------------------------------
# parse_id_number
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "360426199101010071",  # python-stdnum's own doctest example
        "11010519491231002X",  # the GB 11643-1999 example, check digit X
        with_check_digit("43010520000229002"),  # born on 29 February
    ],
)
def test_known_valid_numbers(number: str) -> None:
    info = parse_id_number(number, today=TODAY)
    assert info.number == number
    assert info.region_code == number[:6]
    assert info.warnings == ()


def test_own_check_digit_matches_stdnum() -> None:
    rng = random.Random(7)
    for _ in range(500):
        body = f"{rng.randrange(10**17):017d}"
        assert with_check_digit(body)[-1] == ric.calc_check_digit(body + "0")


def test_fields_are_decoded() -> None:
    info = parse_id_number("11010519491231002X", today=TODAY)
    assert info == IdInfo(
        number="11010519491231002X",
        birth_date=dt.date(1949, 12, 31),
        gender="女",  # 17th digit 2 is even
        region_code="110105",
        warnings=(),
    )
    male = parse_id_number("360426199101010071", today=TODAY)
    assert male.gender == "男"  # 17th digit 7 is odd
    assert male.birth_date == dt.date(1991, 1, 1)


def test_id_info_is_frozen() -> None:
    info = parse_id_number("360426199101010071", today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.number = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "raw",
    [
        " 110105 19491231 002x ",  # spaces and lowercase x
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
        "１１０１０５１９４９１２３１００２ｘ",  # full-width lowercase x
        "110105\u300019491231002X\u200b",  # ideographic space, zero-width space
    ],
)
def test_input_is_normalised(raw: str) -> None:
    assert parse_id_number(raw, today=TODAY).number == "11010519491231002X"
    assert normalize_id_number(raw) == "11010519491231002X"


def _error(raw: str, **kwargs: dt.date) -> IdNumberError:
    with pytest.raises(IdNumberError) as exc_info:
        parse_id_number(raw, today=kwargs.get("today", TODAY))
    return exc_info.value


def test_old_15_digit_number_is_rejected_with_hint() -> None:
    err = _error("110105491231002")
    assert err.code == "old_15"
    assert "18位" in str(err)
    assert "15位" in str(err)


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("", "empty", "为空"),
        ("   ", "empty", "为空"),
        ("11010519491231002", "length", "现在是17位"),
        ("11010519491231002X1", "length", "现在是19位"),
        ("1101051949123100X2", "format", "只能由数字组成"),
        ("11010519491231002A", "format", "只能由数字组成"),
        ("110105194912310021", "checksum", "校验位不正确"),
    ],
)
def test_invalid_numbers(raw: str, code: str, fragment: str) -> None:
    err = _error(raw)
    assert err.code == code
    assert fragment in err.message
    assert isinstance(err, ValueError)


@pytest.mark.parametrize("date_digits", ["19900230", "19901301", "19900100", "20230229"])
def test_impossible_birth_date(date_digits: str) -> None:
    err = _error(with_check_digit(f"430105{date_digits}001"))
    assert err.code == "birth_date"
    assert date_digits in err.message


def test_birth_before_1900_is_rejected() -> None:
    err = _error(with_check_digit("43010518991231001"))
    assert err.code == "birth_date"


def test_future_birth_date() -> None:
    number = with_check_digit("43010520260116001")
    err = _error(number, today=dt.date(2026, 1, 15))
    assert err.code == "future_birth_date"
    assert "晚于今天" in err.message
    # Born today is fine.
    assert parse_id_number(number, today=dt.date(2026, 1, 16)).birth_date == dt.date(2026, 1, 16)


def test_unknown_region_code_is_only_a_warning() -> None:
    number = with_check_digit("99999919900101001")
    info = parse_id_number(number, today=TODAY)
    assert info.warnings == (
        "地区码 999999 不在国家行政区划代码表中（可能已撤并或更名），请人工核对",
    )


def test_region_code_that_makes_stdnum_raise_keyerror_is_a_warning() -> None:
    # 430199: the province (43) is in stdnum's table but the county entry is missing;
    # stdnum.cn.ric.get_birth_place raises KeyError for it.
    number = with_check_digit("43019919900101001")
    with pytest.raises(KeyError):
        ric.get_birth_place(number)
    info = parse_id_number(number, today=TODAY)
    assert info.warnings == (
        "地区码 430199 不在国家行政区划代码表中（可能已撤并或更名），请人工核对",
    )


def test_renamed_county_is_accepted_without_warning() -> None:
    # 430105 was 北区 until 1995 and 开福区 since 1996; stdnum rejects the code for a
    # 1980 birth year although such numbers exist and are valid.
    number = with_check_digit("43010519800101001")
    with pytest.raises(ValidationError):
        ric.validate(number)
    info = parse_id_number(number, today=TODAY)
    assert info.warnings == ()
    assert info.birth_date == dt.date(1980, 1, 1)


@settings(max_examples=200, deadline=None)
@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    gender=st.sampled_from(["男", "女"]),
    seed=st.integers(0, 2**32),
)
def test_generated_numbers_parse_back(birth: dt.date, gender: str, seed: int) -> None:
    number = generate_valid_id(random.Random(seed), birth_date=birth, gender=gender)
    info = parse_id_number(number, today=TODAY)
    assert (info.birth_date, info.gender, info.warnings) == (birth, gender, ())
    assert ric.is_valid(number) or birth.year < 1996  # stdnum's period check aside


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=25))
def test_parse_never_raises_anything_but_id_number_error(raw: str) -> None:
    with contextlib.suppress(IdNumberError):
        parse_id_number(raw, today=TODAY)


# --------------------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------------------


def test_mask_id_number_keeps_first_two_and_last_three() -> None:
    masked = mask_id_number("430105199001011234")
    assert masked == "43*************234"
    assert len(masked) == 18
    assert mask_id_number("11010519491231002x") == "11*************02X"
    assert mask_id_number(" 4301 0519 9001 0112 34 ") == "43*************234"


def test_mask_id_number_hides_the_birth_date() -> None:
    assert "1990" not in mask_id_number("430105199001011234")


@pytest.mark.parametrize(
    ("raw", "masked"),
    [("", ""), ("123", "***"), ("12345", "*****"), ("123456", "12*456")],
)
def test_mask_id_number_short_values(raw: str, masked: str) -> None:
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("138-1234-1234", "138****1234"),
        ("+86 138 1234 1234", "138****1234"),
        ("8613812341234", "138****1234"),
        ("１３８１２３４１２３４", "138****1234"),
        ("0731-84561234", "********1234"),
        ("84561234", "****1234"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_phone(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


# --------------------------------------------------------------------------------------
# Keys, hash, encryption
# --------------------------------------------------------------------------------------


def test_derive_keys_is_deterministic_and_separates_purposes() -> None:
    enc, mac = derive_keys(MASTER)
    assert (enc, mac) == derive_keys(MASTER)
    assert len(enc) == len(mac) == 32
    assert enc != mac
    enc2, mac2 = derive_keys(MASTER + "x")
    assert enc2 != enc and mac2 != mac


def test_derive_keys_rejects_short_master() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        derive_keys("short")


def test_id_hash_is_stable_keyed_and_normalised() -> None:
    _, key = derive_keys(MASTER)
    h = id_hash("11010519491231002X", key)
    assert len(h) == 64 and int(h, 16) >= 0
    assert h == hmac.new(key, b"11010519491231002X", hashlib.sha256).hexdigest()
    assert id_hash(" 110105 19491231 002x", key) == h
    assert id_hash("１１０１０５１９４９１２３１００２Ｘ", key) == h
    assert id_hash("11010519491231002X", b"another key") != h
    assert id_hash("360426199101010071", key) != h


def test_id_hash_known_value() -> None:
    # Guards against accidental changes of the normalisation or algorithm, which would
    # make every stored hash unfindable.
    assert id_hash("360426199101010071", b"k" * 32) == (
        hmac.new(b"k" * 32, b"360426199101010071", hashlib.sha256).hexdigest()
    )


def test_id_hash_rejects_empty_key() -> None:
    with pytest.raises(ValueError, match="empty"):
        id_hash("360426199101010071", b"")


def test_encrypt_decrypt_round_trip() -> None:
    key, _ = derive_keys(MASTER)
    token = encrypt_text("11010519491231002X", key)
    assert token.startswith("v1:")
    assert "11010519491231002X" not in token
    assert decrypt_text(token, key) == "11010519491231002X"
    assert token.isascii()


def test_encryption_uses_a_fresh_nonce() -> None:
    key, _ = derive_keys(MASTER)
    assert encrypt_text("same", key) != encrypt_text("same", key)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_round_trip_any_text(plain: str) -> None:
    key = b"\x01" * 32
    assert decrypt_text(encrypt_text(plain, key), key) == plain


def _flip(token: str, position: int) -> str:
    import base64

    blob = bytearray(base64.urlsafe_b64decode(token[3:]))
    blob[position] ^= 0x01
    return "v1:" + base64.urlsafe_b64encode(bytes(blob)).decode()


@pytest.mark.parametrize("position", [0, 11, 12, -1, -17])
def test_tampering_is_detected(position: int) -> None:
    key, _ = derive_keys(MASTER)
    token = encrypt_text("430105199001011234", key)
    with pytest.raises(DecryptionError):
        decrypt_text(_flip(token, position), key)


def test_wrong_key_is_detected() -> None:
    key, other = derive_keys(MASTER)
    token = encrypt_text("430105199001011234", key)
    with pytest.raises(DecryptionError):
        decrypt_text(token, other)


@pytest.mark.parametrize(
    "token",
    ["", "430105199001011234", "v2:AAAA", "v1:not base64!!", "v1:AAAA", "v1:é"],
)
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt_text(token, b"\x02" * 32)


def test_version_prefix_is_authenticated() -> None:
    key = b"\x03" * 32
    token = encrypt_text("x", key)
    with pytest.raises(DecryptionError):
        decrypt_text("v2:" + token[3:], key)
