"""The fixed cast of test users (STYLE.md habit 7) and the street they work in.

Street 新河 (district 开福) with communities A (XH01) and B (XH02), one cycle on the
新河 profile, and: a street officer, a committee member and the chair of A, a
committee member of B, a department reviewer, an organisation reviewer, a
supervisor, a user without any role, and the anonymous visitor.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from random import Random
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from elections import services
from elections.models import (
    Community,
    CommunityElection,
    Department,
    District,
    ElectionCycle,
    Role,
    RuleProfile,
    Street,
)
from elections.profiles import install_profiles
from tests.idgen import generate_valid_id


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist every worker has its own test database, so it gets its own
    cache keys too: a notice's render progress is keyed by the election's pk, which
    two workers' databases hand out alike."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django.conf import settings

        cache = settings.CACHES["default"]
        cache["KEY_PREFIX"] = f"{cache.get('KEY_PREFIX', '')}:{worker}"


_id_rng = Random(20270128)
_issued_ids: set[str] = set()


def new_id(birth: dt.date, gender: str = "男") -> str:
    """A checksum-valid ID number not handed out before in this test run."""
    while True:
        number = generate_valid_id(_id_rng, birth_date=birth, gender=gender)
        if number not in _issued_ids:
            _issued_ids.add(number)
            return number


ELECTION_DAY = dt.date(2027, 1, 28)  # a Thursday, like the 新河 plan's 2021-01-28
PARTY_MEETING_DAY = dt.date(2026, 12, 28)


@dataclass
class Cast:
    district: District
    street: Street
    other_street: Street
    community_a: Community
    community_b: Community
    community_other_street: Community
    department: Department
    cycle: ElectionCycle
    election_a: CommunityElection
    election_b: CommunityElection
    admin: Any
    users: dict[str, Any]

    def client(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(self.users[name])
        return client


ROLE_NAMES = [
    "officer",
    "member_a",
    "chair_a",
    "member_b",
    "dept_reviewer",
    "org_reviewer",
    "supervisor",
    "no_role",
    "anonymous",
]


def make_cast() -> Cast:
    install_profiles(RuleProfile)
    User = get_user_model()
    admin = User.objects.create_superuser("root", password="x-root-pass")
    district = District.objects.create(code="430105", name="开福区", city="长沙市")
    street = Street.objects.create(district=district, code="XH", name="新河街道")
    other_street = Street.objects.create(district=district, code="QH", name="青竹湖街道")
    community_a = Community.objects.create(street=street, code="XH01", name="新河社区")
    community_b = Community.objects.create(street=street, code="XH02", name="三角塘社区")
    community_other = Community.objects.create(street=other_street, code="QH01", name="青竹社区")
    department = Department.objects.create(district=district, code="police", name="区公安分局")
    cycle = services.create_cycle(
        street=street,
        term=11,
        name="新河街道第十一届换届",
        election_day=ELECTION_DAY,
        party_meeting_day=PARTY_MEETING_DAY,
        profile=RuleProfile.objects.get(code="xinhe-2020"),
        actor=admin,
        communities=[community_a, community_b],
    )
    services.create_cycle(
        street=other_street,
        term=11,
        name="青竹湖街道第十一届换届",
        election_day=ELECTION_DAY,
        party_meeting_day=PARTY_MEETING_DAY,
        profile=RuleProfile.objects.get(code="national-2018"),
        actor=admin,
        communities=[community_other],
    )
    roles: dict[str, tuple[str, Any]] = {
        "officer": (Role.STREET_OFFICER, street),
        "member_a": (Role.COMMITTEE_MEMBER, community_a),
        "chair_a": (Role.COMMITTEE_CHAIR, community_a),
        "member_b": (Role.COMMITTEE_MEMBER, community_b),
        "dept_reviewer": (Role.DEPARTMENT_REVIEWER, department),
        "org_reviewer": (Role.ORG_REVIEWER, district),
        "supervisor": (Role.SUPERVISOR, street),
    }
    users: dict[str, Any] = {}
    for name, (role, scope) in roles.items():
        user = User.objects.create_user(name, password="x-test-pass")
        services.assign_role(user, role, scope, actor=admin)
        users[name] = user
    users["no_role"] = User.objects.create_user("no_role", password="x-test-pass")
    return Cast(
        district=district,
        street=street,
        other_street=other_street,
        community_a=community_a,
        community_b=community_b,
        community_other_street=community_other,
        department=department,
        cycle=cycle,
        election_a=CommunityElection.objects.get(cycle=cycle, community=community_a),
        election_b=CommunityElection.objects.get(cycle=cycle, community=community_b),
        admin=admin,
        users=users,
    )


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()
