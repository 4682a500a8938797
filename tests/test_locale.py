"""Django's own messages in plain Chinese (locale/zh_Hans overrides Django's poor
zh_Hans strings through LOCALE_PATHS), met through the real pages where a page can
trigger them."""

from __future__ import annotations

import re
from pathlib import Path

import django
import pytest
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from config.po import parse_po, read_mo, write_mo
from elections.forms import MoveMilestoneForm
from elections.models import Street
from tests.conftest import Cast

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
DJANGO = Path(django.__file__).parent
# Django's zh_Hans catalogues follow its current source (its English ones lag behind).
DJANGO_CATALOGUES = [
    DJANGO / "conf" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
    DJANGO / "contrib" / "auth" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
]

# --- the catalogue ------------------------------------------------------------------


def test_committed_mo_matches_the_po() -> None:
    """Rebuild with `python -m config.po` after editing the .po."""
    ours = parse_po(PO.read_text(encoding="utf-8"))
    assert read_mo(MO.read_bytes()) == ours
    assert read_mo(write_mo(ours)) == ours


def test_every_override_is_a_message_django_uses() -> None:
    """A msgid with a typo (or one a Django upgrade reworded) would silently do nothing."""
    known: set[str] = set()
    for path in DJANGO_CATALOGUES:
        known |= set(parse_po(path.read_text(encoding="utf-8"), keep_untranslated=True))
    ours = set(parse_po(PO.read_text(encoding="utf-8"))) - {""}
    assert len(ours) >= 40
    assert sorted(ours - known) == []


def test_every_override_is_translated_with_the_same_placeholders() -> None:
    for key, value in parse_po(PO.read_text(encoding="utf-8")).items():
        if key:
            assert value, key
            placeholders = set(re.findall(r"%\((\w+)\)", key.split("\0")[0]))
            assert set(re.findall(r"%\((\w+)\)", value)) == placeholders, key


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Null characters are not allowed.", "内容里有无法识别的空字符（\\0），请删除后重新填写。"),
        ("This field cannot be blank.", "这一项不能为空。"),
        ("Enter a valid date.", "请填写有效的日期，例如 2026-12-01。"),
        ("This password is too common.", "这个密码太常见，容易被猜到，请换一个。"),
        ("This field is required.", "这个字段是必填项。"),  # Django's own wording is fine
    ],
)
def test_overrides_win_over_djangos_catalogue(english: str, chinese: str) -> None:
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese


# --- through the real pages -----------------------------------------------------------


def create_user(cast: Cast, **fields: str) -> str:
    data = {
        "action": "create",
        "new-username": "xh02_new",
        "new-full_name": "王芳",
        "new-password": "Longer-pass-2026",
        "new-role": "committee_member",
        "new-scope": f"community:{cast.community_b.pk}",
    }
    data |= {f"new-{name}": value for name, value in fields.items()}
    response = cast.client("officer").post("/users/", data)
    assert response.status_code == 200  # the form again, with its errors
    assert not get_user_model().objects.filter(username=data["new-username"]).exists()
    return response.content.decode()


def test_short_password(cast: Cast) -> None:
    assert "至少需要 8 个字符（现在是 3 个）。" in create_user(cast, password="abc")


def test_common_password(cast: Cast) -> None:
    assert "这个密码太常见，容易被猜到，请换一个。" in create_user(cast, password="password123")


def test_numeric_password(cast: Cast) -> None:
    assert "密码不能全是数字，请加入字母或符号。" in create_user(cast, password="83749261905")


def test_too_long_username(cast: Cast) -> None:
    body = create_user(cast, username="a" * 151)
    assert "最多只能填 150 个字符（现在是 151 个），请删减。" in body


def test_required_name(cast: Cast) -> None:
    assert "这个字段是必填项。" in create_user(cast, full_name="")


def test_invalid_choice(cast: Cast) -> None:
    assert "请选择一个有效的选项：“bogus”不在可选范围内。" in create_user(cast, role="bogus")


def test_null_character_on_the_login_page(cast: Cast) -> None:
    response = Client().post("/accounts/login/", {"username": "member\x00a", "password": "x"})
    assert "内容里有无法识别的空字符（\\0），请删除后重新填写。" in response.content.decode()


def test_all_errors_of_the_user_form_at_once(cast: Cast) -> None:
    body = create_user(cast, username="a" * 151, full_name="", password="abc", role="bogus")
    form = body.split('<h2 class="h5" id="new-user">')[1].split("</form>")[0]
    assert re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', form) == [
        "最多只能填 150 个字符（现在是 151 个），请删减。",
        "这个字段是必填项。",
        "至少需要 8 个字符（现在是 3 个）。",
        "请选择一个有效的选项：“bogus”不在可选范围内。",
    ]


# --- messages no page of ours triggers today, checked on the forms and models ---------


def zh_errors(error: ValidationError) -> list[str]:
    with translation.override("zh-hans"):
        return [str(message) for message in error.messages]


def test_invalid_date_on_a_project_form() -> None:
    with translation.override("zh-hans"):
        form = MoveMilestoneForm({"date": "2026-13-45"})
        assert form.errors["date"] == ["请填写有效的日期，例如 2026-12-01。"]


def test_invalid_integer() -> None:
    with pytest.raises(ValidationError) as caught:
        forms.IntegerField().clean("十二")
    assert zh_errors(caught.value) == ["请填写整数。"]


def test_blank_model_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Street._meta.get_field("name").clean("", None)
    assert zh_errors(caught.value) == ["这一项不能为空。"]


def test_unique_model_field(cast: Cast) -> None:
    duplicate = Street(district=cast.district, name="另一个街道", code=cast.street.code)
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert zh_errors(caught.value) == ["已经有相同代码的街道了。"]


def test_password_similar_to_the_username() -> None:
    user = get_user_model()(username="zhangwei2026")
    with pytest.raises(ValidationError) as caught:
        password_validation.validate_password("zhangwei2026!", user=user)
    assert zh_errors(caught.value) == ["密码和用户名太相似，请换一个。"]


def test_password_validators_configured(settings: object) -> None:
    names = [v.__class__.__name__ for v in password_validation.get_default_password_validators()]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    with translation.override("zh-hans"):
        assert password_validation.password_validators_help_texts() == [
            "密码不能和您的用户名、姓名等信息太相似。",
            "密码至少需要 8 个字符。",
            "不能使用常见的密码。",
            "密码不能全是数字。",
        ]
