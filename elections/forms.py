from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q, QuerySet

from elections import audit
from elections.formatting import cn_date
from elections.models import (
    ROLE_SCOPES,
    Community,
    Department,
    District,
    Role,
    RuleProfile,
    Street,
)

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


class _FutureDatesMixin:
    """Dates a new plan is made for lie after today."""

    today: dt.date

    def _future(self, value: dt.date | None, what: str) -> dt.date | None:
        if value is not None and value <= self.today:
            raise forms.ValidationError(f"{what}须在今天（{cn_date(self.today)}）之后")
        return value


class CycleForm(_FutureDatesMixin, BootstrapMixin, forms.Form):
    street = forms.ModelChoiceField(
        label="街道", queryset=Street.objects.none(), empty_label="请选择街道"
    )
    term = forms.IntegerField(
        label="届次", min_value=1, max_value=99, help_text="例如 11，即第十一届"
    )
    name = forms.CharField(
        label="换届名称",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "例如：新河街道第十一届社区“两委”换届"}),
    )
    rule_profile = forms.ModelChoiceField(
        label="规则方案",
        queryset=RuleProfile.objects.all(),
        empty_label="请选择规则方案",
        help_text="决定各时间节点的天数，例如选民名单在选举日前几日公布",
    )
    election_day = forms.DateField(
        label="居委会选举日（各社区默认）",
        widget=DateInput(),
        help_text="各社区的选举日以后可以单独更改",
    )
    party_meeting_day = forms.DateField(
        label="党员大会日期（各社区默认，可不填）", widget=DateInput(), required=False
    )

    def __init__(
        self, *args: Any, streets: QuerySet[Street], today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["street"].queryset = streets  # type: ignore[attr-defined]
        self._style()

    def clean_election_day(self) -> dt.date | None:
        return self._future(self.cleaned_data.get("election_day"), "选举日")

    def clean_party_meeting_day(self) -> dt.date | None:
        return self._future(self.cleaned_data.get("party_meeting_day"), "党员大会日期")


class CommunityForm(BootstrapMixin, forms.Form):
    street = forms.ModelChoiceField(
        label="街道", queryset=Street.objects.none(), empty_label="请选择街道"
    )
    name = forms.CharField(label="社区名称", max_length=60)
    code = forms.RegexField(
        label="社区代码",
        max_length=20,
        regex=r"^[A-Za-z0-9_-]{2,20}$",
        error_messages={"invalid": "社区代码为2到20位字母、数字、_ 或 -，例如 XH07"},
        help_text="简短且不再改动，用在网址和文件名里，例如 XH07；不能与已有社区重复",
    )
    join_cycle = forms.BooleanField(
        label="同时加入本街道当前的换届（按换届的默认选举日生成日程）",
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, streets: QuerySet[Street], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets  # type: ignore[attr-defined]
        self._style()
        self.fields["join_cycle"].widget.attrs["class"] = "form-check-input"

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).upper()
        if Community.objects.filter(code=code).exists():
            raise forms.ValidationError(f"社区代码“{code}”已被使用，请换一个")
        return code


class ElectionDayForm(_FutureDatesMixin, BootstrapMixin, forms.Form):
    election_day = forms.DateField(label="新的选举日", widget=DateInput())
    reason = forms.CharField(
        label="改期理由（必填）",
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "例如：经街道换届领导小组批准，因寒潮推迟"}),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self._style()

    def clean_election_day(self) -> dt.date | None:
        return self._future(self.cleaned_data.get("election_day"), "新的选举日")
