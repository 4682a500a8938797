"""Forms of the committee nominations and formal-list pages. Each field's check is
the service's (candidates.services.nominations / slate); a form only parses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from candidates.models import Candidate, Education, PoliticalStatus
from candidates.services import CandidateError

#: An <input type="date"> shows only an ISO value (YYYY-MM-DD): a localised one
#: ("2026/11/30") renders as an empty field and the next save loses the date.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})


def number_input(autofocus: bool = False) -> forms.NumberInput:
    attrs = {"class": "form-control", "inputmode": "numeric", "min": "0", "step": "1"}
    if autofocus:
        attrs["autofocus"] = "autofocus"
    return forms.NumberInput(attrs=attrs)


def add_service_errors(form: forms.BaseForm, exc: CandidateError) -> None:
    """The service's per-field messages beside their fields; the rest on top."""
    placed = False
    for name, message in exc.errors.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed or "__all__" in exc.errors:
        form.add_error(None, exc.message)


class NominationCountForm(forms.Form):
    """The date, the number of voters who took part, and one votes field per nominee
    (`votes_<nomination pk>`, in ranking order, tab order top to bottom)."""

    held_on = forms.DateField(label="提名日期", widget=DATE)
    ballots = forms.IntegerField(
        label="参加提名人数（收回提名票）", min_value=1, widget=number_input(autofocus=True)
    )
    updated_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, nominations: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nominations = list(nominations)
        for n in self.nominations:
            self.fields[f"votes_{n.pk}"] = forms.IntegerField(
                label=f"{n.voter.name}（{n.voter.id_masked}）",
                min_value=0,
                initial=n.votes,
                widget=number_input(),
            )

    def votes(self) -> dict[int, int]:
        return {n.pk: self.cleaned_data[f"votes_{n.pk}"] for n in self.nominations}

    def vote_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(n, self[f"votes_{n.pk}"]) for n in self.nominations]


class RevoteForm(forms.Form):
    held_on = forms.DateField(label="重新投票日期", widget=DATE)

    def __init__(self, *args: Any, tied: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tied = list(tied)
        for i, n in enumerate(self.tied):
            self.fields[f"revote_{n.pk}"] = forms.IntegerField(
                label=f"{n.voter.name}（{n.voter.id_masked}）",
                min_value=0,
                widget=number_input(autofocus=i == 0),
            )

    def votes(self) -> dict[int, int]:
        return {n.pk: self.cleaned_data[f"revote_{n.pk}"] for n in self.tied}


class PostChoiceForm(forms.Form):
    voter = forms.IntegerField(widget=forms.HiddenInput)
    chosen_post = forms.ChoiceField(label="书面选择的职位", widget=forms.RadioSelect)
    choice_date = forms.DateField(label="书面选择日期", widget=DATE)

    def __init__(self, *args: Any, posts: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["chosen_post"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(posts)


class CandidateForm(forms.ModelForm):
    updated_at = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Candidate
        fields = [
            "education",
            "political_status",
            "work",
            "current_posts",
            "incumbent",
            "cross_track",
            "one_shoulder",
            "pledge_signed_on",
        ]
        widgets = {
            "education": forms.Select(
                choices=[("", "（未填写）"), *Education.choices],
                attrs={"class": "form-select", "autofocus": "autofocus"},
            ),
            "political_status": forms.Select(
                choices=[("", "（未填写）"), *PoliticalStatus.choices],
                attrs={"class": "form-select"},
            ),
            "work": forms.TextInput(attrs={"class": "form-control"}),
            "current_posts": forms.TextInput(attrs={"class": "form-control"}),
            "incumbent": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "cross_track": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "one_shoulder": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "pledge_signed_on": DATE,
        }


class LeaveForm(forms.Form):
    KINDS = [("withdraw", "本人书面退出"), ("disqualify", "资格不符")]

    kind = forms.ChoiceField(label="情形", choices=KINDS, widget=forms.RadioSelect)
    left_on = forms.DateField(label="日期", widget=DATE)
    reason = forms.CharField(
        label="理由", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class OrderOverrideForm(forms.Form):
    reason = forms.CharField(
        label="人工调整顺序的理由",
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, candidates: Sequence[Candidate] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for i, c in enumerate(self.candidates, start=1):
            self.fields[f"pos_{c.pk}"] = forms.IntegerField(
                label=c.name,
                min_value=1,
                max_value=max(len(self.candidates), 1),
                initial=c.ballot_order or i,
                widget=number_input(autofocus=i == 1),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        positions = [data.get(f"pos_{c.pk}") for c in self.candidates]
        if None not in positions and len(set(positions)) != len(positions):
            raise forms.ValidationError("每个位置只能排一人，请检查重复的序号")
        return data

    def order(self) -> list[int]:
        return [
            c.pk for c in sorted(self.candidates, key=lambda c: self.cleaned_data[f"pos_{c.pk}"])
        ]
