"""The two shipped rule profiles (RULES.md §7, §10)."""

from __future__ import annotations

import dataclasses

import pytest

from electionlaw import RuleParams
from elections.models import RuleProfile


@pytest.mark.django_db
def test_profiles_are_installed_by_migration() -> None:
    assert set(RuleProfile.objects.values_list("code", flat=True)) >= {
        "national-2018",
        "xinhe-2020",
    }


@pytest.mark.django_db
def test_national_profile_is_the_engine_default() -> None:
    assert RuleProfile.objects.get(code="national-2018").params() == RuleParams()


@pytest.mark.django_db
def test_xinhe_profile_differs_where_the_plan_is_local() -> None:
    national = RuleProfile.objects.get(code="national-2018").params()
    xinhe = RuleProfile.objects.get(code="xinhe-2020").params()
    differences = {
        f.name: (getattr(national, f.name), getattr(xinhe, f.name))
        for f in dataclasses.fields(RuleParams)
        if getattr(national, f.name) != getattr(xinhe, f.name)
    }
    assert differences == {
        "formal_list_days_before": (5, 7),
        "proxy_cap": (3, 5),
        "withdrawal_policy": ("until_d_minus_3", "none"),
        "lingxing_window_days": (30, 10),
        "mobile_box_approver": ("township", "residents_rep_meeting"),
        "ballot_order": ("nomination_votes", "surname_strokes"),
        # Q3 structure targets (soft warnings): the plan's, none nationally.
        "women_share_target_pct": (0, 30),
        "secretary_age_max_male": (0, 55),
        "secretary_age_max_female": (0, 50),
        "new_member_age_max": (0, 50),
        "young_member_age_max": (0, 35),
    }


@pytest.mark.django_db
def test_every_differing_value_names_its_source() -> None:
    xinhe = RuleProfile.objects.get(code="xinhe-2020")
    for name in (
        "formal_list_days_before",
        "proxy_cap",
        "withdrawal_policy",
        "lingxing_window_days",
    ):
        assert "新河" in xinhe.source_of(name)


def test_model_fields_match_the_engine_parameters() -> None:
    model_fields = {f.name for f in RuleProfile._meta.get_fields()}
    assert set(RuleProfile.param_names()) <= model_fields


@pytest.mark.django_db
def test_gansu_2026_profile_values_and_sources() -> None:
    gansu = RuleProfile.objects.get(code="gansu-2026")
    params = gansu.params()
    assert (
        params.nonresident_min_months,
        params.nonresident_needs_meeting_approval,
        params.community_worker_min_months,
        params.law_regime,
        params.proxy_relation_set,
    ) == (6, False, 6, "2025", "any_voter")
    for name in (
        "nonresident_min_months",
        "nonresident_needs_meeting_approval",
        "community_worker_min_months",
    ):
        assert "甘肃省居民委员会选举办法（2025-11-27）第16条" in gansu.source_of(name)
    xinhe = RuleProfile.objects.get(code="xinhe-2020").params()
    assert (xinhe.nonresident_min_months, xinhe.nonresident_needs_meeting_approval) == (12, True)


@pytest.mark.django_db
def test_install_profiles_is_idempotent() -> None:
    from elections.profiles import install_profiles

    before = list(RuleProfile.objects.order_by("code").values())
    install_profiles(RuleProfile)
    install_profiles(RuleProfile)
    assert list(RuleProfile.objects.order_by("code").values()) == before
