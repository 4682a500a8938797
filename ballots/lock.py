"""The certification lock (issue 11 item 7): once a community's result is certified,
nothing on election day may change until the certification is revoked."""

from __future__ import annotations

from ballots.certification_models import Certification
from ballots.errors import BallotsError
from elections.models import CommunityElection

LOCKED_MESSAGE = "本社区选举结果已经确认，数据已锁定；如需修改，请街道先撤销确认并说明理由"


def assert_open(election: CommunityElection) -> None:
    """Every change on election day calls this inside its transaction, after locking
    the election row."""
    if Certification.objects.filter(election=election, revoked_at__isnull=True).exists():
        raise BallotsError(LOCKED_MESSAGE)
