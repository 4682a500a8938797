"""Writing the audit log (STYLE.md habit 3).

`record` must run inside the transaction of the change it describes; it refuses
to run outside one, so that a change can never land without its audit row (nor
an audit row without its change). Personal data in `data` is masked here."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models
from django.utils import timezone

from elections.formatting import cn_date
from elections.idnumbers import mask_id_number, mask_phone
from elections.models import AuditEvent

# Keys whose values are personal data: masked before they are stored.
_ID_KEYS = frozenset({"id_number", "身份证号"})
_PHONE_KEYS = frozenset({"phone", "联系电话"})
_DROPPED_KEYS = frozenset({"password", "password1", "password2", "密码"})


# Plain-Chinese names of the actions, for the audit page and its filter. Every
# action the code records needs one (tests/elections/test_audit.py checks).
ACTION_LABELS: dict[str, str] = {
    "elections.role.assigned": "授予角色",
    "elections.role.revoked": "撤销角色",
    "elections.user.created": "添加用户",
    "elections.cycle.created": "创建换届",
    "elections.community_election.created": "社区加入换届",
    "elections.community_election.election_day_changed": "更改社区选举日",
    "elections.community.created": "添加社区",
    "elections.rest_days.synced": "更新法定节假日",
    "elections.milestone.moved": "调整时间节点",
    "elections.milestone.moved_with_exception": "调整时间节点（例外）",
    "elections.milestone.completed": "记录节点完成日期",
    "elections.auth.locked_out": "连续登录失败，账号暂时锁定",
    "elections.stage.committee.advanced": "居委会换届进入下一阶段",
    "elections.stage.party.advanced": "党组织换届进入下一阶段",
    "elections.demo.stages_set": "演示数据：设置阶段",  # older rows; seed_demo now advances
    "elections.voter.registered": "登记选民",
    "elections.voter.updated": "修改选民信息",
    "elections.voter.removed": "移除选民",
    "elections.voter.approved": "记录会议同意登记",
    "elections.voter.id_viewed": "查看完整身份证号",
    "elections.voter_import.uploaded": "上传选民登记表",
    "elections.voter_import.committed": "导入选民登记表",
    "elections.voter_import.discarded": "放弃导入",
    "elections.voter_import.requeued": "重新安排检查选民登记表",
    "elections.voter_import.checked": "检查选民登记表完成",
    "elections.voter_import.check_failed": "检查选民登记表失败",
    "elections.objection.received": "登记申诉",
    "elections.objection.decided": "处理申诉",
    "elections.voter.exported": "导出选民名单",
    "elections.export.downloaded": "下载导出文件",
    "elections.voter_import.error_report_downloaded": "下载导入错误报告",
}

# Plain-Chinese names of the keys of `data`, for the audit page.
DATA_LABELS: dict[str, str] = {
    "user": "用户",
    "role": "角色",
    "scope": "范围",
    "username": "用户名",
    "ip_address": "登录地址",
    "minutes": "锁定分钟数",
    "full_name": "姓名",
    "term": "届次",
    "election_day": "选举日",
    "profile": "规则方案",
    "kind": "节点",
    "done_on": "完成日期",
    "planned": "计划日期",
    "from": "原",
    "to": "新",
    "reason": "理由",
    "violations": "不符合的规定",
    "committee_stage": "居委会换届阶段",
    "party_stage": "党组织换届阶段",
    "name": "姓名",
    "id_number": "身份证号",
    "category": "登记类别",
    "status": "状态",
    "source": "来源",
    "changes": "修改内容",
    "filename": "文件名",
    "size": "大小（字节）",
    "created": "新增",
    "updated": "更新",
    "unchanged": "无变化",
    "objection": "申诉编号",
    "decision": "处理结果",
    "via": "方式",
    "objection_kind": "申诉事项",
    "subject": "涉及人员",
    "complainant": "申诉人",
    "phone": "联系电话",
    "received_on": "收到日期",
    "late": "逾期提出",
    "decided_on": "决定日期",
    "deadline": "处理期限",
    "sla_breach": "超期处理",
    "voter": "选民编号",
    "fields": "更正项目",
    "rows": "行数",
    "errors": "错误行数",
    "warnings": "需核对行数",
    "attempts": "检查次数",
    "message": "说明",
    "filters": "筛选条件",
    "old_reason": "原理由",
    "reason_removed": "理由已清除",
    "moved": "随之调整的节点",
    "code": "社区代码",
    "community_name": "社区名称",
    "cycle": "换届",
    "year": "年份",
    "deleted": "删除",
    "kept_local": "保留的本地设置",
}


def register_action_labels(labels: Mapping[str, str]) -> None:
    """An app above the core adds the Chinese labels of its actions (from AppConfig.ready)."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def action_choices() -> list[tuple[str, str]]:
    """(code, label) of every action, in label order, for the audit page's filter."""
    return sorted(ACTION_LABELS.items(), key=lambda item: (item[1], item[0]))


def _value_labels() -> dict[str, str]:
    from elections.models import COMMITTEE_STAGES, PARTY_STAGES, Role
    from elections.registration.models import VoterCategory, VoterSource, VoterStatus
    from elections.schedule import SPECS

    labels: dict[str, str] = {str(code): str(label) for code, label in Role.choices}
    for choices in (VoterCategory, VoterStatus, VoterSource):
        labels.update({str(code): str(label) for code, label in choices.choices})
    labels.update({spec.kind: spec.label for spec in SPECS})
    labels.update(dict(PARTY_STAGES))
    labels.update(dict(COMMITTEE_STAGES))
    return labels


def _field_label(name: str) -> str:
    from django.core.exceptions import FieldDoesNotExist

    from elections.registration.models import Voter

    try:
        field = Voter._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _text(value: Any, labels: dict[str, str]) -> str:
    """One stored value as a person reads it: a code by its label, an ISO date as
    2026年12月11日, a flag as 是/否."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):
            try:
                return cn_date(dt.date.fromisoformat(value))
            except ValueError:
                return value
        return labels.get(value, value)
    return str(value)


def _change_text(value: Any, labels: dict[str, str]) -> str:
    if isinstance(value, list | tuple) and len(value) == 2:
        old, new = (_text(v, labels) for v in value)
        return f"{old or '（空）'} → {new or '（空）'}"
    return _text(value, labels)


def describe_data(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`data` as (label, text) pairs for people to read (codes shown by their Chinese names)."""
    values = _value_labels()
    rows = []
    for key, value in data.items():
        if value in ("", [], None):
            continue
        if isinstance(value, dict):
            text = "；".join(
                f"{DATA_LABELS.get(k, _field_label(k))}：{_change_text(v, values)}"
                for k, v in value.items()
            )
        elif isinstance(value, list):
            text = "；".join(_text(v, values) for v in value)
        else:
            text = _text(value, values)
        rows.append((DATA_LABELS.get(key, key), text))
    return rows


class AuditOutsideTransactionError(RuntimeError):
    pass


def mask_data(data: Any) -> Any:
    """A copy of `data` with ID and phone numbers masked and passwords dropped."""
    if isinstance(data, Mapping):
        masked: dict[str, Any] = {}
        for key, value in data.items():
            if key in _DROPPED_KEYS:
                continue
            if key in _ID_KEYS:
                masked[key] = _mask_values(value, mask_id_number)
            elif key in _PHONE_KEYS:
                masked[key] = _mask_values(value, mask_phone)
            else:
                masked[key] = mask_data(value)
        return masked
    if isinstance(data, list | tuple):
        return [mask_data(item) for item in data]
    if isinstance(data, str | int | float | bool) or data is None:
        return data
    return str(data)


def _mask_values(value: Any, mask: Any) -> Any:
    """Mask a personal value, or every string in a list of them ([old, new] changes)."""
    if isinstance(value, str):
        return mask(value) if value else value
    if isinstance(value, list | tuple):
        return [_mask_values(item, mask) for item in value]
    return mask_data(value)


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    community_id: int | None = None,
    street_id: int | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row for `action` (a dotted name such as `elections.milestone.moved`)."""
    if not connection.in_atomic_block:
        raise AuditOutsideTransactionError(
            f"audit.record({action!r}) must run inside the transaction of the change"
        )
    if obj is not None:
        community_id = community_id if community_id is not None else _community_id_of(obj)
        street_id = street_id if street_id is not None else _street_id_of(obj)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor_id=actor.pk if authenticated else None,
        actor_name=actor.get_username() if authenticated else "系统",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        street_id=street_id,
        community_id=community_id,
        data=mask_data(dict(data or {})),
    )


def record_many(
    actor: Any,
    action: str,
    rows: Iterable[tuple[models.Model, Mapping[str, Any]]],
    *,
    community_id: int | None,
    street_id: int | None,
) -> int:
    """Write one audit row per (object, data) of a batch change, in one bulk insert.

    For changes of many objects of one community (an import): the caller gives the
    community and street, so that no object is asked for them (no query per row)."""
    if not connection.in_atomic_block:
        raise AuditOutsideTransactionError(
            f"audit.record_many({action!r}) must run inside the transaction of the change"
        )
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    actor_id = actor.pk if authenticated else None
    actor_name = actor.get_username() if authenticated else "系统"
    now = timezone.now()
    values = [
        (
            now,
            actor_id,
            actor_name,
            action,
            obj._meta.label_lower,
            str(obj.pk),
            str(obj)[:200],
            street_id,
            community_id,
            mask_data(dict(data)),
        )
        for obj, data in rows
    ]
    if connection.vendor == "postgresql":
        _copy_events(values)
    else:
        AuditEvent.objects.bulk_create(
            [AuditEvent(**dict(zip(_EVENT_COLUMNS, row, strict=True))) for row in values],
            batch_size=1000,
        )
    return len(values)


_EVENT_COLUMNS = (
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "street_id",
    "community_id",
    "data",
)


def _copy_events(values: list[tuple[Any, ...]]) -> None:
    """COPY audit rows (PostgreSQL): an INSERT's client-side quoting of 20,000 JSON
    values costs seconds; COPY sends them as they are."""
    if not values:
        return
    columns = ", ".join(f'"{c}"' for c in _EVENT_COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {AuditEvent._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row((*row[:-1], json.dumps(row[-1], ensure_ascii=False)))


def _community_id_of(obj: models.Model) -> int | None:
    from elections.models import Community

    if isinstance(obj, Community):
        return int(obj.pk)
    for attr in ("community_id",):
        value = getattr(obj, attr, None)
        if isinstance(value, int):
            return value
    election = getattr(obj, "election", None) or getattr(obj, "community_election", None)
    if election is not None:
        return int(election.community_id)
    return None


def _street_id_of(obj: models.Model) -> int | None:
    from elections.models import Street

    if isinstance(obj, Street):
        return int(obj.pk)
    value = getattr(obj, "street_id", None)
    if isinstance(value, int):
        return value
    community = getattr(obj, "community", None)
    if community is not None:
        return int(community.street_id)
    election = getattr(obj, "election", None) or getattr(obj, "community_election", None)
    if election is not None:
        return int(election.community.street_id)
    cycle = getattr(obj, "cycle", None)
    if cycle is not None:
        return int(cycle.street_id)
    return None
