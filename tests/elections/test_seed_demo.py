"""The demo street: created once, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from elections.management.commands.seed_demo import DEMO_STAGES
from elections.models import TRACKS, AuditEvent, CommunityElection, ElectionCycle, RoleAssignment


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"elections", "auth", "guardian"}
    }


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing() -> None:
    out = StringIO()
    call_command("seed_demo", "--election-day", "2027-01-28", stdout=out)
    assert "演示街道已创建" in out.getvalue()
    first = table_counts()
    cycle = ElectionCycle.objects.get()
    assert cycle.election_day == dt.date(2027, 1, 28)
    assert cycle.rule_profile.code == "xinhe-2020"
    assert list(
        CommunityElection.objects.order_by("community__code").values_list(
            "community__code", flat=True
        )
    ) == ["XH01", "XH02", "XH03", "XH04", "XH05", "XH06"]
    audit_rows = AuditEvent.objects.count()
    out = StringIO()
    call_command("seed_demo", "--election-day", "2027-03-01", stdout=out)
    assert "未做任何改动" in out.getvalue()
    assert table_counts() == first
    assert AuditEvent.objects.count() == audit_rows  # a second run writes no audit row
    assert ElectionCycle.objects.get().election_day == dt.date(2027, 1, 28)


@pytest.mark.django_db
def test_seed_demo_users_can_log_in_with_their_roles() -> None:
    call_command("seed_demo", stdout=StringIO())
    for username, role in [
        ("officer", "street_officer"),
        ("xh01_member", "committee_member"),
        ("xh01_chair", "committee_chair"),
        ("xh02_member", "committee_member"),
        ("police_reviewer", "department_reviewer"),
        ("org_reviewer", "org_reviewer"),
        ("supervisor", "supervisor"),
    ]:
        # axes needs the request to know the client address
        request = RequestFactory().post("/login/", REMOTE_ADDR="127.0.0.1")
        user = authenticate(request, username=username, password="demo12345")
        assert user is not None, username
        assert RoleAssignment.objects.filter(user=user, role=role).exists()


@pytest.mark.django_db
def test_seed_demo_default_election_day_is_ten_days_ahead() -> None:
    from django.utils import timezone

    call_command("seed_demo", stdout=StringIO())
    assert ElectionCycle.objects.get().election_day == timezone.localdate() + dt.timedelta(days=10)


@pytest.mark.django_db
def test_seed_demo_rejects_a_bad_date() -> None:
    with pytest.raises(CommandError, match="选举日格式不对"):
        call_command("seed_demo", "--election-day", "28/01/2027", stdout=StringIO())
    assert not ElectionCycle.objects.exists()


@pytest.mark.django_db
def test_seed_demo_moves_stages_through_the_service_with_its_audit_rows() -> None:
    call_command("seed_demo", "--election-day", "2027-01-28", stdout=StringIO())
    stages = {
        e.community.code: (e.committee_stage, e.party_stage)
        for e in CommunityElection.objects.select_related("community")
    }
    assert stages == DEMO_STAGES
    # One advanced row per stage step (advance_stage), none written behind the services' back.
    expected = {
        track: sum(
            [code for code, _ in TRACKS[track]].index(target[i]) for target in DEMO_STAGES.values()
        )
        for i, track in enumerate(("committee", "party"))
    }
    for track, steps in expected.items():
        rows = AuditEvent.objects.filter(action=f"elections.stage.{track}.advanced")
        assert rows.count() == steps
    assert not AuditEvent.objects.filter(action="elections.demo.stages_set").exists()
    xh06 = AuditEvent.objects.filter(
        action="elections.stage.party.advanced", object_repr__contains="滨江社区"
    )
    assert [e.data["to"] for e in xh06.order_by("id")][-1] == "recommendation"


@pytest.mark.django_db
def test_seed_demo_records_each_election_committee_through_the_service() -> None:
    """Leaving 选举委员会推选 needs the 推选 result and a chair (R6): the candidates app's
    demo seeder records them, with their audit rows, before the stages move."""
    call_command("seed_demo", "--election-day", "2027-01-28", stdout=StringIO())
    committee_member = apps.get_model("candidates", "CommitteeMember")
    for election in CommunityElection.objects.all():
        members = committee_member.objects.filter(election=election)
        assert members.filter(status="member").count() == 5
        assert members.filter(status="alternate").count() == 2
        assert members.filter(is_chair=True).count() == 1
    assert AuditEvent.objects.filter(action="candidates.committee.member_added").count() == 42
    assert AuditEvent.objects.filter(action="candidates.committee.chair_set").count() == 6
