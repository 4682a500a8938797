"""Certifying a community's results (issue 11 item 7): the lock, certify and revoke."""

from __future__ import annotations

from ballots.models import Certification
from ballots.services import BallotsError
from elections.models import CommunityElection

LOCKED_MESSAGE = "本社区选举结果已经确认，数据已锁定；如需修改，请街道先撤销确认并说明理由"


def in_force(election: CommunityElection) -> Certification | None:
    return Certification.objects.filter(election=election, revoked_at__isnull=True).first()


def assert_open(election: CommunityElection) -> None:
    """Every change on election day calls this inside its transaction, after locking
    the election row: a certified result is locked until the certification is revoked."""
    if Certification.objects.filter(election=election, revoked_at__isnull=True).exists():
        raise BallotsError(LOCKED_MESSAGE)
