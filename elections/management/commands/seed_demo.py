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
from elections.demo import seed_apps
from elections.departments import XINHE_DEPARTMENTS
from elections.formatting import cn_date
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
DEPARTMENTS = XINHE_DEPARTMENTS  # the 16 departments of the 新河 plan's 资格联审

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
    # Both tracks stop where the candidates app's stage checks begin (nominations and
    # the 两推 need their own demo data, not seeded yet).
    "XH01": ("nomination", "recommendation"),
    "XH02": ("nomination", "recommendation"),
    "XH03": ("voter_list", "recommendation"),
    "XH04": ("nomination", "recommendation"),
    "XH05": ("voter_list", "preparation"),
    "XH06": ("nomination", "recommendation"),
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
                self.style.SUCCESS(f"演示街道已创建，选举日 {cn_date(election_day)}。")
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
            if committee_stage not in _BEFORE_ROLL:
                seed_demo_roll(election, actor=admin)
            if committee_stage not in _BEFORE_LIST:
                publish_demo_list(election, actor=admin)
            seed_apps(election, committee_stage, party_stage, admin)
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


# Committee stages a demo community can stand in before it has a roll / a published list
# (the registration stage gates, elections/registration/checks.py, ask for both).
_BEFORE_ROLL = {"preparation", "committee_formed", "voter_registration"}
_BEFORE_LIST = _BEFORE_ROLL | {"voter_list"}

_DEMO_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_DEMO_GIVEN = {
    "男": ["建国", "志强", "伟", "军", "明"],
    "女": ["秀英", "桂兰", "海燕", "芳", "丽华"],
}
DEMO_VOTERS_PER_COMMUNITY = 24


def demo_id_number(community_index: int, n: int, birth: dt.date, gender: str) -> str:
    """A made-up ID number for a demo voter: 开福区's region code, the birth date, a
    sequence with the gender's parity and the GB 11643 check digit, so that it passes
    the same checks as a real one. Only the demo street uses it."""
    from stdnum.cn import ric

    sequence = (community_index * 100 + n) % 500 * 2 + (1 if gender == "男" else 0)
    body = f"430105{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum reads the first 17 digits


def seed_demo_roll(election: CommunityElection, *, actor: Any) -> None:
    """A small roll through the registration service (checks and audit rows as usual)."""
    from elections.registration.services import VoterData, register_voter

    index = int(election.community.code[-2:])
    for n in range(DEMO_VOTERS_PER_COMMUNITY):
        gender = "男" if n % 2 else "女"
        birth = dt.date(1950 + (n * 7 + index) % 50, 1 + n % 12, 1 + (n * 5) % 28)
        given = _DEMO_GIVEN[gender]
        name = _DEMO_SURNAMES[(n + index) % len(_DEMO_SURNAMES)] + given[(n // 2) % len(given)]
        data = VoterData(
            name=name,
            id_number=demo_id_number(index, n, birth, gender),
            category="resident",
            gender=gender,
            birth_date=birth,
            group=f"第{'一二三四'[n % 4]}居民小组",
            address=f"{election.community.name}{1 + n % 6}栋{101 + n}室",
        )
        register_voter(election, data, actor=actor)


def publish_demo_list(election: CommunityElection, *, actor: Any) -> None:
    """Record the voter list as posted on its planned day (or today, if that is later)."""
    milestone = election.milestones.get(kind="voter_list_published")
    today = dt.date.today()
    try:
        services.complete_milestone(milestone, min(milestone.date, today), actor=actor)
    except services.ElectionsError as exc:
        raise CommandError(f"{election.community.name}：{exc.message}") from None


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
