"""The audit log: written in the change's transaction, masked, never edited or deleted."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from elections import audit
from elections.models import AuditEvent, AuditImmutableError
from tests.conftest import Cast


def test_record_refuses_to_run_outside_a_transaction(cast: Cast) -> None:
    # pytest-django wraps each test in a transaction; leave it to test the guard.
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        with pytest.raises(audit.AuditOutsideTransactionError):
            audit.record(cast.admin, "elections.test", cast.community_a)
    finally:
        connection.in_atomic_block = saved


def test_record_masks_personal_data_and_drops_passwords(cast: Cast) -> None:
    with transaction.atomic():
        event = audit.record(
            cast.admin,
            "elections.voter.changed",
            cast.community_a,
            data={
                "id_number": "430105199001011234",
                "phone": "13812345678",
                "password": "secret",
                "nested": [{"身份证号": "43010519900101123X"}],
            },
        )
    event.refresh_from_db()
    assert event.data["id_number"] == "43*************234"
    assert event.data["phone"] == "138****5678"
    assert "password" not in event.data
    assert event.data["nested"][0]["身份证号"] == "43*************23X"
    assert event.community_id == cast.community_a.pk
    assert event.street_id == cast.street.pk
    assert event.actor_name == "root"


def test_an_audit_event_cannot_be_changed_or_deleted(cast: Cast) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "rewritten"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(action="rewritten").count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_database_trigger_refuses_raw_updates(cast: Cast) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE elections_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM elections_auditevent WHERE id = %s", [event.pk])


def test_a_failed_change_leaves_no_audit_row(cast: Cast) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(cast.admin, "elections.test.failed", cast.community_a)
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == before


def test_audit_page_filters_by_community_and_action(cast: Cast) -> None:
    client = cast.client("officer")
    response = client.get("/audit/", {"community": cast.community_b.pk})
    events = list(response.context["page"])
    assert events and all(e.community_id == cast.community_b.pk for e in events)
    response = client.get("/audit/", {"action": "elections.role"})
    events = list(response.context["page"])
    assert events and all(e.action.startswith("elections.role") for e in events)


def test_audit_page_hides_other_streets(cast: Cast) -> None:
    response = cast.client("supervisor").get("/audit/")
    streets = {e.street_id for e in response.context["page"]}
    assert streets == {cast.street.pk}
    # The other street's cycle was audited too, but is not shown here.
    assert AuditEvent.objects.filter(street_id=cast.other_street.pk).exists()


def test_audit_page_refuses_a_community_outside_the_scope(cast: Cast) -> None:
    response = cast.client("officer").get("/audit/", {"community": cast.community_other_street.pk})
    assert response.status_code == 200
    assert not response.context["form"].is_valid()


def test_audit_page_speaks_plain_chinese(cast: Cast) -> None:
    body = cast.client("officer").get("/audit/", {"action": "elections.role"}).content.decode()
    assert "授予角色" in body
    assert "居民选举委员会成员" in body  # the role's name, not its code


def test_phone_and_id_changes_are_masked_in_both_old_and_new_values(cast: Cast) -> None:
    with transaction.atomic():
        event = audit.record(
            cast.admin,
            "elections.voter.updated",
            cast.community_a,
            data={"changes": {"phone": ["13812345678", "13987654321"], "group": ["一组", "二组"]}},
        )
    event.refresh_from_db()
    assert event.data["changes"]["phone"] == ["138****5678", "139****4321"]
    assert event.data["changes"]["group"] == ["一组", "二组"]


def test_audit_descriptions_use_chinese_names_for_codes_and_changes(cast: Cast) -> None:
    rows = dict(
        audit.describe_data(
            {
                "category": "nonresident",
                "changes": {"group": ["一组", "二组"], "category": ["resident", "nonresident"]},
            }
        )
    )
    assert rows["登记类别"] == "人在户不在"
    assert rows["修改内容"] == "居民小组：一组 → 二组；登记类别：户在人在 → 人在户不在"
