"""The date fields of the candidates forms render an ISO value: an <input type="date">
shows nothing for a localised one ("2026/11/30"), so a page reopened after saving
(the nomination count, an exclusion's consent, a 考察 record…) showed an empty date
and the next save was refused with "这个字段是必填项"."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from candidates import forms_party, forms_slate

DAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (forms_slate.NominationCountForm(initial={"held_on": DAY}), "held_on"),
        (forms_slate.RevoteForm(initial={"held_on": DAY}), "held_on"),
        (forms_slate.LeaveForm(initial={"left_on": DAY}), "left_on"),
        (forms_party.ConsentForm(initial={"consent_date": DAY}, prefix="c"), "consent_date"),
        (forms_party.VoteForm(initial={"vote_date": DAY}, prefix="v"), "vote_date"),
        (forms_party.MeetingForm(initial={"held_on": DAY}), "held_on"),
        (forms_party.InspectionForm(initial={"inspected_on": DAY}), "inspected_on"),
        (forms_party.PublicityForm(initial={"starts_on": DAY}), "starts_on"),
    ],
)
def test_date_inputs_render_iso_values(form: forms.Form, field: str) -> None:
    with translation.override("zh-hans"):
        html = str(form[field])
    assert 'type="date"' in html
    assert 'value="2026-11-30"' in html, html
