"""One check per field of a voter's data, shared by every way onto the roll.

Manual entry, 选举日补登, an accepted objection and the spreadsheet import all call
these functions, so a person sees the same Chinese message whichever way the data
came. Pure Python (no Django): the import's row checker (xlsx/checks.py) uses it too.

Each ``check_<field>(text)`` takes what was typed and returns the value to store,
or raises :class:`FieldProblem` with the message. Limits (chosen here, see
the report): 姓名 1–50 visible characters; 居民小组 ≤ 50; 民族 ≤ 20;
住址 ≤ 100 (the longest real address, province to room, is about 40 characters;
more is pasted text, and the roll and public list print the address in one cell);
备注 ≤ 200; 联系电话 a mobile or landline number. No field may hold control or
format characters (zero-width spaces, direction overrides) or ``<``/``>``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Mapping
from typing import Final

from electionlaw import latest_eligible_birth_date
from elections.formatting import cn_date
from elections.idnumbers import IdInfo, IdNumberError, parse_id_number

NAME_MIN: Final = 1
NAME_MAX: Final = 50
GROUP_MAX: Final = 50
ETHNICITY_MAX: Final = 20
ADDRESS_MAX: Final = 100
NOTES_MAX: Final = 200
PHONE_MAX: Final = 30
MAX_PLAUSIBLE_AGE: Final = 120

#: 登记类别 label → code (RULES.md R10 (a)–(d)).
CATEGORIES: Final[Mapping[str, str]] = {
    "户在人在": "resident",
    "户在人不在": "registered_absent",
    "人在户不在": "nonresident",
    "社区工作人员": "community_worker",
}
_CATEGORY_INPUTS: Final[Mapping[str, str]] = {
    **CATEGORIES,
    "社区工作者": "community_worker",
    **{code: code for code in CATEGORIES.values()},
}
ALLOWED_CATEGORIES: Final = "、".join(CATEGORIES)

#: The 56 officially recognised ethnic groups (another name is only a warning).
ETHNIC_GROUPS: Final = frozenset(
    (
        "汉族",
        "蒙古族",
        "回族",
        "藏族",
        "维吾尔族",
        "苗族",
        "彝族",
        "壮族",
        "布依族",
        "朝鲜族",
        "满族",
        "侗族",
        "瑶族",
        "白族",
        "土家族",
        "哈尼族",
        "哈萨克族",
        "傣族",
        "黎族",
        "傈僳族",
        "佤族",
        "畲族",
        "高山族",
        "拉祜族",
        "水族",
        "东乡族",
        "纳西族",
        "景颇族",
        "柯尔克孜族",
        "土族",
        "达斡尔族",
        "仫佬族",
        "羌族",
        "布朗族",
        "撒拉族",
        "毛南族",
        "仡佬族",
        "锡伯族",
        "阿昌族",
        "普米族",
        "塔吉克族",
        "怒族",
        "乌孜别克族",
        "俄罗斯族",
        "鄂温克族",
        "德昂族",
        "保安族",
        "裕固族",
        "京族",
        "塔塔尔族",
        "独龙族",
        "鄂伦春族",
        "赫哲族",
        "门巴族",
        "珞巴族",
        "基诺族",
    )
)

_GENDERS: Final[Mapping[str, str]] = {"男": "男", "男性": "男", "女": "女", "女性": "女"}

_CJK_GAP_RE: Final = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
#: Middle dots people type in minority and foreign names; stored as "·" (U+00B7).
_MIDDLE_DOTS: Final = str.maketrans(dict.fromkeys("•‧・･∙．", "·"))
_PHONE_SEP_RE: Final = re.compile(r"[\s\-()（）—]")
_MOBILE_RE: Final = re.compile(r"(?:\+?86)?(1\d{10})")
_LANDLINE_RE: Final = re.compile(r"(?:\+?86)?0\d{9,11}(?:(?:转|ext|#)\d{1,6})?")

MSG_PHONE: Final = "联系电话格式不正确，请填写11位手机号，或带区号的固定电话（如 0931-8123456）"


class FieldProblem(ValueError):
    """What is wrong with one field, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def required_message(label: str) -> str:
    return f"请填写{label}"


# -- characters -----------------------------------------------------------------------


def _bad_character(text: str) -> str | None:
    """The first character no field may hold, described for the message."""
    if text.isprintable() and "<" not in text and ">" not in text:
        # The common case, in C: isprintable() is False for every category refused
        # below (and for unassigned code points and odd spaces, which the loop allows).
        return None
    for char in text:
        if char in "<>":
            return f"“{char}”"
        if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
            return "控制字符或不可见字符"
    return None


def _squash(text: str) -> str:
    """Collapse runs of whitespace (including full-width spaces) to one space."""
    return " ".join(text.split())


def _free_text(text: str, label: str, limit: int) -> str:
    if (
        len(text) <= limit
        and text.isprintable()  # no tab, newline, odd space or control character
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and "<" not in text
        and ">" not in text
    ):
        return text  # already clean: the common case of an import, in C
    value = _squash(text)
    bad = _bad_character(value)
    if bad:
        raise FieldProblem(f"{label}不能包含{bad}，请删除后重新填写")
    if len(value) > limit:
        raise FieldProblem(f"{label}最多{limit}个字（现有{len(value)}个字）")
    return value


# -- one check per field --------------------------------------------------------------


def check_name(text: str) -> str:
    """姓名: 1–50 visible characters (one is allowed: 户口簿 entries with a single
    character exist, and refusing them would block a real register); the middle dot of minority names (阿依古丽·买买提)
    is kept, its look-alikes (•‧・) become "·"."""
    name = _squash(text)
    if " " in name:
        name = _CJK_GAP_RE.sub("", name)  # "张  三" → "张三"
    name = name.translate(_MIDDLE_DOTS)
    if not name:
        raise FieldProblem(required_message("姓名"))
    bad = _bad_character(name)
    if bad:
        raise FieldProblem(f"姓名不能包含{bad}，请删除后重新填写")
    if len(name) > NAME_MAX:
        raise FieldProblem(f"姓名最多{NAME_MAX}个字（现有{len(name)}个字），请核对")
    if len(name) < NAME_MIN:  # only reachable if NAME_MIN is raised above 1
        raise FieldProblem(f"姓名至少{NAME_MIN}个字，请填写完整姓名")
    return name


def check_id_number(text: str, *, today: dt.date) -> IdInfo:
    """身份证号: 18 characters with a valid check digit (elections.idnumbers)."""
    number = text.strip().lstrip("'")
    if not number:
        raise FieldProblem(required_message("身份证号"))
    try:
        return parse_id_number(number, today=today)
    except IdNumberError as exc:
        raise FieldProblem(exc.message) from None


#: G5's cut-off birth date per election day, computed once (an import checks every row
#: against the same day).
_eligibility_cutoff = functools.lru_cache(maxsize=16)(latest_eligible_birth_date)


def check_age(info: IdInfo, election_day: dt.date) -> None:
    """G5: 18 on election day, the birthday itself included (eligible_on, through its
    cut-off birth date)."""
    if info.birth_date > _eligibility_cutoff(election_day):
        raise FieldProblem(f"选举日（{cn_date(election_day)}）未满18周岁，不能登记（规则 G5）")


def too_old_warning(info: IdInfo, election_day: dt.date) -> str | None:
    from electionlaw import age_on

    if age_on(info.birth_date, election_day) > MAX_PLAUSIBLE_AGE:
        return f"按身份证号计算，选举日时已超过{MAX_PLAUSIBLE_AGE}周岁，请核对号码"
    return None


def check_gender(text: str, info: IdInfo | None) -> str:
    """性别 (optional): 男/女, and the ID number's if there is one."""
    given = text.strip()
    if not given:
        return info.gender if info else ""
    gender = _GENDERS.get(given) or _GENDERS.get("".join(given.split()))
    if gender is None:
        raise FieldProblem(f"性别“{given[:10]}”无效，只能填写“男”或“女”")
    if info is not None and gender != info.gender:
        raise FieldProblem(f"性别“{gender}”与身份证号不一致（按身份证号应为“{info.gender}”）")
    return gender


def check_birth_date(day: dt.date | None, info: IdInfo | None) -> dt.date | None:
    """出生日期 (optional): the ID number's if there is one."""
    if day is None or info is None:
        return day if info is None else info.birth_date
    if day != info.birth_date:
        raise FieldProblem(
            f"出生日期 {cn_date(day)} 与身份证号中的 {cn_date(info.birth_date)} 不一致"
        )
    return day


def birth_date_unreadable(text: str) -> str:
    return (
        f"出生日期“{text[:20]}”无法识别，请填写为 1990-01-01、1990/1/1 或 "
        "1990年1月1日 格式，或把单元格设置为日期格式"
    )


def check_ethnicity(text: str) -> tuple[str, str | None]:
    """民族 (optional): the value and, for a name not among the 56, a warning."""
    value = text.strip()
    if not value or value in ETHNIC_GROUPS:
        return value, None
    value = _free_text("".join(value.split()), "民族", ETHNICITY_MAX)
    if value + "族" in ETHNIC_GROUPS:
        return value + "族", None
    if value in ETHNIC_GROUPS:
        return value, None
    return value, f"民族“{value}”不在56个民族名称中，请核对"


def check_group(text: str) -> str:
    """居民小组 (optional)."""
    return _free_text(text, "居民小组", GROUP_MAX)


def check_address(text: str) -> str:
    """住址 (optional), at most 100 characters."""
    return _free_text(text, "住址", ADDRESS_MAX)


def check_notes(text: str) -> str:
    """备注 (optional), at most 200 characters."""
    return _free_text(text, "备注", NOTES_MAX)


def check_phone(text: str) -> str:
    """联系电话 (optional): a mobile number (stored as its 11 digits) or a landline."""
    phone = text.strip()
    if not phone:
        return ""
    if len(phone) == 11 and phone[0] == "1" and phone.isascii() and phone.isdigit():
        return phone
    if len(phone) > PHONE_MAX:
        raise FieldProblem(MSG_PHONE)
    compact = _PHONE_SEP_RE.sub("", unicodedata.normalize("NFKC", phone))
    if m := _MOBILE_RE.fullmatch(compact):
        return m.group(1)
    if _LANDLINE_RE.fullmatch(compact):
        return phone
    raise FieldProblem(MSG_PHONE)


def check_category(text: str) -> str:
    """登记类别: a label of R10 (or its code); returns the code."""
    label = text.strip()
    code = _CATEGORY_INPUTS.get(label)
    if code is None:
        label = "".join(unicodedata.normalize("NFKC", label).split())
        code = _CATEGORY_INPUTS.get(label)
    if not label:
        raise FieldProblem(required_message("登记类别"))
    if code is None:
        raise FieldProblem(f"登记类别“{label[:20]}”无效，只能填写：{ALLOWED_CATEGORIES}")
    return code


def check_approval(body: str, day: dt.date | None, *, today: dt.date) -> dict[str, str]:
    """同意登记的会议 and its date: both or neither, and not in the future (R10)."""
    errors: dict[str, str] = {}
    if day and day > today:
        errors["approval_date"] = "会议同意日期不能晚于今天"
    if bool(body) != bool(day):
        errors["approval_date"] = "请同时填写同意登记的会议和日期"
    return errors
