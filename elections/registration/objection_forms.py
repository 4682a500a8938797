"""Forms of the objection pages (选民名单申诉, RULES.md R13).

The forms check what a person typed; the rules (dates, who may be the subject,
the roll's own checks) are the services' (elections.registration.objections, elections.registration.services),
whose field errors the views put back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms

from elections.forms import DateInput
from elections.models import CommunityElection
from elections.registration import voter_checks as vc
from elections.registration.forms import VoterFields, text_field
from elections.registration.models import (
    ObjectionKind,
    Voter,
    VoterStatus,
)
from elections.registration.objections import KINDS_NEEDING_SUBJECT
from elections.registration.services import VoterData, search_filter

# How many same-name voters the record form offers to choose from.
MAX_SUBJECT_MATCHES = 10


class _StyledForm(forms.Form):
    """Bootstrap classes on every widget (radios and checkboxes as form-check)."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # Bootstrap's red border on every field with an error (aria-invalid is Django's).
        for name in [field] if field else []:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def apply_errors(self, errors: dict[str, str], *, placed: set[str] | None = None) -> set[str]:
        """Put a service's {field: message} errors on the matching fields, each message
        once: those in `placed` (already on another form of the page) are skipped.
        Returns `placed` with the messages put here."""
        placed = set() if placed is None else placed
        for name, message in errors.items():
            if name in self.fields and message not in placed:
                self.add_error(name, message)
                placed.add(message)
        return placed


class RecordObjectionForm(_StyledForm):
    complainant_name = text_field("申诉人姓名", vc.NAME_MAX, required=True)
    complainant_phone = text_field("申诉人联系电话", vc.PHONE_MAX)

    def clean_complainant_name(self) -> str:
        try:
            return vc.check_name(self.cleaned_data.get("complainant_name") or "")
        except vc.FieldProblem as problem:
            raise forms.ValidationError(problem.message) from None

    def clean_complainant_phone(self) -> str:
        try:
            return vc.check_phone(self.cleaned_data.get("complainant_phone") or "")
        except vc.FieldProblem as problem:
            raise forms.ValidationError(problem.message) from None

    kind = forms.ChoiceField(label="申诉事项", choices=[("", "请选择"), *ObjectionKind.choices])
    subject_query = forms.CharField(
        label="涉及的选民（错登、不应登记时填写）",
        max_length=50,
        required=False,
        help_text="输入名单上此人的姓名、完整身份证号或身份证号后4位",
    )
    # The voter chosen among several matches (radio buttons named subject_voter).
    subject_voter = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subject_name = forms.CharField(
        label="漏登人员姓名（漏登时填写）", max_length=50, required=False
    )
    description = forms.CharField(
        label="申诉内容和理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    received_on = forms.DateField(
        label="收到日期",
        widget=DateInput(),
        error_messages={"invalid": "请填写有效的日期，例如 2027-01-10"},
    )

    def __init__(self, *args: Any, election: CommunityElection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.election = election
        # Voters offered as radio buttons when the query matched several (or a prefill).
        self.subject_matches: list[Voter] = []
        self.subject_matches_more = False
        self._style()

    def _active_voters(self) -> Any:
        return Voter.objects.filter(election=self.election).exclude(status=VoterStatus.REMOVED)

    def prefill_voter(self, pk: int) -> None:
        """Start the form with one voter chosen (?voter=<pk> from a voter's page)."""
        voter = self._active_voters().filter(pk=pk).first()
        if voter is not None:
            self.subject_matches = [voter]
            self.initial.update(
                {"subject_voter": voter.pk, "subject_query": voter.name, "kind": "wrong_entry"}
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind not in KINDS_NEEDING_SUBJECT:
            cleaned["subject_voter"] = None
            return cleaned
        # The subject is the chosen voter; a name typed for an omission does not apply.
        cleaned["subject_name"] = ""
        cleaned["subject_voter"] = self._resolve_subject(
            (cleaned.get("subject_query") or "").strip(), cleaned.get("subject_voter")
        )
        return cleaned

    def _resolve_subject(self, query: str, pk: int | None) -> Voter | None:
        voters = self._active_voters()
        if not query:
            chosen = voters.filter(pk=pk).first() if pk else None
            if chosen is None:
                self.add_error("subject_query", "请填写涉及的选民：姓名、身份证号或身份证号后4位")
            return chosen
        matches = list(
            voters.filter(search_filter(query)).order_by("name", "id")[: MAX_SUBJECT_MATCHES + 1]
        )
        for voter in matches:
            if voter.pk == pk:
                self.subject_matches = matches[:MAX_SUBJECT_MATCHES]
                return voter
        if len(matches) == 1:
            return matches[0]
        if not matches:
            self.add_error("subject_query", f"选民名单中没有找到“{query}”，请核对后重新输入")
            return None
        self.subject_matches = matches[:MAX_SUBJECT_MATCHES]
        self.subject_matches_more = len(matches) > MAX_SUBJECT_MATCHES
        self.add_error(
            "subject_query",
            "找到多位选民，请在下面选择一位"
            + ("（只列出前10位，可输入完整身份证号缩小范围）" if self.subject_matches_more else ""),
        )
        return None

    def apply_errors(self, errors: dict[str, str], *, placed: set[str] | None = None) -> set[str]:
        # The service names the voter "subject_voter"; the form asks for it as subject_query.
        mapped = {("subject_query" if k == "subject_voter" else k): v for k, v in errors.items()}
        return super().apply_errors(mapped, placed=placed)


DECISIONS = [("accepted", "申诉成立"), ("rejected", "申诉不成立（不予支持）")]


class DecideObjectionForm(_StyledForm):
    decision = forms.ChoiceField(
        label="处理结果",
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择处理结果"},
    )
    reason = forms.CharField(
        label="处理理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写处理理由"},
    )
    decided_on = forms.DateField(
        label="决定日期",
        widget=DateInput(),
        error_messages={"invalid": "请填写有效的日期，例如 2027-01-12"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    @property
    def accepted(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data["decision"] == "accepted")


class _OnlyWhenAcceptedForm(_StyledForm):
    """Sub-forms of the decision that matter only when the objection is accepted:
    unchecked (and silent) otherwise."""

    def __init__(self, *args: Any, active: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.active = active
        self._style()

    def full_clean(self) -> None:
        if not self.active:
            self._errors = forms.utils.ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()


class NewVoterForm(VoterFields, _OnlyWhenAcceptedForm):
    """The person to register when an omission is accepted (the roll's own checks apply)."""

    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    rights_deprived = None  # type: ignore[assignment]

    field_order = [
        "name",
        "id_number",
        "category",
        "group",
        "address",
        "phone",
        "ethnicity",
        "approval_body",
        "approval_date",
        "notes",
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, message in (
            ("name", "请填写姓名"),
            ("id_number", "请填写身份证号"),
            ("category", "请选择登记类别"),
        ):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def voter_data(self) -> VoterData:
        data = self.cleaned_data
        return VoterData(
            name=data["name"],
            id_number=data["id_number"],
            category=data["category"],
            group=data.get("group") or "",
            address=data.get("address") or "",
            phone=data.get("phone") or "",
            ethnicity=data.get("ethnicity") or "",
            approval_body=data.get("approval_body") or "",
            approval_date=data.get("approval_date"),
            notes=data.get("notes") or "",
        )


class CorrectionForm(VoterFields, _OnlyWhenAcceptedForm):
    """The corrected entry when a wrong entry is accepted: starts with the current
    values; what differs is the correction. (A wrong ID number is a removal and a
    new registration, not a correction.)"""

    def __init__(self, *args: Any, voter: Voter | None, **kwargs: Any) -> None:
        if voter is not None:
            kwargs.setdefault("initial", {name: getattr(voter, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)

    def corrections(self) -> dict[str, Any]:
        """Every field as typed; the service keeps those that differ from the entry."""
        data = dict(self.cleaned_data)
        for name in ("approval_body",):
            data[name] = data.get(name) or ""
        return data
