from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q, QuerySet

from elections import audit
from elections.models import ROLE_SCOPES, Community, Department, District, Role, Street

SCOPE_MODELS: dict[str, type[Street | Community | Department | District]] = {
    "street": Street,
    "community": Community,
    "department": Department,
    "district": District,
}
SCOPE_LABELS = {"street": "街道", "community": "社区", "department": "联审部门", "district": "区"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates stay plain."""

    fields: dict[str, forms.Field]

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class MoveMilestoneForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label="新日期", widget=DateInput())
    reason = forms.CharField(
        label="例外理由（日期不符合规定时必填）",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "例如：经街道换届领导小组批准，因…推迟"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class CompleteMilestoneForm(BootstrapMixin, forms.Form):
    done_on = forms.DateField(label="实际完成日期", widget=DateInput())
    reason = forms.CharField(
        label="说明（日期不符合规定时必填）",
        required=False,
        max_length=500,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class AuditFilterForm(BootstrapMixin, forms.Form):
    community = forms.ModelChoiceField(
        label="社区", queryset=Community.objects.none(), required=False, empty_label="全部社区"
    )
    action = forms.ChoiceField(label="操作", required=False)

    def __init__(self, *args: Any, communities: QuerySet[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", "全部操作"), *audit.action_choices()]  # type: ignore[attr-defined]
        self._style()


def scope_choices(streets: list[Street]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Scopes a street officer may give roles for: their streets, the streets'
    communities, the districts' departments and the districts."""
    street_ids = [s.pk for s in streets]
    district_ids = {s.district_id for s in streets}
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        ("街道", [(f"street:{s.pk}", s.name) for s in streets]),
        (
            "社区",
            [
                (f"community:{c.pk}", f"{c.code} {c.name}")
                for c in Community.objects.filter(street_id__in=street_ids).order_by("code")
            ],
        ),
        (
            "联审部门",
            [
                (f"department:{d.pk}", d.name)
                for d in Department.objects.filter(district_id__in=district_ids)
            ],
        ),
        (
            "区",
            [(f"district:{d.pk}", str(d)) for d in District.objects.filter(pk__in=district_ids)],
        ),
    ]
    return [(label, items) for label, items in groups if items]


class _RoleScopeMixin(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label="角色", choices=[("", "请选择角色"), *Role.choices])
    scope = forms.ChoiceField(label="范围（街道、社区、部门或区）")

    def _setup_scope(self, streets: list[Street]) -> None:
        self.fields["scope"].choices = [("", "请选择"), *scope_choices(streets)]  # type: ignore[attr-defined]
        self._style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role, scope = cleaned.get("role"), cleaned.get("scope")
        if role and scope:
            kind = scope.split(":", 1)[0]
            if kind not in ROLE_SCOPES.get(role, ()):
                allowed = "、".join(SCOPE_LABELS[k] for k in ROLE_SCOPES[role])
                self.add_error("scope", f"“{Role(role).label}”只能授予给：{allowed}")
        return cleaned

    def scope_object(self) -> Street | Community | Department | District:
        kind, pk = self.cleaned_data["scope"].split(":", 1)
        return SCOPE_MODELS[kind].objects.get(pk=int(pk))

    def street_of_scope(self) -> Street | None:
        obj = self.scope_object()
        if isinstance(obj, Street):
            return obj
        if isinstance(obj, Community):
            return obj.street
        return None

    def role_label(self) -> str:
        return str(Role(self.cleaned_data["role"]).label)


class NewUserForm(_RoleScopeMixin):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ + -"},
        help_text="登录时使用，例如 xh03_member",
    )
    full_name = forms.CharField(label="姓名", max_length=150)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput(render_value=False), min_length=8
    )
    field_order = ["username", "full_name", "password", "role", "scope"]

    def __init__(self, *args: Any, streets: list[Street], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_scope(streets)

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"])
        if get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(f"用户名“{username}”已被使用")
        return username

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        validate_password(password)
        return password


class AssignRoleForm(_RoleScopeMixin):
    user = forms.ModelChoiceField(
        label="用户", queryset=get_user_model().objects.none(), empty_label="请选择用户"
    )
    field_order = ["user", "role", "scope"]

    def __init__(self, *args: Any, streets: list[Street], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_scope(streets)
        street_ids = [s.pk for s in streets]
        district_ids = {s.district_id for s in streets}
        # Users already working in these streets, or without any role yet.
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(is_active=True, is_superuser=False)
            .filter(
                Q(role_assignments__isnull=True)
                | Q(role_assignments__street_id__in=street_ids)
                | Q(role_assignments__community__street_id__in=street_ids)
                | Q(role_assignments__department__district_id__in=district_ids)
                | Q(role_assignments__district_id__in=district_ids)
            )
            .distinct()
            .order_by("username")
        )
