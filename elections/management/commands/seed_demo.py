"""Create the demo street: 长沙市开福区 → 新河街道, six communities, a cycle in progress on
the 新河 profile, and one user per role. Safe to run twice: the second run changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

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

DEMO_PASSWORD = "demo12345"  # noqa: S105 — documented demo password, README lists the users

COMMUNITIES = [
    ("XH01", "新河社区"),
    ("XH02", "三角塘社区"),
    ("XH03", "营盘社区"),
    ("XH04", "晴岚社区"),
    ("XH05", "福城社区"),
    ("XH06", "滨江社区"),
]
DEPARTMENTS = [
    ("police", "区公安分局"),
    ("court", "区人民法院"),
    ("petition", "区信访局"),
    ("health", "区卫生健康局"),
]

# (username, full name, role, scope kind, scope code)
USERS: list[tuple[str, str, str, str, str]] = [
    ("officer", "任洁琳", Role.STREET_OFFICER, "street", "XH"),
    ("xh01_chair", "李元丰", Role.COMMITTEE_CHAIR, "community", "XH01"),
    ("xh01_member", "胡刚", Role.COMMITTEE_MEMBER, "community", "XH01"),
    ("xh02_chair", "李慧", Role.COMMITTEE_CHAIR, "community", "XH02"),
    ("xh02_member", "张宇", Role.COMMITTEE_MEMBER, "community", "XH02"),
    ("police_reviewer", "公安审核员", Role.DEPARTMENT_REVIEWER, "department", "police"),
    ("court_reviewer", "法院审核员", Role.DEPARTMENT_REVIEWER, "department", "court"),
    ("petition_reviewer", "信访审核员", Role.DEPARTMENT_REVIEWER, "department", "petition"),
    ("health_reviewer", "卫健审核员", Role.DEPARTMENT_REVIEWER, "department", "health"),
    ("org_reviewer", "组织部审核员", Role.ORG_REVIEWER, "district", "430105"),
    ("supervisor", "纪工委监督员", Role.SUPERVISOR, "street", "XH"),
]

# Where each demo community stands (committee stage, party stage), so that the
# dashboard shows a street in the middle of its 换届.
DEMO_STAGES = {
    "XH01": ("nomination", "filing"),
    "XH02": ("nomination", "filing"),
    "XH03": ("voter_list", "secretary"),
    "XH04": ("nomination", "filing"),
    "XH05": ("voter_list", "congress"),
    "XH06": ("vetting", "done"),
}


class Command(BaseCommand):
    help = (
        "创建演示街道（新河街道）、社区、进行中的换届和各角色的演示用户。重复运行不会改变已有数据。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--election-day",
            help="居委会选举日 YYYY-MM-DD（默认：今天起10天后）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        election_day = self._election_day(options.get("election_day"))
        with transaction.atomic():
            created = self._seed(election_day)
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"演示街道已创建，选举日 {election_day:%Y-%m-%d}。")
            )
        else:
            self.stdout.write("演示街道已存在，未做任何改动。")
        self.stdout.write(f"演示用户（密码均为 {DEMO_PASSWORD}）：")
        for username, full_name, role, _kind, code in USERS:
            self.stdout.write(f"  {username:<18} {Role(role).label}（{code}） {full_name}")

    def _election_day(self, raw: str | None) -> dt.date:
        if not raw:
            return timezone.localdate() + dt.timedelta(days=10)
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise CommandError(f"选举日格式不对：{raw!r}，应为 YYYY-MM-DD") from None

    def _seed(self, election_day: dt.date) -> bool:
        install_profiles_if_missing()
        # The demo's deadlines extend over the real holidays (idempotent).
        for year in sorted(
            {
                (election_day - dt.timedelta(days=90)).year,
                (election_day + dt.timedelta(days=60)).year,
            }
        ):
            services.sync_rest_days(year)
        district, _ = District.objects.get_or_create(
            code="430105", defaults={"name": "开福区", "city": "长沙市"}
        )
        street, street_created = Street.objects.get_or_create(
            code="XH", defaults={"district": district, "name": "新河街道"}
        )
        communities = [
            Community.objects.get_or_create(code=code, defaults={"street": street, "name": name})[0]
            for code, name in COMMUNITIES
        ]
        departments = {
            code: Department.objects.get_or_create(
                district=district, code=code, defaults={"name": name}
            )[0]
            for code, name in DEPARTMENTS
        }
        admin = self._admin()
        scopes: dict[tuple[str, str], Any] = {
            ("street", "XH"): street,
            ("district", "430105"): district,
        }
        scopes.update({("community", c.code): c for c in communities})
        scopes.update({("department", code): d for code, d in departments.items()})
        User = get_user_model()
        for username, full_name, role, kind, code in USERS:
            user, user_created = User.objects.get_or_create(
                username=username, defaults={"first_name": full_name}
            )
            if user_created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            services.assign_role(user, role, scopes[(kind, code)], actor=admin)
        if ElectionCycle.objects.filter(street=street).exists():
            return street_created
        cycle = services.create_cycle(
            street=street,
            term=11,
            name="新河街道第十一届社区“两委”换届",
            election_day=election_day,
            party_meeting_day=election_day - dt.timedelta(days=31),
            profile=RuleProfile.objects.get(code="xinhe-2020"),
            actor=admin,
            communities=communities,
        )
        for election in CommunityElection.objects.filter(cycle=cycle).select_related("community"):
            committee_stage, party_stage = DEMO_STAGES[election.community.code]
            election = advance_to(election, "committee", committee_stage, actor=admin)
            advance_to(election, "party", party_stage, actor=admin)
        return True

    def _admin(self) -> Any:
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={"first_name": "系统管理员", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        return admin


def advance_to(
    election: CommunityElection, track: str, stage: str, *, actor: Any
) -> CommunityElection:
    """Move `track` stage by stage to `stage` through the service (checks and audit rows)."""
    while election.stage(track) != stage:
        try:
            election = services.advance_stage(election, track, actor=actor)
        except services.ElectionsError as exc:
            details = "；".join(issue.message for issue in exc.issues)
            raise CommandError(f"{election.community.name}：{exc.message}。{details}") from None
    return election


def install_profiles_if_missing() -> None:
    if RuleProfile.objects.filter(code__in=["national-2018", "xinhe-2020"]).count() != 2:
        install_profiles(RuleProfile)
