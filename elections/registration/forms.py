"""Forms of the voter roll pages: the roll's filters, registration, correction and removal.

The forms only parse what a person typed; every rule of registration (a valid ID
number, 18 on election day, one registration per street, approval of categories
(c) and (d)) is checked by `elections.registration.services`, whose `VoterError.errors` the views
put back on the fields here (`add_service_errors`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from electionlaw import latest_eligible_birth_date
from elections.forms import DateInput
from elections.idnumbers import mask_id_number, normalize_id_number
from elections.models import CommunityElection
from elections.registration import voter_checks as vc
from elections.registration.models import ApprovalBody, Voter, VoterCategory, VoterStatus
from elections.registration.services import EDITABLE_FIELDS, VoterData, VoterError, search_filter

# The 居民小组 filter's value for voters whose group was left empty.
NO_GROUP = "__none__"
NO_GROUP_LABEL = "（未填写居民小组）"

# The status filter: by default the roll shows the people on it (registered and
# waiting for the meeting's approval); removed entries only when asked for.
STATUS_ACTIVE = ""
STATUS_ALL = "all"
STATUS_CHOICES = [
    (STATUS_ACTIVE, "在册（已登记和待会议同意）"),
    *VoterStatus.choices,
    (STATUS_ALL, "全部（含已移除）"),
]


def is_full_id_number(text: str) -> bool:
    """Whether a search text is a whole ID number (searched through its hash)."""
    compact = normalize_id_number(text).upper()
    return len(compact) == 18 and compact[:17].isdigit()


def safe_search_text(text: str) -> str:
    """A search text fit to be stored or shown: a whole ID number is masked."""
    return mask_id_number(text) if is_full_id_number(text) else text.strip()


def _style(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget, so templates stay plain."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


class _MarksInvalidFields(forms.Form):
    """Fields with an error get Bootstrap's `is-invalid` (Django adds aria-invalid)."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    widget.attrs["class"] = f"{css} is-invalid".strip()
        # The keyboard starts at the first field to correct.
        first = next((name for name in self.fields if name in self.errors), None)
        for name, form_field in self.fields.items():
            form_field.widget.attrs.pop("autofocus", None)
            if name == first:
                form_field.widget.attrs["autofocus"] = True


class VoterFilterForm(forms.Form):
    """The roll's search box and filters; an invalid value is simply not applied.

    The form is sent by POST and the view redirects to a GET address that holds the
    filters but never a phone or ID number (`idh` and `s` stand in for them)."""

    q = forms.CharField(
        label="查找",
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "placeholder": "姓名、联系电话，或身份证号（完整号码、后3～4位或打码形式）",
                "type": "search",
            }
        ),
    )
    # A text value shown as a select: any group name filters (an unknown one finds
    # nobody), so that the export can apply the filters without reading the groups.
    group = forms.CharField(label="居民小组", required=False, max_length=50, widget=forms.Select)
    category = forms.ChoiceField(
        label="登记类别", required=False, choices=[("", "全部类别"), *VoterCategory.choices]
    )
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES)
    under_18 = forms.BooleanField(label="只看选举日未满18周岁的", required=False)
    # A search by full ID number travels as its keyed hash, never as the number
    # (the view turns ?q=<number> into ?idh=<hash> with a redirect).
    idh = forms.RegexField(regex=r"^[0-9a-f]{64}$", required=False, widget=forms.HiddenInput)
    # A search by phone number (or any long run of digits) is sent by POST and kept in the
    # session; the URL carries only this random token (views/voters.py).
    s = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, groups: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_choices = [
            ("", "全部居民小组"),
            *[(g, g) if g else (NO_GROUP, NO_GROUP_LABEL) for g in groups or []],
        ]
        self.fields["group"].widget.choices = self.group_choices
        _style(self)

    def filtered(self, election: CommunityElection) -> QuerySet[Voter]:
        """The election's voters matching the valid filters."""
        qs = Voter.objects.filter(election=election)
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("q"):
            qs = qs.filter(search_filter(data["q"]))
        if data.get("idh"):
            qs = qs.filter(id_hash=data["idh"])
        group = data.get("group")
        if group:
            qs = qs.filter(group="" if group == NO_GROUP else group)
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        status = data.get("status", STATUS_ACTIVE)
        if status == STATUS_ACTIVE:
            qs = qs.exclude(status=VoterStatus.REMOVED)
        elif status != STATUS_ALL:
            qs = qs.filter(status=status)
        if data.get("under_18"):
            qs = qs.filter(birth_date__gt=latest_eligible_birth_date(election.election_day))
        return qs

    def is_filtered(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(
            data.get(name) for name in ("q", "idh", "group", "category", "status", "under_18")
        )

    def description(self) -> str:
        """The filters in words, for the audit row of an export."""
        data = getattr(self, "cleaned_data", {})
        parts = []
        if data.get("q"):
            parts.append(f"查找：{safe_search_text(data['q'])}")
        if data.get("idh"):
            parts.append("查找：按完整身份证号")
        if data.get("group"):
            group = data["group"]
            parts.append(f"居民小组：{NO_GROUP_LABEL if group == NO_GROUP else group}")
        for name in ("category", "status"):
            value = data.get(name)
            if value:
                label = dict(self.fields[name].choices).get(value, value)  # type: ignore[attr-defined]
                parts.append(f"{self.fields[name].label}：{label}")
        if data.get("under_18"):
            parts.append(str(self.fields["under_18"].label))
        return "；".join(parts) or "全部在册选民"


class SharedVoterChecks(forms.Form):
    """`clean_<field>` of every voter form delegates to the shared check (voter_checks),
    so a form says exactly what the import says about the same value."""

    def _shared(self, name: str, check: Any) -> Any:
        value = self.cleaned_data.get(name) or ""
        try:
            return check(value)
        except vc.FieldProblem as problem:
            raise forms.ValidationError(problem.message) from None

    def clean_name(self) -> str:
        return self._shared("name", vc.check_name)

    def clean_group(self) -> str:
        return self._shared("group", vc.check_group)

    def clean_address(self) -> str:
        return self._shared("address", vc.check_address)

    def clean_phone(self) -> str:
        return self._shared("phone", vc.check_phone)

    def clean_notes(self) -> str:
        return self._shared("notes", vc.check_notes)

    def clean_ethnicity(self) -> str:
        return self._shared("ethnicity", lambda text: vc.check_ethnicity(text)[0])


def text_field(label: str, limit: int, *, required: bool = False, **kwargs: Any) -> forms.CharField:
    """A voter text field: the browser stops at `limit`, the shared check says why."""
    field = forms.CharField(label=label, required=required, strip=False, **kwargs)
    field.widget.attrs["maxlength"] = str(limit)
    return field


class VoterFields(SharedVoterChecks):
    """The voter fields, declared once: entry, correction, 补登 and the objection forms
    (an accepted omission or wrong entry) all use these, with the shared checks."""

    name = text_field("姓名", vc.NAME_MAX, required=True, error_messages={"required": "请填写姓名"})
    category = forms.ChoiceField(
        label="登记类别",
        choices=[("", "请选择"), *VoterCategory.choices],
        error_messages={"required": "请选择登记类别"},
    )
    group = text_field(
        "居民小组",
        vc.GROUP_MAX,
        widget=forms.TextInput(attrs={"list": "group-options", "autocomplete": "off"}),
        help_text="例如“第一居民小组”或楼栋号；可从已有的小组中选择。",
    )
    ethnicity = text_field("民族", vc.ETHNICITY_MAX)
    address = text_field("住址", vc.ADDRESS_MAX)
    phone = text_field(
        "联系电话",
        vc.PHONE_MAX,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    approval_body = forms.ChoiceField(
        label="同意登记的会议",
        required=False,
        choices=[("", "（无）"), *ApprovalBody.choices],
        help_text="“人在户不在”和“社区工作人员”须经居民会议或居民代表会议同意才算登记（规则 R10）。",
    )
    approval_date = forms.DateField(
        label="会议同意日期",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "请填写有效的日期，例如 2026-12-01"},
    )
    rights_deprived = forms.BooleanField(
        label="被剥夺政治权利",
        required=False,
        help_text="勾选后此人保留在名册中，但不计入有选举权的选民（规则 R9）。",
    )
    notes = text_field("备注", vc.NOTES_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class _VoterFieldsForm(VoterFields, _MarksInvalidFields):
    """The fields a committee member fills in or corrects (not the ID number)."""

    def clean_approval_date(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("approval_date")
        if day and day > timezone.localdate():
            raise forms.ValidationError("会议同意日期不能晚于今天")
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        body, day = cleaned.get("approval_body"), cleaned.get("approval_date")
        if "approval_date" not in self.errors and bool(body) != bool(day):
            self.add_error("approval_date", "请同时填写同意登记的会议和日期")
        return cleaned


class VoterForm(_VoterFieldsForm):
    """Registration by hand (逐个录入) or at the polling place (选举日补登)."""

    id_number = forms.CharField(
        label="身份证号",
        max_length=30,
        error_messages={"required": "请填写18位居民身份证号码"},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}
        ),
        help_text="18位，最后一位可以是X。性别和出生日期从号码中读出。",
    )
    gender = forms.ChoiceField(
        label="性别（核对用）",
        required=False,
        choices=[("", "不核对"), ("男", "男"), ("女", "女")],
        help_text="可不填；填写后与身份证号核对，防止抄错号码。",
    )
    birth_date = forms.DateField(
        label="出生日期（核对用）",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "请填写有效的日期，例如 1980-05-01"},
        help_text="可不填；填写后与身份证号核对。",
    )

    field_order = [
        "name",
        "id_number",
        "category",
        "approval_body",
        "approval_date",
        "group",
        "gender",
        "birth_date",
        "ethnicity",
        "address",
        "phone",
        "rights_deprived",
        "notes",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        if not self.is_bound:
            self.fields["name"].widget.attrs["autofocus"] = True

    def voter_data(self) -> VoterData:
        data = self.cleaned_data
        return VoterData(
            name=data["name"],
            id_number=data["id_number"],
            category=data["category"],
            gender=data.get("gender") or "",
            birth_date=data.get("birth_date"),
            ethnicity=data.get("ethnicity") or "",
            group=data.get("group") or "",
            address=data.get("address") or "",
            phone=data.get("phone") or "",
            notes=data.get("notes") or "",
            approval_body=data.get("approval_body") or "",
            approval_date=data.get("approval_date"),
            rights_deprived=bool(data.get("rights_deprived")),
        )


class _StaleCheckMixin(forms.Form):
    """The voter's `updated_at` when the form was opened, to refuse stale changes."""

    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def stamp(voter: Voter) -> str:
        return voter.updated_at.isoformat()

    def is_stale(self, voter: Voter) -> bool:
        return self.cleaned_data.get("updated_at") != self.stamp(voter)


class VoterEditForm(_StaleCheckMixin, _VoterFieldsForm):
    """Correct an entry; the ID number cannot be changed (remove and register again)."""

    reason = forms.CharField(
        label="修改理由",
        max_length=500,
        error_messages={"required": "请填写修改理由，例如“核对户口簿后更正”"},
        widget=forms.TextInput(attrs={"placeholder": "例如：核对户口簿后更正姓名"}),
        help_text="记入操作记录。",
    )

    field_order = [
        "name",
        "category",
        "approval_body",
        "approval_date",
        "group",
        "ethnicity",
        "address",
        "phone",
        "rights_deprived",
        "notes",
        "reason",
    ]

    def __init__(self, *args: Any, voter: Voter, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                **{name: getattr(voter, name) for name in EDITABLE_FIELDS},
                "updated_at": self.stamp(voter),
            },
        )
        super().__init__(*args, **kwargs)
        _style(self)

    def changes(self, voter: Voter) -> dict[str, Any]:
        """The editable fields whose new value differs from the voter's."""
        result = {}
        for name in EDITABLE_FIELDS:
            value = self.cleaned_data.get(name)
            if isinstance(value, str):
                value = value.strip()
            if name == "approval_body" and value is None:
                value = ""
            if value != getattr(voter, name):
                result[name] = value
        return result


class VoterRemoveForm(_StaleCheckMixin, _MarksInvalidFields):
    reason = forms.CharField(
        label="移除理由",
        max_length=500,
        error_messages={"required": "请填写移除理由"},
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "例如：已迁出本社区；已去世；重复登记；申诉成立"}
        ),
        help_text="记入操作记录，并在此人的页面上显示。",
    )

    def __init__(self, *args: Any, voter: Voter, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"updated_at": self.stamp(voter)})
        super().__init__(*args, **kwargs)
        _style(self)


def add_service_errors(form: forms.Form, exc: VoterError) -> None:
    """Put a `VoterError` back on the form: each message on its field, the headline on top.

    The service's "__all__" entry only repeats the headline in short, so it is not shown."""
    placed: set[str] = set()
    errors: Mapping[str, str] = exc.errors
    for key, message in errors.items():
        if key in form.fields:
            form.add_error(key, message)
            placed.add(message)
        elif key != "__all__":
            form.add_error(None, message)
            placed.add(message)
    if exc.message not in placed:
        form.add_error(None, exc.message)
