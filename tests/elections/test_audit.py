"""The audit log: written in the change's transaction, masked, never edited or deleted."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from elections import audit
from elections.models import TRACKS, AuditEvent, AuditImmutableError
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
    response = client.get("/audit/", {"action": "elections.role.assigned"})
    events = list(response.context["page"])
    assert events and all(e.action == "elections.role.assigned" for e in events)


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
    body = (
        cast.client("officer")
        .get("/audit/", {"action": "elections.role.assigned"})
        .content.decode()
    )
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


# -- every action has a Chinese label -------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("elections", "candidates", "vetting", "ballots", "electionlaw", "config")
# Values of the placeholders of f-string action codes (f"elections.stage.{track}.advanced").
PLACEHOLDER_VALUES = {"track": sorted(TRACKS)}


def _codes_of(node: ast.expr, where: str) -> set[str]:
    """The action codes an expression passed to audit.record(…) can take."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _codes_of(node.body, where) | _codes_of(node.orelse, where)
    if isinstance(node, ast.JoinedStr):
        codes = [""]
        for part in node.values:
            if isinstance(part, ast.Constant):
                codes = [c + str(part.value) for c in codes]
                continue
            assert isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name), where
            values = PLACEHOLDER_VALUES.get(part.value.id)
            assert values, f"{where}: add the values of {{{part.value.id}}} to PLACEHOLDER_VALUES"
            codes = [c + v for c in codes for v in values]
        return set(codes)
    raise AssertionError(f"{where}: pass the audit action as a literal dotted string")


def recorded_actions(source: str, name: str = "<source>") -> set[str]:
    """Every action code passed to audit.record / audit.record_many in `source`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if callee not in {"record", "record_many"}:
            continue
        action = next((k.value for k in node.keywords if k.arg == "action"), None)
        if action is None and len(node.args) >= 2:
            action = node.args[1]
        if action is None:
            continue
        where = f"{name}:{node.lineno}"
        codes = _codes_of(action, where)
        found |= {c for c in codes if c.startswith("elections.")}
    return found


def all_recorded_actions() -> set[str]:
    found: set[str] = set()
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found |= recorded_actions(path.read_text(encoding="utf-8"), str(path))
    return found


def test_the_action_scanner_finds_literals_conditionals_and_f_strings() -> None:
    source = (
        "audit.record(actor, 'elections.new.thing', obj)\n"
        "audit.record(actor, 'elections.a.x' if ok else 'elections.a.y', obj)\n"
        "audit.record(actor, f'elections.stage.{track}.advanced', obj)\n"
        "audit.record_many(actor, 'elections.voter.updated', rows, community_id=1, street_id=1)\n"
        "record(actor, action='elections.kw.used')\n"
    )
    assert recorded_actions(source) == {
        "elections.new.thing",
        "elections.a.x",
        "elections.a.y",
        "elections.stage.committee.advanced",
        "elections.stage.party.advanced",
        "elections.voter.updated",
        "elections.kw.used",
    }
    with pytest.raises(AssertionError, match="literal"):
        recorded_actions("audit.record(actor, some_variable, obj)")


def test_every_action_the_code_records_has_a_chinese_label() -> None:
    actions = all_recorded_actions()
    # The scan really reads the code base (services, registration, auth, imports…).
    assert {
        "elections.voter.updated",
        "elections.voter_import.committed",
        "elections.auth.locked_out",
        "elections.stage.party.advanced",
    } <= actions
    missing = sorted(a for a in actions if a not in audit.ACTION_LABELS)
    assert missing == [], f"add these to elections.audit.ACTION_LABELS: {missing}"
    chinese = re.compile(r"[\u4e00-\u9fff]")
    assert all(chinese.search(audit.ACTION_LABELS[a]) for a in actions)


# -- the audit page: labels, a select of actions, Chinese dates ---------------------------


def test_audit_page_filter_is_a_select_of_labelled_actions(cast: Cast) -> None:
    response = cast.client("officer").get("/audit/")
    body = response.content.decode()
    assert '<select name="action"' in body
    assert '<option value="elections.milestone.moved">调整时间节点</option>' in body
    assert '<option value="" selected>全部操作</option>' in body


def test_audit_page_shows_labels_and_chinese_dates_not_codes(cast: Cast) -> None:
    with transaction.atomic():
        event = audit.record(cast.admin, "elections.milestone.moved", cast.community_a)
    response = cast.client("officer").get("/audit/", {"action": "elections.milestone.moved"})
    assert list(response.context["page"]) == [event]
    table = response.content.decode().split("<tbody>", 1)[1]
    assert "调整时间节点" in table
    assert "elections.milestone.moved" not in table
    from django.utils import timezone

    local = timezone.localtime(event.created_at)
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}" in table


def test_audit_page_refuses_an_unknown_action_code(cast: Cast) -> None:
    response = cast.client("officer").get("/audit/", {"action": "elections.role"})
    assert response.status_code == 200
    assert not response.context["form"].is_valid()


# -- record_many: one row per object of a batch change --------------------------------------


def test_record_many_refuses_to_run_outside_a_transaction(cast: Cast) -> None:
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        with pytest.raises(audit.AuditOutsideTransactionError):
            audit.record_many(
                cast.admin,
                "elections.voter.updated",
                [(cast.community_a, {})],
                community_id=cast.community_a.pk,
                street_id=cast.street.pk,
            )
    finally:
        connection.in_atomic_block = saved


def test_record_many_writes_one_masked_row_per_object(cast: Cast) -> None:
    before = AuditEvent.objects.count()
    with transaction.atomic():
        written = audit.record_many(
            cast.users["member_a"],
            "elections.voter.updated",
            [
                (cast.community_a, {"changes": {"phone": ["13812345678", "13987654321"]}}),
                (cast.community_b, {"changes": {"group": ["一组", "二组"]}}),
            ],
            community_id=cast.community_a.pk,
            street_id=cast.street.pk,
        )
    assert written == 2
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert [(r.object_type, r.object_id) for r in rows] == [
        ("elections.community", str(cast.community_a.pk)),
        ("elections.community", str(cast.community_b.pk)),
    ]
    assert rows[0].data["changes"]["phone"] == ["138****5678", "139****4321"]
    assert {r.actor_name for r in rows} == {cast.users["member_a"].get_username()}
    assert {(r.community_id, r.street_id) for r in rows} == {(cast.community_a.pk, cast.street.pk)}
    assert all(isinstance(r.created_at, dt.datetime) for r in rows)
