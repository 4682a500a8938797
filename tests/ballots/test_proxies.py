"""委托投票 (B6) and polling staff (R8, R35) through their services: each refusal
names its rule; accepted ones are audited; the notices carry names only."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from ballots import proxies, staff
from ballots.polling_models import Proxy, ProxyStatus, StaffRole
from ballots.staff import PollingError
from candidates.services.kinship import add_relation
from elections.models import AuditEvent
from elections.registration.models import Voter
from tests.ballots.helpers import Day, candidate_of, day
from tests.candidates.committee_slate_helpers import voters
from tests.candidates.test_slate_pages import ROLES, _check, client_for
from tests.conftest import Cast, make_cast

EARLY = dt.date(2027, 1, 10)  # well before the election day of 2027-01-28


@pytest.fixture
def d(cast: Cast) -> Day:
    return day(cast)


@pytest.fixture
def roll(d: Day) -> dict[str, Voter]:
    names = {f"委托{i}": "女" for i in range(7)} | {"代投人": "男", "代投二": "男"}
    return voters(d.election, d.cast.users["officer"], names)


def _add(
    d: Day, principal: Voter, holder: Voter, relation: str = "sibling", today: dt.date = EARLY
) -> Proxy:
    return proxies.add_proxy(
        d.election,
        principal=principal,
        holder=holder,
        relation=relation,
        actor=d.member,
        today=today,
    )


def test_a_proxy_is_recorded_and_audited(d: Day, roll: dict[str, Voter]) -> None:
    p = _add(d, roll["委托0"], roll["代投人"])
    assert p.status == ProxyStatus.ACTIVE
    event = AuditEvent.objects.get(action="ballots.proxy.added")
    assert event.data["委托人"] == "委托0" and event.data["受委托人"] == "代投人"


def test_over_the_cap_is_refused_with_its_rule(d: Day, roll: dict[str, Voter]) -> None:
    # 新河: at most 5 proxies per holder.
    for i in range(5):
        _add(d, roll[f"委托{i}"], roll["代投人"])
    with pytest.raises(PollingError) as exc:
        _add(d, roll["委托5"], roll["代投人"])
    assert "B6" in exc.value.message and "holder" in exc.value.errors
    assert proxies.active_proxies(d.election).filter(holder=roll["代投人"]).count() == 5
    _add(d, roll["委托5"], roll["代投二"])  # another holder may take it


def test_a_candidate_cannot_hold_a_proxy(d: Day, roll: dict[str, Voter]) -> None:
    candidate = d.candidates["赵主任"].voter
    assert candidate is not None
    with pytest.raises(PollingError) as exc:
        _add(d, roll["委托0"], candidate)
    assert "候选人不得接受委托投票" in exc.value.message
    assert not proxies.active_proxies(d.election).exists()


def test_one_proxy_per_principal_and_no_sub_delegation(d: Day, roll: dict[str, Voter]) -> None:
    _add(d, roll["委托0"], roll["代投人"])
    with pytest.raises(PollingError) as exc:
        _add(d, roll["委托0"], roll["代投二"])
    assert "principal" in exc.value.errors
    with pytest.raises(PollingError) as exc:
        _add(d, roll["代投人"], roll["代投二"])  # a holder passing a vote on
    assert "B6" in exc.value.message
    with pytest.raises(PollingError):
        _add(d, roll["委托1"], roll["委托0"])  # someone who delegated cannot hold


def test_relation_outside_the_set_and_late_requests_are_refused(
    d: Day, roll: dict[str, Voter]
) -> None:
    with pytest.raises(PollingError) as exc:
        _add(d, roll["委托0"], roll["代投人"], relation="")
    assert "近亲属" in exc.value.message
    with pytest.raises(PollingError) as exc:
        _add(d, roll["委托0"], roll["代投人"], today=dt.date(2027, 1, 27))
    assert "B6" in exc.value.message
    assert not proxies.active_proxies(d.election).exists()


def test_a_withdrawn_proxy_frees_the_principal(d: Day, roll: dict[str, Voter]) -> None:
    p = _add(d, roll["委托0"], roll["代投人"])
    proxies.withdraw_proxy(p, reason="本人能回来投票", actor=d.member)
    p.refresh_from_db()
    assert p.status != ProxyStatus.ACTIVE
    _add(d, roll["委托0"], roll["代投二"])


def test_staff_refuses_a_candidate_and_a_candidates_relative(
    d: Day, roll: dict[str, Voter]
) -> None:
    central = d.places[0]
    candidate = d.candidates["钱主任"].voter
    assert candidate is not None
    with pytest.raises(PollingError) as exc:
        staff.add_staff(central, role=StaffRole.values[0], voter=candidate, actor=d.member)
    assert "R8" in exc.value.message
    add_relation(d.election, roll["代投人"], candidate, "spouse", actor=d.member)
    with pytest.raises(PollingError) as exc:
        staff.add_staff(central, role=StaffRole.values[0], voter=roll["代投人"], actor=d.member)
    assert "近亲属" in exc.value.message
    ok = staff.add_staff(central, role=StaffRole.values[0], voter=roll["委托0"], actor=d.member)
    assert ok.name == "委托0"
    assert AuditEvent.objects.filter(action="ballots.staff.added").count() == 1


def test_a_mobile_box_needs_its_monitors(d: Day, roll: dict[str, Voter]) -> None:
    box = d.places[1]
    assert any(box.name in p for p in staff.staff_problems(d.election))
    monitor = "monitor" if "monitor" in StaffRole.values else StaffRole.values[3]
    for i in range(3):
        staff.add_staff(box, role=monitor, voter=roll[f"委托{i}"], actor=d.member)
    assert not any(box.name in p for p in staff.staff_problems(d.election))


def test_n10_to_n12_carry_names_and_no_id_number(d: Day, roll: dict[str, Voter]) -> None:
    from elections.notices import publishing
    from elections.notices.registry import NotReady

    with pytest.raises(NotReady):
        publishing.build(d.election, "N10")
    _add(d, roll["委托0"], roll["代投人"])
    box = d.places[1]
    staff.add_staff(d.places[0], role=StaffRole.values[0], voter=roll["委托1"], actor=d.member)
    staff.add_mobile_voter(
        box, roll["委托2"], approved_on=EARLY, document="新街办〔2027〕1号", actor=d.member
    )
    texts = {}
    for code in ("N10", "N11", "N12"):
        data = publishing.build(d.election, code)
        texts[code] = repr(data)
    assert "委托0" in texts["N10"] and "代投人" in texts["N10"]
    assert "中心会场" in texts["N11"] and "委托1" in texts["N11"]
    assert "委托2" in texts["N12"]
    numbers = [v.id_masked[:6] for v in roll.values()]
    for text in texts.values():
        assert not any(v.id_masked in text for v in roll.values())
        assert not any(n in text for n in numbers if n)


READERS = {"officer", "supervisor", "org_reviewer", "member_a", "chair_a"}
EDITORS = {"officer", "member_a", "chair_a"}


@pytest.mark.parametrize("role", ROLES)
def test_proxy_pages_answer_each_role(d: Day, roll: dict[str, Voter], role: str) -> None:
    p = _add(d, roll["委托0"], roll["代投人"])
    client = client_for(d.cast, role)
    for url, allowed in {
        "/c/XH01/ballots/proxies/": READERS,
        f"/c/XH01/ballots/proxies/{p.pk}/form/": READERS,
        f"/c/XH02/ballots/proxies/{p.pk}/form/": set(),
    }.items():
        response = client.get(url)
        _check(response, role, allowed, url)
        if role in allowed:
            assert response.status_code == 200
            assert roll["委托0"].id_masked not in response.content.decode()
    before = Proxy.objects.count()
    response = client.post(
        "/c/XH01/ballots/proxies/",
        {"action": "add", "principal": "委托1", "holder": "代投人", "relation": "sibling"},
    )
    _check(response, role, EDITORS, "post")
    assert Proxy.objects.count() == before + (1 if role in EDITORS else 0)


def test_the_page_names_the_rule_of_a_refusal_and_keeps_the_input(
    d: Day, roll: dict[str, Voter]
) -> None:
    client = d.cast.client("member_a")
    candidate = d.candidates["赵主任"].voter
    assert candidate is not None
    page = client.post(
        "/c/XH01/ballots/proxies/",
        {"action": "add", "principal": "委托0", "holder": candidate.name, "relation": "child"},
    ).content.decode()
    assert "不能办理这项委托" in page and "候选人不得接受委托投票" in page and "B6" in page
    assert 'value="委托0"' in page
    page = client.post(
        "/c/XH01/ballots/proxies/", {"action": "add", "principal": "没这人", "holder": "代投人"}
    ).content.decode()
    assert "本社区选民名册中没有“没这人”" in page
    assert not Proxy.objects.exists()


# -- two requests at once (real transactions, two connections) --------------------------


def _at_once(*calls: Callable[[], Any]) -> list[str]:
    """Run the calls in threads released together; "ok" or each refusal's message."""
    outcomes: list[str] = []
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except PollingError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _concurrent_day() -> tuple[Day, dict[str, Voter]]:
    d = day(make_cast())
    names = {f"委托{i}": "女" for i in range(7)} | {"代投人": "男", "代投二": "男"}
    return d, voters(d.election, d.cast.users["officer"], names)


def _fresh(v: Voter) -> Voter:
    return Voter.objects.get(pk=v.pk)


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_holders_cap_one_wins() -> None:
    d, roll = _concurrent_day()
    cap = d.election.cycle.rule_profile.params().proxy_cap
    assert cap == 5
    for i in range(cap - 1):
        _add(d, roll[f"委托{i}"], roll["代投人"])
    outcomes = _at_once(
        lambda: _add(d, _fresh(roll["委托4"]), _fresh(roll["代投人"])),
        lambda: _add(d, _fresh(roll["委托5"]), _fresh(roll["代投人"])),
    )
    assert outcomes.count("ok") == 1, outcomes
    (refusal,) = [o for o in outcomes if o != "ok"]
    assert "B6" in refusal
    assert proxies.active_proxies(d.election).filter(holder=roll["代投人"]).count() == cap
    assert AuditEvent.objects.filter(action="ballots.proxy.added").count() == cap


@pytest.mark.django_db(transaction=True)
def test_two_proxies_of_one_principal_at_once_one_wins() -> None:
    d, roll = _concurrent_day()
    outcomes = _at_once(
        lambda: _add(d, _fresh(roll["委托0"]), _fresh(roll["代投人"])),
        lambda: _add(d, _fresh(roll["委托0"]), _fresh(roll["代投二"])),
    )
    assert outcomes.count("ok") == 1, outcomes
    (refusal,) = [o for o in outcomes if o != "ok"]
    assert "B6" in refusal
    assert proxies.active_proxies(d.election).filter(principal=roll["委托0"]).count() == 1
    assert AuditEvent.objects.filter(action="ballots.proxy.added").count() == 1


@pytest.mark.django_db(transaction=True)
def test_r8_is_checked_under_the_election_lock() -> None:
    """Someone made a candidate while a staff request waits for the election lock is
    refused when the lock is released, not put on the counting staff."""
    import time

    from django.db import transaction

    from candidates.models import CandidateStatus
    from elections.models import CommunityElection

    d, roll = _concurrent_day()
    person = roll["委托0"]
    outcomes: list[str] = []
    with transaction.atomic():
        CommunityElection.objects.select_for_update().get(pk=d.election.pk)
        candidate_of(person, "member", CandidateStatus.NOMINEE)

        def request() -> None:
            try:
                staff.add_staff(
                    d.places[0], role=StaffRole.values[0], voter=_fresh(person), actor=d.member
                )
                outcomes.append("ok")
            except PollingError as exc:
                outcomes.append(exc.message)
            finally:
                connection.close()

        waiting = threading.Thread(target=request)
        waiting.start()
        time.sleep(0.5)  # the request is now waiting for the lock
    waiting.join()
    assert len(outcomes) == 1 and "R8" in outcomes[0], outcomes
    assert not AuditEvent.objects.filter(action="ballots.staff.added").exists()
