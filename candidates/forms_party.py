"""Forms of the party pages. Their fields carry only the shape of the input; every rule
is checked by `candidates.services.party` (so a form and a spreadsheet say the same)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django import forms

from candidates import party_import as pi
from candidates.models import PartyMember, Post
from candidates.services import CandidateError

#: An <input type="date"> shows only an ISO value (YYYY-MM-DD): a localised one
#: ("2026/11/30") renders as an empty field and the next save loses the date.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})
TEXT = {"class": "form-control"}
NUMBER = {"class": "form-control", "inputmode": "numeric", "min": "0", "autocomplete": "off"}
PARTY_POST_CHOICES = [
    (Post.PARTY_COMMITTEE.value, Post.PARTY_COMMITTEE.label),
    (Post.SECRETARY.value, Post.SECRETARY.label),
    (Post.DEPUTY_SECRETARY.value, Post.DEPUTY_SECRETARY.label),
]


def add_service_errors(form: forms.Form, exc: CandidateError) -> None:
    """Each message beside its field, the headline on top."""
    placed = False
    for key, message in exc.errors.items():
        if key in form.fields:
            form.add_error(key, message)
            placed = True
    if not placed or exc.message not in exc.errors.values():
        form.add_error(None, exc.message)


class MemberForm(forms.Form):
    name = forms.CharField(
        label="姓名", max_length=60, widget=forms.TextInput(attrs={**TEXT, "autofocus": True})
    )
    id_number = forms.CharField(label="身份证号", max_length=30, widget=forms.TextInput(attrs=TEXT))
    status = forms.ChoiceField(
        label="党员类别",
        choices=[("", "请选择"), ("full", "正式党员"), ("probationary", "预备党员")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    gender = forms.ChoiceField(
        label="性别",
        choices=[("", "按身份证号"), ("男", "男"), ("女", "女")],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    birth_date = forms.DateField(
        label="出生日期", required=False, widget=DATE, help_text="可不填，按身份证号计算"
    )
    joined_on = forms.DateField(label="入党时间", required=False, widget=DATE)
    directly_managed = forms.BooleanField(
        label="直管党员（组织关系在本社区）", required=False, initial=True
    )
    on_probation = forms.BooleanField(label="党员大会召开日仍在留党察看期内", required=False)
    detained = forms.BooleanField(label="被留置", required=False)
    arrested = forms.BooleanField(label="被逮捕", required=False)
    notes = forms.CharField(
        label="备注", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, member: PartyMember | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in ("directly_managed", "on_probation", "detained", "arrested"):
            self.fields[field].widget.attrs["class"] = "form-check-input"
        if member is not None:
            self.fields["id_number"].disabled = True
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = "身份证号不能修改；换人请删除后重新添加"

    def member_data(self, id_number: str | None = None) -> pi.MemberData:
        c = self.cleaned_data
        return pi.MemberData(
            name=c["name"],
            id_number=id_number if id_number is not None else c["id_number"],
            status=c["status"],
            gender=c["gender"],
            birth_date=c["birth_date"],
            joined_on=c["joined_on"],
            directly_managed=c["directly_managed"],
            on_probation=c["on_probation"],
            detained=c["detained"],
            arrested=c["arrested"],
            notes=c["notes"],
        )


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label="删除原因", max_length=200, widget=forms.TextInput(attrs={**TEXT, "autofocus": True})
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label="党员台账（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )


class MemberFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="党员类别",
        required=False,
        choices=[("", "全部"), ("full", "正式党员"), ("probationary", "预备党员")],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    rights = forms.ChoiceField(
        label="选举权",
        required=False,
        choices=[
            ("", "全部"),
            ("yes", "有选举权"),
            ("no", "无选举权"),
            ("excluded", "已登记不计入应到会"),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class ExclusionForm(forms.Form):
    member = forms.TypedChoiceField(
        label="党员",
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select", "autofocus": True}),
    )
    category = forms.TypedChoiceField(label="情形", coerce=int, widget=forms.RadioSelect)
    detail = forms.CharField(
        label="具体情况（不公开）",
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        help_text="可能涉及健康等个人情况，只有选举委员会和街道换届办能看到",
    )

    def __init__(
        self,
        *args: Any,
        members: Iterable[PartyMember],
        categories: Mapping[int, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["member"]).choices = [("", "请选择")] + [
            (m.pk, f"{m.name}（{m.id_masked}）") for m in members
        ]
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (k, f"（{k}）{v}") for k, v in categories.items()
        ]


class ConsentForm(forms.Form):
    doc_no = forms.CharField(
        label="上级党组织同意文号", max_length=100, widget=forms.TextInput(attrs=TEXT)
    )
    consent_date = forms.DateField(label="同意日期", widget=DATE)


class VoteForm(forms.Form):
    vote_date = forms.DateField(label="党员大会通过日期", widget=DATE)


class MeetingForm(forms.Form):
    held_on = forms.DateField(
        label="推荐日期",
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={"type": "date", "class": "form-control", "autofocus": True},
        ),
    )
    participants = forms.IntegerField(
        label="参加推荐人数", min_value=1, widget=forms.NumberInput(attrs=NUMBER)
    )


class TallyForm(forms.Form):
    """One number per member with rights, in roll order: tab from one to the next."""

    def __init__(
        self,
        *args: Any,
        members: Iterable[PartyMember],
        initial_votes: Mapping[int, int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        first = True
        for m in members:
            attrs = {**NUMBER, "aria-label": f"{m.name}的推荐票数"}
            if first:
                attrs["autofocus"] = "autofocus"
                first = False
            self.fields[f"m{m.pk}"] = forms.IntegerField(
                label=m.name,
                required=False,
                min_value=0,
                initial=initial_votes.get(m.pk, ""),
                widget=forms.NumberInput(attrs=attrs),
            )

    def votes(self) -> dict[int, int]:
        return {int(name[1:]): value or 0 for name, value in self.cleaned_data.items()}


class InitialForm(forms.Form):
    member = forms.TypedChoiceField(
        label="党员",
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select", "autofocus": True}),
    )
    post = forms.ChoiceField(
        label="职位",
        choices=PARTY_POST_CHOICES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, members: Iterable[PartyMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["member"]).choices = [("", "请选择")] + [
            (m.pk, f"{m.name}（{m.id_masked}）") for m in members
        ]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="退出原因", max_length=200, widget=forms.TextInput(attrs=TEXT))


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(
        label="考察日期",
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={"type": "date", "class": "form-control", "autofocus": True},
        ),
    )
    inspection_summary = forms.CharField(
        label="考察情况", widget=forms.Textarea(attrs={**TEXT, "rows": 5})
    )


class PublicityForm(forms.Form):
    starts_on = forms.DateField(label="公示开始日期", widget=DATE)


class ApprovalForm(forms.Form):
    doc_no = forms.CharField(
        label="批复文号", max_length=100, widget=forms.TextInput(attrs={**TEXT, "autofocus": True})
    )
    approval_date = forms.DateField(label="批复日期", widget=DATE)
    approved = forms.TypedMultipleChoiceField(
        label="批复同意的预备人选", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    feedback = forms.CharField(
        label="公示期间反映的情况", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )

    def __init__(self, *args: Any, candidates: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["approved"]).choices = [
            (c.pk, f"{c.name}（{c.get_post_display()}）") for c in candidates
        ]
